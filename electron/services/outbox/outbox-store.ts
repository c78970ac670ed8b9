// Queries of outbox.sqlite: plain functions of (db, args). An item is one INSERT, committed (fsync'd,
// synchronous=FULL) before the caller tells the agent "saved"; delivery results for a whole batch are
// one transaction. Nothing here deletes an item that was not delivered.
import { monotonicFactory } from 'ulid';
import type { ItemError, ItemResult, Notice, OutboxKind } from '../../../shared/outbox/items';
import type { OutboxEntry } from '../../../shared/outbox/desktop';
import type { OutboxDb } from './outbox-db';

const newKey = monotonicFactory();

export interface ItemRow {
  seq: number;
  key: string;
  kind: OutboxKind;
  owner: string | null;
  customer_id: string | null;
  interaction_id: string | null;
  payload: string;
  created_at: number;
  state: 'pending' | 'done' | 'rejected' | 'resent';
  attempts: number;
  last_error: string | null;
  result: string | null;
}

export interface NewItem {
  kind: OutboxKind;
  payload: unknown;
  owner: string | null;
  customerId?: string | null;
  interactionId?: string | null;
  createdAt: number;
}

const cache = new WeakMap<OutboxDb, ReturnType<typeof prepare>>();
function prepare(db: OutboxDb) {
  return {
    insert: db.prepare<[string, string, string | null, string | null, string | null, string, number], { seq: number }>(
      'INSERT INTO items(key, kind, owner, customer_id, interaction_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq',
    ),
    batch: db.prepare<[string], ItemRow>(
      `SELECT seq, key, kind, owner, customer_id, interaction_id, payload, created_at, state, attempts, last_error, result
         FROM items WHERE state = 'pending' AND owner = ? ORDER BY seq LIMIT 500`,
    ),
    claim: db.prepare<[string]>(`UPDATE items SET owner = ? WHERE owner IS NULL AND state = 'pending'`),
    done: db.prepare<[string, number, number]>(`UPDATE items SET state = 'done', result = ?, done_at = ?, last_error = NULL WHERE seq = ? AND state = 'pending'`),
    rejected: db.prepare<[string, number, number]>(`UPDATE items SET state = 'rejected', result = ?, done_at = ?, last_error = NULL WHERE seq = ? AND state = 'pending'`),
    attempt: db.prepare<[string, number, number]>(`UPDATE items SET attempts = attempts + 1, last_error = ?, last_attempt_at = ? WHERE seq = ? AND state = 'pending'`),
    counts: db.prepare<[{ owner: string | null }], { pending: number; oldest: number | null; others: number; attention: number; notices: number; delivered: number | null }>(
      `SELECT
         (SELECT count(*) FROM items WHERE state = 'pending' AND (owner = @owner OR owner IS NULL)) AS pending,
         (SELECT min(created_at) FROM items WHERE state = 'pending' AND (owner = @owner OR owner IS NULL)) AS oldest,
         (SELECT count(*) FROM items WHERE state = 'pending' AND owner IS NOT NULL AND owner IS NOT @owner) AS others,
         (SELECT count(*) FROM items WHERE state = 'rejected' AND (owner = @owner OR owner IS NULL)) AS attention,
         (SELECT count(*) FROM items WHERE state = 'done' AND notice_seen = 0 AND owner IS @owner AND result LIKE '%"notices":[{%') AS notices,
         (SELECT max(done_at) FROM items WHERE state IN ('done', 'rejected')) AS delivered`,
    ),
    listState: db.prepare<[string, string | null, number], ItemRow>(
      `SELECT seq, key, kind, owner, customer_id, interaction_id, payload, created_at, state, attempts, last_error, result
         FROM items WHERE state = ? AND (owner = ? OR owner IS NULL) ORDER BY seq LIMIT ?`,
    ),
    listNotices: db.prepare<[string | null], ItemRow>(
      `SELECT seq, key, kind, owner, customer_id, interaction_id, payload, created_at, state, attempts, last_error, result
         FROM items WHERE state = 'done' AND notice_seen = 0 AND owner IS ? AND result LIKE '%"notices":[{%' ORDER BY seq DESC LIMIT 200`,
    ),
    ackNotice: db.prepare<[number]>('UPDATE items SET notice_seen = 1 WHERE seq = ?'),
    bySeq: db.prepare<[number], ItemRow>(
      'SELECT seq, key, kind, owner, customer_id, interaction_id, payload, created_at, state, attempts, last_error, result FROM items WHERE seq = ?',
    ),
    resent: db.prepare<[string, number]>(`UPDATE items SET state = 'resent', resent_as = ? WHERE seq = ? AND state = 'rejected'`),
    forCustomer: db.prepare<[string], ItemRow>(
      `SELECT seq, key, kind, owner, customer_id, interaction_id, payload, created_at, state, attempts, last_error, result
         FROM items WHERE customer_id = ? AND state IN ('pending', 'done') ORDER BY seq`,
    ),
    prune: db.prepare<[number]>(`DELETE FROM items WHERE state IN ('done', 'resent') AND done_at IS NOT NULL AND done_at < ? AND notice_seen = 1`),
    pruneQuiet: db.prepare<[number]>(`DELETE FROM items WHERE state = 'done' AND done_at < ? AND result NOT LIKE '%"notices":[{%'`),
    getCache: db.prepare<[string], { v: string; at: number }>('SELECT v, at FROM cache WHERE k = ?'),
    setCache: db.prepare<[string, string, number]>('INSERT INTO cache(k, v, at) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v, at = excluded.at'),
    meta: db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
  };
}
const q = (db: OutboxDb) => {
  let s = cache.get(db);
  if (!s) {
    s = prepare(db);
    cache.set(db, s);
  }
  return s;
};

export function clientId(db: OutboxDb): string {
  const v = q(db).meta.get('client_id')?.v;
  if (!v) throw new Error('the outbox has no client id: it was not migrated');
  return v;
}

/** Save one item. When this returns, the item is on disk (one committed, fsync'd transaction). */
export function enqueue(db: OutboxDb, it: NewItem): { seq: number; key: string } {
  const key = newKey(it.createdAt);
  const row = q(db).insert.get(key, it.kind, it.owner, it.customerId ?? null, it.interactionId ?? null, JSON.stringify(it.payload), it.createdAt);
  if (!row) throw new Error('the outbox insert returned no row');
  return { seq: row.seq, key };
}

/** Several items in one transaction (all or none). */
export function enqueueAll(db: OutboxDb, items: readonly NewItem[]): { seq: number; key: string }[] {
  return db.transaction(() => items.map((it) => enqueue(db, it)))();
}

/** Items saved while nobody was signed in become the signed-in agent's. */
export function claimUnowned(db: OutboxDb, owner: string): number {
  return q(db).claim.run(owner).changes;
}

/** The oldest pending items of an owner, in order, at most `max` and about `maxBytes` of payload. */
export function nextBatch(db: OutboxDb, owner: string, max: number, maxBytes: number): ItemRow[] {
  const out: ItemRow[] = [];
  let bytes = 0;
  for (const r of q(db).batch.iterate(owner)) {
    if (out.length >= max || (out.length > 0 && bytes + r.payload.length > maxBytes)) break;
    out.push(r);
    bytes += r.payload.length + 200;
  }
  return out;
}

export interface Delivered {
  seq: number;
  result: ItemResult;
}

/** Record the backend's answers for a batch, in one transaction. Returns how many changed state. */
export function recordResults(db: OutboxDb, results: readonly Delivered[], now: number): { done: number; rejected: number } {
  const s = q(db);
  let done = 0;
  let rejected = 0;
  db.transaction(() => {
    for (const { seq, result } of results) {
      const failed = result.status === 'rejected' || (result.status === 'duplicate' && result.original === 'rejected');
      const changed = (failed ? s.rejected : s.done).run(JSON.stringify(result), now, seq).changes;
      if (changed) {
        if (failed) rejected++;
        else done++;
      }
    }
  })();
  return { done, rejected };
}

/** A delivery attempt failed for these items (they stay pending). */
export function recordAttempt(db: OutboxDb, seqs: readonly number[], error: string, now: number): void {
  const s = q(db);
  db.transaction(() => {
    for (const seq of seqs) s.attempt.run(error.slice(0, 500), now, seq);
  })();
}

/** The backend refused the whole request for one item it could not even read: it needs attention. */
export function rejectLocally(db: OutboxDb, row: ItemRow, error: ItemError, now: number): void {
  q(db).rejected.run(JSON.stringify({ key: row.key, status: 'rejected', error, notices: [] } satisfies ItemResult), now, row.seq);
}

export interface Counts {
  pending: number;
  oldestAt: number | null;
  waitingForOthers: number;
  needsAttention: number;
  notices: number;
  lastDeliveredAt: number | null;
}

export function counts(db: OutboxDb, owner: string | null): Counts {
  const r = q(db).counts.get({ owner });
  return {
    pending: r?.pending ?? 0,
    oldestAt: r?.oldest ?? null,
    waitingForOthers: r?.others ?? 0,
    needsAttention: r?.attention ?? 0,
    notices: r?.notices ?? 0,
    lastDeliveredAt: r?.delivered ?? null,
  };
}

function parseResult(row: ItemRow): ItemResult | null {
  if (!row.result) return null;
  try {
    return JSON.parse(row.result) as ItemResult;
  } catch {
    return null;
  }
}

export function toEntry(row: ItemRow): OutboxEntry {
  const result = parseResult(row);
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = null;
  }
  return {
    seq: row.seq,
    key: row.key,
    kind: row.kind,
    createdAt: row.created_at,
    state: row.state === 'resent' ? 'done' : row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    error: result?.error ?? null,
    notices: (result?.notices ?? []) as Notice[],
    customerId: result?.customerId ?? row.customer_id,
    payload,
  };
}

export function listByState(db: OutboxDb, state: 'pending' | 'rejected', owner: string | null, limit = 500): ItemRow[] {
  return q(db).listState.all(state, owner, limit);
}

export function listNotices(db: OutboxDb, owner: string | null): ItemRow[] {
  return q(db).listNotices.all(owner);
}

export function ackNotices(db: OutboxDb, seqs: readonly number[]): void {
  const s = q(db);
  db.transaction(() => {
    for (const seq of seqs) s.ackNotice.run(seq);
  })();
}

export function itemBySeq(db: OutboxDb, seq: number): ItemRow | undefined {
  return q(db).bySeq.get(seq);
}

/**
 * A refused item, corrected: the new version is a new item (new key, at the end of the queue) and the old
 * one is marked resent, in one transaction. Returns null when the item is not (or no longer) refused.
 */
export function resend(db: OutboxDb, seq: number, it: NewItem): { seq: number; key: string } | null {
  return db.transaction(() => {
    const old = q(db).bySeq.get(seq);
    if (!old || old.state !== 'rejected') return null;
    const added = enqueue(db, { ...it, owner: it.owner ?? old.owner });
    q(db).resent.run(added.key, seq);
    return added;
  })();
}

/** This desktop's items about a customer that are not refused (the pop's context while offline). */
export function itemsForCustomer(db: OutboxDb, customerId: string): ItemRow[] {
  return q(db).forCustomer.all(customerId);
}

/** Forget delivered items after a while (their notices seen); never anything pending or refused. */
export function pruneDelivered(db: OutboxDb, olderThan: number): number {
  const s = q(db);
  return db.transaction(() => s.prune.run(olderThan).changes + s.pruneQuiet.run(olderThan).changes)();
}

export function getCached<T>(db: OutboxDb, k: string): { value: T; at: number } | null {
  const row = q(db).getCache.get(k);
  if (!row) return null;
  try {
    return { value: JSON.parse(row.v) as T, at: row.at };
  } catch {
    return null;
  }
}

export function setCached(db: OutboxDb, k: string, value: unknown, at: number): void {
  q(db).setCache.run(k, JSON.stringify(value), at);
}
