// Every write to a synced table (customers, interactions) goes through writeChanges(). It is what makes
// the pull protocol correct:
//
// - One sequence for everything, taken under a lock. The transaction first locks the single change_seq
//   row (SELECT … FOR UPDATE); the row lock is held until COMMIT, and PostgreSQL makes a commit visible
//   before it releases that transaction's locks. So seqs are handed out in commit order: whenever a
//   reader sees seq N, every seq below N is already committed or will never exist. Keyset pagination on
//   seq (`WHERE seq > cursor ORDER BY seq`) can therefore never step over a change that commits later
//   (research sync-anchors.md §2.1; a plain nextval() would allow exactly that).
// - The counter moves with the data: the new value is written in the same transaction, so a rollback
//   returns its seqs and readers see rows and counter change together.
// - Lock order: the counter first, synced rows after. Every writer follows it, so writers never deadlock.
//   Long work (parsing an import) happens before writeChanges; only the final statements hold the lock.
// - The nudge is transactional: pg_notify() inside the transaction is delivered on COMMIT, to every
//   backend instance listening on the same database, and never for a rolled-back change.
import type { SyncStream } from '../../shared/sync/protocol';
import type { PresenceChanged } from '../../shared/presence/api';
import type { Db, Queryable } from './db';

export const EVENTS_CHANNEL = 'lianluo_events';

/** What travels on EVENTS_CHANNEL between backend instances. */
export type BackendEvent =
  | { type: 'changes'; customers?: number; interactions?: number }
  | { type: 'sessions.revoked'; userId: number; tokenHash?: string }
  /** An admin changed a user's role or team (backend/auth/accounts.ts): their live sockets read it again. */
  | { type: 'user.changed'; userId: number }
  /** A member's presence changed (backend/presence/store.ts): forwarded to the team's leads and admins. */
  | ({ type: 'presence' } & Omit<PresenceChanged, 'type'>);

export class Changes {
  private value: number;
  readonly start: number;
  private readonly latest = new Map<SyncStream, number>();

  constructor(start: number) {
    this.start = start;
    this.value = start;
  }

  /** The last seq handed out (the counter's value so far). */
  get current(): number {
    return this.value;
  }

  /** One new seq for a change to `stream`. */
  next(stream: SyncStream): number {
    this.value += 1;
    this.latest.set(stream, this.value);
    return this.value;
  }

  /**
   * For set-based statements: the caller numbered n rows current+1 … current+n in SQL and reports n here.
   * Numbering must not skip: seqs above current+n would collide with the next allocation.
   */
  advance(stream: SyncStream, n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`bad seq count ${n}`);
    if (n === 0) return;
    this.value += n;
    this.latest.set(stream, this.value);
  }

  get event(): BackendEvent | null {
    if (this.latest.size === 0) return null;
    return { type: 'changes', ...Object.fromEntries(this.latest) };
  }
}

export async function writeChanges<T>(db: Db, fn: (tx: Queryable, changes: Changes) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ value: number }>('SELECT value FROM change_seq FOR UPDATE');
    if (!row) throw new Error('change_seq is empty: the database was not migrated');
    const changes = new Changes(row.value);
    const result = await fn(tx, changes);
    if (changes.current !== changes.start) {
      await tx.query('UPDATE change_seq SET value = $1', [changes.current]);
      await tx.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(changes.event)]);
    }
    return result;
  });
}

export async function notifyEvent(db: Queryable, event: BackendEvent): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(event)]);
}

export async function highWater(db: Queryable): Promise<number> {
  const [row] = await db.query<{ value: number }>('SELECT value FROM change_seq');
  return row?.value ?? 0;
}
