// Bulk-loading a fresh cache file, shared by the desktop (an initial sync or a reset through NDJSON
// pages, electron/services/sync/worker-sync.ts) and the backend (a cache image built from PostgreSQL,
// backend/sync/cache-image). Both go through the same steps, so both produce the same file:
//
// enterBulkMode() sets every index and trigger aside, rows go in bare (BulkWriter, several rows per
// INSERT), and finishBulkLoad() derives the rest in one pass each: the phones table from the cards'
// phones_json, the cards' history from the interactions, the indexes, the triggers and the search
// index. Research (sync-anchors.md §5.2) measured this ~3x faster than keeping everything live.
import type { CustomerChange, InteractionChange, SyncCustomer, SyncInteraction, SyncStream } from '../sync/protocol';
import { LOOKUP_HISTORY } from '../domain/customer';
import { reversedDigits } from '../phone/ani';
import { registerSearchFunctions } from './search-text';
import { cachedStatements, monotonicMs, type CacheDb } from './sqlite';
import { setCacheMeta } from './state';

/**
 * A build file's connection (the desktop's new cache file, the backend's cache image): nobody else ever
 * opens it, so it is locked exclusively and uses a rollback journal (pages appended to a growing file are
 * not journaled, where WAL would write each page twice: measured ~2.5 s less for 1,000,000 customers), with
 * synchronous=OFF (a crash of the process loses nothing committed: a hot journal is rolled back on the next
 * open; what an OS crash could damage is caught by quick_check and built again), no foreign-key checks, temp
 * b-trees in memory and a 256 MiB page cache. The search functions its triggers call are registered.
 */
export function useForBuild(db: CacheDb): void {
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = TRUNCATE');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -262144'); // 256 MiB
  registerSearchFunctions(db);
}

/** Set every index and trigger aside (remembered in bulk_ddl) so a fresh file loads bare rows. */
export function enterBulkMode(db: CacheDb): number {
  const found = db
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger', rowid`)
    .all() as { type: string; name: string; sql: string }[];
  const save = db.prepare('INSERT INTO bulk_ddl(type, name, sql) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const d of found) {
      save.run(d.type, d.name, d.sql);
      db.exec(`DROP ${d.type === 'index' ? 'INDEX' : 'TRIGGER'} "${d.name.replaceAll('"', '""')}"`);
    }
  })();
  return found.length;
}

export function inBulkMode(db: CacheDb): boolean {
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

const bulk = cachedStatements((db: CacheDb) => ({
  customers: db.prepare(`INSERT INTO customers(${CUSTOMER_COLUMNS}) VALUES ${values(BULK_ROWS_PER_STATEMENT)} ${CUSTOMER_UPSERT}`),
  customer: db.prepare(`INSERT INTO customers(${CUSTOMER_COLUMNS}) VALUES ${values(1)} ${CUSTOMER_UPSERT}`),
  deleteCustomer: db.prepare('DELETE FROM customers WHERE id = ?'),
  interactions: db.prepare(`INSERT INTO interactions(${INTERACTION_COLUMNS}) VALUES ${values(BULK_ROWS_PER_STATEMENT)} ${INTERACTION_UPSERT}`),
  interaction: db.prepare(`INSERT INTO interactions(${INTERACTION_COLUMNS}) VALUES ${values(1)} ${INTERACTION_UPSERT}`),
  deleteInteraction: db.prepare('DELETE FROM interactions WHERE id = ?'),
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
    private readonly db: CacheDb,
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

export interface FinishHooks<D extends CacheDb = CacheDb> {
  /** Rebuild derived search tables after a bulk load (db/search.ts), if the schema has them. */
  rebuildSearch?: (db: D) => void;
}

/** Milliseconds per step, for logs and the benchmark. */
export type FinishTimings = Record<string, number>;

/**
 * Turn a bulk-loaded file into a complete cache: phones table, history on the cards, the indexes and
 * triggers set aside, the search index, statistics. One transaction: a crash leaves the file in bulk
 * mode, and finishing again starts from the same rows.
 */
export function finishBulkLoad<D extends CacheDb>(db: D, hooks: FinishHooks<D> = {}): FinishTimings {
  const t: FinishTimings = {};
  let t0 = monotonicMs();
  const step = (name: string) => {
    const t1 = monotonicMs();
    t[name] = Math.round(t1 - t0);
    t0 = t1;
  };
  db.function('lianluo_reversed_digits', { deterministic: true }, (e164: unknown) => reversedDigits(String(e164)));
  const ddl = db.prepare('SELECT type, name, sql FROM bulk_ddl ORDER BY ord').all() as { type: string; name: string; sql: string }[];
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
    setCacheMeta(db, 'source', 'sync');
  })();
  db.exec('PRAGMA analysis_limit = 400; ANALYZE');
  step('analyze');
  return t;
}
