// An early lookup is used once, for the same number, while fresh; everything else asks again.
import { describe, expect, it, vi } from 'vitest';
import type { LookupResult } from '../../../shared/domain/customer';
import { PREFETCH_TTL_MS, prefetchingLookup } from '../../../renderer/stores/lookup-prefetch';

const result = (raw: string) => ({ number: { raw, e164: null, display: raw, valid: false }, match: 'none', customers: [], truncated: false, tookMs: 0 }) as LookupResult;

describe('prefetchingLookup', () => {
  it('the pop takes the early answer for the same number, once', async () => {
    let t = 0;
    const ask = vi.fn(async (ani: string) => result(ani));
    const l = prefetchingLookup(ask, () => t);
    l.prefetch('13800138000');
    l.prefetch('13800138000'); // a retransmission asks nothing more
    expect(ask).toHaveBeenCalledTimes(1);
    t += 5;
    expect((await l.lookup('13800138000')).number.raw).toBe('13800138000');
    expect(ask).toHaveBeenCalledTimes(1);
    await l.lookup('13800138000'); // used up: asks again
    expect(ask).toHaveBeenCalledTimes(2);
  });

  it('asks again for another number, or when the early answer is stale', async () => {
    let t = 0;
    const ask = vi.fn(async (ani: string) => result(ani));
    const l = prefetchingLookup(ask, () => t);
    l.prefetch('13800138000');
    await l.lookup('13900000000');
    expect(ask).toHaveBeenCalledTimes(2);
    t += PREFETCH_TTL_MS + 1;
    await l.lookup('13800138000');
    expect(ask).toHaveBeenCalledTimes(3);
  });

  it('a failed early lookup is reported to the pop that takes it, and unhandled nowhere', async () => {
    const ask = vi.fn(async () => {
      throw new Error('unavailable');
    });
    const l = prefetchingLookup(ask, () => 0);
    l.prefetch('13800138000');
    await expect(l.lookup('13800138000')).rejects.toThrow('unavailable');
    l.prefetch('13700000000'); // never taken: must not be an unhandled rejection
    await new Promise((r) => setTimeout(r, 10));
  });
});
