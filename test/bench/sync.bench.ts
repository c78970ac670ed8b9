// sync.initial_rows_per_s: a backend on PostgreSQL holding N customers (and their call history) → a
// desktop that signs in with an empty cache and holds a complete, searchable cache, caught up with the
// server, swapped in. End to end, through the real pieces: the backend as its own process
// (`backend/cli.ts serve`), the desktop's services in this process (session, sync engine, writer worker).
// The path a desktop takes: the server's cache image (built once by the backend for every desktop,
// backend/sync/cache-image) → manifest → download → checks → delta pages from its cursors → swap.
// Value: customers per second of wall time from the sign-in to the swapped, caught-up cache. The
// server's image build is not in that time (it happens once, before any desktop asks) but is reported
// beside it (server_image_build_s). Also in the same run: the NDJSON path (a desktop told not to use
// images: pages into a new file, phones, history, indexes, search built locally, swap) and the
// backend's raw customers stream to a plain client that only counts lines.
//
// sync.live_change_ms_p95: that desktop stays connected (live socket); a customer is updated through
// the API, and the time until a lookup on the main process's connection returns the new name is taken.
//
// The database is seeded once into a cluster under .bench/pg-sync and reused by later runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import pg from 'pg';
import type { LookupResult } from '../../shared/domain/customer';
import type { SessionInfo, SyncStatus } from '../../shared/domain/session';
import type { CustomerResponse } from '../../shared/sync/api';
import { CacheImageManifest } from '../../shared/sync/image';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import type { WireResult } from '../../shared/result';
import { LineSplitter } from '../../shared/sync/page-reader';
import { SecretBox } from '../../backend/auth/secret-box';
import { DEFAULT_COST } from '../../backend/auth/passwords';
import { PgDb } from '../../backend/db/pg-db';
import { migrate } from '../../backend/db/migrate';
import { seedDemoCustomers, seedDemoUsers } from '../../backend/demo/seed';
import { startServices } from '../../electron/services/app-services';
import { MemorySecretStore } from '../../electron/services/secrets/secret-store';
import { BENCH_DIR, FIXTURE_NOW } from './fixtures';
import { load, percentile, type BenchContext } from './report';
import { startBenchCluster } from './sync-pg';

const REPO = new URL('../../', import.meta.url).pathname;
const WRITER = { url: new URL('../integration/support/writer-worker-from-source.mjs', import.meta.url) };
const LIVE_CHANGES = 60;
/** Where the backend keeps its cache images in this benchmark (emptied at the start of each run). */
const IMAGE_DIR = join(BENCH_DIR, 'sync-images');

// ---- Helpers shared with pop-sync.bench.ts (the pop measured while this sync writes): exported only.

export async function prepareDatabase(baseUrl: string, count: number, log: (m: string) => void): Promise<{ url: string; key: string; agentPassword: string; adminPassword: string }> {
  const name = `lianluo_sync_${count}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  if (!(await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
  const db = new PgDb({ connectionString: url });
  try {
    await migrate(db);
    const [row] = await db.query<{ n: number; seeded: boolean }>(
      `SELECT (SELECT count(*) FROM customers WHERE doc IS NOT NULL)::int AS n, EXISTS (SELECT 1 FROM customers WHERE id = 'C-STORY-1') AS seeded`,
    );
    if (row?.n !== count) {
      if (row?.n) {
        log(`  ${name} holds ${row.n} customers, not ${count}: seeding it again`);
        await db.exec('TRUNCATE customers, interactions, sessions, sip_accounts, users, teams CASCADE');
      }
      const t0 = performance.now();
      await seedDemoCustomers(db, count, {
        plan: DEFAULT_NUMBER_PLAN,
        chunk: 10_000,
        now: FIXTURE_NOW,
        onProgress: (n) => {
          if (n % 100_000 === 0) log(`  seeding the backend: ${n} customers with history`);
        },
      });
      await db.exec('VACUUM ANALYZE');
      log(`  seeded ${count} customers with history in ${Math.round((performance.now() - t0) / 1000)} s`);
    }
    // Fresh users each run: the server key is per run, and so are their sealed SIP passwords.
    await db.exec('DELETE FROM sessions; DELETE FROM sip_accounts; DELETE FROM users; DELETE FROM teams');
    const key = SecretBox.newKeyBase64();
    const accounts = await seedDemoUsers(db, { box: SecretBox.fromBase64(key), cost: DEFAULT_COST, sessionTtlMs: 3_600_000 });
    const pw = (u: string) => accounts.find((a) => a.username === u)?.password ?? '';
    return { url, key, agentPassword: pw('agent1001'), adminPassword: pw('admin') };
  } finally {
    await db.close();
  }
}

/** `env`: extra variables for the backend process (e.g. LIANLUO_CACHE_IMAGE=off). */
export async function startBackend(databaseUrl: string, key: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve', '--ready-json'], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: databaseUrl, LIANLUO_BACKEND_KEY: key, PORT: '0', LOG_LEVEL: 'warn', LIANLUO_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve((JSON.parse(line) as { ready: { url: string } }).ready.url);
    });
    child.once('exit', (code) => reject(new Error(`backend exited (${code}): ${out}`)));
  });
  return { child, url };
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

// ---- End of the shared helpers.

/** The backend's customers stream to a client that only counts lines: the ceiling for any desktop. */
async function rawStream(url: string, token: string, limit: number): Promise<{ rows: number; ms: number }> {
  let after = 0;
  let epoch = '';
  let rows = 0;
  const t0 = performance.now();
  for (;;) {
    const qs = new URLSearchParams({ after: String(after), limit: String(limit), ...(after ? { epoch } : {}) });
    const res = await fetch(`${url}/v1/sync/customers?${qs}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200 || !res.body) throw new Error(`raw stream: HTTP ${res.status}`);
    const split = new LineSplitter();
    const decoder = new TextDecoder();
    let first = '';
    let last = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (const l of split.push(decoder.decode(chunk, { stream: true }))) {
        if (!first) first = l;
        last = l;
      }
    }
    const end = JSON.parse(last) as { next: number; count: number; more: boolean };
    epoch = (JSON.parse(first) as { epoch: string }).epoch;
    rows += end.count;
    after = end.next;
    if (!end.more) break;
  }
  return { rows, ms: performance.now() - t0 };
}

interface InitialSync {
  services: Awaited<ReturnType<typeof startServices>>;
  ms: number;
  rate: number;
  done: SyncStatus;
  marks: { at: number; s: SyncStatus }[];
  finished: string[];
  finishSteps: Record<string, number>;
  cpuS: number;
  lagP99: number;
  lagMax: number;
  elu: number;
}

/** A desktop with an empty data folder signs in and syncs until idle; the services are left running. */
async function initialSync(dataDir: string, url: string, password: string, count: number, images: boolean, log: (m: string) => void): Promise<InitialSync> {
  const finished: string[] = [];
  const services = await startServices({
    dataDir,
    transport: 'web',
    version: 'bench',
    platform: process.platform,
    secrets: new MemorySecretStore(),
    writerScript: WRITER,
    log: { info: (m) => finished.push(m), warn: (m) => log(`  desktop: ${m}`), error: (m) => log(`  desktop error: ${m}`) },
    backend: { override: url },
    ...(images ? {} : { sync: { cacheImages: false } }),
  });
  try {
    await services.ready;
    const marks: { at: number; s: SyncStatus }[] = [];
    const idle = new Promise<SyncStatus>((resolve, reject) => {
      services.events.listen((event, payload) => {
        if (event !== 'sync.changed') return;
        const s = payload as SyncStatus;
        marks.push({ at: performance.now(), s });
        if (s.state === 'idle') resolve(s);
        if (s.state === 'error') reject(new Error(`sync failed: ${s.error?.kind} ${s.error?.detail}`));
      });
    });
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpu0 = process.cpuUsage();
    const elu0 = perf.eventLoopUtilization();
    const t0 = performance.now();
    const r = (await services.router.handle('session.signIn', { backendUrl: url, username: 'agent1001', password }, { transport: 'web' })) as WireResult<SessionInfo>;
    if (!r.ok || r.value.status !== 'signed_in') throw new Error(`sign-in failed: ${JSON.stringify(r.ok ? r.value.error : r.error)}`);
    const done = await idle;
    const ms = performance.now() - t0;
    lag.disable();
    const elu = perf.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    if (done.customers !== count) throw new Error(`the desktop holds ${done.customers} customers, expected ${count}`);
    const timings = finished.find((m) => m.startsWith('new cache finished')) ?? '';
    const step = (name: string) => Number(new RegExp(`${name} (\\d+) ms`).exec(timings)?.[1] ?? NaN);
    return {
      services,
      ms,
      rate: Math.round(count / (ms / 1000)),
      done,
      marks,
      finished,
      finishSteps: { phones: step('phones'), indexes: step('indexes'), history: step('history'), search_fts: step('search'), analyze: step('analyze') },
      cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(1),
      lagP99: +(lag.percentile(99) / 1e6).toFixed(1),
      lagMax: +(lag.max / 1e6).toFixed(1),
      elu: +elu.utilization.toFixed(3),
    };
  } catch (e) {
    await services.close();
    throw e;
  }
}

export async function benchSync(ctx: BenchContext): Promise<void> {
  const count = ctx.customers;
  const cluster = await startBenchCluster();
  let backend: { child: ChildProcess; url: string } | undefined;
  const dataDir = join(BENCH_DIR, 'sync-desktop');
  rmSync(dataDir, { recursive: true, force: true });
  // Every run builds its image anew (one kept from an earlier run would hide the build time).
  rmSync(IMAGE_DIR, { recursive: true, force: true });
  try {
    const db = await prepareDatabase(cluster.url, count, ctx.log);
    backend = await startBackend(db.url, db.key, { LIANLUO_CACHE_IMAGE: 'on', LIANLUO_CACHE_IMAGE_DIR: IMAGE_DIR, LIANLUO_CACHE_IMAGE_MIN_ROWS: '100000' });
    const adminToken = await login(backend.url, 'admin', db.adminPassword);

    // ---------------------------------------------------------------- the server's cache image
    // Built once by the backend (a worker thread) for every desktop; its time is reported, not hidden.
    ctx.log('  waiting for the backend to build its cache image');
    const tImage = performance.now();
    let manifest: CacheImageManifest | null = null;
    while (!manifest) {
      const res = await fetch(`${backend.url}/v1/sync/image`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (res.status === 200) manifest = CacheImageManifest.parse(await res.json());
      else if (performance.now() - tImage > 30 * 60_000) throw new Error('the backend built no cache image within 30 min');
      else await new Promise((r) => setTimeout(r, 500));
    }
    const sidecarFile = readdirSync(IMAGE_DIR).find((f) => f === `cache-image-${manifest.cursors.customers.cursor}.json`);
    const sidecar = sidecarFile ? (JSON.parse(readFileSync(join(IMAGE_DIR, sidecarFile), 'utf8')) as { buildMs: number; timings: Record<string, number> }) : null;
    ctx.log(`  cache image: ${Math.round(manifest.bytes / 2 ** 20)} MiB, built in ${sidecar ? (sidecar.buildMs / 1000).toFixed(1) : '?'} s`);

    ctx.log('  baseline: the raw customers stream to a line-counting client');
    const raw = await rawStream(backend.url, adminToken, 20_000);
    if (raw.rows !== count) throw new Error(`the raw stream gave ${raw.rows} customers, expected ${count}`);
    const rawRate = raw.rows / (raw.ms / 1000);

    // ---------------------------------------------------------------- initial sync, both paths
    const ndjsonDir = join(BENCH_DIR, 'sync-desktop-ndjson');
    rmSync(ndjsonDir, { recursive: true, force: true });
    ctx.log('  the NDJSON path (a desktop that does not use cache images)');
    const ndjson = await initialSync(ndjsonDir, backend.url, db.agentPassword, count, false, ctx.log);
    await ndjson.services.close();
    rmSync(ndjsonDir, { recursive: true, force: true });
    ctx.log(`  NDJSON path: ${ndjson.rate} customers/s; now the cache-image path`);
    const viaImage = await initialSync(dataDir, backend.url, db.agentPassword, count, true, ctx.log);
    const services = viaImage.services;
    try {
      const call = async <T>(channel: string, payload: unknown = {}) => {
        const r = (await services.router.handle(channel, payload, { transport: 'web' })) as WireResult<T>;
        if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
        return r.value;
      };
      const downloaded = viaImage.finished.find((m) => m.startsWith('cache image downloaded')) ?? '';
      if (!downloaded) throw new Error(`the desktop did not take the cache image: ${viaImage.finished.join(' | ')}`);
      const firstByte = viaImage.marks.find((m) => m.s.progress?.download);
      const lastByte = [...viaImage.marks].reverse().find((m) => m.s.progress?.download);
      const swapped = viaImage.marks.find((m) => m.s.phase === 'update');
      const rate = viaImage.rate;
      ctx.metric('sync.initial_rows_per_s', rate, 'customers/s', 100_000, 'min', {
        path: 'cache image: manifest → download → checks → delta pages from its cursors → swap (timed from sign-in to swapped and caught up)',
        customers: count,
        interactions: viaImage.done.interactions,
        seconds: +(viaImage.ms / 1000).toFixed(1),
        image_mib: +(manifest.bytes / 2 ** 20).toFixed(1),
        download_s: firstByte && lastByte ? +((lastByte.at - firstByte.at) / 1000).toFixed(1) : null,
        download_mib_per_s: firstByte && lastByte && lastByte.at > firstByte.at ? Math.round(manifest.bytes / 2 ** 20 / ((lastByte.at - firstByte.at) / 1000)) : null,
        verify_ms: Number(/checked in (\d+) ms/.exec(downloaded)?.[1] ?? NaN),
        after_download_to_swap_s: lastByte && swapped ? +((swapped.at - lastByte.at) / 1000).toFixed(1) : null,
        // Built once on the server for every desktop; not in the time above.
        server_image_build_s: sidecar ? +(sidecar.buildMs / 1000).toFixed(1) : null,
        server_image_build_steps_ms: sidecar?.timings ?? null,
        server_image_wait_s: +((performance.now() - tImage) / 1000).toFixed(1),
        ndjson_path_rows_per_s: ndjson.rate,
        ndjson_path_seconds: +(ndjson.ms / 1000).toFixed(1),
        ndjson_path_finish_steps_ms: ndjson.finishSteps,
        ratio_to_ndjson_path: +(rate / ndjson.rate).toFixed(2),
        baseline: 'the backend streaming the customers stream to a plain client that counts lines',
        baseline_rows_per_s: Math.round(rawRate),
        ratio_to_baseline: +(rate / rawRate).toFixed(2),
        ndjson_path_ratio_to_baseline: +(ndjson.rate / rawRate).toFixed(2),
        desktop_process_cpu_s: viaImage.cpuS,
        main_event_loop_lag_p99_ms: viaImage.lagP99,
        main_event_loop_lag_max_ms: viaImage.lagMax,
        // Busy share of the main thread during the sync: lag with a low share is waiting for a CPU (load average), not work.
        main_event_loop_utilization: viaImage.elu,
        swap_main_thread_ms: Number(/main thread (\d+) ms/.exec(viaImage.finished.find((m) => m.startsWith('new cache swapped')) ?? '')?.[1] ?? NaN),
        load_1min: load(),
      });

      // ---------------------------------------------------------------- live change → lookup
      const liveUp = performance.now() + 15_000;
      while (!(await call<SyncStatus>('sync.status')).live) {
        if (performance.now() > liveUp) throw new Error('the live socket did not connect');
        await new Promise((r) => setTimeout(r, 50));
      }
      const api = async <T>(method: string, path: string, body?: unknown) => {
        const res = await fetch(backend!.url + path, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      };
      const samples: number[] = [];
      for (let i = 0; i < LIVE_CHANGES + 5; i++) {
        const id = `C${String(1000 + i * 7919 % Math.max(1, count - 2000)).padStart(7, '0')}`;
        const c = (await api<CustomerResponse>('GET', `/v1/customers/${id}`)).customer;
        const name = `Live ${randomBytes(4).toString('hex')}`;
        const number = c.phones[0]!.e164;
        const t = performance.now();
        await api('PUT', `/v1/customers/${id}`, { ...c, name, phones: c.phones.map((p) => ({ label: p.label, number: p.e164 })) });
        for (;;) {
          const r = await call<LookupResult>('customers.lookup', { ani: number });
          if (r.customers.some((x) => x.id === id && x.name === name)) break;
          if (performance.now() - t > 10_000) throw new Error(`change ${i} not visible after 10 s`);
          await new Promise((res) => setTimeout(res, 1));
        }
        if (i >= 5) samples.push(performance.now() - t); // the first few warm up the statements and sockets
        await new Promise((res) => setTimeout(res, 30));
      }
      ctx.metric('sync.live_change_ms_p95', percentile(samples, 0.95), 'ms', 250, 'max', {
        changes: samples.length,
        p50_ms: percentile(samples, 0.5),
        max_ms: +Math.max(...samples).toFixed(1),
        path: 'PUT through the API → NOTIFY → live nudge → page pulled and applied in the writer worker → lookup on the main connection',
        cached_customers: count,
      });
    } finally {
      await services.close();
    }
  } finally {
    backend?.child.kill('SIGTERM');
    cluster.stop();
  }
}
