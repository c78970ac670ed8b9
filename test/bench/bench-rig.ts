// The call benchmarks' shared rig: the project's Kamailio with an agent (1001) and a caller account, the
// app's current build behind its web host with a data folder already signed in to the PBX, the bench
// caller page, and one Chromium per party with its own tone; both parties registered. Must run inside
// the loopback-only namespace (npm run bench does).
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { launchParty, type Party } from '../e2e/lib/browser';
import { buildCaller, serveFolder, type CallerBundle } from '../e2e/lib/caller-build';
import { buildApp, buildIsStale, makeTones, RIG, snapshotBuild, startKamailio, startWebHost, stopKamailio } from '../e2e/lib/rig';
import type { BenchContext } from './report';

export const BENCH_WS = 'ws://127.0.0.1:8080';
export const AGENT_URI = 'sip:1001@127.0.0.1';

/** Poll `fn` until it gives a truthy value (errors count as not yet), or fail after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T>, ms = 15_000, every = 20): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * Copy a cache fixture and wait until it is on disk: a 1 GB copy otherwise leaves the kernel writing it
 * back during the first calls, which measures the bench's own copy, not the app.
 */
export function copyToDisk(from: string, to: string): void {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface BenchRigOptions {
  /** Names the run folder (test/rig/run/bench-<name>-…). */
  name: string;
  /** Demo customers the web host loads on first start (0 with `cache`). */
  demoCustomers: number;
  /** A cache file to start the agent's desktop with (copied). */
  cache?: string;
  /** Scripts for the agent's page, added before it loads (given the run folder and the caller's build). */
  agentScripts?: (env: { runDir: string; callerBundle: CallerBundle }) => Promise<(string | { content: string })[]>;
}

export interface BenchRig {
  runDir: string;
  /** Kamailio's folder and users file, for benches that stop and start it. */
  kamailioDir: string;
  usersFile: string;
  agent: Page;
  caller: Page;
  /** The agent page's console and errors, newest last (for a failure message). */
  agentLog(): readonly string[];
  close(): Promise<void>;
}

/**
 * A bench's run folder (test/rig/run/bench-<name>-…) with a snapshot of the app's current build (built
 * first when stale) and the parties' tones. Checks the bench runs in the loopback-only namespace.
 */
export function prepareBenchRun(ctx: BenchContext, name: string): { runDir: string; outDir: string; tones: ReturnType<typeof makeTones> } {
  if (process.env.LIANLUO_IN_NETNS !== '1') throw new Error(`bench ${name} needs the loopback-only namespace: run it through npm run bench`);
  mkdirSync(join(RIG, 'run'), { recursive: true });
  const runDir = mkdtempSync(join(RIG, 'run', `bench-${name}-`));
  const stale = buildIsStale();
  if (stale) {
    ctx.log(`  building the app (${stale})`);
    buildApp();
  }
  return { runDir, outDir: snapshotBuild(join(runDir, 'app')), tones: makeTones(join(RIG, 'run', 'tones')) };
}

export async function startBenchRig(ctx: BenchContext, o: BenchRigOptions): Promise<BenchRig> {
  const { runDir, outDir, tones } = prepareBenchRun(ctx, o.name);
  const agentPw = randomBytes(8).toString('hex');
  const callerPw = randomBytes(8).toString('hex');
  const usersFile = join(runDir, 'users');
  writeFileSync(usersFile, `1001 ${agentPw}\ncaller ${callerPw}\n`);
  const kamailioDir = join(runDir, 'kamailio');
  const closers: (() => Promise<unknown> | void)[] = [];
  const close = async () => {
    for (const f of closers.splice(0).reverse()) await Promise.resolve(f()).catch(() => undefined);
  };
  try {
    startKamailio(kamailioDir, usersFile);
    closers.push(() => {
      stopKamailio(kamailioDir);
    });

    // The agent's data folder: an account already saved (as after a first sign-in), maybe a cache. It goes
    // at the end (a cache copy is 1 GB); the logs stay in the run folder.
    const dataDir = join(runDir, 'data');
    mkdirSync(dataDir);
    closers.push(() => rmSync(dataDir, { recursive: true, force: true }));
    if (o.cache) copyToDisk(o.cache, join(dataDir, 'cache.sqlite'));
    const account = { wsUrl: BENCH_WS, sipUri: AGENT_URI, authUser: '1001', displayName: 'Bench agent' };
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, account, numberPlan: DEFAULT_NUMBER_PLAN, locale: 'en' }));
    writeFileSync(join(dataDir, 'secrets.web.json'), JSON.stringify({ 'sip.password': agentPw }), { mode: 0o600 });

    const callerBundle = await buildCaller(join(runDir, 'caller'));
    const scripts = (await o.agentScripts?.({ runDir, callerBundle })) ?? [];
    const server = await serveFolder(callerBundle.pageDir);
    closers.push(() => server.close());
    const webhost = await startWebHost({ outDir, dataDir, demoCustomers: o.demoCustomers, logFile: join(runDir, 'webhost.log') });
    closers.push(() => webhost.stop());
    const profiles = join(runDir, 'profiles');
    mkdirSync(profiles);
    const parties: Party[] = await Promise.all([launchParty('agent', tones.agent, profiles), launchParty('caller', tones.caller, profiles)]);
    closers.push(() => Promise.all(parties.map((p) => p.close())));
    const [agent, caller] = parties.map((p) => p.page) as [Page, Page];

    for (const s of scripts) await agent.addInitScript(s);
    await agent.goto(webhost.url);
    await until('the agent to register', async () => ((await agent.getByTestId('registration').textContent()) ?? '').startsWith('Registered'));
    await caller.goto(server.url);
    const reg = await caller.evaluate((acc) => window.caller!.register(acc), { wsUrl: BENCH_WS, sipUri: 'sip:caller@127.0.0.1', password: callerPw });
    if (!reg.ok) throw new Error(`caller registration failed: ${JSON.stringify(reg)}`);
    return { runDir, kamailioDir, usersFile, agent, caller, agentLog: () => parties[0]?.log ?? [], close };
  } catch (e) {
    await close();
    throw e;
  }
}
