// Versioned, forward-only schema migrations for the local cache, tracked in PRAGMA user_version.
// A file written by a newer Lianluo (user_version above the last migration here) is refused with a
// clear message and never altered. Add a migration: append to MIGRATIONS, never edit a shipped one,
// and add its case to test/unit/electron/db-migrations.test.ts.
//
// The schema is a contract between the desktop and the backend: the backend builds whole cache files
// ("cache images", backend/sync/cache-image) with these migrations, and the desktop accepts a downloaded
// image only if its sqlite_master equals what these migrations produce (shared/cache/image-check.ts).
import type { CacheDb as Db } from './sqlite';
import { registerSearchFunctions } from './search-text';

export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'customers, phones, interactions',
    up(db) {
      db.exec(`
        CREATE TABLE customers(
          rid             INTEGER PRIMARY KEY,
          id              TEXT NOT NULL UNIQUE,
          name            TEXT NOT NULL,
          company         TEXT NOT NULL DEFAULT '',
          tier            TEXT NOT NULL DEFAULT 'standard',
          tags            TEXT NOT NULL DEFAULT '[]',
          notes           TEXT NOT NULL DEFAULT '',
          updated_at      INTEGER NOT NULL,
          last_contact_at INTEGER,
          seq             INTEGER NOT NULL DEFAULT 0,
          -- The card's lists, denormalised so a screen pop reads one row (customers.ts explains):
          phones_json     TEXT NOT NULL DEFAULT '[]',  -- [[e164, display, label], …] in the customer's order
          history_json    TEXT NOT NULL DEFAULT '[]'   -- the newest LOOKUP_HISTORY interactions, newest first
        );
        -- One row per number: the screen pop matches any of a customer's numbers.
        CREATE TABLE customer_phones(
          e164         TEXT NOT NULL,
          customer_rid INTEGER NOT NULL REFERENCES customers(rid) ON DELETE CASCADE,
          digits_rev   TEXT NOT NULL,   -- E.164 digits reversed: a suffix of any length is one range scan
          label        TEXT NOT NULL DEFAULT '',
          display      TEXT NOT NULL,
          position     INTEGER NOT NULL,
          PRIMARY KEY (e164, customer_rid)
        ) WITHOUT ROWID;
        CREATE INDEX customer_phones_rid ON customer_phones(customer_rid, position);
        CREATE INDEX customer_phones_rev ON customer_phones(digits_rev);
        CREATE TABLE interactions(
          id          TEXT PRIMARY KEY,
          customer_id TEXT NOT NULL,    -- server id, so history may arrive before its customer
          at          INTEGER NOT NULL,
          direction   TEXT NOT NULL,
          channel     TEXT NOT NULL DEFAULT 'voice',
          agent       TEXT NOT NULL DEFAULT '',
          disposition TEXT NOT NULL DEFAULT '',
          note        TEXT NOT NULL DEFAULT '',
          duration_s  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX interactions_customer_at ON interactions(customer_id, at DESC);
        CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);
      `);
    },
  },
  {
    version: 2,
    name: 'sync cursors and bulk-load bookkeeping',
    up(db) {
      db.exec(`
        -- One row per pull stream (shared/sync/protocol.ts): written in the same transaction as the page it
        -- covers, so the rows always equal the server's state as of cursor (db/sync-apply.ts).
        CREATE TABLE sync_state(
          stream     TEXT PRIMARY KEY,
          cursor     INTEGER NOT NULL,
          epoch      TEXT,
          high_water INTEGER NOT NULL DEFAULT 0,
          synced_at  INTEGER              -- when the stream last caught up (a page with more: false)
        );
        -- Indexes and triggers set aside while a fresh cache is bulk-loaded, re-created when it is finished.
        CREATE TABLE bulk_ddl(
          ord  INTEGER PRIMARY KEY,
          type TEXT NOT NULL,
          name TEXT NOT NULL,
          sql  TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 3,
    name: 'search index (FTS5 trigram over name, company and numbers)',
    up(db) {
      // One contentless trigram table answers every query shape (db/search-text.ts explains the indexed
      // text). Its triggers call lianluo_search_text(), which every connection registers (openDb).
      registerSearchFunctions(db);
      db.exec(`
        CREATE VIRTUAL TABLE customers_search USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1);
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
        END;
        INSERT INTO customers_search(rowid, text) SELECT rid, lianluo_search_text(name, company, phones_json) FROM customers;
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `This customer cache was written by a newer version of Lianluo (schema ${found}; this version understands up to ${supported}). ` +
        'Update Lianluo, or remove the cache file to rebuild it.',
    );
    this.name = 'SchemaTooNewError';
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring the database to the newest schema; each migration commits with its version number. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) throw new SchemaTooNewError(current, latest);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
