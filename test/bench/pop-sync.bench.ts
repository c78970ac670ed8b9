// pop.paint_during_sync_ms_p95: the screen pop (INVITE bytes on the agent's WebSocket → customer card
// painted, as pop.paint_ms_p95) while the desktop's writer worker bulk-loads 1,000,000 customers.
//
// Scenario (DESIGN §4, the reset): the agent's desktop holds a complete cache of N customers, synced
// from the company backend's previous dataset (the bench's cache fixture, its cursors stamped with a
// dataset id the backend no longer has, as after the backend's database was restored or moved). The
// agent signs in at the start of a shift; the real backend process on PostgreSQL (N customers with
// history, sync.bench.ts's seeded cluster) answers the first incremental page with 410 epoch_changed,
// and the desktop rebuilds its cache in a new file, pulling both streams in bulk, then phones, indexes,
// history, the search index and statistics, while the old file keeps serving lookups, then swaps.
// Calls ring through Kamailio from the bench caller the whole time, each from a number of a cached
// customer. The backend runs with LIANLUO_CACHE_IMAGE=off: the desktop takes the NDJSON bulk path (JSON
// parsed and inserted row by row in the writer worker), the most CPU it can spend on a sync.
//
// Calls are paced one second apart (after the agent is Ready again), as a busy queue. Every call notes
// the sync phase at its INVITE and at its paint (from the desktop's own sync.changed
// events on a second IPC socket): only calls whose whole pop fell while the writer was writing count
// (customers stream, history stream, finishing steps); not the first 410 round trip, not the swap.
// Baseline in the same run: the same desktop, backend and calls once the sync is idle, each call waiting
// until the short pull that brings back the previous call's record is over (nothing syncing at all).
// Beside the pop: the ring panel's paint, the lookup's IPC round trip, the renderer's long tasks inside
// each pop and the CPU seconds of every process over the busy window, to tell where time goes.
// Must run inside the loopback-only namespace (npm run bench does).
import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DEMO_PBX } from '../../backend/demo/seed';
import type { SyncStatus } from '../../shared/domain/session';
import { SYNC_STREAMS, STREAM_VERSIONS } from '../../shared/sync/protocol';
import { setMeta } from '../../electron/services/db/customers';
import { openDb } from '../../electron/services/db/open';
import { writeCursor } from '../../electron/services/db/sync-apply';
import { launchParty, type Party } from '../e2e/lib/browser';
import { buildCaller, serveFolder } from '../e2e/lib/caller-build';
import { startKamailio, startWebHost, stopKamailio, type WebHostProcess } from '../e2e/lib/rig';
import { cacheFixture } from './fixtures';
import { copyToDisk, prepareBenchRun, until } from './bench-rig';
import { callerNumbers } from './pop-paint.bench';
import { load, percentile, type BenchContext } from './report';
import { prepareDatabase, startBackend } from './sync.bench';
import { startBenchCluster } from './sync-pg';

const WS = 'ws://127.0.0.1:8080';
const WARMUP = 4;
const MIN_CALLS = 20;
const BASELINE_CALLS = 30;
/** Between two calls (after the agent is Ready again): a busy queue, not a flood that loads the machine itself. */
const GAP_MS = 1000;
const SYNC_TIMEOUT_MS = 20 * 60_000;

// ---------------------------------------------------------------- the desktop's sync, as it tells it

/** Where a call fell. Progress fractions as sync-engine.ts weighs a new file: customers 0–0.7, history 0.7–0.95, finishing 0.95–1, swap at 1. */
type Phase = 'off' | 'idle' | 'error' | 'update' | 'download' | 'customers' | 'history' | 'finishing' | 'swap';
const WRITING: readonly Phase[] = ['customers', 'history', 'finishing'];

function phaseOf(s: SyncStatus | null): Phase {
  if (!s) return 'off';
  if (s.state !== 'syncing') return s.state;
  if (s.phase !== 'rebuild' && s.phase !== 'initial') return 'update';
  if (s.progress?.download) return 'download'; // a cache image (never here: the backend has them off)
  const f = s.progress?.fraction ?? 0;
  return f < 0.7 ? 'customers' : f < 0.95 ? 'history' : f < 1 ? 'finishing' : 'swap';
}

interface SyncWatch {
  now(): SyncStatus | null;
  marks: { at: number; s: SyncStatus }[];
  close(): void;
}

/** A second IPC socket to the web host, as the page has: the desktop's sync.changed events. */
async function watchSync(hostUrl: string): Promise<SyncWatch> {
  const u = new URL(hostUrl);
  const token = new URLSearchParams(u.hash.slice(1)).get('token') ?? '';
  const ws = new WebSocket(`ws://${u.host}/ipc?token=${encodeURIComponent(token)}`, { headers: { origin: u.origin } });
  let current: SyncStatus | null = null;
  const marks: SyncWatch['marks'] = [];
  await new Promise<void>((ok, ko) => {
    ws.once('open', () => ok());
    ws.once('error', ko);
  });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { event?: string; payload?: unknown; id?: number; result?: { ok: boolean; value?: unknown } };
    if (m.event === 'sync.changed') {
      current = m.payload as SyncStatus;
      marks.push({ at: performance.now(), s: current });
    } else if (m.id === 1 && m.result?.ok && !current) current = m.result.value as SyncStatus;
  });
  ws.send(JSON.stringify({ id: 1, channel: 'sync.status', payload: {} }));
  return { now: () => current, marks, close: () => ws.close() };
}

/** Idle, and no sync.changed for `ms`. */
async function quiet(sync: SyncWatch, ms: number): Promise<boolean> {
  const last = sync.marks.at(-1)?.at ?? 0;
  if (sync.now()?.state !== 'idle') return false;
  const wait = last + ms - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return sync.now()?.state === 'idle' && (sync.marks.at(-1)?.at ?? 0) === last;
}

// ---------------------------------------------------------------- CPU per process (this PID namespace)

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** utime + stime in seconds of every process, and of the web host's main thread alone. */
function cpuSnapshot(webhostPid: number): Map<string, number> {
  const out = new Map<string, number>();
  const read = (path: string): { comm: string; s: number } | null => {
    try {
      const st = readFileSync(path, 'utf8');
      const close = st.lastIndexOf(')');
      const f = st.slice(close + 2).split(' ');
      return { comm: st.slice(st.indexOf('(') + 1, close), s: (Number(f[11]) + Number(f[12])) / TICKS };
    } catch {
      return null; // gone meanwhile
    }
  };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const r = read(`/proc/${pid}/stat`);
    if (r) out.set(`${pid} ${r.comm}`, r.s);
  }
  const main = read(`/proc/${webhostPid}/task/${webhostPid}/stat`);
  if (main) out.set('webhost-main-thread', main.s);
  return out;
}

function cpuBetween(a: Map<string, number>, b: Map<string, number>, roles: Record<number, string>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [key, end] of b) {
    const d = end - (a.get(key) ?? end); // a process started inside the window is left out (small)
    if (d <= 0) continue;
    const pid = Number(key.split(' ')[0]);
    const comm = key.slice(key.indexOf(' ') + 1);
    const role =
      key === 'webhost-main-thread'
        ? 'desktop main thread (of the above)'
        : (roles[pid] ?? (/^(chrom|headless)/i.test(comm) ? 'chromium (agent + caller, all processes)' : /^postgres/.test(comm) ? 'postgresql' : comm));
    sums[role] = (sums[role] ?? 0) + d;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, +v.toFixed(1)]).sort((x, y) => (y[1] as number) - (x[1] as number)));
}

/** How many of the desktop's threads run at each nice value and policy (the writer worker: nice 10, idle). */
function threadNices(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const policy = { '0': 'normal', '3': 'batch', '5': 'idle' }[f[38] ?? ''] ?? `policy ${f[38]}`;
      const key = `nice ${f[16] ?? '?'} ${policy}`;
      out[key] = (out[key] ?? 0) + 1;
    } catch {
      /* ended meanwhile */
    }
  }
  return out;
}

// ---------------------------------------------------------------- one call

const ms = (v: number) => Math.round(v * 10) / 10;

interface Sample {
  number: string;
  at: number;
  phaseAtInvite: Phase;
  phaseAtPaint: Phase;
  popMs: number;
  ringMs: number | null;
  lookupMs: number | null;
  /** Renderer main-thread long tasks (> 50 ms) overlapping this pop. */
  longTaskMs: number;
  match: string;
  /** The desktop's main thread from the INVITE to the paint (polled, so a little wider): on a CPU, and runnable but waiting for one. */
  mainRunMs: number;
  mainWaitMs: number;
}

const LONG_TASKS = () => {
  const w = window as unknown as { __lianluoLongTasks?: [number, number][] };
  w.__lianluoLongTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__lianluoLongTasks!.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
};

/** A thread's time on a CPU and waiting for one (ms), from /proc/<pid>/task/<tid>/schedstat. */
function schedOf(pid: number): { run: number; wait: number } {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: (run ?? 0) / 1e6, wait: (wait ?? 0) / 1e6 };
  } catch {
    return { run: NaN, wait: NaN };
  }
}

async function ringOnce(agent: Party, caller: Party, sync: SyncWatch, number: string, desktopPid: number): Promise<Sample> {
  const a = agent.page;
  const c = caller.page;
  const before = await a.evaluate(() => performance.getEntriesByName('lianluo.pop.paint').length);
  const phaseAtInvite = phaseOf(sync.now());
  const sched0 = schedOf(desktopPid);
  const at = performance.now();
  await c.evaluate((r) => window.caller!.call(r), { target: 'sip:1001@127.0.0.1', fromUser: number });
  await until('the card to paint', async () => (await a.evaluate(() => performance.getEntriesByName('lianluo.pop.paint').length)) > before, 60_000);
  const phaseAtPaint = phaseOf(sync.now());
  const sched1 = schedOf(desktopPid);
  const match = (await a.getByTestId('pop').getAttribute('data-match')) ?? '?';
  await c.evaluate(() => window.caller!.hangup());
  await until('the call to end', async () => (await c.evaluate(() => window.caller!.status().state)) === 'Terminated', 60_000);
  await until('the agent to be Ready', async () => (await a.getByTestId('agent-status').textContent()) === 'Ready', 60_000);
  const m = await a.evaluate((i) => {
    const pop = performance.getEntriesByName('lianluo.pop.paint')[i] as PerformanceMeasure;
    const id = (pop.detail as { callId?: string } | null)?.callId;
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const [ringMs, lookupMs] = ['lianluo.ring.paint', 'lianluo.pop.lookup'].map(
      (n) => (performance.getEntriesByName(n) as PerformanceMeasure[]).find((e) => (e.detail as { callId?: string } | null)?.callId === id)?.duration ?? null,
    );
    const end = pop.startTime + pop.duration;
    const lt = (window as unknown as { __lianluoLongTasks?: [number, number][] }).__lianluoLongTasks ?? [];
    const longTaskMs = lt.reduce((sum, [s, d]) => sum + Math.max(0, Math.min(end, s + d) - Math.max(pop.startTime, s)), 0);
    return { popMs: pop.duration, ringMs: ringMs ?? null, lookupMs: lookupMs ?? null, longTaskMs };
  }, before);
  await new Promise((r) => setTimeout(r, GAP_MS));
  return { number, at, phaseAtInvite, phaseAtPaint, match, ...m, mainRunMs: ms(sched1.run - sched0.run), mainWaitMs: ms(sched1.wait - sched0.wait) };
}

// ---------------------------------------------------------------- the bench

/** A complete cache from the backend's previous dataset: the fixture, its cursors from another dataset id. */
function stampPreviousDataset(file: string, now: number): void {
  const db = openDb(file);
  try {
    const oldDataset = randomBytes(16).toString('hex');
    db.transaction(() => {
      for (const stream of SYNC_STREAMS) {
        writeCursor(db, stream, { next: 1, epoch: `${oldDataset}.${STREAM_VERSIONS[stream]}.0`, highWater: 1, caughtUp: true, now: now - 3_600_000 });
      }
      setMeta(db, 'source', 'sync');
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const stats = (v: number[]) => ({ n: v.length, p50_ms: percentile(v, 0.5), p95_ms: percentile(v, 0.95), max_ms: percentile(v, 1) });

export async function benchPopDuringSync(ctx: BenchContext): Promise<void> {
  const { runDir, outDir, tones } = prepareBenchRun(ctx, 'popsync');
  const count = ctx.customers;
  const fixture = cacheFixture(count, ctx.log);
  const callerPw = randomBytes(8).toString('hex');
  const users = join(runDir, 'users');
  // The demo agent's phone account comes from the backend at sign-in (agent1001 → 1001, DEMO_PBX).
  writeFileSync(users, `1001 ${DEMO_PBX.password}\ncaller ${callerPw}\n`);
  const kamailioDir = join(runDir, 'kamailio');

  const cluster = await startBenchCluster();
  let kamailio = false;
  let backend: { child: ChildProcess; url: string } | undefined;
  let webhost: WebHostProcess | undefined;
  let server: Awaited<ReturnType<typeof serveFolder>> | undefined;
  let agent: Party | undefined;
  let caller: Party | undefined;
  let sync: SyncWatch | undefined;
  try {
    const db = await prepareDatabase(cluster.url, count, ctx.log);
    backend = await startBackend(db.url, db.key, { LIANLUO_CACHE_IMAGE: 'off' });
    startKamailio(kamailioDir, users);
    kamailio = true;

    const dataDir = join(runDir, 'data');
    mkdirSync(dataDir);
    copyToDisk(fixture, join(dataDir, 'cache.sqlite'));
    stampPreviousDataset(join(dataDir, 'cache.sqlite'), Date.now());

    const bundle = await buildCaller(join(runDir, 'caller'));
    server = await serveFolder(bundle.pageDir);
    const logFile = join(runDir, 'webhost.log');
    webhost = await startWebHost({ outDir, dataDir, demoCustomers: 0, logFile, backend: backend.url });
    sync = await watchSync(webhost.url);
    const profiles = join(runDir, 'profiles');
    mkdirSync(profiles);
    [agent, caller] = await Promise.all([launchParty('agent', tones.agent, profiles), launchParty('caller', tones.caller, profiles)]);
    await agent.context.addInitScript(LONG_TASKS);
    const a = agent.page;
    const c = caller.page;
    await c.goto(server.url);
    const reg = await c.evaluate((acc) => window.caller!.register(acc), { wsUrl: WS, sipUri: 'sip:caller@127.0.0.1', password: callerPw });
    if (!reg.ok) throw new Error(`caller registration failed: ${JSON.stringify(reg)}`);

    // ---- the agent signs in: the backend's 410 starts the rebuild at once
    await a.goto(webhost.url);
    await a.getByTestId('sign-in').waitFor({ timeout: 30_000 });
    await a.getByLabel('User name', { exact: true }).fill('agent1001');
    await a.getByLabel('Password', { exact: true }).fill(db.agentPassword);
    const signedAt = performance.now();
    await a.getByRole('button', { name: 'Sign in', exact: true }).click();
    await until('the agent to register', async () => ((await a.getByTestId('registration').textContent()) ?? '').startsWith('Registered'), 30_000);
    await until('the agent to be Ready', async () => (await a.getByTestId('agent-status').textContent()) === 'Ready', 30_000);
    ctx.log(`  signed in and registered in ${Math.round(performance.now() - signedAt)} ms; sync: ${phaseOf(sync.now())}`);

    // ---- calls while the cache is rebuilt, until the sync is idle again
    const numbers = callerNumbers(fixture, 2000);
    const during: Sample[] = [];
    let next = 0;
    let cpu0: Map<string, number> | null = null;
    let cpu0At = 0;
    let cpu1: Map<string, number> | null = null;
    let cpu1At = 0;
    let load0 = 0;
    let nices: Record<string, number> = {};
    const deadline = performance.now() + SYNC_TIMEOUT_MS;
    for (;;) {
      const st = sync.now();
      if (st?.state === 'idle' && sync.marks.some((m) => m.s.phase === 'rebuild')) break;
      if (st?.state === 'error' || st?.state === 'off') throw new Error(`the sync stopped: ${st.state} ${st.error?.kind ?? ''} ${st.error?.detail ?? ''}`);
      if (performance.now() > deadline) throw new Error(`the sync did not finish within ${SYNC_TIMEOUT_MS / 60_000} min (${phaseOf(st)})`);
      const s = await ringOnce(agent, caller, sync, numbers[next++ % numbers.length]!, webhost.child.pid!);
      during.push(s);
      if (WRITING.includes(s.phaseAtInvite) && WRITING.includes(s.phaseAtPaint)) {
        if (!cpu0) {
          cpu0 = cpuSnapshot(webhost.child.pid!);
          cpu0At = performance.now();
          load0 = load();
          nices = threadNices(webhost.child.pid!);
        }
        cpu1 = cpuSnapshot(webhost.child.pid!);
        cpu1At = performance.now();
      }
      if (during.length % 10 === 0) ctx.log(`  ${during.length} calls; sync ${phaseOf(sync.now())} ${sync.now()?.progress?.fraction ?? ''}`);
    }
    const syncDoneAt = sync.marks.findLast((m) => m.s.state === 'idle')?.at ?? performance.now();
    const busy = during.slice(WARMUP).filter((s) => WRITING.includes(s.phaseAtInvite) && WRITING.includes(s.phaseAtPaint));
    if (busy.length < MIN_CALLS) throw new Error(`only ${busy.length} calls fell while the writer was writing (need ${MIN_CALLS}): the sync was too quick for this bench`);

    ctx.log(`  ${busy.length} calls while writing: p50 ${percentile(busy.map((s) => s.popMs), 0.5)} ms, p95 ${percentile(busy.map((s) => s.popMs), 0.95)} ms`);

    // ---- baseline: same desktop, backend and calls, nothing syncing
    await new Promise((r) => setTimeout(r, 3000));
    const fresh = callerNumbers(join(dataDir, 'cache.sqlite'), BASELINE_CALLS);
    const baseline: Sample[] = [];
    for (const n of fresh) {
      // Each call's record goes to the backend and comes back as a history change (a short 'update'
      // pull): the baseline waits for it, so nothing at all is syncing when its calls ring.
      await until('the sync to be idle', async () => (await quiet(sync!, 500)) || undefined, 30_000);
      const s = await ringOnce(agent, caller, sync, n, webhost.child.pid!);
      if (s.phaseAtInvite === 'idle' && s.phaseAtPaint === 'idle') baseline.push(s);
    }
    if (baseline.length < BASELINE_CALLS / 2) throw new Error(`only ${baseline.length} baseline calls found the sync idle`);

    // ---- what the sync did meanwhile
    const log = readFileSync(logFile, 'utf8');
    const finishedLine = /new cache finished \(([^)]*)\)/.exec(log)?.[1] ?? '';
    const finishSteps: Record<string, number> = Object.fromEntries([...finishedLine.matchAll(/(\w+) (\d+) ms/g)].map((m) => [m[1], Number(m[2])]));
    const rebuildAt = sync.marks.find((m) => m.s.phase === 'rebuild')?.at ?? NaN;
    const finishingAt = sync.marks.find((m) => phaseOf(m.s) === 'finishing')?.at ?? NaN;
    /** Which finishing step (logged durations, in order) a moment falls in. */
    const stepAt = (t: number): string => {
      let edge = finishingAt;
      for (const [k, v] of Object.entries(finishSteps)) {
        edge += v;
        if (t < edge) return k;
      }
      return 'after the steps';
    };

    writeFileSync(join(runDir, 'samples.json'), JSON.stringify({ during, baseline, marks: sync.marks, finishSteps }, null, 1));
    const pop = busy.map((s) => s.popMs);
    const base = baseline.map((s) => s.popMs);
    const p95 = percentile(pop, 0.95);
    const baseP95 = percentile(base, 0.95);
    const byPhase: Record<string, ReturnType<typeof stats>> = {};
    for (const ph of WRITING) {
      const v = busy.filter((s) => s.phaseAtInvite === ph).map((s) => s.popMs);
      if (v.length) byPhase[ph] = stats(v);
    }
    const byStep: Record<string, number[]> = {};
    for (const s of busy.filter((x) => x.phaseAtInvite === 'finishing')) (byStep[stepAt(s.at)] ??= []).push(ms(s.popMs));
    const matches = (v: Sample[]) => v.reduce<Record<string, number>>((m, s) => ({ ...m, [s.match]: (m[s.match] ?? 0) + 1 }), {});
    const nums = (v: (number | null)[]) => v.filter((x): x is number => x !== null);
    const cpuWindowS = (cpu1At - cpu0At) / 1000;
    const roles: Record<number, string> = { [webhost.child.pid!]: 'desktop (web host: main thread + writer worker)', [backend.child.pid!]: 'backend (node)', [process.pid]: 'bench runner' };

    ctx.metric('pop.paint_during_sync_ms_p95', p95, 'ms', 33, 'max', {
      customers: count,
      scenario:
        'sign-in with a complete cache from the backend\'s previous dataset → 410 epoch_changed → rebuild in a new file (old file serves lookups) → swap; real backend process on PostgreSQL, real web host, renderer in Chromium, Kamailio',
      sync_path: 'backend LIANLUO_CACHE_IMAGE=off: NDJSON bulk path (JSON parsed and inserted row by row in the writer worker), the worst case for the pop',
      calls: busy.length,
      calls_by_phase: byPhase,
      finishing_calls_by_step_ms: byStep,
      excluded_calls: { warmup: Math.min(WARMUP, during.length), not_while_writing: during.length - WARMUP - busy.length },
      matches: matches(busy),
      p50_ms: percentile(pop, 0.5),
      max_ms: percentile(pop, 1),
      baseline: 'same desktop, backend and caller after the sync is idle (nothing syncing), same run',
      baseline_calls: baseline.length,
      baseline_matches: matches(baseline),
      baseline_p50_ms: percentile(base, 0.5),
      baseline_p95_ms: baseP95,
      ratio_to_baseline: Math.round((p95 / baseP95) * 100) / 100,
      ring_paint_ms: { during: stats(nums(busy.map((s) => s.ringMs))), baseline: stats(nums(baseline.map((s) => s.ringMs))) },
      lookup_round_trip_ms: { during: stats(nums(busy.map((s) => s.lookupMs))), baseline: stats(nums(baseline.map((s) => s.lookupMs))) },
      desktop_main_thread_ms_in_pop: {
        on_cpu: { during: stats(busy.map((s) => s.mainRunMs)), baseline: stats(baseline.map((s) => s.mainRunMs)) },
        waiting_for_cpu: { during: stats(busy.map((s) => s.mainWaitMs)), baseline: stats(baseline.map((s) => s.mainWaitMs)) },
      },
      renderer_long_task_ms_in_pop: { during: stats(busy.map((s) => s.longTaskMs)), baseline: stats(baseline.map((s) => s.longTaskMs)) },
      cpu_s_while_writing: cpu0 && cpu1 ? { window_s: +cpuWindowS.toFixed(1), cores: 2, ...cpuBetween(cpu0, cpu1, roles) } : null,
      desktop_threads_by_nice: nices,
      load_1min: { start: load0, end: load() },
      sync: {
        seconds: +((syncDoneAt - rebuildAt) / 1000).toFixed(1),
        finish_steps_ms: finishSteps,
      },
    });
  } finally {
    sync?.close();
    await Promise.all([agent?.close(), caller?.close()]);
    await server?.close();
    await webhost?.stop();
    backend?.child.kill('SIGTERM');
    if (kamailio) stopKamailio(kamailioDir);
    cluster.stop();
    // Two 1M-customer cache files (~1 GB); the logs and samples.json stay in the run folder.
    rmSync(join(runDir, 'data'), { recursive: true, force: true });
  }
}
