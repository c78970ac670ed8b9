// headset.hook_to_answer_ms_p95: a hook-switch input report delivered to the agent's page → the call
// answered, i.e. SIP.js handing the 200 OK for the INVITE to its WebSocket. Through the real rig: the
// project's Kamailio, the app's build behind its web host, the SIP.js caller in its own Chromium. The
// headset is the in-page WebHID device of the end-to-end tests (test/e2e/headset/fake-webhid.ts: a
// Jabra EVOLVE LINK MS from its real descriptor); both instants are performance.now() in the agent page
// (the report's dispatch, and a tap on WebSocket.prototype.send that sees "SIP/2.0 200 … CSeq: n INVITE").
// The press comes REACTION_MS after the ring LED lights, as from a person; the phone prepares the answer
// while the call rings (renderer/phone/phone.ts prepareAnswer), which is what makes the press cheap.
// Same-run baseline, calls interleaved: the Answer button clicked → the same 200 OK. Their difference is
// what the headset path adds; the `lianluo.headset.command` mark splits it into report → phone.answer()
// called (the headset code) and phone.answer() → 200 OK (the phone's own answer path).
// Must run inside the loopback-only namespace (npm run bench does).
import { join } from 'node:path';
import { COMMAND_MARK } from '../../renderer/headset/headset-wiring';
import { buildFakeWebHid, headsetSpec } from '../e2e/headset/devices';
import { AGENT_URI, startBenchRig, until } from './bench-rig';
import { percentile, type BenchContext } from './report';

/** Calls per way of answering, after the warm-up ones. */
const CALLS = 30;
const WARMUP = 3;
const BUDGET_MS = 20;
/** Delay between the ring starting and the press: the fastest human reaction, not an instant machine press. */
const REACTION_MS = 250;

const round = (x: number) => Math.round(x * 100) / 100;

export async function benchHeadset(ctx: BenchContext): Promise<void> {
  const rig = await startBenchRig(ctx, {
    name: 'headset',
    demoCustomers: 200,
    agentScripts: async ({ runDir }) => [
      await buildFakeWebHid(join(runDir, 'fake-webhid')),
      // Where the phone's answer path spends its time: getUserMedia and each WebRTC step, timestamped in the
      // page. Plain script text: a function passed from here would carry tsx's helper calls into the page.
      {
        content: `(() => {
          const marks = [];
          window.lianluoPhases = marks;
          const mark = (name) => marks.push({ name, at: performance.now() });
          for (const [proto, key] of [[MediaDevices.prototype, 'getUserMedia'], [RTCPeerConnection.prototype, 'setRemoteDescription'],
            [RTCPeerConnection.prototype, 'createAnswer'], [RTCPeerConnection.prototype, 'setLocalDescription']]) {
            const orig = proto[key];
            proto[key] = async function (...args) {
              mark(key + ':start');
              try { return await orig.apply(this, args); } finally { mark(key + ':end'); }
            };
          }
          const Orig = window.RTCPeerConnection;
          window.RTCPeerConnection = class extends Orig {
            constructor(cfg) {
              super(cfg);
              mark('pc:created');
              this.addEventListener('icegatheringstatechange', () => { if (this.iceGatheringState === 'complete') mark('ice:complete'); });
            }
          };
        })();`,
      },
    ],
  });
  const { agent: a, caller: c } = rig;
  try {
    await a.evaluate((spec) => window.lianluoHid!.plug(spec), headsetSpec('0b0e-0307.bin', { key: 'jabra', granted: true }));
    await until('the headset to be ready', async () => (await a.getByTestId('headset').getAttribute('data-state')) === 'ready');

    const hook: number[] = [];
    const click: number[] = [];
    const hookToCommand: number[] = [];
    const phases = new Map<string, number[]>();
    for (let i = 0; i < 2 * (WARMUP + CALLS); i++) {
      const way = i % 2 === 0 ? 'hook' : 'click';
      await c.evaluate((r) => window.caller!.call(r), { target: AGENT_URI, fromUser: '13800138000' });
      await until('the call to ring', async () => (await a.getByTestId('call-panel').getAttribute('data-call-state')) === 'ringing');
      await until('the ring LED', async () => (await a.evaluate(() => window.lianluoHid!.leds('jabra'))).ring === true);
      // An agent reacts to the ring no sooner than ~200 ms (human reaction time); press then, as they would.
      await new Promise((r) => setTimeout(r, REACTION_MS));
      const sent = await a.evaluate(() => window.lianluoHid!.sipOk.length);
      // Both ways measured inside the page, from the instant the input happens.
      const t0 = await a.evaluate((w) => {
        if (w === 'hook') return window.lianluoHid!.setHook('jabra', 1);
        const button = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="call-panel"] button')].find((b) => b.textContent?.trim() === 'Answer');
        if (!button) throw new Error('no Answer button on screen');
        const at = performance.now();
        button.click();
        return at;
      }, way);
      const ok = await until('the 200 OK on the WebSocket', () => a.evaluate((n) => window.lianluoHid!.sipOk[n], sent), 5000, 5).catch((e: unknown) => {
        throw new Error(`call ${i} (${way}): ${String(e)}; agent page said: ${rig.agentLog().slice(-8).join(' | ')}`);
      });
      const ms = ok.at - t0;
      const seen = await a.evaluate(([from, to]) => (window as unknown as { lianluoPhases: { name: string; at: number }[] }).lianluoPhases.filter((m) => m.at >= from && m.at <= to), [t0, ok.at] as const);
      if (i >= 2 * WARMUP) {
        for (const m of seen) phases.set(m.name, [...(phases.get(m.name) ?? []), m.at - t0]);
      }
      if (way === 'hook') {
        const mark = await a.evaluate((name) => performance.getEntriesByName(name).at(-1)?.startTime ?? null, COMMAND_MARK);
        if (mark === null || mark < t0) throw new Error('the headset command mark is missing: the hook report did not reach the phone');
        if (i >= 2 * WARMUP) {
          hook.push(ms);
          hookToCommand.push(mark - t0);
        }
      } else if (i >= 2 * WARMUP) click.push(ms);
      await until('the caller connected', async () => (await c.evaluate(() => window.caller!.status().state)) === 'Established');
      await c.evaluate(() => window.caller!.hangup());
      await until('the call to end', async () => (await c.evaluate(() => window.caller!.status().state)) === 'Terminated');
      await until('the agent to be Ready', async () => (await a.getByTestId('agent-status').textContent()) === 'Ready');
      // The device's hook follows the Off-Hook LED back to on-hook before the next call.
      await until('the headset back on hook', async () => (await a.evaluate(() => window.lianluoHid!.leds('jabra'))).offHook === false);
      await new Promise((r) => setTimeout(r, 100));
    }
    const p95 = percentile(hook, 0.95);
    ctx.metric('headset.hook_to_answer_ms_p95', p95, 'ms', BUDGET_MS, 'max', {
      calls: hook.length,
      p50_ms: percentile(hook, 0.5),
      max_ms: percentile(hook, 1),
      baseline_click_to_answer_ms_p95: percentile(click, 0.95),
      baseline_click_to_answer_ms_p50: percentile(click, 0.5),
      added_by_headset_ms_p50: round(percentile(hook, 0.5) - percentile(click, 0.5)),
      report_to_phone_answer_ms_p95: percentile(hookToCommand, 0.95),
      report_to_phone_answer_ms_max: percentile(hookToCommand, 1),
      // Empty when every answer was prepared while ringing: no getUserMedia or WebRTC step ran after the press.
      answer_phases_ms_p50_since_input: Object.fromEntries([...phases].sort((x, y) => percentile(x[1], 0.5) - percentile(y[1], 0.5)).map(([k, v]) => [k, percentile(v, 0.5)])),
      what: 'hook-switch input report dispatched in the agent page → SIP.js sends the INVITE 200 OK on its WebSocket (in-page clock); baseline: Answer button clicked → same 200 OK, calls interleaved',
    });
    ctx.log(
      `  hook → 200 OK p50 ${percentile(hook, 0.5)} ms, p95 ${p95} ms; click → 200 OK p50 ${percentile(click, 0.5)} ms, p95 ${percentile(click, 0.95)} ms; ` +
        `report → phone.answer() p95 ${percentile(hookToCommand, 0.95)} ms; WebRTC steps after the press: ${phases.size ? [...phases.keys()].join(', ') : 'none'}`,
    );
  } finally {
    await rig.close();
  }
}
