// Db on PGlite: PostgreSQL compiled to WebAssembly, running inside this process on a data directory
// (or in memory). One connection: PGlite queues queries and runs a transaction exclusively, so a long
// transaction delays everything else; the backend keeps its transactions short (sync reads run outside
// transactions, imports stage rows before their one final transaction). LISTEN/NOTIFY work in-process.
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row } from './db';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(conn: PgliteLike): Queryable {
  return {
    async query<R extends object = Row>(sql: string, params: readonly unknown[] = []) {
      return (await conn.query<R>(sql, params as unknown[])).rows;
    },
    async queryArrays(sql: string, params: readonly unknown[] = []) {
      return (await conn.query<unknown[]>(sql, params as unknown[], { rowMode: 'array' })).rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
  };
}

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private readonly q: Queryable;

  private constructor(private readonly pg: PGlite) {
    this.q = wrap(pg);
  }

  /**
   * dataDir: a folder (created if missing) or undefined for a throwaway in-memory database.
   * from: start from a dump of another database (PGlite dumpDataDir), e.g. a migrated template in tests.
   */
  static async open(dataDir?: string, from?: Blob): Promise<PgliteDb> {
    const pg = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(from ? { loadDataDir: from } : {}) });
    await pg.waitReady;
    return new PgliteDb(pg);
  }

  query<R extends object = Row>(sql: string, params?: readonly unknown[]) {
    return this.q.query<R>(sql, params);
  }
  queryArrays(sql: string, params?: readonly unknown[]) {
    return this.q.queryArrays(sql, params);
  }
  exec(sql: string) {
    return this.q.exec(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => fn(wrap(tx)));
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    // In-process: there is no connection to lose, so there is never a gap to report.
    const stop = await this.pg.listen(channel, onPayload);
    return async () => {
      await stop();
    };
  }

  /** A dump of the whole database (for test templates). */
  dump(): Promise<Blob> {
    return this.pg.dumpDataDir('none');
  }

  async close(): Promise<void> {
    if (!this.pg.closed) await this.pg.close();
  }
}
