// The page applier (electron/services/db/sync-apply.ts): random change sequences, cut into random pages
// and interleaved between the two streams at random, end in exactly the server's state: customers with
// their cards (phones_json, history_json, last contact), one phones row per distinct number, the
// interactions, and the same search answers. Three ways in: incremental pages only; a bulk load (as an
// initial sync builds a new file) finished and then incremental pages; a bulk load of everything.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerChange, InteractionChange, SyncCustomer, SyncInteraction } from '../../../shared/sync/protocol';
import { LOOKUP_HISTORY } from '../../../shared/domain/customer';
import { reversedDigits } from '../../../shared/phone/ani';
import { migrate } from '../../../electron/services/db/migrations';
import { openDb, type Db } from '../../../electron/services/db/open';
import { searchCustomers } from '../../../electron/services/db/search';
import {
  applyPage,
  BulkWriter,
  enterBulkMode,
  finishBulkLoad,
  inBulkMode,
  readCursor,
  writeCursor,
} from '../../../electron/services/db/sync-apply';
import { rebuildSearchIndex } from '../../../electron/services/db/search';

const IDS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
const IIDS = ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8', 'I9', 'I10'];
const NUMBERS = [
  ['+8613800138000', '138 0013 8000'],
  ['+8613900139000', '139 0013 9000'],
  ['+861088886666', '010 8888 6666'],
  ['+14155550123', '+1 415-555-0123'],
  ['+85223456789', '+852 2345 6789'],
] as const;
const NAMES = ['王芳', '李建国', 'Emma Liu', 'Zhang Wei', '欧阳娜娜', 'Olivia Smith'];

const phoneArb = fc.record({
  n: fc.constantFrom(...NUMBERS),
  label: fc.constantFrom('mobile', 'office', ''),
});

const customerArb = (id: string): fc.Arbitrary<SyncCustomer> =>
  fc.record({
    name: fc.constantFrom(...NAMES),
    company: fc.constantFrom('', '北京华信科技有限公司', 'Contoso Traders'),
    tier: fc.constantFrom('platinum', 'gold', 'silver', 'standard' as const),
    tags: fc.array(fc.constantFrom('VIP', '投诉', 'billing'), { maxLength: 3 }),
    notes: fc.constantFrom('', '偏好下午联系。', 'Prefers e-mail "always"'),
    phones: fc.array(phoneArb, { minLength: 1, maxLength: 3 }),
    updatedAt: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  }).map((c) => ({ id, ...c, phones: c.phones.map((p) => ({ e164: p.n[0], display: p.n[1], label: p.label })) }));

const interactionArb = (id: string): fc.Arbitrary<SyncInteraction> =>
  fc.record({
    customerId: fc.constantFrom(...IDS),
    // A narrow range: equal timestamps happen, and the order must still be the same everywhere.
    at: fc.integer({ min: 1000, max: 1012 }),
    direction: fc.constantFrom('inbound', 'outbound' as const),
    channel: fc.constant('voice'),
    agent: fc.constantFrom('李娜', 'Tom'),
    disposition: fc.constantFrom('resolved', 'callback'),
    note: fc.constantFrom('', '询问续约折扣。'),
    durationS: fc.integer({ min: 0, max: 900 }),
  }).map((i) => ({ id, ...i }));

type Op = { stream: 'customers'; change: Omit<CustomerChange, 'seq'> } | { stream: 'interactions'; change: Omit<InteractionChange, 'seq'> };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...IDS).chain((id) => customerArb(id).map((customer) => ({ stream: 'customers' as const, change: { type: 'upsert' as const, customer } }))) },
  {
    weight: 2,
    arbitrary: fc
      .record({ id: fc.constantFrom(...IDS), into: fc.option(fc.constantFrom(...IDS), { nil: null }) })
      .map(({ id, into }) => ({ stream: 'customers' as const, change: { type: 'tombstone' as const, id, mergedInto: into } })),
  },
  { weight: 5, arbitrary: fc.constantFrom(...IIDS).chain((id) => interactionArb(id).map((interaction) => ({ stream: 'interactions' as const, change: { type: 'upsert' as const, interaction } }))) },
  { weight: 2, arbitrary: fc.constantFrom(...IIDS).map((id) => ({ stream: 'interactions' as const, change: { type: 'tombstone' as const, id } })) },
);

interface Scenario {
  customers: CustomerChange[];
  interactions: InteractionChange[];
  /** Page sizes to cut each stream into (cycled). */
  sizes: number[];
  /** The order in which pages of the two streams are applied (true: next customers page). */
  order: boolean[];
  /** How many pages of each stream go through the bulk path first (0: none). */
  bulkPages: number;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    ops: fc.array(opArb, { minLength: 1, maxLength: 120 }),
    gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 60, maxLength: 60 }),
    // Up to 40 a page: the bulk path writes 16 upserts per statement, so pages span several.
    sizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
    order: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    bulkPages: fc.integer({ min: 0, max: 4 }),
  })
  .map(({ ops, gaps, sizes, order, bulkPages }) => {
    // One server-wide sequence: each stream sees gaps where the other stream's changes are.
    let seq = 0;
    const customers: CustomerChange[] = [];
    const interactions: InteractionChange[] = [];
    ops.forEach((op, i) => {
      seq += gaps[i % gaps.length] as number;
      if (op.stream === 'customers') customers.push({ ...op.change, seq } as CustomerChange);
      else interactions.push({ ...op.change, seq } as InteractionChange);
    });
    return { customers, interactions, sizes, order, bulkPages };
  });

function pagesOf<T extends { seq: number }>(changes: T[], sizes: number[]): T[][] {
  const pages: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < changes.length) {
    const n = sizes[k++ % sizes.length] as number;
    pages.push(changes.slice(i, i + n));
    i += n;
  }
  return pages;
}

// ---------------------------------------------------------------- the server's state (the model)

function serverState(s: Scenario) {
  const customers = new Map<string, { c: SyncCustomer; seq: number }>();
  for (const ch of s.customers) {
    if (ch.type === 'upsert') customers.set(ch.customer.id, { c: ch.customer, seq: ch.seq });
    else customers.delete(ch.id);
  }
  const interactions = new Map<string, SyncInteraction>();
  for (const ch of s.interactions) {
    if (ch.type === 'upsert') interactions.set(ch.interaction.id, ch.interaction);
    else interactions.delete(ch.id);
  }
  const rows = [...customers.values()]
    .sort((a, b) => (a.c.id < b.c.id ? -1 : 1))
    .map(({ c, seq }) => {
      const mine = [...interactions.values()].filter((i) => i.customerId === c.id).sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
      return {
        id: c.id,
        name: c.name,
        company: c.company,
        tier: c.tier,
        tags: JSON.stringify(c.tags),
        notes: c.notes,
        updated_at: c.updatedAt,
        seq,
        phones_json: JSON.stringify(c.phones.map((p) => [p.e164, p.display, p.label])),
        history_json: JSON.stringify(
          mine.slice(0, LOOKUP_HISTORY).map((i) => [i.id, i.at, i.direction, i.channel, i.agent, i.disposition, i.note, i.durationS]),
        ),
        last_contact_at: mine[0]?.at ?? null,
      };
    });
  const phones = [...customers.values()]
    .flatMap(({ c }) => {
      const seen = new Set<string>();
      return c.phones.flatMap((p, position) => {
        if (seen.has(p.e164)) return [];
        seen.add(p.e164);
        return [{ id: c.id, e164: p.e164, digits_rev: reversedDigits(p.e164), label: p.label, display: p.display, position }];
      });
    })
    .sort((a, b) => (a.id === b.id ? (a.e164 < b.e164 ? -1 : 1) : a.id < b.id ? -1 : 1));
  const inter = [...interactions.values()]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((i) => ({ id: i.id, customer_id: i.customerId, at: i.at, direction: i.direction, channel: i.channel, agent: i.agent, disposition: i.disposition, note: i.note, duration_s: i.durationS }));
  return { customers: rows, phones, interactions: inter };
}

function cacheState(db: Db) {
  return {
    customers: db
      .prepare('SELECT id, name, company, tier, tags, notes, updated_at, seq, phones_json, history_json, last_contact_at FROM customers ORDER BY id')
      .all(),
    phones: db
      .prepare(
        'SELECT c.id, p.e164, p.digits_rev, p.label, p.display, p.position FROM customer_phones p JOIN customers c ON c.rid = p.customer_rid ORDER BY c.id, p.e164',
      )
      .all(),
    interactions: db.prepare('SELECT id, customer_id, at, direction, channel, agent, disposition, note, duration_s FROM interactions ORDER BY id').all(),
  };
}

const searches = (db: Db) => Object.fromEntries(NAMES.map((n) => [n, searchCustomers(db, n).hits.map((h) => h.id).sort()]));

// ---------------------------------------------------------------- applying

function freshDb(): Db {
  const db = openDb(':memory:');
  migrate(db);
  return db;
}

const mark = (page: { seq: number }[], epoch: string, last: boolean) => ({
  next: page[page.length - 1]?.seq ?? 0,
  epoch,
  highWater: 999,
  caughtUp: last,
  now: 1,
});

/** Apply the scenario's pages in its interleaving: the first `bulk` pages of each stream through the bulk path. */
function run(s: Scenario, bulk: number): Db {
  const db = freshDb();
  const cPages = pagesOf(s.customers, s.sizes);
  const iPages = pagesOf(s.interactions, s.sizes);
  if (bulk > 0) {
    enterBulkMode(db);
    expect(inBulkMode(db)).toBe(true);
    const take = Math.min(bulk, Math.max(cPages.length, iPages.length));
    for (let p = 0; p < take; p++) {
      for (const [stream, pages] of [['customers', cPages], ['interactions', iPages]] as const) {
        const page = pages[p];
        if (!page) continue;
        db.transaction(() => {
          const w = new BulkWriter(db, stream);
          for (const c of page) w.change(c as never);
          w.flush();
          writeCursor(db, stream, mark(page, 'e.1.0', false));
        })();
      }
    }
    cPages.splice(0, take);
    iPages.splice(0, take);
    finishBulkLoad(db, { rebuildSearch: (d) => void rebuildSearchIndex(d) });
    expect(inBulkMode(db)).toBe(false);
  }
  let oi = 0;
  while (cPages.length || iPages.length) {
    const pickCustomers = iPages.length === 0 || (cPages.length > 0 && (s.order[oi++ % s.order.length] as boolean));
    const page = (pickCustomers ? cPages : iPages).shift()!;
    if (pickCustomers) applyPage(db, 'customers', page as CustomerChange[], mark(page, 'e.1.0', cPages.length === 0));
    else applyPage(db, 'interactions', page as InteractionChange[], mark(page, 'e.1.0', iPages.length === 0));
  }
  return db;
}

describe('sync page applier', () => {
  it('converges to the server state whatever the pages, their interleaving and the path (property)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const want = serverState(s);
        const incremental = run(s, 0);
        const mixed = run(s, s.bulkPages);
        const allBulk = run(s, Number.MAX_SAFE_INTEGER);
        for (const db of [incremental, mixed, allBulk]) expect(cacheState(db)).toEqual(want);
        // The search index follows the rows on every path.
        const found = searches(incremental);
        expect(searches(mixed)).toEqual(found);
        expect(searches(allBulk)).toEqual(found);
        // The cursor is the last applied seq of each stream.
        for (const db of [incremental, mixed, allBulk]) {
          expect(readCursor(db, 'customers').cursor).toBe(s.customers.at(-1)?.seq ?? 0);
          expect(readCursor(db, 'interactions').cursor).toBe(s.interactions.at(-1)?.seq ?? 0);
        }
        for (const db of [incremental, mixed, allBulk]) db.close();
      }),
      { numRuns: 150 },
    );
  });

  it('a bulk load sets every index and trigger aside and puts them all back', () => {
    const db = freshDb();
    const ddl = () => db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name").all();
    const before = ddl();
    expect(before.length).toBeGreaterThan(3);
    enterBulkMode(db);
    expect(ddl()).toEqual([]);
    finishBulkLoad(db, { rebuildSearch: (d) => void rebuildSearchIndex(d) });
    expect(ddl()).toEqual(before);
  });

  it('a page that fails half-way leaves neither its rows nor its cursor', () => {
    const db = freshDb();
    const good: CustomerChange = { type: 'upsert', seq: 5, customer: { id: 'C1', name: '王芳', company: '', tier: 'gold', tags: [], notes: '', phones: [{ e164: '+8613800138000', display: '138', label: '' }], updatedAt: 1 } };
    applyPage(db, 'customers', [good], mark([good], 'e.1.0', false));
    const bad = { type: 'upsert', seq: 9, customer: { ...good.customer, id: 'C2', name: null } } as unknown as CustomerChange;
    const next: CustomerChange = { ...good, seq: 8, customer: { ...good.customer, name: 'changed' } };
    expect(() => applyPage(db, 'customers', [next, bad], mark([next, bad], 'e.1.0', true))).toThrow();
    expect(readCursor(db, 'customers').cursor).toBe(5);
    expect(db.prepare('SELECT id, name FROM customers').all()).toEqual([{ id: 'C1', name: '王芳' }]);
  });
});
