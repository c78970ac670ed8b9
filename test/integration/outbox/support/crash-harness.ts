// The outbox's kill -9 / lost-acknowledgement harness (research sync-anchors.md §5.6), used by the
// integration test and by `npm run bench` (outbox.lost, outbox.duplicated):
//
// - the real backend (Fastify + PGlite) in this process, behind a fault proxy that breaks a share of
//   the requests: 503 before the backend sees them (errors), answers held back past the client's
//   timeout (timeouts), answers thrown away after the backend applied them (lost acknowledgements),
//   and a prefix of the items applied before the connection drops (partial);
// - a desktop outbox in a child process (support/crash-child.ts) saving items without pause while its
//   pusher delivers them, SIGKILLed at random moments and restarted on the same outbox.sqlite;
// - at the end a last child drains what is left (faults still on), and the server's database is
//   compared with everything the child ever reported saved and everything its outbox file holds.
//
// lost: an item reported saved (or committed in outbox.sqlite) that the server never applied.
// duplicated: an application the server recorded beyond the first for one item (its key, or the call
// it records). `mutant: 'rekey'` makes the proxy give resent items fresh keys — a client without
// idempotency keys — to show the harness catches duplicates.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { ulid } from 'ulid';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../../backend/app';
import { TEST_COST } from '../../../../backend/auth/passwords';
import { SecretBox } from '../../../../backend/auth/secret-box';
import { migrate } from '../../../../backend/db/migrate';
import { PgliteDb } from '../../../../backend/db/pglite-db';
import { Client, createFixture } from '../../../../backend/test/support/backend';
import type { PushRequest, PushResponse } from '../../../../shared/outbox/items';

export interface HarnessOptions {
  dir: string;
  kills: number;
  /** Share of requests broken by the proxy (0.2 = 20 %). */
  faultRate?: number;
  /** Time a child runs before it is killed, ms (uniform). */
  minLifeMs?: number;
  maxLifeMs?: number;
  mutant?: 'rekey';
  drainTimeoutMs?: number;
  log?(line: string): void;
}

export interface HarnessResult {
  kills: number;
  /** Items the child reported saved (the UI's "saved"). */
  saved: number;
  /** Items in the child's outbox.sqlite at the end (saved ones plus those committed just before a kill). */
  committed: number;
  /** Distinct items the server applied. */
  applied: number;
  lost: number;
  duplicated: number;
  /** Items the server refused (none of these items is invalid: any is a bug). */
  rejected: number;
  requests: number;
  faults: { error: number; timeout: number; lostAck: number; partial: number };
  drainMs: number;
  seconds: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** One file, built once per run: starting it costs a fraction of a TypeScript loader's start, 100+ times. */
async function bundleChild(): Promise<string> {
  // Inside the repository, so the bundle finds better-sqlite3 in node_modules.
  const out = join(here, '../../../../node_modules/.cache/lianluo', `crash-child-${process.pid}.mjs`);
  await build({
    entryPoints: [join(here, 'crash-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return out;
}

class FaultProxy {
  server!: Server;
  url = '';
  requests = 0;
  faults = { error: 0, timeout: 0, lostAck: 0, partial: 0 };
  private readonly seen = new Set<string>();
  private readonly held: ServerResponse[] = [];

  constructor(
    private readonly upstream: string,
    private readonly rate: number,
    private readonly mutant: HarnessOptions['mutant'],
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private forward(req: IncomingMessage, body: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const u = new URL(this.upstream);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'host') headers[k] = v;
      const up = request({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: { 'content-type': String(r.headers['content-type'] ?? 'application/json') }, body: text }));
        r.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const isPush = req.method === 'POST' && req.url === '/v1/outbox';
    if (!isPush) {
      const r = await this.forward(req, body).catch(() => null);
      if (!r) return void res.writeHead(502).end();
      return void res.writeHead(r.status, r.headers).end(r.body);
    }
    this.requests++;
    let push = JSON.parse(body) as PushRequest;
    // The mutant: a resent item gets a fresh key (a client without idempotency keys); answers are mapped back.
    const back = new Map<string, string>();
    if (this.mutant === 'rekey') {
      push = {
        ...push,
        items: push.items.map((it) => {
          if (!this.seen.has(it.key)) {
            this.seen.add(it.key);
            return it;
          }
          const fresh = ulid();
          back.set(fresh, it.key);
          return { ...it, key: fresh };
        }),
      };
    }
    const roll = Math.random();
    const slice = this.rate / 4;
    if (roll < slice) {
      this.faults.error++;
      return void res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unavailable', message: 'injected fault' } }));
    }
    if (roll < 2 * slice) {
      // A timeout: the backend applies, the answer never comes in time (the client gives up first).
      this.faults.timeout++;
      await this.forward(req, JSON.stringify(push)).catch(() => null);
      this.held.push(res);
      return;
    }
    if (roll < 3 * slice) {
      this.faults.partial++;
      const k = Math.floor(Math.random() * push.items.length);
      if (k > 0) await this.forward(req, JSON.stringify({ ...push, items: push.items.slice(0, k) })).catch(() => null);
      res.socket?.destroy();
      return;
    }
    const r = await this.forward(req, JSON.stringify(push)).catch(() => null);
    if (!r) return void res.writeHead(502).end();
    if (roll < 4 * slice) {
      this.faults.lostAck++;
      res.socket?.destroy();
      return;
    }
    let text = r.body;
    if (back.size && r.status === 200) {
      const parsed = JSON.parse(r.body) as PushResponse;
      text = JSON.stringify({ results: parsed.results.map((x) => ({ ...x, key: back.get(x.key) ?? x.key })) });
    }
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(text);
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
}

export async function runCrashHarness(o: HarnessOptions): Promise<HarnessResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  mkdirSync(o.dir, { recursive: true });
  const childScript = await bundleChild();
  const box = SecretBox.fromKey(randomBytes(32));
  const db = await PgliteDb.open(join(o.dir, 'pg'));
  await migrate(db);
  await createFixture(db, { box, cost: TEST_COST, sessionTtlMs: 3_600_000 });
  const app: FastifyInstance = await buildApp({ db, box, passwordCost: TEST_COST });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const backendUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const token = await new Client(backendUrl).login('agent-a');
  const proxy = new FaultProxy(backendUrl, o.faultRate ?? 0.2, o.mutant);
  await proxy.start();
  const outboxDir = join(o.dir, 'desktop');
  const saved = new Set<string>();

  const start = (mode: 'write' | 'drain'): Run => {
    const child = spawn(process.execPath, [childScript], {
      env: { ...process.env, OUTBOX_DIR: outboxDir, BASE_URL: proxy.url, TOKEN: token, OWNER: 'harness agent-a', MODE: mode },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('S ')) saved.add(line.slice(2));
        else if (line) log(`child: ${line}`);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => log(`child stderr: ${d.trim()}`));
    return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  };

  try {
    const minLife = o.minLifeMs ?? 100;
    const maxLife = o.maxLifeMs ?? 800;
    for (let k = 0; k < o.kills; k++) {
      const run = start('write');
      await new Promise((r) => setTimeout(r, minLife + Math.random() * (maxLife - minLife)));
      run.child.kill('SIGKILL');
      await run.exited;
      if ((k + 1) % 20 === 0) log(`${k + 1} kills, ${saved.size} saved so far`);
    }
    const drainStart = performance.now();
    const last = start('drain');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const code = await Promise.race([last.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), o.drainTimeoutMs ?? 120_000)))]);
    clearTimeout(timer);
    if (code !== 0) {
      last.child.kill('SIGKILL');
      throw new Error(`the last desktop did not drain its outbox (${code})`);
    }
    const drainMs = performance.now() - drainStart;

    // What the desktop holds: every item it ever committed, by key, with the call it is about.
    const file = new Database(join(outboxDir, 'outbox.sqlite'), { readonly: true });
    const items = file.prepare<[], { key: string; kind: string; state: string; interaction_id: string | null }>('SELECT key, kind, state, interaction_id FROM items').all();
    file.close();
    const committed = new Map(items.map((i) => [i.key, i]));
    // What the server applied, one row per application.
    const rows = await db.query<{ key: string; status: string; kind: string }>('SELECT key, status, kind FROM outbox_applied');
    const appliedKeys = new Set(rows.map((r) => r.key));
    const lost = [...new Set([...saved, ...committed.keys()])].filter((k) => !appliedKeys.has(k)).length;
    // Applications the desktop never asked for under that key (a resend applied as a new item) …
    const foreign = rows.filter((r) => !committed.has(r.key)).length;
    // … and effects written more than once for one item (each wrap-up of the child carries one callback).
    const perCall = await db.query<{ id: string; n: number }>('SELECT interaction_id AS id, count(*)::int AS n FROM followups GROUP BY interaction_id HAVING count(*) > 1');
    const duplicated = foreign + perCall.length;
    const rejected = rows.filter((r) => r.status === 'rejected').length + items.filter((i) => i.state === 'rejected').length;
    return {
      kills: o.kills,
      saved: saved.size,
      committed: committed.size,
      applied: appliedKeys.size,
      lost,
      duplicated,
      rejected,
      requests: proxy.requests,
      faults: { ...proxy.faults },
      drainMs: Math.round(drainMs),
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await proxy.stop();
    await app.close();
    await db.close();
    rmSync(o.dir, { recursive: true, force: true });
    rmSync(childScript, { force: true });
  }
}
