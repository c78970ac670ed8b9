// Who is connected: every live socket is a row in presence_sockets (whichever instance holds it), so
// "their last live socket closed" is a question any instance can answer. A row counts while its
// seen_at is within the lease. Each instance refreshes its open sockets' rows periodically; rows of an
// instance that died stop counting once the lease is over. A socket that closes (or that the hub drops
// for a missed heartbeat) keeps counting for the grace period: its seen_at is set so that it lapses at
// closedAt + grace. When it lapses with no other socket of theirs counting (a reconnect on any instance
// would), the agent is marked Offline: by a timer of the closing instance, else by any instance's sweep.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/db';
import { markOffline } from './store';

export interface PresenceTiming {
  /** How long after the last socket closed an agent is still shown as they were (default 15 s). */
  graceMs?: number;
  /** How often this instance refreshes its sockets and sweeps for stale ones (default 20 s). */
  touchMs?: number;
  /** A socket row not refreshed for this long belongs to a dead instance (default 3 × touchMs). */
  leaseMs?: number;
}

export interface TrackerLog {
  warn(obj: object, msg: string): void;
}

export class PresenceTracker {
  readonly instance = randomUUID();
  private readonly graceMs: number;
  private readonly touchMs: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly log: TrackerLog,
    t: PresenceTiming = {},
  ) {
    this.graceMs = t.graceMs ?? 15_000;
    this.touchMs = t.touchMs ?? 20_000;
    this.leaseMs = t.leaseMs ?? 3 * this.touchMs;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.touchMs);
    this.timer.unref();
    // Agents left "online" by an earlier run of a lone instance are put right once the grace is over.
    this.later(() => this.sweep(), this.graceMs + 50);
  }

  /** A live socket of this user opened: returns the id its close must pass back. */
  async opened(userId: number): Promise<string> {
    const id = randomUUID();
    await this.db.query('INSERT INTO presence_sockets (id, user_id, instance, seen_at) VALUES ($1, $2, $3, $4)', [id, userId, this.instance, Date.now()]);
    return id;
  }

  /** seen_at for a socket closed at `at`: it counts until at + grace, and no longer (no instance refreshes it). */
  private lapse(at: number): number {
    return at + this.graceMs - this.leaseMs;
  }

  /** That socket closed (or was dropped): Offline after the grace, unless the user is connected again by then. */
  async socketClosed(userId: number, socketId: string): Promise<void> {
    const closedAt = Date.now();
    await this.db.query(`UPDATE presence_sockets SET instance = '', seen_at = $2 WHERE id = $1`, [socketId, this.lapse(closedAt)]);
    if (this.closed) return;
    this.later(async () => {
      await markOffline(this.db, { userId, staleBefore: Date.now() - this.leaseMs, quietBefore: closedAt, closedOffset: this.leaseMs - this.graceMs });
    }, this.graceMs + 50);
  }

  private later(fn: () => Promise<unknown>, ms: number): void {
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (this.closed) return;
      fn().catch((err: unknown) => this.log.warn({ err }, 'presence: could not mark an agent offline'));
    }, ms);
    t.unref();
    this.pending.add(t);
  }

  /** Refresh this instance's sockets, forget dead instances' ones, mark their agents Offline. */
  async sweep(): Promise<void> {
    if (this.closed) return;
    try {
      const now = Date.now();
      await this.db.query('UPDATE presence_sockets SET seen_at = $2 WHERE instance = $1', [this.instance, now]);
      await markOffline(this.db, { staleBefore: now - this.leaseMs, quietBefore: now - this.graceMs, closedOffset: this.leaseMs - this.graceMs });
      await this.db.query('DELETE FROM presence_sockets WHERE seen_at < $1', [now - this.leaseMs - this.graceMs]);
    } catch (err) {
      this.log.warn({ err }, 'presence: sweep failed');
    }
  }

  /**
   * Shutting down: this instance's sockets count as closed now; their agents are marked Offline after the
   * grace by another instance, or by this one's successor (its first sweep), unless they reconnect.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    await this.db.query(`UPDATE presence_sockets SET instance = '', seen_at = $2 WHERE instance = $1`, [this.instance, this.lapse(Date.now())]).catch(() => undefined);
  }
}
