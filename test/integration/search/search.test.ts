// Search over a real SQLite cache file: migration 3 (fresh and over existing customers), the triggers
// that keep the index in step with every write, the bulk rebuild (identical index, triggers restored),
// query plans for every query shape, ranking and the matched number, and property tests against a
// brute-force oracle (every customer whose text contains the query is found; nothing else is).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomers } from '../../../shared/demo/demo-customers';
import { SearchResult } from '../../../shared/domain/search';
import { toCustomerRecord, type CustomerInput } from '../../../shared/domain/customer-input';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';
import { upsertCustomer, upsertInteraction } from '../../../electron/services/db/customers';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../../electron/services/db/migrations';
import { openDb, type Db } from '../../../electron/services/db/open';
import {
  customerCardById,
  rebuildSearchIndex,
  SEARCH_TRIGGERS,
  searchCustomers,
  searchSql,
  suspendSearchIndex,
} from '../../../electron/services/db/search';
import { parseQuery, searchText, termIn } from '../../../electron/services/db/search-text';
import { freshCache, tempDir } from '../support/temp-dir';

const NOW = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const dir = tempDir('lianluo-search-');

function add(db: Db, c: Omit<CustomerInput, 'phones'> & { phones: string[] }, contactedDaysAgo?: number): number {
  const r = toCustomerRecord({ ...c, phones: c.phones.map((number) => ({ label: '', number })) }, DEFAULT_NUMBER_PLAN, NOW);
  if (!r.ok) throw new Error(r.errors.join('; '));
  const rid = upsertCustomer(db, r.record);
  if (contactedDaysAgo !== undefined) {
    upsertInteraction(db, { id: `${c.id}-H`, customerId: c.id, at: NOW - contactedDaysAgo * DAY, direction: 'inbound', channel: 'voice', agent: 'a', disposition: '', note: '', durationS: 1 });
  }
  return rid;
}

function loadDemo(db: Db, count: number): void {
  db.transaction(() => {
    for (const d of demoCustomers(count, { now: NOW })) {
      const r = toCustomerRecord(d.customer, DEFAULT_NUMBER_PLAN, NOW);
      if (!r.ok) throw new Error(r.errors.join('; '));
      upsertCustomer(db, r.record);
      for (const i of d.interactions) upsertInteraction(db, i);
    }
  })();
}

const search = (db: Db, q: string, limit?: number) => {
  const r = searchCustomers(db, q, { region: 'CN', ...(limit ? { limit } : {}) });
  expect(() => SearchResult.parse(r)).not.toThrow(); // always inside the IPC contract
  return r;
};
const ids = (db: Db, q: string, limit?: number) => search(db, q, limit).hits.map((h) => h.id);

/** Every (term, doc, column, offset) of the index: two indexes with equal instances answer every query alike. */
function indexInstances(db: Db): string[] {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, 'customers_search', 'instance')");
  return db
    .prepare<[], { term: string; doc: number; offset: number }>('SELECT term, doc, offset FROM temp.search_vocab ORDER BY term, doc, offset')
    .all()
    .map((r) => `${r.term}|${r.doc}|${r.offset}`);
}

const triggerSql = (db: Db) =>
  db
    .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'customers_search_%' ORDER BY name")
    .all()
    .map((t) => ({ name: t.name, sql: t.sql.replace(/\s+/g, ' ') }));

describe('migration 3', () => {
  it('creates the index and its triggers on a fresh cache', () => {
    const { db } = freshCache(dir);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    expect(triggerSql(db).map((t) => t.name)).toEqual([...SEARCH_TRIGGERS].sort());
    add(db, { id: 'A', name: '王芳', phones: ['13800138000'] });
    expect(ids(db, '芳')).toEqual(['A']);
    db.close();
  });

  it('indexes the customers a version-2 cache already holds', () => {
    const path = `${dir}/v2.sqlite`;
    const db = openDb(path);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 2));
    loadDemo(db, 300);
    expect(() => db.prepare('SELECT 1 FROM customers_search').get()).toThrow(/no such table/);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(ids(db, '王芳')).toContain('C-STORY-1');
    expect(ids(db, '8888 6666').sort()).toEqual(['C-STORY-2', 'C-STORY-3']);
    expect(db.prepare('SELECT count(*) FROM customers_search').pluck().get()).toBe(300);
    db.close();
  });

  it('created the same triggers rebuildSearchIndex re-creates', () => {
    const { db } = freshCache(dir);
    const fromMigration = triggerSql(db);
    suspendSearchIndex(db);
    expect(triggerSql(db)).toEqual([]);
    rebuildSearchIndex(db);
    expect(triggerSql(db)).toEqual(fromMigration.map((t) => ({ ...t, sql: t.sql })));
    db.close();
  });
});

describe('the index follows every write', () => {
  let db: Db;
  beforeAll(() => ({ db } = freshCache(dir)));
  afterAll(() => db.close());

  it('insert, rename, new numbers, delete', () => {
    add(db, { id: 'T1', name: '张伟明', company: 'Harbor Foods', phones: ['13912345678'] });
    expect(ids(db, '伟明')).toEqual(['T1']);
    expect(ids(db, 'harb')).toEqual(['T1']);
    expect(ids(db, '2345')).toEqual(['T1']);

    add(db, { id: 'T1', name: '李雪', company: 'Jade Media', phones: ['02166667777'] });
    expect(ids(db, '伟明')).toEqual([]);
    expect(ids(db, 'harb')).toEqual([]);
    expect(ids(db, '2345')).toEqual([]);
    expect(ids(db, '李雪 jade 6666')).toEqual(['T1']);

    db.prepare("DELETE FROM customers WHERE id = 'T1'").run();
    expect(ids(db, '李雪')).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM customers_search').pluck().get()).toBe(0);
  });

  it('a history update rewrites nothing in the index (the trigger watches name, company and numbers only)', () => {
    add(db, { id: 'T2', name: 'Grace Lee', phones: ['13811112222'] });
    const before = indexInstances(db);
    const changes = db.prepare('SELECT total_changes()').pluck();
    upsertInteraction(db, { id: 'T2-H', customerId: 'T2', at: NOW, direction: 'inbound', channel: 'voice', agent: '', disposition: '', note: '', durationS: 1 });
    const t0 = changes.get() as number;
    db.prepare("UPDATE customers SET notes = 'x', last_contact_at = 5 WHERE id = 'T2'").run();
    expect((changes.get() as number) - t0).toBe(1); // the row only: no trigger wrote to the index
    expect(indexInstances(db)).toEqual(before);
    expect(ids(db, 'grace')).toEqual(['T2']);
  });

  it('a write on a connection without the search function fails loudly instead of leaving the index behind', async () => {
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(db.name);
    try {
      expect(() => raw.prepare("INSERT INTO customers(id, name, updated_at) VALUES ('RAW', 'x', 0)").run()).toThrow(/lianluo_search_text/);
    } finally {
      raw.close();
    }
    expect(ids(db, 'x')).toEqual([]);
  });
});

describe('bulk load and rebuild', () => {
  it('gives exactly the index the triggers keep, and restores the triggers', () => {
    const live = freshCache(dir).db;
    loadDemo(live, 1500);
    add(live, { id: 'Z', name: 'Zoë Ödegaard', company: 'Ｆｕｌｌ Width', phones: ['+44 20 7946 0001'] });

    const bulk = freshCache(dir).db;
    // As a bulk loader does (sync-apply.ts enterBulkMode drops every trigger; this is the search part of it).
    suspendSearchIndex(bulk);
    loadDemo(bulk, 1500);
    add(bulk, { id: 'Z', name: 'Zoë Ödegaard', company: 'Ｆｕｌｌ Width', phones: ['+44 20 7946 0001'] });
    expect(bulk.prepare('SELECT count(*) FROM customers_search').pluck().get()).toBe(0);
    const { rows } = rebuildSearchIndex(bulk);
    expect(rows).toBe(1501);

    expect(indexInstances(bulk)).toEqual(indexInstances(live));
    expect(ids(bulk, 'zoe full')).toEqual(['Z']);
    expect(ids(bulk, '+44 20 7946 0001 zo')).toEqual(['Z']);
    // The triggers are back: later writes are indexed row by row again.
    add(bulk, { id: 'NEW', name: '欧阳娜娜', phones: ['13700001234'] });
    expect(ids(bulk, '欧阳娜娜 1234')).toEqual(['NEW']);
    expect(bulk.prepare("INSERT INTO customers_search(customers_search) VALUES ('integrity-check')").run().changes).toBeGreaterThanOrEqual(0);
    live.close();
    bulk.close();
  });

  it('is safe to run again, and inside the caller’s transaction', () => {
    const { db } = freshCache(dir);
    loadDemo(db, 200);
    const before = indexInstances(db);
    db.transaction(() => {
      rebuildSearchIndex(db);
      rebuildSearchIndex(db);
    })();
    expect(indexInstances(db)).toEqual(before);
    db.close();
  });
});

describe('searchCustomers', () => {
  let db: Db;
  let reader: Db;
  const CUSTOMERS = 3000;
  beforeAll(() => {
    let path: string;
    ({ db, path } = freshCache(dir));
    loadDemo(db, CUSTOMERS);
    db.transaction(() => {
      add(db, { id: 'R-exact', name: '王伟', company: '', phones: ['13355550001'] }, 30);
      add(db, { id: 'R-prefix', name: '王伟明', company: '', phones: ['13355550002'] }, 1);
      add(db, { id: 'R-contains', name: '李王伟', company: '', phones: ['13355550003'] }, 0);
      add(db, { id: 'R-company', name: 'Kai Sun', company: '王伟贸易', phones: ['13355550004'] }, 0);
      // Has every adjacent pair of 北京华 (北京, 京华) but never the three in a row.
      add(db, { id: 'R-pairs', name: '北京人', company: '南京华美', phones: ['13355550005'] });
    })();
    reader = openDb(path, { readonly: true });
  });
  afterAll(() => {
    reader.close();
    db.close();
  });

  it('finds Chinese names by any substring, including one or two characters', () => {
    expect(ids(reader, '王芳')).toContain('C-STORY-1');
    expect(ids(reader, '芳', 500)).toContain('C-STORY-1');
    expect(ids(reader, '华信科技')).toContain('C-STORY-1');
    expect(ids(reader, '刘洋 harbor')).toEqual(['C-STORY-3']);
    // Three or more characters are found by their pairs, then checked as a whole run.
    expect(ids(reader, '京华美')).toEqual(['R-pairs']);
    expect(ids(reader, '北京华', 500)).not.toContain('R-pairs');
    expect(ids(reader, '北京人 南京华美')).toEqual(['R-pairs']);
  });

  it('finds Latin names and companies by the start of each word, any order, any case', () => {
    expect(ids(reader, 'michael chen')).toContain('C-STORY-2');
    expect(ids(reader, 'CHEN mich')).toContain('C-STORY-2');
    expect(ids(reader, 'harbor logistics beij')).toEqual(['C-STORY-2', 'C-STORY-3']);
    expect(ids(reader, 'hael')).not.toContain('C-STORY-2');
  });

  it('finds numbers by digits from anywhere, however they are typed, and shows the matched number', () => {
    const r = search(reader, '6552 8899');
    expect(r.hits.map((h) => h.id)).toEqual(['C-STORY-1']);
    expect(r.hits[0]).toMatchObject({ phoneMatched: true, phone: { e164: '+861065528899', display: '010 6552 8899' } });
    expect(ids(reader, '+86 138 0013 8000')).toEqual(['C-STORY-1']);
    expect(ids(reader, '0086 138-0013-8000')).toEqual(['C-STORY-1']);
    expect(ids(reader, '010-8888-6666').sort()).toEqual(['C-STORY-2', 'C-STORY-3']);
    // A name search shows the first number, not marked as matched.
    expect(search(reader, '王芳 华信').hits[0]).toMatchObject({ phoneMatched: false, phone: { display: '138 0013 8000' } });
  });

  it('orders: the name is the query, starts with it, contains it, then other fields; recent first within each', () => {
    const r = search(reader, '王伟', 500);
    const order = r.hits.map((h) => h.id).filter((id) => id.startsWith('R-'));
    expect(order).toEqual(['R-exact', 'R-prefix', 'R-contains', 'R-company']);
    const quality = (id: string) => r.hits.findIndex((h) => h.id === id);
    expect(quality('R-exact')).toBe(0);
    // Within "starts with", the more recently contacted customer comes first.
    const starts = r.hits.filter((h) => h.name.startsWith('王伟') && h.name !== '王伟');
    const times = starts.map((h) => h.lastContactAt ?? -1);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('says when there are more matches than it returned', () => {
    const r = search(reader, 'a', 20);
    expect(r.hits).toHaveLength(20);
    expect(r.more).toBe(true);
    expect(search(reader, 'michael chen', 500).more).toBe(false);
  });

  it('answers nothing, without asking SQLite, when nothing searchable was typed', () => {
    for (const q of ['', '   ', '"', '*:^', '😀']) expect(search(reader, q)).toMatchObject({ hits: [], more: false });
  });

  it('never throws, whatever is typed, and returns only customers that contain every term', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('"', 'NEAR(a b)', 'a* OR b', '-x', 'col:1', '王"芳', '\u0000')), (q) => {
        const r = search(reader, q, 50);
        const parsed = parseQuery(q, { callingCode: '86' });
        for (const h of r.hits) {
          const row = reader.prepare<[string], { name: string; company: string; phones_json: string }>('SELECT name, company, phones_json FROM customers WHERE id = ?').get(h.id);
          const text = searchText(row!.name, row!.company, row!.phones_json);
          for (const t of parsed.terms) expect(termIn(t, text), `${q} / ${h.id}`).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('finds every customer whose name, company or number contains the query (brute-force oracle)', () => {
    const all = reader
      .prepare<[], { id: string; name: string; company: string; phones_json: string }>('SELECT id, name, company, phones_json FROM customers')
      .all()
      .map((c) => ({ id: c.id, text: searchText(c.name, c.company, c.phones_json), c }));
    const digitsOf = (s: string) => s.replace(/\D/g, '');
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.nat(), fc.nat(), fc.constantFrom('name', 'company', 'number', 'mixed'), (k, a, b, field) => {
        const { c } = all[k]!;
        const phones = JSON.parse(c.phones_json) as [string, string][];
        const number = digitsOf(phones[a % phones.length]![1]);
        // Latin text by the start of a word, Chinese by any run of characters.
        const fragment = (text: string) => {
          if (/^[\x20-\x7e]+$/.test(text)) {
            const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
            return (words[b % words.length] ?? '').slice(0, 1 + (a % 5));
          }
          const cs = [...text.replace(/\s+/g, '')];
          const i = a % cs.length;
          return cs.slice(i, i + 1 + (b % 3)).join('');
        };
        const nameFrag = fragment(c.name);
        const companyFrag = c.company ? fragment(c.company) : nameFrag;
        const numberFrag = number.slice(a % (number.length - 3)).slice(0, 3 + (b % 5));
        const q = field === 'name' ? nameFrag : field === 'company' ? companyFrag : field === 'number' ? numberFrag : `${nameFrag} ${numberFrag}`;
        const parsed = parseQuery(q, { callingCode: '86' });
        if (!parsed.match) return;
        const expected = all.filter((x) => parsed.terms.every((t) => termIn(t, x.text))).map((x) => x.id);
        const r = search(reader, q, 500);
        const got = r.hits.map((h) => h.id);
        if (expected.length <= 500) {
          expect(r.more, q).toBe(false);
          expect([...got].sort(), q).toEqual([...expected].sort());
        } else {
          expect(r.more, q).toBe(true);
          expect(got).toHaveLength(500);
          for (const id of got) expect(expected).toContain(id);
        }
        // The customer the fragment came from is among the matches the query has.
        expect(expected, q).toContain(c.id);
      }),
      { numRuns: 300 },
    );
  });

  it('opens a customer’s whole card by id, null once it is gone', () => {
    const card = customerCardById(reader, 'C-STORY-1');
    expect(card).toMatchObject({ id: 'C-STORY-1', name: '王芳', tier: 'gold' });
    expect(card?.interactions.length).toBeGreaterThan(0);
    expect(customerCardById(reader, 'nobody')).toBeNull();
  });

  describe('query plans', () => {
    const plan = (sql: string, ...args: unknown[]) =>
      reader
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((r) => r.detail);

    it('every query shape: the FTS5 index by MATCH, then customers by rowid; never a scan of customers', () => {
      const shapes = ['王', '伟明', '北京华信', 'm', 'mich', 'michael chen', '1', '13', '138', '13800138000', '王芳 138', 'harbor 王', '+86 10 6552'];
      for (const q of shapes) {
        const match = parseQuery(q, { callingCode: '86' }).match;
        expect(match, q).not.toBeNull();
        for (const limit of [21, 201, 501]) {
          const p = plan(searchSql(limit), match);
          expect(p.some((d) => /^SCAN customers_search VIRTUAL TABLE INDEX \d+:M/.test(d)), `${q}: ${p.join(' / ')}`).toBe(true);
          expect(p, q).toContain('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)');
          expect(p.filter((d) => /^SCAN (c|customers)\b/.test(d)), q).toEqual([]);
        }
      }
    });

    it('opening a card uses the id index', () => {
      expect(plan('SELECT rid FROM customers WHERE id = ?', 'x')).toEqual(['SEARCH customers USING COVERING INDEX sqlite_autoindex_customers_1 (id=?)']);
    });
  });
});
