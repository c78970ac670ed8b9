// Sync pages (shared/sync/protocol.ts) applied to a cache file, on the writer's connection. Plain
// functions of (db, args); the writer worker decides which path a page takes.
//
// Incremental (applyPage): a page and its cursor in one transaction, with every index, the phones
// table, the cards' history and the search triggers maintained as rows change.
//
// Bulk (a fresh cache file for an initial sync or a reset, see services/sync/worker-sync.ts):
// enterBulkMode() sets every index and trigger aside, pages go in as bare rows (BulkLoader, still one
// transaction per page with its cursor), and finishBulkLoad() derives the rest in one pass each: the
// phones table from the cards' phones_json, the cards' history from the interactions, the indexes,
// the triggers and the search index. Research (sync-anchors.md §5.2) measured this ~3x faster than
// keeping everything live; here it also keeps per-row work to one JSON.stringify and one insert.
import type { CustomerChange, InteractionChange, SyncCustomer, SyncInteraction, SyncStream } from '../../../shared/sync/protocol';
import { LOOKUP_HISTORY } from '../../../shared/domain/customer';
import { reversedDigits } from '../../../shared/phone/ani';
import { refreshHistory, setMeta, upsertCustomer, upsertInteraction } from './customers';
import { statements, type Db } from './open';

export interface StreamCursor {
  stream: SyncStream;
  /** Everything with seq <= cursor is applied (0: nothing yet). */
  cursor: number;
  /** The epoch of the page that gave this cursor (sent back with the next request). */
  epoch: string | null;
  /** The server's newest seq when the last page began (progress bars). */
  highWater: number;
  /** When this stream last caught up with the server (a page that said more: false). */
  syncedAt: number | null;
}

interface CursorRow {
  cursor: number;
  epoch: string | null;
  high_water: number;
  synced_at: number | null;
}

const cursors = statements((db) => ({
  get: db.prepare<[string], CursorRow>('SELECT cursor, epoch, high_water, synced_at FROM sync_state WHERE stream = ?'),
  put: db.prepare<[string, number, string, number, number | null]>(
    `INSERT INTO sync_state(stream, cursor, epoch, high_water, synced_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor, epoch = excluded.epoch, high_water = excluded.high_water,
       synced_at = coalesce(excluded.synced_at, sync_state.synced_at)`,
  ),
}));

export function readCursor(db: Db, stream: SyncStream): StreamCursor {
  const r = cursors(db).get.get(stream);
  return r
    ? { stream, cursor: r.cursor, epoch: r.epoch, highWater: r.high_water, syncedAt: r.synced_at }
    : { stream, cursor: 0, epoch: null, highWater: 0, syncedAt: null };
}

/** A page's end: its cursor and epoch, stored inside the page's transaction. */
export interface PageMark {
  next: number;
  epoch: string;
  highWater: number;
  /** The page said more: false: the stream is caught up as of `now`. */
  caughtUp: boolean;
  now: number;
}

export function writeCursor(db: Db, stream: SyncStream, m: PageMark): void {
  cursors(db).put.run(stream, m.next, m.epoch, m.highWater, m.caughtUp ? m.now : null);
}

// ---------------------------------------------------------------- incremental

const live = statements((db) => ({
  deleteCustomer: db.prepare<[string]>('DELETE FROM customers WHERE id = ?'),
  deleteInteraction: db.prepare<[string], { customer_id: string }>('DELETE FROM interactions WHERE id = ? RETURNING customer_id'),
  interactionOwner: db.prepare<[string], string>('SELECT customer_id FROM interactions WHERE id = ?').pluck(),
}));

export function applyCustomerChanges(db: Db, changes: readonly CustomerChange[]): void {
  const s = live(db);
  for (const c of changes) {
    if (c.type === 'upsert') upsertCustomer(db, c.customer, c.seq);
    else s.deleteCustomer.run(c.id); // its numbers go with it (ON DELETE CASCADE)
  }
}

export function applyInteractionChanges(db: Db, changes: readonly InteractionChange[]): void {
  const s = live(db);
  const touched = new Set<string>();
  for (const c of changes) {
    if (c.type === 'upsert') {
      // An interaction moved to another customer (a merge) leaves the old one's card too.
      const before = s.interactionOwner.get(c.interaction.id);
      if (before !== undefined) touched.add(before);
      upsertInteraction(db, c.interaction, false);
      touched.add(c.interaction.customerId);
    } else {
      const gone = s.deleteInteraction.get(c.id);
      if (gone) touched.add(gone.customer_id);
    }
  }
  for (const id of touched) refreshHistory(db, id);
}

/** One page and its cursor, all or nothing. */
export function applyPage<S extends SyncStream>(db: Db, stream: S, changes: readonly (S extends 'customers' ? CustomerChange : InteractionChange)[], mark: PageMark): void {
  db.transaction(() => {
    if (stream === 'customers') applyCustomerChanges(db, changes as readonly CustomerChange[]);
    else applyInteractionChanges(db, changes as readonly InteractionChange[]);
    writeCursor(db, stream, mark);
  })();
}

// ---------------------------------------------------------------- bulk

/** Set every index and trigger aside (remembered in bulk_ddl) so a fresh file loads bare rows. */
export function enterBulkMode(db: Db): number {
  const found = db
    .prepare<[], { type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger', rowid`,
    )
    .all();
  const save = db.prepare<[string, string, string]>('INSERT INTO bulk_ddl(type, name, sql) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const d of found) {
      save.run(d.type, d.name, d.sql);
      db.exec(`DROP ${d.type === 'index' ? 'INDEX' : 'TRIGGER'} "${d.name.replaceAll('"', '""')}"`);
    }
  })();
  return found.length;
}

export function inBulkMode(db: Db): boolean {
  return (db.prepare('SELECT count(*) FROM bulk_ddl').pluck().get() as number) > 0;
}

/** Rows per INSERT statement on the bulk path: one statement for 16 rows costs ~1 µs less per row (measured). */
export const BULK_ROWS_PER_STATEMENT = 16;

const CUSTOMER_COLUMNS = 'id, name, company, tier, tags, notes, updated_at, seq, phones_json';
const CUSTOMER_UPSERT = `ON CONFLICT(id) DO UPDATE SET name = excluded.name, company = excluded.company, tier = excluded.tier, tags = excluded.tags,
      notes = excluded.notes, updated_at = excluded.updated_at, seq = excluded.seq, phones_json = excluded.phones_json`;
const INTERACTION_COLUMNS = 'id, customer_id, at, direction, channel, agent, disposition, note, duration_s';
const INTERACTION_UPSERT = `ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id, at = excluded.at, direction = excluded.direction,
      channel = excluded.channel, agent = excluded.agent, disposition = excluded.disposition, note = excluded.note, duration_s = excluded.duration_s`;
const values = (rows: number) => Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');

const bulk = statements((db) => ({
  customers: db.prepare(`INSERT INTO customers(${CUSTOMER_COLUMNS}) VALUES ${values(BULK_ROWS_PER_STATEMENT)} ${CUSTOMER_UPSERT}`),
  customer: db.prepare(`INSERT INTO customers(${CUSTOMER_COLUMNS}) VALUES ${values(1)} ${CUSTOMER_UPSERT}`),
  deleteCustomer: db.prepare<[string]>('DELETE FROM customers WHERE id = ?'),
  interactions: db.prepare(`INSERT INTO interactions(${INTERACTION_COLUMNS}) VALUES ${values(BULK_ROWS_PER_STATEMENT)} ${INTERACTION_UPSERT}`),
  interaction: db.prepare(`INSERT INTO interactions(${INTERACTION_COLUMNS}) VALUES ${values(1)} ${INTERACTION_UPSERT}`),
  deleteInteraction: db.prepare<[string]>('DELETE FROM interactions WHERE id = ?'),
}));

/** The card's phones as customers.phones_json stores them: [[e164, display, label], …]. */
export function phonesJson(c: SyncCustomer): string {
  let out = '[';
  for (let i = 0; i < c.phones.length; i++) {
    const p = c.phones[i]!;
    out += (i ? ',[' : '[') + JSON.stringify(p.e164) + ',' + JSON.stringify(p.display) + ',' + JSON.stringify(p.label) + ']';
  }
  return out + ']';
}

/**
 * Writes a stream's changes into a file in bulk mode, upserts several rows per statement, in order
 * (a tombstone first writes what is pending). The caller holds the page's transaction and calls
 * flush() before writing the cursor and committing.
 */
export class BulkWriter<S extends SyncStream> {
  private readonly pending: unknown[] = [];
  private readonly s: ReturnType<typeof bulk>;

  constructor(
    private readonly db: Db,
    private readonly stream: S,
  ) {
    this.s = bulk(db);
  }

  change(c: S extends 'customers' ? CustomerChange : InteractionChange): void {
    const p = this.pending;
    if (c.type === 'upsert') {
      if ('customer' in c) {
        const x = c.customer;
        p.push(x.id, x.name, x.company, x.tier, JSON.stringify(x.tags), x.notes, x.updatedAt, c.seq, phonesJson(x));
      } else {
        const i: SyncInteraction = c.interaction;
        p.push(i.id, i.customerId, i.at, i.direction, i.channel, i.agent, i.disposition, i.note, i.durationS);
      }
      if (p.length === 9 * BULK_ROWS_PER_STATEMENT) {
        (this.stream === 'customers' ? this.s.customers : this.s.interactions).run(p);
        p.length = 0;
      }
      return;
    }
    this.flush();
    if (this.stream === 'customers') this.s.deleteCustomer.run((c as { id: string }).id);
    else this.s.deleteInteraction.run((c as { id: string }).id);
  }

  flush(): void {
    const p = this.pending;
    const one = this.stream === 'customers' ? this.s.customer : this.s.interaction;
    for (let i = 0; i < p.length; i += 9) one.run(p.slice(i, i + 9));
    p.length = 0;
  }
}

export interface FinishHooks {
  /** Rebuild derived search tables after a bulk load (db/search.ts), if the schema has them. */
  rebuildSearch?: (db: Db) => void;
}

/** Milliseconds per step, for logs and the benchmark. */
export type FinishTimings = Record<string, number>;

/**
 * Turn a bulk-loaded file into a complete cache: phones table, history on the cards, the indexes and
 * triggers set aside, the search index, statistics. One transaction: a crash leaves the file in bulk
 * mode, and finishing again starts from the same rows.
 */
export function finishBulkLoad(db: Db, hooks: FinishHooks = {}): FinishTimings {
  const t: FinishTimings = {};
  let t0 = performance.now();
  const step = (name: string) => {
    const t1 = performance.now();
    t[name] = Math.round(t1 - t0);
    t0 = t1;
  };
  db.function('lianluo_reversed_digits', { deterministic: true }, (e164: unknown) => reversedDigits(String(e164)));
  const ddl = db.prepare<[], { type: string; name: string; sql: string }>('SELECT type, name, sql FROM bulk_ddl ORDER BY ord').all();
  db.transaction(() => {
    db.exec('DELETE FROM customer_phones');
    // Sorted by the table's key, so the WITHOUT ROWID b-tree is appended to, never split at random.
    db.exec(`
      INSERT OR IGNORE INTO customer_phones(e164, customer_rid, digits_rev, label, display, position)
      SELECT j.value ->> 0, c.rid, lianluo_reversed_digits(j.value ->> 0), j.value ->> 2, j.value ->> 1, j.key
        FROM customers c, json_each(c.phones_json) j
       ORDER BY 1, 2, 6`);
    step('phones');
    for (const d of ddl) if (d.type === 'index') db.exec(d.sql);
    step('indexes');
    // Each card's history from the (customer_id, at) index: one short range read per customer that has any.
    db.exec(`
      UPDATE customers SET
        last_contact_at = (SELECT max(at) FROM interactions WHERE customer_id = customers.id),
        history_json = (SELECT json_group_array(json_array(id, at, direction, channel, agent, disposition, note, duration_s))
                          FROM (SELECT id, at, direction, channel, agent, disposition, note, duration_s FROM interactions
                                 WHERE customer_id = customers.id ORDER BY at DESC, id DESC LIMIT ${LOOKUP_HISTORY}))
       WHERE id IN (SELECT customer_id FROM interactions)`);
    step('history');
    for (const d of ddl) if (d.type === 'trigger') db.exec(d.sql);
    hooks.rebuildSearch?.(db);
    step('search');
    db.exec('DELETE FROM bulk_ddl');
    setMeta(db, 'source', 'sync');
  })();
  db.exec('PRAGMA analysis_limit = 400; ANALYZE');
  step('analyze');
  return t;
}
