// How fast the backend streams an initial customer sync from PostgreSQL to a plain Node client on
// loopback (no SQLite: this measures the server side and the wire, not the desktop's apply).
//
//   bash backend/test/pg-cluster.sh run -- npx tsx backend/bench/sync-stream.ts [--customers 1000000] [--limit 100000]
//
// The server runs as its own process (`backend/cli.ts serve`), the client here. The database
// `lianluo_bench` is created and seeded once (deterministic demo customers, no history) and reused.
// Prints one JSON line per measurement.
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { LineSplitter, PageReader } from '../../shared/sync/page-reader';
import { SecretBox } from '../auth/secret-box';
import { DEFAULT_COST } from '../auth/passwords';
import { PgDb } from '../db/pg-db';
import { migrate } from '../db/migrate';
import { seedDemoCustomers, seedDemoUsers } from '../demo/seed';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, limit: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
const COUNT = Number(values.customers);
const LIMIT = Number(values.limit);
const RUNS = Number(values.runs);
const base = process.env.DATABASE_URL;
if (!base) throw new Error('DATABASE_URL is required (run through backend/test/pg-cluster.sh run -- …)');
const DB_NAME = `lianluo_bench_${COUNT}`;
const url = Object.assign(new URL(base), { pathname: `/${DB_NAME}` }).toString();
const key = SecretBox.newKeyBase64();

async function prepare(): Promise<string> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const db = new PgDb({ connectionString: url });
  await migrate(db);
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE doc IS NOT NULL');
  if ((row?.n ?? 0) !== COUNT) {
    if (row?.n) throw new Error(`${DB_NAME} holds ${row.n} customers, expected ${COUNT}: drop it`);
    const t0 = performance.now();
    await seedDemoCustomers(db, COUNT, { plan: DEFAULT_NUMBER_PLAN, withoutHistory: true, chunk: 10_000, now: 1_790_000_000_000 });
    await db.exec('VACUUM ANALYZE customers');
    console.error(`seeded ${COUNT} customers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // Fresh demo users each run: the server key is per run, so their sealed SIP passwords must be too.
  await db.exec('DELETE FROM sessions; DELETE FROM sip_accounts; DELETE FROM users; DELETE FROM teams');
  const accounts = await seedDemoUsers(db, { box: SecretBox.fromBase64(key), cost: DEFAULT_COST, sessionTtlMs: 3_600_000 });
  await db.close();
  const agent = accounts.find((a) => a.username === 'agent1001');
  if (!agent) throw new Error('no demo agent');
  return agent.password;
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, DATABASE_URL: url, LIANLUO_BACKEND_KEY: key, PORT: '0', LOG_LEVEL: 'warn', LIANLUO_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const serverUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /on (http:\/\/[^\s,]+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return { child, url: serverUrl };
}

interface RunResult {
  rows: number;
  ms: number;
  bytes: number;
  pages: number;
}

/** Pull everything: plain line counting, or full validation of every line with the shared PageReader. */
async function pull(serverUrl: string, token: string, validate: boolean): Promise<RunResult> {
  let after = 0;
  let epoch: string | undefined;
  let rows = 0;
  let bytes = 0;
  let pages = 0;
  const t0 = performance.now();
  for (;;) {
    const qs = new URLSearchParams({ after: String(after), limit: String(LIMIT), ...(epoch && after > 0 ? { epoch } : {}) });
    const res = await fetch(`${serverUrl}/v1/sync/customers?${qs}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
    const reader = validate ? new PageReader('customers', { after, ...(epoch ? { epoch } : {}), limit: LIMIT }) : null;
    const split = new LineSplitter();
    const decoder = new TextDecoder();
    let head = '';
    let tail = '';
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      const text = decoder.decode(chunk, { stream: true });
      if (reader) {
        for (const line of split.push(text)) reader.line(line);
        continue;
      }
      // Plain: count lines; keep the first (begin) and the last (end) line only.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines++;
      if (head.length < 400) head += text.slice(0, 400);
      tail = (tail + text).slice(-400);
    }
    let next: number;
    let more: boolean;
    if (reader) {
      const rest = split.end();
      if (rest) reader.line(rest);
      const page = reader.finish();
      rows += page.changes.length;
      ({ next, more } = page.end);
      epoch = page.begin.epoch;
    } else {
      const begin = JSON.parse(head.slice(0, head.indexOf('\n'))) as { epoch: string };
      const end = JSON.parse(tail.trimEnd().split('\n').pop()!) as { next: number; count: number; more: boolean };
      if (end.count !== newlines - 2) throw new Error(`page has ${newlines - 2} change lines, its end line says ${end.count}`);
      rows += end.count;
      ({ next, more } = end);
      epoch = begin.epoch;
    }
    after = next;
    pages++;
    if (!more) break;
  }
  return { rows, ms: performance.now() - t0, bytes, pages };
}

const password = await prepare();
const server = await startServer();
try {
  const login = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'agent1001', password }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  for (const validate of [false, true]) {
    for (let run = 0; run < RUNS; run++) {
      const r = await pull(server.url, token, validate);
      if (r.rows !== COUNT) throw new Error(`pulled ${r.rows} rows, expected ${COUNT}`);
      console.log(
        JSON.stringify({
          metric: validate ? 'backend.sync_stream_validated_rows_per_s' : 'backend.sync_stream_rows_per_s',
          rows: r.rows,
          pages: r.pages,
          seconds: +(r.ms / 1000).toFixed(2),
          rows_per_s: Math.round(r.rows / (r.ms / 1000)),
          mb: +(r.bytes / 1e6).toFixed(1),
        }),
      );
    }
  }
} finally {
  server.child.kill('SIGTERM');
}
