// pop.paint_ms_p95: INVITE bytes arriving on the agent's WebSocket → customer card painted, in the real
// renderer (Chromium) through the real web host and the project's Kamailio, with N cached customers.
// "Painted" is the Element Timing renderTime of the card's heading (renderer/views/paint-mark.ts): the
// frame that first showed it. The end of that frame's main-thread work is reported beside it.
// Baseline in the same calls: INVITE → the ringing call panel painted. The panel waits up to 50 ms for
// the card (renderer/phone/phone.ts POP_WAIT_MS) so both appear in one frame: a ratio of 1 means finding
// and drawing the customer added no frame to the UI's first paint. The IPC round trip of the lookup
// (lianluo.pop.lookup) is reported beside it.
// Must run inside the loopback-only namespace (npm run bench does).
import { openDb } from '../../electron/services/db/open';
import { AGENT_URI, startBenchRig, until } from './bench-rig';
import { cacheFixture } from './fixtures';
import { percentile, type BenchContext } from './report';

const CALLS = 100;
const WARMUP = 4;

/** Numbers of cached customers, in the spellings trunks use. */
export function callerNumbers(file: string, n: number): string[] {
  const db = openDb(file, { readonly: true });
  const e164s = db.prepare(`SELECT e164 FROM customer_phones WHERE e164 LIKE '+86%' ORDER BY random() LIMIT ${n}`).pluck().all() as string[];
  db.close();
  return e164s.map((e, i) => (i % 3 === 0 ? e : i % 3 === 1 ? `0${e.slice(3)}` : e.slice(1)));
}

export async function benchPopPaint(ctx: BenchContext): Promise<void> {
  const fixture = cacheFixture(ctx.customers, ctx.log);
  const rig = await startBenchRig(ctx, { name: 'pop', demoCustomers: 0, cache: fixture });
  const { agent: a, caller: c } = rig;
  try {
    const numbers = callerNumbers(fixture, WARMUP + CALLS);
    const matches: Record<string, number> = {};
    for (const [i, number] of numbers.entries()) {
      const before = await a.evaluate(() => performance.getEntriesByName('lianluo.pop.paint').length);
      await c.evaluate((r) => window.caller!.call(r), { target: AGENT_URI, fromUser: number });
      await until('the card to paint', async () => (await a.evaluate(() => performance.getEntriesByName('lianluo.pop.paint').length)) > before);
      const match = (await a.getByTestId('pop').getAttribute('data-match')) ?? '?';
      if (i >= WARMUP) matches[match] = (matches[match] ?? 0) + 1;
      await c.evaluate(() => window.caller!.hangup());
      await until('the call to end', async () => (await c.evaluate(() => window.caller!.status().state)) === 'Terminated');
      await until('the agent to be Ready', async () => (await a.getByTestId('agent-status').textContent()) === 'Ready');
    }
    const read = (name: string) => a.evaluate((n) => performance.getEntriesByName(n).map((e) => e.duration), name);
    const pop = (await read('lianluo.pop.paint')).slice(WARMUP);
    const how = (
      await a.evaluate(() =>
        (performance.getEntriesByName('lianluo.pop.paint') as PerformanceMeasure[]).map((m) => {
          const d = m.detail as { via?: string; frameEnd?: number } | null;
          return { via: d?.via ?? '?', frame: d?.frameEnd === undefined ? undefined : d.frameEnd - m.startTime };
        }),
      )
    ).slice(WARMUP);
    const via: Record<string, number> = {};
    for (const h of how) via[h.via] = (via[h.via] ?? 0) + 1;
    const frameEnds = how.map((h) => h.frame).filter((x): x is number => x !== undefined);
    const ring = (await read('lianluo.ring.paint')).slice(WARMUP);
    const lookup = (await read('lianluo.pop.lookup')).slice(WARMUP);
    const p95 = percentile(pop, 0.95);
    const ringP95 = percentile(ring, 0.95);
    ctx.metric('pop.paint_ms_p95', p95, 'ms', 33, 'max', {
      customers: ctx.customers,
      calls: pop.length,
      matches,
      p50_ms: percentile(pop, 0.5),
      max_ms: percentile(pop, 1),
      painted_by: via,
      frame_main_thread_done_p95_ms: percentile(frameEnds, 0.95),
      baseline: 'INVITE → ringing call panel painted, same calls (the panel waits ≤ 50 ms for the card)',
      baseline_p95_ms: ringP95,
      ratio_to_baseline: Math.round((p95 / ringP95) * 100) / 100,
      lookup_round_trip_p95_ms: percentile(lookup, 0.95),
      lookup_round_trip_p50_ms: percentile(lookup, 0.5),
    });
  } finally {
    await rig.close();
  }
}
