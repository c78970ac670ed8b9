// outbox.sqlite and its queries on a real file: durability settings, migrations (fresh, re-run, a newer
// file refused and untouched), order, batches, results, owners, resends, pruning that never loses work.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { OUTBOX_MIGRATIONS, OUTBOX_SCHEMA, OutboxTooNewError, openOutboxDb, type OutboxDb } from '../../../electron/services/outbox/outbox-db';
import {
  ackNotices,
  claimUnowned,
  clientId,
  counts,
  enqueue,
  enqueueAll,
  itemBySeq,
  itemsForCustomer,
  listByState,
  listNotices,
  nextBatch,
  pruneDelivered,
  recordAttempt,
  recordResults,
  resend,
  toEntry,
} from '../../../electron/services/outbox/outbox-store';
import type { ItemResult } from '../../../shared/outbox/items';
import { tempDir } from '../../integration/support/temp-dir';

const dir = tempDir('lianluo-outbox-unit-');
let n = 0;
const open: OutboxDb[] = [];
function fresh(): { db: OutboxDb; path: string } {
  const path = join(dir, `outbox-${++n}.sqlite`);
  const db = openOutboxDb(path);
  open.push(db);
  return { db, path };
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
});

const A = 'embedded agent1001';
const B = 'embedded agent1002';
const T0 = 1_800_000_000_000;
const applied = (key: string, extra: Partial<ItemResult> = {}): ItemResult => ({ key, status: 'applied', notices: [], ...extra });

describe('outbox.sqlite', () => {
  it('is WAL with synchronous=FULL, migrated, with a client id that stays', () => {
    const { db, path } = fresh();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('user_version', { simple: true })).toBe(OUTBOX_SCHEMA);
    const id = clientId(db);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    db.close();
    const again = openOutboxDb(path);
    open.push(again);
    expect(clientId(again)).toBe(id);
  });

  it('refuses a file from a newer Lianluo and leaves it as it was', () => {
    const path = join(dir, 'future.sqlite');
    const raw = new Database(path);
    raw.exec('CREATE TABLE precious(x)');
    raw.prepare('INSERT INTO precious VALUES (42)').run();
    raw.pragma(`user_version = ${OUTBOX_SCHEMA + 1}`);
    raw.close();
    expect(() => openOutboxDb(path)).toThrow(OutboxTooNewError);
    expect(() => openOutboxDb(path)).toThrow(/newer version of Lianluo/);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT x FROM precious').pluck().get()).toBe(42);
    expect(check.pragma('user_version', { simple: true })).toBe(OUTBOX_SCHEMA + 1);
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'items'").pluck().get()).toBe(0);
    check.close();
  });

  it('rolls a failing migration back whole', () => {
    const path = join(dir, 'failing.sqlite');
    const bad = [...OUTBOX_MIGRATIONS, { version: OUTBOX_SCHEMA + 1, name: 'broken', up: (db: OutboxDb) => db.exec('CREATE TABLE half(x); SELECT nonsense FROM nowhere;') }];
    expect(() => openOutboxDb(path, bad)).toThrow(/nowhere/);
    const db = openOutboxDb(path);
    open.push(db);
    expect(db.pragma('user_version', { simple: true })).toBe(OUTBOX_SCHEMA);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    expect(existsSync(path)).toBe(true);
  });
});

describe('outbox queries', () => {
  it('keeps items in the order they were saved and batches them by count and size', () => {
    const { db } = fresh();
    const saved = enqueueAll(
      db,
      Array.from({ length: 30 }, (_, i) => ({ kind: 'call.record' as const, payload: { i, pad: 'x'.repeat(i === 3 ? 5000 : 10) }, owner: A, createdAt: T0 + i })),
    );
    expect(saved.map((s) => s.seq)).toEqual([...saved.map((s) => s.seq)].sort((a, b) => a - b));
    expect(new Set(saved.map((s) => s.key)).size).toBe(30);
    expect(nextBatch(db, A, 10, 1e9).map((r) => JSON.parse(r.payload).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The big item ends a batch by size; the first item always goes, however big.
    expect(nextBatch(db, A, 10, 3000).map((r) => JSON.parse(r.payload).i)).toEqual([0, 1, 2]);
    expect(nextBatch(db, B, 10, 1e9)).toEqual([]);
  });

  it('records answers in one go: applied and duplicates are done, refusals need attention', () => {
    const { db } = fresh();
    const [a, b, c, d] = enqueueAll(db, [0, 1, 2, 3].map((i) => ({ kind: 'call.record' as const, payload: { i }, owner: A, createdAt: T0 + i })));
    recordAttempt(db, [a!.seq, b!.seq], 'the backend cannot be reached (ECONNREFUSED)', T0 + 10);
    expect(counts(db, A)).toMatchObject({ pending: 4, oldestAt: T0, needsAttention: 0 });
    expect(toEntry(itemBySeq(db, a!.seq)!)).toMatchObject({ attempts: 1, lastError: 'the backend cannot be reached (ECONNREFUSED)' });
    const r = recordResults(
      db,
      [
        { seq: a!.seq, result: applied(a!.key) },
        { seq: b!.seq, result: { key: b!.key, status: 'duplicate', original: 'applied', notices: [] } },
        { seq: c!.seq, result: { key: c!.key, status: 'rejected', error: { code: 'unknown_disposition', message: 'choose another', field: 'disposition' }, notices: [] } },
        { seq: d!.seq, result: { key: d!.key, status: 'duplicate', original: 'rejected', error: { code: 'invalid', message: 'bad' }, notices: [] } },
      ],
      T0 + 20,
    );
    expect(r).toEqual({ done: 2, rejected: 2 });
    expect(counts(db, A)).toMatchObject({ pending: 0, oldestAt: null, needsAttention: 2, lastDeliveredAt: T0 + 20 });
    expect(listByState(db, 'rejected', A).map(toEntry).map((e) => e.error?.code)).toEqual(['unknown_disposition', 'invalid']);
    // A late second answer for a settled item changes nothing.
    expect(recordResults(db, [{ seq: c!.seq, result: applied(c!.key) }], T0 + 30)).toEqual({ done: 0, rejected: 0 });
  });

  it('gives items saved while nobody was signed in to the next agent, and keeps other agents’ items for them', () => {
    const { db } = fresh();
    enqueue(db, { kind: 'call.record', payload: {}, owner: null, createdAt: T0 });
    enqueue(db, { kind: 'call.record', payload: {}, owner: B, createdAt: T0 + 1 });
    expect(counts(db, A)).toMatchObject({ pending: 1, waitingForOthers: 1 });
    expect(nextBatch(db, A, 10, 1e9)).toHaveLength(0);
    expect(claimUnowned(db, A)).toBe(1);
    expect(nextBatch(db, A, 10, 1e9)).toHaveLength(1);
    expect(nextBatch(db, B, 10, 1e9)).toHaveLength(1);
    expect(counts(db, null)).toMatchObject({ pending: 0, waitingForOthers: 2 });
  });

  it('resends a fixed item as a new one at the end of the queue, once', () => {
    const { db } = fresh();
    const bad = enqueue(db, { kind: 'wrapup.submit', payload: { disposition: 'gone' }, owner: A, createdAt: T0, customerId: 'C1' });
    enqueue(db, { kind: 'call.record', payload: {}, owner: A, createdAt: T0 + 1 });
    expect(resend(db, bad.seq, { kind: 'wrapup.submit', payload: { disposition: 'resolved' }, owner: A, createdAt: T0 + 5 })).toBeNull(); // still pending: nothing to fix
    recordResults(db, [{ seq: bad.seq, result: { key: bad.key, status: 'rejected', error: { code: 'unknown_disposition', message: 'x' }, notices: [] } }], T0 + 2);
    const again = resend(db, bad.seq, { kind: 'wrapup.submit', payload: { disposition: 'resolved' }, owner: null, createdAt: T0 + 5 });
    expect(again).not.toBeNull();
    expect(again!.key).not.toBe(bad.key);
    expect(again!.seq).toBeGreaterThan(bad.seq + 1);
    expect(itemBySeq(db, bad.seq)?.state).toBe('resent');
    expect(itemBySeq(db, again!.seq)?.owner).toBe(A);
    expect(resend(db, bad.seq, { kind: 'wrapup.submit', payload: {}, owner: A, createdAt: T0 + 6 })).toBeNull();
    expect(counts(db, A)).toMatchObject({ pending: 2, needsAttention: 0 });
  });

  it('lists notices until seen and prunes only delivered items', () => {
    const { db } = fresh();
    const [a, b, c, d] = enqueueAll(db, [0, 1, 2, 3].map((i) => ({ kind: 'wrapup.submit' as const, payload: { i }, owner: A, createdAt: T0 + i, customerId: 'C-1' })));
    recordResults(
      db,
      [
        { seq: a!.seq, result: applied(a!.key, { notices: [{ code: 'customer_merged', from: 'C-1', to: 'C-2' }], customerId: 'C-2' }) },
        { seq: b!.seq, result: applied(b!.key) },
        { seq: c!.seq, result: { key: c!.key, status: 'rejected', error: { code: 'invalid', message: 'x' }, notices: [] } },
      ],
      T0 + 10,
    );
    expect(listNotices(db, A).map(toEntry)).toMatchObject([{ seq: a!.seq, customerId: 'C-2', notices: [{ code: 'customer_merged' }] }]);
    expect(counts(db, A).notices).toBe(1);
    expect(itemsForCustomer(db, 'C-1').map((r) => r.seq)).toEqual([a!.seq, b!.seq, d!.seq]);
    // Long after: the quiet delivered item goes, the one with an unseen notice stays, pending and refused stay.
    expect(pruneDelivered(db, T0 + 1e9)).toBe(1);
    ackNotices(db, [a!.seq]);
    expect(counts(db, A).notices).toBe(0);
    expect(pruneDelivered(db, T0 + 1e9)).toBe(1);
    expect([c!.seq, d!.seq].map((s) => itemBySeq(db, s)?.state)).toEqual(['rejected', 'pending']);
  });
});
