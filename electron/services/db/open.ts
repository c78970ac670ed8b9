import Database from 'better-sqlite3';
import { cachedStatements } from '../../../shared/cache/sqlite';
import { registerSearchFunctions } from './search-text';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** FULL for the outbox (the only copy of an agent's work), NORMAL for the re-pullable cache. */
  synchronous?: 'NORMAL' | 'FULL';
}

/** How much of the cache file a read-only connection maps (2 GiB: a 1,000,000-customer cache is ~1 GB). */
const READER_MMAP_BYTES = 2 ** 31;

/** Open a Lianluo SQLite file with the pragmas every connection needs. */
export function openDb(path: string, opts: OpenOptions = {}): Db {
  const db = new Database(path, opts.readonly ? { readonly: true, fileMustExist: true } : {});
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32768'); // 32 MiB
  if (opts.readonly) {
    // Readers (the screen pop's lookups, search) map the file instead of copying pages through read():
    // the pop's card query went from p50 28 / p99 103 µs to p50 22 / p99 78 µs on 1,000,000 customers.
    // Address space only; the pages are the OS page cache's, shared with the writer.
    db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
  } else {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  }
  // The search triggers on customers call it (migration 3): every writing connection needs it.
  registerSearchFunctions(db);
  return db;
}

/** Prepared statements, made once per connection (shared/cache's helper, typed for this connection). */
export function statements<T>(make: (db: Db) => T): (db: Db) => T {
  return cachedStatements(make);
}
