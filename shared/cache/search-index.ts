// The cache's search index (migration 3): rebuilt in one pass after a bulk load, on the desktop
// (electron/services/db/search.ts re-exports this) and in the backend's cache-image builder.
import { registerSearchFunctions } from './search-text';
import { monotonicMs, type CacheDb } from './sqlite';

export const SEARCH_TABLE = 'customers_search';
export const SEARCH_TRIGGERS = ['customers_search_insert', 'customers_search_delete', 'customers_search_update'] as const;

/** The triggers exactly as migration 3 created them (a test holds the two equal); re-created by rebuildSearchIndex. */
const TRIGGERS_SQL = `
  CREATE TRIGGER IF NOT EXISTS customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search(rowid, text) VALUES (new.rid, lianluo_search_text(new.name, new.company, new.phones_json));
  END;
  CREATE TRIGGER IF NOT EXISTS customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_search WHERE rowid = old.rid;
  END;
  CREATE TRIGGER IF NOT EXISTS customers_search_update AFTER UPDATE OF rid, name, company, phones_json ON customers
    WHEN old.rid IS NOT new.rid OR old.name IS NOT new.name OR old.company IS NOT new.company OR old.phones_json IS NOT new.phones_json
  BEGIN
    DELETE FROM customers_search WHERE rowid = old.rid;
    INSERT INTO customers_search(rowid, text) VALUES (new.rid, lianluo_search_text(new.name, new.company, new.phones_json));
  END;`;

/** FTS5's in-memory buffer before it writes a segment: large while rebuilding (one big transaction), default after. */
const REBUILD_HASH_BYTES = 64 * 1024 * 1024;
const DEFAULT_HASH_BYTES = 1024 * 1024;

/** Stop maintaining the index row by row (before a bulk load); rebuildSearchIndex() brings it back. */
export function suspendSearchIndex(db: CacheDb): void {
  db.transaction(() => {
    for (const t of SEARCH_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  })();
}

/**
 * Refill the search index from the customers table in one pass, and make sure its triggers exist. For
 * after a bulk load (shared/cache/bulk.ts finishBulkLoad calls it); correct at any time. Runs in one
 * transaction (nested in the caller's, if any).
 */
export function rebuildSearchIndex(db: CacheDb): { rows: number; ms: number } {
  const t0 = monotonicMs();
  registerSearchFunctions(db);
  let rows = 0;
  db.transaction(() => {
    db.exec(`INSERT INTO customers_search(customers_search) VALUES ('delete-all')`);
    db.exec(`INSERT INTO customers_search(customers_search, rank) VALUES ('hashsize', ${REBUILD_HASH_BYTES})`);
    rows = db.prepare(`INSERT INTO customers_search(rowid, text) SELECT rid, lianluo_search_text(name, company, phones_json) FROM customers`).run().changes;
    db.exec(`INSERT INTO customers_search(customers_search) VALUES ('optimize')`);
    db.exec(`INSERT INTO customers_search(customers_search, rank) VALUES ('hashsize', ${DEFAULT_HASH_BYTES})`);
    db.exec(TRIGGERS_SQL);
  })();
  return { rows, ms: monotonicMs() - t0 };
}
