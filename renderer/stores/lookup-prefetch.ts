// A lookup started before it is asked for: the phone starts one from an INVITE's raw bytes
// (phone/invite-peek.ts), and the pop's own lookup for the same number, a few milliseconds later, takes
// that answer instead of asking again. Each early answer is used at most once and only while fresh;
// anything else asks as usual.
import type { LookupResult } from '../../shared/domain/customer';

/** An early answer older than this is not used (the pop asks again). */
export const PREFETCH_TTL_MS = 2000;

export interface PrefetchingLookup {
  /** The pop's lookup: an early answer for this number when there is a fresh one, else a new request. */
  lookup(ani: string): Promise<LookupResult>;
  /** Start the lookup of `ani` now (a call is arriving). */
  prefetch(ani: string): void;
}

export function prefetchingLookup(ask: (ani: string) => Promise<LookupResult>, now: () => number = () => performance.now()): PrefetchingLookup {
  const early = new Map<string, { at: number; answer: Promise<LookupResult> }>();
  const prune = (t: number) => {
    for (const [ani, e] of early) if (t - e.at > PREFETCH_TTL_MS) early.delete(ani);
  };
  return {
    lookup(ani) {
      const e = early.get(ani);
      early.delete(ani);
      return e && now() - e.at <= PREFETCH_TTL_MS ? e.answer : ask(ani);
    },
    prefetch(ani) {
      const t = now();
      prune(t);
      if (early.has(ani)) return; // a retransmitted INVITE: the first request serves
      const answer = ask(ani);
      answer.catch(() => undefined); // a failure is the pop's to report, if it takes this answer
      early.set(ani, { at: t, answer });
    },
  };
}
