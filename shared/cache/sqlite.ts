// The few calls of a SQLite connection that the cache format needs (better-sqlite3's Database has them
// all). shared/ may not import better-sqlite3, so the desktop (electron/services/db) and the backend's
// cache-image builder each pass their own connection in, typed structurally by this interface.

export interface CacheStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(toggle?: boolean): CacheStatement;
}

export interface CacheDb {
  exec(sql: string): unknown;
  prepare(sql: string): CacheStatement;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<T>(fn: () => T): () => T;
  function(name: string, options: { deterministic?: boolean }, fn: (...args: never[]) => unknown): unknown;
  readonly inTransaction: boolean;
}

/** Prepared statements, made once per connection. */
export function cachedStatements<D extends object, T>(make: (db: D) => T): (db: D) => T {
  const cache = new WeakMap<D, T>();
  return (db) => {
    let s = cache.get(db);
    if (!s) {
      s = make(db);
      cache.set(db, s);
    }
    return s;
  };
}

/** Milliseconds from a monotonic clock (performance.now(), which Node and browsers have; shared/ is typed without either). */
export const monotonicMs = (): number => (globalThis as unknown as { performance: { now(): number } }).performance.now();
