// The one database interface of the backend. Two implementations run the same SQL: PostgreSQL through
// `pg` (servers, several instances on one database) and PGlite (PostgreSQL in WebAssembly, in-process:
// the embedded default, no database server). Values cross this boundary as plain JSON types: int8 comes
// back as a JS number (every id, seq and millisecond time here stays below 2^53), text as string.

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Rows as objects keyed by column name. */
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows as arrays in column order: cheaper for bulk reads (sync pages). */
  queryArrays(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type DbKind = 'postgres' | 'pglite';

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** BEGIN … COMMIT around fn; ROLLBACK if it throws. Statements on `tx` run inside the transaction. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; notifications sent with pg_notify() by any connection (any backend instance on
   * the same PostgreSQL) arrive after their transaction commits. Returns a function that stops listening.
   * onGap: the listening connection was lost and is back; notifications in between are gone.
   */
  listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL's SQLSTATE of a failed statement, when there is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
