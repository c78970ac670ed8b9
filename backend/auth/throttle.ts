// Slows down password guessing: after too many failed logins for one username (or from one address)
// within the window, further attempts get 429 until the window has passed. Per backend instance, in
// memory: several instances multiply the allowance, which is acceptable for a guess rate this low.
export interface ThrottleOptions {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { windowMs: 15 * 60_000, perUser: 10, perAddress: 100 };

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly opts: ThrottleOptions = DEFAULT_THROTTLE) {}

  private key(kind: 'u' | 'a', v: string): string {
    return `${kind}:${v.toLowerCase()}`;
  }

  private count(key: string, now: number): number {
    const f = this.failures.get(key);
    if (!f) return 0;
    if (now - f.since > this.opts.windowMs) {
      this.failures.delete(key);
      return 0;
    }
    return f.count;
  }

  /** Seconds to wait, or 0 when an attempt is allowed. */
  retryAfter(username: string, address: string, now = Date.now()): number {
    const u = this.key('u', username);
    const a = this.key('a', address);
    const blocked = this.count(u, now) >= this.opts.perUser ? u : this.count(a, now) >= this.opts.perAddress ? a : null;
    if (!blocked) return 0;
    const since = this.failures.get(blocked)?.since ?? now;
    return Math.max(1, Math.ceil((since + this.opts.windowMs - now) / 1000));
  }

  failed(username: string, address: string, now = Date.now()): void {
    for (const key of [this.key('u', username), this.key('a', address)]) {
      const n = this.count(key, now);
      const f = this.failures.get(key);
      this.failures.set(key, { count: n + 1, since: f && n > 0 ? f.since : now });
    }
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory under a spray of usernames
  }

  succeeded(username: string): void {
    this.failures.delete(this.key('u', username));
  }
}
