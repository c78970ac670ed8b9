// Screen pop: caller number → customers, on the main process's own read-only connection, so a lookup
// never waits behind a sync or an import (WAL readers do not block on the writer).
import { LOOKUP_MAX_MATCHES, type CustomerCard, type LookupResult, type MatchKind } from '../../../shared/domain/customer';
import type { NumberPlan } from '../../../shared/domain/settings';
import { normaliseAni, suffixLength } from '../../../shared/phone/ani';
import { cardsByE164, cardsBySuffix } from '../db/customers';
import type { Db } from '../db/open';

/** Suffix matches shorter than this are too ambiguous to show (12.7 % of numbers share their last 7 digits). */
const MIN_SUFFIX = 7;

export function lookupCaller(db: Db, rawAni: string, plan: NumberPlan, now: () => number = () => performance.now()): LookupResult {
  const t0 = now();
  const ani = normaliseAni(rawAni, plan);
  const done = (match: MatchKind, found: CustomerCard[]): LookupResult => {
    const truncated = found.length > LOOKUP_MAX_MATCHES;
    if (found.length > 1) found.sort((a, b) => (b.lastContactAt ?? 0) - (a.lastContactAt ?? 0) || a.name.localeCompare(b.name));
    const customers = truncated ? found.slice(0, LOOKUP_MAX_MATCHES) : found;
    // Show the number the way the matched customer's record writes it (no formatting needed), else format it.
    const stored = ani.e164 ? customers[0]?.phones.find((p) => p.e164 === ani.e164)?.display : undefined;
    return {
      number: { raw: ani.raw, e164: ani.e164, display: stored ?? ani.display, valid: ani.valid },
      match: customers.length || match === 'withheld' || match === 'service' ? match : 'none',
      customers,
      truncated,
      tookMs: now() - t0,
    };
  };

  if (ani.kind === 'withheld') return done('withheld', []);
  if (ani.kind === 'short') return done('service', []);
  if (ani.e164) {
    const exact = cardsByE164(db, ani.e164);
    if (exact.length) return done('exact', exact);
  }
  if (ani.nsn.length >= MIN_SUFFIX) {
    const found = cardsBySuffix(db, ani.nsn.slice(-suffixLength(ani.nsn)));
    if (found.length) return done('suffix', found);
  }
  return done(ani.kind === 'invalid' && ani.digits === '' ? 'service' : 'none', []);
}
