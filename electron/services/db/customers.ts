// Customer queries: plain functions of (db, args), shared by the writer worker, the CSV importer and
// the read-only lookup connection.
import type { CustomerRecord } from '../../../shared/domain/customer-input';
import { LOOKUP_HISTORY, LOOKUP_MAX_MATCHES, type CustomerCard, type InteractionSummary, type Tier } from '../../../shared/domain/customer';
import { reversedDigits } from '../../../shared/phone/ani';
import { statements, type Db } from './open';

export interface InteractionRow {
  id: string;
  customerId: string;
  at: number;
  direction: 'inbound' | 'outbound';
  channel: string;
  agent: string;
  disposition: string;
  note: string;
  durationS: number;
}

// The screen pop reads a customer's card from one row: phones_json and history_json are kept in step
// with customer_phones and interactions by the writes below. Assembling them at read time with JSON
// subqueries cost ~55 µs per card on 1,000,000 customers, over the 0.1 ms budget once parsing is added.
const writes = statements((db) => ({
  upsert: db.prepare<[string, string, string, string, string, string, number, number, string], { rid: number }>(`
    INSERT INTO customers(id, name, company, tier, tags, notes, updated_at, seq, phones_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, company = excluded.company, tier = excluded.tier,
      tags = excluded.tags, notes = excluded.notes, updated_at = excluded.updated_at, seq = excluded.seq,
      phones_json = excluded.phones_json
    RETURNING rid`),
  deletePhones: db.prepare<[number]>('DELETE FROM customer_phones WHERE customer_rid = ?'),
  insertPhone: db.prepare<[string, number, string, string, string, number]>(
    'INSERT OR IGNORE INTO customer_phones(e164, customer_rid, digits_rev, label, display, position) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  upsertInteraction: db.prepare<[string, string, number, string, string, string, string, string, number]>(`
    INSERT INTO interactions(id, customer_id, at, direction, channel, agent, disposition, note, duration_s)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, at = excluded.at, direction = excluded.direction,
      channel = excluded.channel, agent = excluded.agent, disposition = excluded.disposition, note = excluded.note,
      duration_s = excluded.duration_s`),
  // Recompute the customer's last contact and card history from the interactions table.
  refreshHistory: db.prepare<[string, string, string]>(`
    UPDATE customers SET
      last_contact_at = (SELECT max(at) FROM interactions WHERE customer_id = ?),
      history_json = (SELECT json_group_array(json_array(id, at, direction, channel, agent, disposition, note, duration_s))
                        FROM (SELECT id, at, direction, channel, agent, disposition, note, duration_s FROM interactions
                              WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT ${LOOKUP_HISTORY}))
    WHERE id = ?`),
  setMeta: db.prepare<[string, string]>('INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
  getMeta: db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
}));

/** Insert or replace one customer and its numbers. Call inside a transaction when writing many. */
export function upsertCustomer(db: Db, c: CustomerRecord, seq = 0): number {
  const s = writes(db);
  const phonesJson = JSON.stringify(c.phones.map((p) => [p.e164, p.display, p.label]));
  const row = s.upsert.get(c.id, c.name, c.company, c.tier, JSON.stringify(c.tags), c.notes, c.updatedAt, seq, phonesJson);
  if (!row) throw new Error(`upsert of customer ${c.id} returned no row`);
  s.deletePhones.run(row.rid);
  c.phones.forEach((p, i) => s.insertPhone.run(p.e164, row.rid, reversedDigits(p.e164), p.label, p.display, i));
  // History may have arrived before its customer (separate sync streams).
  s.refreshHistory.run(c.id, c.id, c.id);
  return row.rid;
}

/** `refresh: false` when the caller refreshes each touched customer once (a sync page). */
export function upsertInteraction(db: Db, i: InteractionRow, refresh = true): void {
  const s = writes(db);
  s.upsertInteraction.run(i.id, i.customerId, i.at, i.direction, i.channel, i.agent, i.disposition, i.note, i.durationS);
  if (refresh) refreshHistory(db, i.customerId);
}

/** Bring a customer's last contact and card history in step with its interactions (after any change to them). */
export function refreshHistory(db: Db, customerId: string): void {
  writes(db).refreshHistory.run(customerId, customerId, customerId);
}

export function setMeta(db: Db, k: string, v: string): void {
  writes(db).setMeta.run(k, v);
}
export function getMeta(db: Db, k: string): string | undefined {
  return writes(db).getMeta.get(k)?.v;
}

// ---------- reads (they also work on a read-only connection) ----------

interface CardRow {
  id: string;
  name: string;
  company: string;
  tier: string;
  tags: string;
  notes: string;
  last_contact_at: number | null;
  /** JSON: [[e164, display, label], …] in the customer's order. */
  phones_json: string;
  /** JSON: [[id, at, direction, channel, agent, disposition, note, duration_s], …] newest first. */
  history_json: string;
}

/** One more than the pop shows, so the caller learns the list was truncated. */
const CARD_LIMIT = LOOKUP_MAX_MATCHES + 1;

/**
 * Exact matches read before sorting by last contact: far more than anyone shares one number, so the ones
 * shown are the most recently contacted of all of them.
 */
const EXACT_LIMIT = 1000;

const CARD_COLUMNS = 'c.id, c.name, c.company, c.tier, c.tags, c.notes, c.last_contact_at, c.phones_json, c.history_json';

const reads = statements((db) => ({
  byE164: db.prepare<[string], number>('SELECT customer_rid FROM customer_phones WHERE e164 = ?').pluck(),
  bySuffix: db
    .prepare<[string, string, number], number>('SELECT DISTINCT customer_rid FROM customer_phones WHERE digits_rev >= ? AND digits_rev < ? LIMIT ?')
    .pluck(),
  // An unknown caller matches nothing: this index probe (~8 µs) spares it the card query's two temp
  // b-trees (~30 µs even when empty).
  anySuffix: db.prepare<[string, string], number>('SELECT 1 FROM customer_phones WHERE digits_rev >= ? AND digits_rev < ? LIMIT 1').pluck(),
  // A card is one row (see writes above). With more matches than the pop shows, the ones shown are the
  // most recently contacted. LIMITs are literals: bound as parameters they made such statements several
  // times slower in measurements.
  card: db.prepare<[number], CardRow>(`SELECT ${CARD_COLUMNS} FROM customers c WHERE c.rid = ?`),
  // No ORDER BY here: almost every number belongs to one customer, and sorting that one row through a
  // temp b-tree cost more than the rest of the query. lookup-service sorts the rare several in JS.
  cardsByE164: db.prepare<[string], CardRow>(
    `SELECT ${CARD_COLUMNS} FROM customer_phones p JOIN customers c ON c.rid = p.customer_rid WHERE p.e164 = ? LIMIT ${EXACT_LIMIT}`,
  ),
  cardsBySuffix: db.prepare<[string, string], CardRow>(
    `SELECT ${CARD_COLUMNS} FROM customers c WHERE c.rid IN
       (SELECT DISTINCT customer_rid FROM customer_phones WHERE digits_rev >= ? AND digits_rev < ?)
      ORDER BY c.last_contact_at DESC LIMIT ${CARD_LIMIT}`,
  ),
  counts: db.prepare<[], { customers: number; phones: number; interactions: number }>(
    `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM customer_phones) AS phones,
            (SELECT count(*) FROM interactions) AS interactions`,
  ),
}));

export function customerRidsByE164(db: Db, e164: string): number[] {
  return reads(db).byE164.all(e164);
}

/** Customers with a number ending in `suffix` (digits), at most `limit`. */
export function customerRidsBySuffix(db: Db, suffix: string, limit: number): number[] {
  const rev = reversedDigits(suffix);
  // ':' sorts right after '9', so [rev, rev + ':') holds every string that starts with rev.
  return reads(db).bySuffix.all(rev, `${rev}:`, limit);
}

/** Cards of the customers that have this exact number, unordered (at most EXACT_LIMIT). */
export function cardsByE164(db: Db, e164: string): CustomerCard[] {
  return reads(db).cardsByE164.all(e164).map(toCard);
}

/** Cards of the customers with a number ending in `suffix` digits (at most LOOKUP_MAX_MATCHES + 1). */
export function cardsBySuffix(db: Db, suffix: string): CustomerCard[] {
  const rev = reversedDigits(suffix);
  const r = reads(db);
  if (r.anySuffix.get(rev, `${rev}:`) === undefined) return [];
  return r.cardsBySuffix.all(rev, `${rev}:`).map(toCard);
}

function parseJsonArray(json: string): unknown[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** The customer's card: details, numbers and the last LOOKUP_HISTORY interactions. */
export function customerCard(db: Db, rid: number): CustomerCard | undefined {
  const c = reads(db).card.get(rid);
  return c ? toCard(c) : undefined;
}

function toCard(c: CardRow): CustomerCard {
  const tags = parseJsonArray(c.tags).filter((t): t is string => typeof t === 'string');
  const phones = (parseJsonArray(c.phones_json) as [string, string, string][]).map(([e164, display, label]) => ({ e164, display, label }));
  const interactions: InteractionSummary[] = (parseJsonArray(c.history_json) as [string, number, string, string, string, string, string, number][]).map(
    ([id, at, direction, channel, agent, disposition, note, durationS]) => ({
      id,
      at,
      direction: direction === 'outbound' ? 'outbound' : 'inbound',
      channel,
      agent,
      disposition,
      note,
      durationS,
    }),
  );
  return {
    id: c.id,
    name: c.name,
    company: c.company,
    tier: c.tier as Tier,
    tags,
    notes: c.notes,
    phones,
    lastContactAt: c.last_contact_at,
    interactions,
  };
}

export function cacheCounts(db: Db): { customers: number; phones: number; interactions: number } {
  return reads(db).counts.get() ?? { customers: 0, phones: 0, interactions: 0 };
}
