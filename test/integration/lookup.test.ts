// Customer queries and the screen-pop lookup against a real SQLite file: every match kind, ordering,
// truncation, history, and the query plans (an index for every path, never a full scan).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOKUP_HISTORY, LOOKUP_MAX_MATCHES, LookupResult } from '../../shared/domain/customer';
import { toCustomerRecord, type CustomerInput } from '../../shared/domain/customer-input';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import type { NumberPlan } from '../../shared/domain/settings';
import {
  cacheCounts,
  customerCard,
  customerRidsByE164,
  customerRidsBySuffix,
  getMeta,
  setMeta,
  upsertCustomer,
  upsertInteraction,
} from '../../electron/services/db/customers';
import { openDb, type Db } from '../../electron/services/db/open';
import { lookupCaller } from '../../electron/services/lookup/lookup-service';
import { freshCache, tempDir } from './support/temp-dir';

const CN: NumberPlan = DEFAULT_NUMBER_PLAN;
const NOW = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const dir = tempDir();

let writer: Db;
let reader: Db;
let path: string;
/** Every SQL text the reader connection prepared: the statements the queries really use. */
const prepared: string[] = [];

function add(c: Omit<CustomerInput, 'phones'> & { phones: string[] }, contactsDaysAgo: number[] = []): number {
  const r = toCustomerRecord({ ...c, phones: c.phones.map((number) => ({ label: '', number })) }, CN, NOW);
  if (!r.ok) throw new Error(r.errors.join('; '));
  const rid = upsertCustomer(writer, r.record);
  contactsDaysAgo.forEach((d, i) =>
    upsertInteraction(writer, { id: `${c.id}-H${i}`, customerId: c.id, at: NOW - d * DAY, direction: 'inbound', channel: 'voice', agent: 'a', disposition: 'resolved', note: `call ${i}`, durationS: 60 }),
  );
  return rid;
}

beforeAll(() => {
  ({ db: writer, path } = freshCache(dir));
  writer.transaction(() => {
    add({ id: 'A', name: '王芳', phones: ['13800138000', '010-6552 8899'] }, [3]);
    // three customers behind one switchboard, contacted 1 day, 5 days and never
    add({ id: 'SW-old', name: 'Old contact', phones: ['010-8888 6666'] }, [5]);
    add({ id: 'SW-never', name: 'Never called', phones: ['010-8888 6666'] });
    add({ id: 'SW-new', name: 'New contact', phones: ['010-8888 6666'] }, [1]);
    // a customer with a long history
    add({ id: 'H', name: 'History', phones: ['13700001111'] }, [30, 1, 12, 2, 50, 7, 3, 90]);
    // 25 customers sharing one number; the most recently contacted ones are the last inserted
    for (let i = 0; i < 25; i++) add({ id: `MANY-${String(i).padStart(2, '0')}`, name: `Many ${i}`, phones: ['021-2222 3333'] }, [100 - i]);
    // 25 customers in different cities whose numbers end with the same 8 digits
    const areas = ['010', '021', '022', '023', '025', '027', '028', '029', '0755', '0571', '0512', '0591', '0731', '0871', '020', '0451', '0431', '024', '0311', '0371', '0531', '0551', '0791', '0851', '0898'];
    areas.forEach((a, i) => add({ id: `SFX-${i}`, name: `Suffix ${i}`, phones: [`${a}-6677 8899`] }, [100 - i]));
  })();
  const db = openDb(path, { readonly: true });
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as Db['prepare'];
  reader = db;
});
afterAll(() => {
  reader.close();
  writer.close();
});

const lookup = (ani: string, plan: NumberPlan = CN) => {
  const r = lookupCaller(reader, ani, plan);
  expect(() => LookupResult.parse(r)).not.toThrow(); // always inside the IPC contract
  return r;
};
const ids = (r: ReturnType<typeof lookup>) => r.customers.map((c) => c.id);

describe('lookupCaller', () => {
  it('finds a customer by any of their numbers, however the PBX spells it', () => {
    for (const ani of ['+8613800138000', '013800138000', 'sip:8613800138000@pbx', '1795113800138000', '010-65528899', '+86 10 6552 8899']) {
      const r = lookup(ani);
      expect(r.match, ani).toBe('exact');
      expect(ids(r), ani).toEqual(['A']);
      expect(r.truncated).toBe(false);
    }
    const card = lookup('13800138000').customers[0];
    expect(card).toMatchObject({ name: '王芳', phones: [{ e164: '+8613800138000' }, { e164: '+861065528899' }], lastContactAt: NOW - 3 * DAY });
  });

  it('orders several matches by last contact, never contacted last', () => {
    const r = lookup('01088886666');
    expect(r.match).toBe('exact');
    expect(ids(r)).toEqual(['SW-new', 'SW-old', 'SW-never']);
  });

  it('falls back to the number suffix when the PBX strips the area code', () => {
    const r = lookup('65528899');
    expect(r.match).toBe('suffix');
    expect(ids(r)).toEqual(['A']);
    expect(r.number.valid).toBe(false);
  });

  it('uses the exact match, not the suffix, once the site configures its area code', () => {
    expect(ids(lookup('88886666', { ...CN, localAreaCode: '10' }))).toEqual(['SW-new', 'SW-old', 'SW-never']);
    expect(lookup('88886666', { ...CN, localAreaCode: '10' }).match).toBe('exact');
  });

  it('reports no match for a real number nobody has, and keeps the number for a new-customer card', () => {
    const r = lookup('13911112222');
    expect(r).toMatchObject({ match: 'none', customers: [], truncated: false, number: { e164: '+8613911112222', valid: true, display: '139 1111 2222' } });
  });

  it('does not suffix-match fewer than 7 digits', () => {
    expect(lookup('8899').match).toBe('service');
    expect(lookup('528899').customers).toEqual([]);
  });

  it('recognises withheld callers and service numbers without touching the database', () => {
    for (const ani of ['anonymous', '', 'sip:anonymous@anonymous.invalid', 'Restricted']) expect(lookup(ani)).toMatchObject({ match: 'withheld', customers: [] });
    for (const ani of ['10086', '95588', '1001']) expect(lookup(ani)).toMatchObject({ match: 'service', customers: [] });
    expect(lookup('<img src=x>').match).toBe('service'); // not a phone number at all
  });

  it(`returns at most ${LOOKUP_MAX_MATCHES} exact matches, the most recently contacted, and says it truncated`, () => {
    const r = lookup('02122223333');
    expect(r.match).toBe('exact');
    expect(r.truncated).toBe(true);
    expect(r.customers).toHaveLength(LOOKUP_MAX_MATCHES);
    // contacted 100 - i days ago: the 20 most recent are i = 24 … 5
    expect(ids(r)).toEqual(Array.from({ length: 20 }, (_, k) => `MANY-${String(24 - k).padStart(2, '0')}`));
  });

  it(`returns at most ${LOOKUP_MAX_MATCHES} suffix matches, the most recently contacted, and says it truncated`, () => {
    const r = lookup('66778899');
    expect(r.match).toBe('suffix');
    expect(r.truncated).toBe(true);
    expect(ids(r)).toEqual(Array.from({ length: 20 }, (_, k) => `SFX-${24 - k}`));
  });

  it(`shows the ${LOOKUP_HISTORY} newest interactions, newest first`, () => {
    const h = lookup('13700001111').customers[0]?.interactions ?? [];
    expect(h.map((i) => (NOW - i.at) / DAY)).toEqual([1, 2, 3, 7, 12]);
    expect(h[0]).toMatchObject({ direction: 'inbound', channel: 'voice', agent: 'a', disposition: 'resolved', durationS: 60 });
  });

  it('sees rows committed by the writer after the reader opened (WAL)', () => {
    expect(lookup('13655556666').match).toBe('none');
    add({ id: 'LATE', name: 'Late', phones: ['13655556666'] });
    expect(ids(lookup('13655556666'))).toEqual(['LATE']);
  });
});

describe('customer queries', () => {
  it('customerRidsByE164 and customerRidsBySuffix', () => {
    expect(customerRidsByE164(reader, '+861088886666')).toHaveLength(3);
    expect(customerRidsByE164(reader, '+860000')).toEqual([]);
    expect(customerRidsBySuffix(reader, '65528899', 10)).toHaveLength(1);
    expect(customerRidsBySuffix(reader, '66778899', 5)).toHaveLength(5);
    expect(customerRidsBySuffix(reader, '99', 100).length).toBeGreaterThan(25);
  });

  it('upsertCustomer replaces numbers; customerCard reads them back in order', () => {
    const rid = add({ id: 'UP', name: 'Up', phones: ['13500000001', '13500000002'] });
    expect(add({ id: 'UP', name: 'Up 2', phones: ['13500000003'] })).toBe(rid);
    expect(customerCard(reader, rid)).toMatchObject({ name: 'Up 2', phones: [{ e164: '+8613500000003' }] });
    expect(customerRidsByE164(reader, '+8613500000001')).toEqual([]);
    expect(customerCard(reader, 999_999)).toBeUndefined();
  });

  it('meta and counts', () => {
    setMeta(writer, 'k', 'v1');
    setMeta(writer, 'k', 'v2');
    expect(getMeta(reader, 'k')).toBe('v2');
    expect(getMeta(reader, 'missing')).toBeUndefined();
    const c = cacheCounts(reader);
    expect(c.customers).toBe(reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM customers').get()?.n);
    expect(c.phones).toBeGreaterThan(c.customers);
  });
});

describe('query plans', () => {
  const plan = (sql: string) =>
    writer
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => '1'))
      .map((r) => r.detail);
  const reads = () => [...new Set(prepared)].filter((s) => /^\s*SELECT/i.test(s));

  it('the lookup prepared the statements it runs', () => {
    lookup('13800138000');
    lookup('65528899');
    expect(reads().some((s) => /e164\s*=\s*\?/.test(s))).toBe(true);
    expect(reads().some((s) => /digits_rev/.test(s))).toBe(true);
  });

  it('never scans a whole table', () => {
    for (const sql of reads()) {
      if (/count\(\*\)/i.test(sql)) continue; // cache status counts rows on purpose
      const scans = plan(sql).filter((d) => /^SCAN (?!\(subquery|CONSTANT)/.test(d));
      expect(scans, sql).toEqual([]);
    }
  });

  it('exact matches use the customer_phones primary key', () => {
    const exact = reads().filter((s) => /e164\s*=\s*\?/.test(s));
    for (const sql of exact) expect(plan(sql).some((d) => /SEARCH \w+ USING (PRIMARY KEY|INDEX sqlite_autoindex_customer_phones_1|COVERING INDEX sqlite_autoindex_customer_phones_1) \(e164=\?/.test(d)), `${sql}\n${plan(sql).join('\n')}`).toBe(true);
  });

  it('suffix matches use customer_phones_rev', () => {
    const suffix = reads().filter((s) => /digits_rev/.test(s));
    for (const sql of suffix) expect(plan(sql).some((d) => /USING (COVERING )?INDEX customer_phones_rev \(digits_rev>\? AND digits_rev<\?\)/.test(d)), `${sql}\n${plan(sql).join('\n')}`).toBe(true);
  });

  it('a card is one row: the lookup reads neither interactions nor the phones table for display', () => {
    for (const sql of reads()) {
      if (/count\(\*\)/i.test(sql)) continue; // cache status counts rows on purpose
      expect(sql).not.toMatch(/FROM interactions/);
    }
  });

  it('keeping the card history in step uses interactions_customer_at', () => {
    const refresh = `UPDATE customers SET history_json = (SELECT json_group_array(id) FROM (SELECT id FROM interactions WHERE customer_id = ? ORDER BY at DESC LIMIT ${LOOKUP_HISTORY})) WHERE id = ?`;
    const p = plan(refresh);
    expect(p.some((d) => /INDEX interactions_customer_at \(customer_id=\?\)/.test(d)), p.join('\n')).toBe(true);
    expect(p.some((d) => /TEMP B-TREE/.test(d)), p.join('\n')).toBe(false);
  });
});
