// lookup.ani_ms_p99: raw caller number as a PBX delivers it → customer cards, ANI parsing included,
// on the read-only connection the app uses, with 1,000,000 cached customers.
// Baseline in the same run: the bare indexed query for an already-normalised E.164 (no parsing, no
// card assembly), so the ratio shows what the full screen-pop path costs on top of the index.
import { demoCustomers, prng } from '../../shared/demo/demo-customers';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { normaliseAni } from '../../shared/phone/ani';
import { customerRidsByE164 } from '../../electron/services/db/customers';
import { openDb } from '../../electron/services/db/open';
import { lookupCaller } from '../../electron/services/lookup/lookup-service';
import { cacheFixture, FIXTURE_NOW } from './fixtures';
import { percentile, type BenchContext } from './report';

/** Caller numbers the way PBXs deliver them: E.164, 00 IDD, bare 86, trunk 0, carrier prefix, unknown, withheld. */
function callerNumbers(customers: number, n: number): string[] {
  const r = prng(7);
  const sample: string[] = [];
  const stride = Math.max(1, Math.floor(customers / 5000));
  let i = 0;
  for (const d of demoCustomers(customers, { now: FIXTURE_NOW })) {
    if (i++ % stride === 0) for (const p of d.customer.phones) sample.push(p.number);
    if (sample.length >= 5000) break;
  }
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const roll = r();
    if (roll < 0.05) {
      out.push(`139${String(Math.floor(r() * 1e8)).padStart(8, '0')}`); // unknown caller
      continue;
    }
    if (roll < 0.07) {
      out.push('anonymous');
      continue;
    }
    const ani = normaliseAni(sample[Math.floor(r() * sample.length)] as string, DEFAULT_NUMBER_PLAN);
    const e164 = ani.e164 as string;
    const national = e164.startsWith('+86') ? e164.slice(3) : undefined;
    const f = r();
    if (!national) out.push(f < 0.5 ? e164 : `00${e164.slice(1)}`);
    else if (f < 0.25) out.push(e164);
    else if (f < 0.45) out.push(`0086${national}`);
    else if (f < 0.6) out.push(`86${national}`);
    else if (f < 0.75) out.push(national.startsWith('1') && national.length === 11 ? `0${national}` : `0${national}`);
    else if (f < 0.85) out.push(`17951${national}`);
    else out.push(`sip:${e164}@pbx.example.com;user=phone`);
  }
  return out;
}

export async function benchLookup(ctx: BenchContext): Promise<void> {
  const customers = ctx.customers;
  const file = cacheFixture(customers, ctx.log);
  const db = openDb(file, { readonly: true });
  const numbers = callerNumbers(customers, 60_000);
  const e164s = numbers.map((n) => normaliseAni(n, DEFAULT_NUMBER_PLAN).e164).filter((x): x is string => !!x);

  // warm-up (page cache, statement cache, JIT)
  for (let i = 0; i < 5000; i++) lookupCaller(db, numbers[i % numbers.length] as string, DEFAULT_NUMBER_PLAN);

  const full: number[] = [];
  let matched = 0;
  for (const n of numbers) {
    const t0 = performance.now();
    const r = lookupCaller(db, n, DEFAULT_NUMBER_PLAN);
    full.push(performance.now() - t0);
    if (r.customers.length) matched++;
  }
  const bare: number[] = [];
  for (const e of e164s) {
    const t0 = performance.now();
    customerRidsByE164(db, e);
    bare.push(performance.now() - t0);
  }
  db.close();
  const p99 = percentile(full, 0.99);
  const baseP99 = percentile(bare, 0.99);
  ctx.metric('lookup.ani_ms_p99', p99, 'ms', 0.1, 'max', {
    customers,
    lookups: full.length,
    matchedShare: Math.round((matched / full.length) * 1000) / 1000,
    p50_ms: percentile(full, 0.5),
    p90_ms: percentile(full, 0.9),
    p95_ms: percentile(full, 0.95),
    baseline: 'bare indexed SELECT by E.164, no parsing, no card',
    baseline_p99_ms: baseP99,
    ratio_to_baseline: Math.round((p99 / baseP99) * 10) / 10,
  });
}
