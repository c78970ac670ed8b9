// Reconnection delays: exponential with jitter, fast while an outage is young (a PBX restart is back in
// seconds, and the agent must be registered again within 5 s of it), slower when it lasts (so a fleet of
// desktops does not hammer a PBX that is down for maintenance). Pure: time and randomness are passed in.

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Longest delay while the outage is younger than `patientAfterMs`. */
  fastCapMs: number;
  /** Longest delay after that. */
  slowCapMs: number;
  patientAfterMs: number;
}

export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, fastCapMs: 3000, slowCapMs: 30_000, patientAfterMs: 120_000 };

export class Backoff {
  private attempt = 0;
  private since: number | undefined;

  constructor(
    private readonly o: BackoffOptions = RECONNECT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt. "Equal jitter": between half and all of the exponential step. */
  next(now: number): number {
    this.since ??= now;
    const cap = now - this.since >= this.o.patientAfterMs ? this.o.slowCapMs : this.o.fastCapMs;
    const step = Math.min(cap, this.o.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(step / 2 + (step / 2) * this.random());
  }

  /** The outage is over (or the agent asked to retry now): start again from the first step. */
  reset(): void {
    this.attempt = 0;
    this.since = undefined;
  }

  get attempts(): number {
    return this.attempt;
  }
}
