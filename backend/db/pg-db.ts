// Db on a PostgreSQL server through `pg`: a pool for queries and transactions, plus one dedicated
// connection for LISTEN that reconnects with backoff. Notifications sent while it was disconnected are
// lost, so listeners get onGap() after a reconnect and must treat it as "anything may have changed".
import pg from 'pg';
import type { Db, Queryable, Row } from './db';

const INT8_OID = 20;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} is outside the safe integer range`);
  return n;
}

/** Per-pool type parsers (never the process-wide pg.types): int8 → number. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgDbOptions {
  connectionString: string;
  /** Pool size (default 10). */
  max?: number;
  /** Called for connection errors that do not belong to a request (idle clients, the listener). */
  onError?: (err: Error) => void;
}

function wrap(client: pg.ClientBase | pg.Pool): Queryable {
  return {
    async query<R extends object = Row>(sql: string, params: readonly unknown[] = []) {
      const r = await client.query<R>(sql, params as unknown[]);
      return r.rows;
    },
    async queryArrays(sql: string, params: readonly unknown[] = []) {
      const r = await client.query<unknown[]>({ text: sql, values: params as unknown[], rowMode: 'array' });
      return r.rows;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

interface Listener {
  onPayload: (payload: string) => void;
  onGap?: () => void;
}

export class PgDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly q: Queryable;
  private readonly listeners = new Map<string, Set<Listener>>();
  private listenClient: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: PgDbOptions) {
    this.pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.max ?? 10, types });
    this.pool.on('error', (err) => this.report(err));
    this.q = wrap(this.pool);
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

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone; do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async listen(channel: string, onPayload: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>> {
    if (!CHANNEL.test(channel)) throw new Error(`invalid channel name ${channel}`);
    const entry: Listener = onGap ? { onPayload, onGap } : { onPayload };
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(entry);
    if (first) {
      const client = await this.listener();
      await client.query(`LISTEN ${channel}`);
    }
    return async () => {
      const s = this.listeners.get(channel);
      if (!s) return;
      s.delete(entry);
      if (s.size === 0) {
        this.listeners.delete(channel);
        if (this.listenClient) await this.listenClient.query(`UNLISTEN ${channel}`).catch(() => undefined);
      }
    };
  }

  private listener(): Promise<pg.Client> {
    if (this.listenClient) return Promise.resolve(this.listenClient);
    if (!this.connecting) {
      this.connecting = this.connectListener().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connectListener(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.opts.connectionString, types });
    client.on('notification', (msg) => {
      for (const l of this.listeners.get(msg.channel) ?? []) l.onPayload(msg.payload ?? '');
    });
    client.on('error', (err) => {
      this.report(err);
      this.dropListener(client);
    });
    client.on('end', () => this.dropListener(client));
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${channel}`);
    this.listenClient = client;
    return client;
  }

  private dropListener(client: pg.Client): void {
    if (this.listenClient !== client) return;
    this.listenClient = null;
    client.removeAllListeners('notification');
    if (!this.closed) this.scheduleReconnect(250);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.retryTimer || this.closed || this.listeners.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.listener().then(
        () => {
          for (const set of this.listeners.values()) for (const l of set) l.onGap?.();
        },
        (err: Error) => {
          this.report(err);
          this.scheduleReconnect(Math.min(delayMs * 2, 10_000) * (0.75 + Math.random() * 0.5));
        },
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  private report(err: Error): void {
    if (this.closed) return;
    this.opts.onError?.(err);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.listenClient;
    this.listenClient = null;
    if (client) await client.end().catch(() => undefined);
    await this.pool.end();
  }
}
