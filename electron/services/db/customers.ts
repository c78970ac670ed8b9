// Customer queries: plain functions of (db, args), shared by the writer worker, the CSV importer and
// the read-only lookup connection.
import type { CustomerRecord } from '../../../shared/domain/customer-input';
import { LOOKUP_HISTORY, type CustomerCard, type InteractionSummary, type Tier } from '../../../shared/domain/customer';
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

const writes = statements((db) => ({
  upsert: db.prepare<[string, string, string, string, string, string, number, number], { rid: number }>(`
    INSERT INTO customers(id, name, company, tier, tags, notes, updated_at, seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, company = excluded.company, tier = excluded.tier,
      tags = excluded.tags, notes = excluded.notes, updated_at = excluded.updated_at, seq = excluded.seq
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
  touchContact: db.prepare<[string, string]>(`
    UPDATE customers SET last_contact_at = (SELECT max(at) FROM interactions WHERE customer_id = ?) WHERE id = ?`),
  setMeta: db.prepare<[string, string]>('INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
  getMeta: db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
}));

/** Insert or replace one customer and its numbers. Call inside a transaction when writing many. */
export function upsertCustomer(db: Db, c: CustomerRecord, seq = 0): number {
  const s = writes(db);
  const row = s.upsert.get(c.id, c.name, c.company, c.tier, JSON.stringify(c.tags), c.notes, c.updatedAt, seq);
  if (!row) throw new Error(`upsert of customer ${c.id} returned no row`);
  s.deletePhones.run(row.rid);
  c.phones.forEach((p, i) => s.insertPhone.run(p.e164, row.rid, reversedDigits(p.e164), p.label, p.display, i));
  return row.rid;
}

export function upsertInteraction(db: Db, i: InteractionRow): void {
  const s = writes(db);
  s.upsertInteraction.run(i.id, i.customerId, i.at, i.direction, i.channel, i.agent, i.disposition, i.note, i.durationS);
  s.touchContact.run(i.customerId, i.customerId);
}

export function setMeta(db: Db, k: string, v: string): void {
  writes(db).setMeta.run(k, v);
}
export function getMeta(db: Db, k: string): string | undefined {
  return writes(db).getMeta.get(k)?.v;
}

// ---------- reads (they also work on a read-only connection) ----------

interface CustomerRow {
  rid: number;
  id: string;
  name: string;
  company: string;
  tier: string;
  tags: string;
  notes: string;
  last_contact_at: number | null;
}

const reads = statements((db) => ({
  byE164: db.prepare<[string], { rid: number }>('SELECT customer_rid AS rid FROM customer_phones WHERE e164 = ?'),
  bySuffix: db.prepare<[string, string, number], { rid: number }>(
    'SELECT DISTINCT customer_rid AS rid FROM customer_phones WHERE digits_rev >= ? AND digits_rev < ? LIMIT ?',
  ),
  customer: db.prepare<[number], CustomerRow>(
    'SELECT rid, id, name, company, tier, tags, notes, last_contact_at FROM customers WHERE rid = ?',
  ),
  phones: db.prepare<[number], { e164: string; display: string; label: string }>(
    'SELECT e164, display, label FROM customer_phones WHERE customer_rid = ? ORDER BY position',
  ),
  history: db.prepare<[string, number], { id: string; at: number; direction: string; channel: string; agent: string; disposition: string; note: string; duration_s: number }>(
    'SELECT id, at, direction, channel, agent, disposition, note, duration_s FROM interactions WHERE customer_id = ? ORDER BY at DESC LIMIT ?',
  ),
  counts: db.prepare<[], { customers: number; phones: number; interactions: number }>(
    `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM customer_phones) AS phones,
            (SELECT count(*) FROM interactions) AS interactions`,
  ),
}));

export function customerRidsByE164(db: Db, e164: string): number[] {
  return reads(db).byE164.all(e164).map((r) => r.rid);
}

/** Customers with a number ending in `suffix` (digits), at most `limit`. */
export function customerRidsBySuffix(db: Db, suffix: string, limit: number): number[] {
  const rev = reversedDigits(suffix);
  // ':' sorts right after '9', so [rev, rev + ':') holds every string that starts with rev.
  return reads(db).bySuffix.all(rev, `${rev}:`, limit).map((r) => r.rid);
}

function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

export function customerCard(db: Db, rid: number, history = LOOKUP_HISTORY): CustomerCard | undefined {
  const s = reads(db);
  const c = s.customer.get(rid);
  if (!c) return undefined;
  const interactions: InteractionSummary[] = s.history.all(c.id, history).map((h) => ({
    id: h.id,
    at: h.at,
    direction: h.direction === 'outbound' ? 'outbound' : 'inbound',
    channel: h.channel,
    agent: h.agent,
    disposition: h.disposition,
    note: h.note,
    durationS: h.duration_s,
  }));
  return {
    id: c.id,
    name: c.name,
    company: c.company,
    tier: c.tier as Tier,
    tags: parseTags(c.tags),
    notes: c.notes,
    phones: s.phones.all(rid),
    lastContactAt: c.last_contact_at,
    interactions,
  };
}

export function cacheCounts(db: Db): { customers: number; phones: number; interactions: number } {
  return reads(db).counts.get() ?? { customers: 0, phones: 0, interactions: 0 };
}
