// Customers on the server: create, replace, delete (a tombstone), merge (a tombstone pointing at the
// survivor). Every write runs in writeChanges(), so it gets its seq in the same transaction as the row.
import type { CustomerRecord } from '../../shared/domain/customer-input';
import { LIMITS, TIERS, type PhoneEntry, type Tier } from '../../shared/domain/customer';
import { INTERACTION_WINDOW, SyncCustomer } from '../../shared/sync/protocol';
import type { CustomerResponse } from '../../shared/sync/api';
import type { Db, Queryable } from '../db/db';
import { writeChanges, type Changes } from '../db/changes';
import { badRequest, conflict, notFound } from '../http/errors';

/** The JSON a sync line carries, keys in a fixed order. */
export function customerDoc(r: CustomerRecord): string {
  return JSON.stringify({ id: r.id, name: r.name, company: r.company, tier: r.tier, tags: r.tags, notes: r.notes, phones: r.phones, updatedAt: r.updatedAt });
}

interface CustomerRow {
  id: string;
  seq: number;
  doc: string | null;
  merged_into: string | null;
}

export type CustomerState = { state: 'live'; customer: CustomerRecord; seq: number } | { state: 'deleted'; seq: number; mergedInto: string | null };

export async function readCustomer(db: Queryable, id: string, lock = false): Promise<CustomerState | null> {
  const [row] = await db.query<CustomerRow>(`SELECT id, seq, doc, merged_into FROM customers WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) return null;
  if (row.doc === null) return { state: 'deleted', seq: row.seq, mergedInto: row.merged_into };
  return { state: 'live', customer: SyncCustomer.parse(JSON.parse(row.doc)), seq: row.seq };
}

/** Where a merged customer ended up: follows merge pointers (A → B → C) to the live one, if any. */
async function survivorOf(db: Queryable, mergedInto: string): Promise<string> {
  let id = mergedInto;
  for (let hops = 0; hops < 32; hops++) {
    const [row] = await db.query<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = $1', [id]);
    if (!row?.merged_into) return id;
    id = row.merged_into;
  }
  return id;
}

async function gone(db: Queryable, id: string, s: CustomerState | null): Promise<never> {
  if (s?.state === 'deleted' && s.mergedInto) {
    const survivor = await survivorOf(db, s.mergedInto);
    throw notFound(`customer ${id} was merged into ${survivor}`, { mergedInto: survivor });
  }
  throw notFound(s ? `customer ${id} was deleted` : `customer ${id} does not exist`);
}

export async function getCustomer(db: Queryable, id: string): Promise<CustomerResponse> {
  const s = await readCustomer(db, id);
  if (s?.state !== 'live') return gone(db, id, s);
  return { customer: s.customer, seq: s.seq };
}

async function upsertRow(tx: Queryable, changes: Changes, record: CustomerRecord): Promise<number> {
  const seq = changes.next('customers');
  await tx.query(
    `INSERT INTO customers (id, seq, doc, merged_into, changed_at, deleted_at) VALUES ($1, $2, $3, NULL, $4, NULL)
     ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, doc = EXCLUDED.doc, merged_into = NULL, changed_at = EXCLUDED.changed_at, deleted_at = NULL`,
    [record.id, seq, customerDoc(record), Date.now()],
  );
  return seq;
}

/** A new customer. An id that was deleted may be used again; one that was merged may not (it redirects). */
export async function createCustomer(db: Db, record: CustomerRecord): Promise<CustomerResponse> {
  return writeChanges(db, async (tx, changes) => {
    const s = await readCustomer(tx, record.id, true);
    if (s?.state === 'live') throw conflict(`customer ${record.id} already exists`);
    if (s?.state === 'deleted' && s.mergedInto) throw conflict(`customer ${record.id} was merged into ${s.mergedInto}; its id cannot be reused`, { mergedInto: s.mergedInto });
    const seq = await upsertRow(tx, changes, record);
    return { customer: record, seq };
  });
}

export async function replaceCustomer(db: Db, record: CustomerRecord, expectedSeq?: number): Promise<CustomerResponse> {
  return writeChanges(db, async (tx, changes) => {
    const s = await readCustomer(tx, record.id, true);
    if (s?.state !== 'live') return gone(tx, record.id, s);
    if (expectedSeq !== undefined && s.seq !== expectedSeq) {
      throw conflict(`customer ${record.id} changed meanwhile (now at seq ${s.seq}, you edited seq ${expectedSeq}): reload it and edit again`);
    }
    const seq = await upsertRow(tx, changes, record);
    return { customer: record, seq };
  });
}

/**
 * Re-evaluate which interactions of these customers are in the synced window (the newest
 * INTERACTION_WINDOW of a live customer). Rows that enter or leave it get a new seq; so do rows in
 * `touched` (their content changed) if they are or were in the window. Returns how many got one.
 */
export async function refreshWindow(tx: Queryable, changes: Changes, customerIds: readonly string[], touched: readonly string[] = []): Promise<number> {
  if (!customerIds.length) return 0;
  const rows = await tx.query(
    `WITH ranked AS (
       SELECT i.id, i.in_window,
              (c.deleted_at IS NULL AND row_number() OVER (PARTITION BY i.customer_id ORDER BY i.at DESC, i.id DESC) <= $2) AS should
         FROM interactions i JOIN customers c ON c.id = i.customer_id
        WHERE i.customer_id = ANY($1::text[])
     ), flips AS (
       SELECT id, should, row_number() OVER (ORDER BY id) AS rn
         FROM ranked
        WHERE in_window <> should OR (id = ANY($4::text[]) AND (in_window OR should))
     )
     UPDATE interactions i SET in_window = f.should, seq = $3 + f.rn, changed_at = $5
       FROM flips f WHERE i.id = f.id
     RETURNING i.id`,
    [customerIds, INTERACTION_WINDOW, changes.current, touched, Date.now()],
  );
  changes.advance('interactions', rows.length);
  return rows.length;
}

export async function deleteCustomer(db: Db, id: string): Promise<{ seq: number }> {
  return writeChanges(db, async (tx, changes) => {
    const s = await readCustomer(tx, id, true);
    if (s?.state !== 'live') return gone(tx, id, s);
    const seq = changes.next('customers');
    await tx.query('UPDATE customers SET seq = $2, doc = NULL, merged_into = NULL, changed_at = $3, deleted_at = $3 WHERE id = $1', [id, seq, Date.now()]);
    await refreshWindow(tx, changes, [id]);
    return { seq };
  });
}

const TIER_RANK: Record<Tier, number> = Object.fromEntries(TIERS.map((t, i) => [t, i])) as Record<Tier, number>;

/**
 * The survivor of merging `from` into `into`: into's fields win; phones and tags are united (into's
 * first); an empty company or notes is filled from `from`, two different notes are both kept; the better
 * tier wins. Refuses (409) instead of dropping anything that would not fit the limits.
 */
export function mergedRecord(from: CustomerRecord, into: CustomerRecord, now = Date.now()): CustomerRecord {
  const phones: PhoneEntry[] = [...into.phones];
  for (const p of from.phones) if (!phones.some((q) => q.e164 === p.e164)) phones.push(p);
  if (phones.length > LIMITS.phones) {
    throw conflict(`the merged customer would have ${phones.length} phone numbers (at most ${LIMITS.phones}): remove some from ${from.id} or ${into.id} first`);
  }
  const tags = [...new Set([...into.tags, ...from.tags])];
  if (tags.length > LIMITS.tags) throw conflict(`the merged customer would have ${tags.length} tags (at most ${LIMITS.tags}): remove some first`);
  let notes = into.notes;
  if (!notes) notes = from.notes;
  else if (from.notes && from.notes !== into.notes) notes = `${into.notes}\n\n${from.notes}`;
  if (notes.length > LIMITS.notes) throw conflict(`the merged notes would be ${notes.length} characters (at most ${LIMITS.notes}): shorten them first`);
  return {
    id: into.id,
    name: into.name,
    company: into.company || from.company,
    tier: TIER_RANK[from.tier] < TIER_RANK[into.tier] ? from.tier : into.tier,
    tags,
    notes,
    phones,
    updatedAt: now,
  };
}

export async function mergeCustomers(db: Db, fromId: string, intoId: string): Promise<{ merged: string; into: CustomerResponse }> {
  if (fromId === intoId) throw badRequest('a customer cannot be merged into itself');
  return writeChanges(db, async (tx, changes) => {
    // Lock both rows in id order, so two opposite merges cannot deadlock.
    const [first, second] = fromId < intoId ? [fromId, intoId] : [intoId, fromId];
    const a = await readCustomer(tx, first, true);
    const b = await readCustomer(tx, second, true);
    const from = fromId === first ? a : b;
    const into = fromId === first ? b : a;
    if (from?.state !== 'live') return gone(tx, fromId, from);
    if (into?.state !== 'live') return gone(tx, intoId, into);
    const survivor = mergedRecord(from.customer, into.customer);
    const now = Date.now();

    const tombSeq = changes.next('customers');
    await tx.query('UPDATE customers SET seq = $2, doc = NULL, merged_into = $3, changed_at = $4, deleted_at = $4 WHERE id = $1', [fromId, tombSeq, intoId, now]);
    const seq = await upsertRow(tx, changes, survivor);

    // History follows the customer: the moved rows carry the new customerId and get new seqs.
    const moved = await tx.query<{ id: string }>(
      `UPDATE interactions SET customer_id = $2, doc = (doc::jsonb || jsonb_build_object('customerId', $2::text))::text, changed_at = $3
        WHERE customer_id = $1 RETURNING id`,
      [fromId, intoId, now],
    );
    // So do its call records and follow-ups (issue 4, backend/outbox).
    await tx.query('UPDATE call_records SET customer_id = $2 WHERE customer_id = $1', [fromId, intoId]);
    await tx.query('UPDATE followups SET customer_id = $2, updated_at = $3 WHERE customer_id = $1', [fromId, intoId, now]);
    await refreshWindow(
      tx,
      changes,
      [intoId],
      moved.map((m) => m.id),
    );
    return { merged: fromId, into: { customer: survivor, seq } };
  });
}
