// Two call benchmarks through the real rig (the project's Kamailio, the app's build behind its web host,
// one Chromium per party with its own tone), inside the loopback-only namespace (npm run bench does it):
//   call.answer_to_audio_ms_p95  Answer clicked → the caller's 440 Hz tone detected in the agent's call
//                                audio (in-page, a WebAudio analyser polled every 5 ms). Budget ≤ 300 ms.
//   call.reregister_s            Kamailio killed, down for a while, started again → the agent registered
//                                again (start command issued → REGISTER 200 handled in the page). The
//                                downtimes cover the reconnection backoff's steps. Budget ≤ 5 s (worst run).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { launchParty, type Party } from '../e2e/lib/browser';
import { buildCaller, serveFolder } from '../e2e/lib/caller-build';
import { buildApp, buildIsStale, killKamailio, makeTones, RIG, snapshotBuild, startKamailio, startWebHost, stopKamailio } from '../e2e/lib/rig';
import { percentile, type BenchContext } from './report';

const WS = 'ws://127.0.0.1:8080';
const CALLS = 30;
const WARMUP = 3;
/** How long the PBX stays down before each restart, ms: inside each step of the backoff and past its cap. */
const DOWNTIMES = [300, 1000, 2500, 5000, 9000];

async function until<T>(what: string, fn: () => Promise<T>, ms = 15_000, every = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export async function benchCall(ctx: BenchContext): Promise<void> {
  if (process.env.LIANLUO_IN_NETNS !== '1') throw new Error('the call benchmarks need the loopback-only namespace: run them through npm run bench');
  mkdirSync(join(RIG, 'run'), { recursive: true });
  const runDir = mkdtempSync(join(RIG, 'run', 'bench-call-'));
  const stale = buildIsStale();
  if (stale) {
    ctx.log(`  building the app (${stale})`);
    buildApp();
  }
  const outDir = snapshotBuild(join(runDir, 'app'));
  const tones = makeTones(join(RIG, 'run', 'tones'));
  const agentPw = randomBytes(8).toString('hex');
  const callerPw = randomBytes(8).toString('hex');
  const users = join(runDir, 'users');
  writeFileSync(users, `1001 ${agentPw}\ncaller ${callerPw}\n`);
  const kamailioDir = join(runDir, 'kamailio');
  startKamailio(kamailioDir, users);

  const dataDir = join(runDir, 'data');
  mkdirSync(dataDir);
  const account = { wsUrl: WS, sipUri: 'sip:1001@127.0.0.1', authUser: '1001', displayName: 'Bench agent' };
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ version: 1, account, numberPlan: DEFAULT_NUMBER_PLAN, locale: 'en' }));
  writeFileSync(join(dataDir, 'secrets.web.json'), JSON.stringify({ 'sip.password': agentPw }), { mode: 0o600 });

  const bundle = await buildCaller(join(runDir, 'caller'));
  const server = await serveFolder(bundle.pageDir);
  const webhost = await startWebHost({ outDir, dataDir, demoCustomers: 200, logFile: join(runDir, 'webhost.log') });
  const profiles = join(runDir, 'profiles');
  mkdirSync(profiles);
  let agent: Party | undefined;
  let caller: Party | undefined;
  try {
    [agent, caller] = await Promise.all([launchParty('agent', tones.agent, profiles), launchParty('caller', tones.caller, profiles)]);
    const a = agent.page;
    const c = caller.page;
    await a.addInitScript(bundle.probeScript);
    await a.goto(webhost.url);
    const registered = async () => ((await a.getByTestId('registration').textContent()) ?? '').startsWith('Registered');
    await until('the agent to register', registered);
    await c.goto(server.url);
    const callerAccount = { wsUrl: WS, sipUri: 'sip:caller@127.0.0.1', password: callerPw };
    const reg = await c.evaluate((acc) => window.caller!.register(acc), callerAccount);
    if (!reg.ok) throw new Error(`caller registration failed: ${JSON.stringify(reg)}`);

    // ---- answer → audio
    const answer: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      await c.evaluate((r) => window.caller!.call(r), { target: 'sip:1001@127.0.0.1', fromUser: '13800138000' });
      await until('the call to ring', async () => (await a.getByTestId('call-panel').getAttribute('data-call-state')) === 'ringing');
      const ms = await a.evaluate(() => window.lianluoProbe!.answerToTone(440));
      if (i >= WARMUP) answer.push(ms);
      await c.evaluate(() => window.caller!.hangup());
      await until('the call to end', async () => (await c.evaluate(() => window.caller!.status().state)) === 'Terminated');
      await until('the agent to be Ready', async () => (await a.getByTestId('agent-status').textContent()) === 'Ready');
    }
    ctx.metric('call.answer_to_audio_ms_p95', percentile(answer, 0.95), 'ms', 300, 'max', {
      calls: answer.length,
      p50_ms: percentile(answer, 0.5),
      max_ms: percentile(answer, 1),
      what: 'Answer clicked → 440 Hz from the caller detected in the agent page (analyser polled every 5 ms)',
    });

    // ---- PBX restart → registered again
    const reregister: number[] = [];
    for (const down of DOWNTIMES) {
      const before = Number(await a.getByTestId('registration').getAttribute('data-registered-at'));
      killKamailio(kamailioDir);
      await until('the agent to notice', async () => !(await registered()), 10_000);
      await new Promise((r) => setTimeout(r, down));
      const t0 = Date.now();
      startKamailio(kamailioDir, users);
      const at: number = await until<number>(
        'the agent to register again',
        async () => {
          const v = Number(await a.getByTestId('registration').getAttribute('data-registered-at'));
          return v > before && (await registered()) ? v : 0;
        },
        30_000,
      );
      reregister.push((at - t0) / 1000);
      ctx.log(`  PBX down ${down} ms: registered again ${at - t0} ms after the restart began`);
    }
    ctx.metric('call.reregister_s', Math.max(...reregister), 's', 5, 'max', {
      restarts: reregister.length,
      downtimes_ms: DOWNTIMES,
      each_s: reregister,
      what: 'Kamailio killed (SIGKILL), down for the given time, started → agent REGISTER accepted; worst of the runs',
    });
  } finally {
    await Promise.all([agent?.close(), caller?.close()]);
    await server.close();
    await webhost.stop();
    stopKamailio(kamailioDir);
  }
}
