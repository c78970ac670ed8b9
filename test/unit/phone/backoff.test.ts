// Reconnection delays: bounded, jittered, fast early in an outage, patient later, reset on success.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff, RECONNECT_BACKOFF } from '../../../renderer/phone/backoff';

describe('Backoff', () => {
  it('grows from half a second and never waits more than 3 s in the first two minutes', () => {
    const b = new Backoff(RECONNECT_BACKOFF, () => 1);
    const delays = Array.from({ length: 10 }, (_, i) => b.next(i * 1000));
    expect(delays.slice(0, 5)).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(Math.max(...delays)).toBe(3000);
  });

  it('after two minutes of outage it backs off up to 30 s; reset starts over', () => {
    const b = new Backoff(RECONNECT_BACKOFF, () => 1);
    b.next(0);
    for (let i = 0; i < 20; i++) b.next(1000);
    expect(b.next(121_000)).toBe(30_000);
    b.reset();
    expect(b.next(200_000)).toBe(500);
  });

  it('property: every delay is within [step/2, step] of its exponential step (equal jitter)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }), (rs) => {
        let i = 0;
        const b = new Backoff(RECONNECT_BACKOFF, () => rs[i] ?? 0);
        for (i = 0; i < rs.length; i++) {
          const step = Math.min(RECONNECT_BACKOFF.fastCapMs, RECONNECT_BACKOFF.baseMs * 2 ** i);
          const d = b.next(i * 100);
          expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
          expect(d).toBeLessThanOrEqual(step);
        }
      }),
    );
  });
});
