// Two call benchmarks through the real rig (the project's Kamailio, the app's build behind its web host,
// one Chromium per party with its own tone), inside the loopback-only namespace (npm run bench does it):
//   call.answer_to_audio_ms_p95  Answer clicked → the caller's 440 Hz tone detected in the agent's call
//                                audio (in-page, a WebAudio analyser polled every 5 ms). Budget ≤ 300 ms.
//   call.reregister_s            Kamailio killed, down for a while, started again → the agent registered
//                                again (start command issued → REGISTER 200 handled in the page). The
//                                downtimes cover the reconnection backoff's steps. Budget ≤ 5 s (worst run).
import { killKamailio, startKamailio } from '../e2e/lib/rig';
import { AGENT_URI, startBenchRig, until } from './bench-rig';
import { percentile, type BenchContext } from './report';

const CALLS = 30;
const WARMUP = 3;
/** How long the PBX stays down before each restart, ms: inside each step of the backoff and past its cap. */
const DOWNTIMES = [300, 1000, 2500, 5000, 9000];

export async function benchCall(ctx: BenchContext): Promise<void> {
  const rig = await startBenchRig(ctx, { name: 'call', demoCustomers: 200, agentScripts: async ({ callerBundle }) => [callerBundle.probeScript] });
  const { agent: a, caller: c, kamailioDir, usersFile } = rig;
  const registered = async () => ((await a.getByTestId('registration').textContent()) ?? '').startsWith('Registered');
  try {
    // ---- answer → audio
    const answer: number[] = [];
    for (let i = 0; i < WARMUP + CALLS; i++) {
      await c.evaluate((r) => window.caller!.call(r), { target: AGENT_URI, fromUser: '13800138000' });
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
      startKamailio(kamailioDir, usersFile);
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
    await rig.close();
  }
}
