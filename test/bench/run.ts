// `npm run bench`: every benchmark, results in .bench/latest.json (git-ignored) and one line per metric.
// Options: --only=<substring> to run some, --customers=N (default 1,000,000).
import { benchCall } from './call.bench';
import { benchHeadset } from './headset.bench';
import { benchLookup } from './lookup.bench';
import { benchOutbox } from './outbox.bench';
import { benchPopPaint } from './pop-paint.bench';
import { benchPopDuringSync } from './pop-sync.bench';
import { benchSearch } from './search.bench';
import { benchSync } from './sync.bench';
import { BENCH_DIR } from './fixtures';
import { load, writeReport, type BenchContext, type Metric } from './report';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const only = args.get('only');
const customers = Number(args.get('customers') ?? 1_000_000);

const benches: { name: string; run: (ctx: BenchContext) => Promise<void> }[] = [
  { name: 'lookup', run: benchLookup },
  { name: 'pop-paint', run: benchPopPaint },
  { name: 'search', run: benchSearch },
  { name: 'sync', run: benchSync },
  { name: 'pop-during-sync', run: benchPopDuringSync },
  { name: 'outbox', run: benchOutbox },
  { name: 'call', run: benchCall },
  { name: 'headset', run: benchHeadset },
];

const loadAtStart = load();
const metrics: Record<string, Metric> = {};
const notes: string[] = [];
const ctx: BenchContext = {
  customers,
  log: (m) => console.error(m),
  metric(name, value, unit, budget, kind, detail) {
    const ok = kind === 'max' ? value <= budget : value >= budget;
    metrics[name] = { value, unit, budget, kind, ok, ...(detail ? { detail } : {}) };
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} = ${value} ${unit} (budget ${kind === 'max' ? '≤' : '≥'} ${budget})`);
  },
};

let failed = false;
for (const b of benches) {
  if (only && !b.name.includes(only)) continue;
  console.error(`bench: ${b.name}`);
  try {
    await b.run(ctx);
  } catch (e) {
    failed = true;
    notes.push(`${b.name} could not run: ${e instanceof Error ? e.message : String(e)}`);
    console.log(`FAIL ${b.name} could not run: ${e instanceof Error ? e.stack : String(e)}`);
  }
}
const file = writeReport(BENCH_DIR, metrics, notes, loadAtStart);
console.error(`report: ${file}`);
process.exit(failed || Object.values(metrics).some((m) => !m.ok) ? 1 : 0);
