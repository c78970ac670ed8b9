// A real backend for a test file: a fresh migrated database of the given kind, the Fastify app listening
// on 127.0.0.1, and a fixture of two teams with a supervisor and an agent each, plus an admin.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BackendOptions } from '../../app';
import { createTeam, createUser, type AccountsConfig } from '../../auth/accounts';
import { TEST_COST } from '../../auth/passwords';
import { SecretBox } from '../../auth/secret-box';
import type { Db, DbKind } from '../../db/db';
import { PgDb } from '../../db/pg-db';
import { PgliteDb } from '../../db/pglite-db';
import type { Role } from '../../../shared/sync/api';
import { PG_TEMPLATE, withDatabase } from './global-setup';

/** Both kinds, always: a missing PostgreSQL fails the run instead of silently testing half. */
export const DB_KINDS: readonly DbKind[] = ['pglite', 'postgres'];

export interface TestDatabase {
  kind: DbKind;
  db: Db;
  /** Another connection to the same database (PostgreSQL: a second pool, as a second instance would have). */
  second(): Promise<Db>;
  /** For PostgreSQL: the URL of this database. */
  url: string | null;
  drop(): Promise<void>;
}

function postgresUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error('DATABASE_URL is not set: run the backend tests with `bash backend/test/run.sh` (it starts a throwaway PostgreSQL)');
  return url;
}

export async function freshDatabase(kind: DbKind, opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const migrated = opts.migrated ?? true;
  if (kind === 'pglite') {
    const template = migrated ? new Blob([readFileSync(inject('pgliteTemplate'))]) : undefined;
    const db = await PgliteDb.open(undefined, template);
    return { kind, db, url: null, second: async () => db, drop: () => db.close() };
  }
  const adminUrl = postgresUrl();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${migrated ? PG_TEMPLATE : 'template0'}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const extra: Db[] = [];
  const db = new PgDb({ connectionString: url });
  return {
    kind,
    db,
    url,
    async second() {
      const d = new PgDb({ connectionString: url });
      extra.push(d);
      return d;
    },
    async drop() {
      for (const d of extra) await d.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

export interface Fixture {
  teams: { alpha: number; beta: number };
  users: Record<'admin' | 'supA' | 'agentA' | 'supB' | 'agentB', { id: number; username: string; role: Role; teamId: number | null }>;
}

export async function createFixture(db: Db, cfg: AccountsConfig): Promise<Fixture> {
  const alpha = (await createTeam(db, 'Alpha')).id;
  const beta = (await createTeam(db, 'Beta')).id;
  const mk = async (username: string, role: Role, teamId: number | null, ext?: string) => {
    const u = await createUser(db, cfg, {
      username,
      displayName: username,
      role,
      teamId,
      password: PASSWORD,
      ...(ext ? { sip: { wsUrl: 'ws://127.0.0.1:8080', sipUri: `sip:${ext}@127.0.0.1`, authUser: ext, displayName: username, password: `sip-secret-${ext}` } } : {}),
    });
    return { id: u.id, username, role, teamId };
  };
  return {
    teams: { alpha, beta },
    users: {
      admin: await mk('admin', 'admin', null),
      supA: await mk('sup-a', 'supervisor', alpha),
      agentA: await mk('agent-a', 'agent', alpha, '1001'),
      supB: await mk('sup-b', 'supervisor', beta),
      agentB: await mk('agent-b', 'agent', beta, '1002'),
    },
  };
}

export interface Response<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export interface RequestOptions {
  token?: string | null;
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export class Client {
  constructor(readonly url: string) {}

  async req<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined = typeof opts.body === 'string' || opts.body === undefined ? opts.body : Uint8Array.from(opts.body);
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(this.url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json: json as T };
  }

  async login(username: string, password = PASSWORD): Promise<string> {
    const r = await this.req<{ token: string }>('POST', '/v1/auth/login', { json: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    return r.json.token;
  }
}

export interface TestBackend {
  database: TestDatabase;
  db: Db;
  app: FastifyInstance;
  url: string;
  box: SecretBox;
  accounts: AccountsConfig;
  fixture: Fixture;
  client: Client;
  /** Tokens of the fixture users, signed in once. */
  tokens: Record<keyof Fixture['users'], string>;
  close(): Promise<void>;
}

export async function listen(db: Db, box: SecretBox, opts: Partial<BackendOptions> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp({ db, box, passwordCost: TEST_COST, ...opts });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr !== 'object') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${addr.port}` };
}

export async function startTestBackend(kind: DbKind, opts: Partial<BackendOptions> = {}): Promise<TestBackend> {
  const database = await freshDatabase(kind);
  const box = SecretBox.fromKey(randomBytes(32));
  const accounts: AccountsConfig = { box, cost: TEST_COST, sessionTtlMs: 3_600_000 };
  const fixture = await createFixture(database.db, accounts);
  const { app, url } = await listen(database.db, box, opts);
  const client = new Client(url);
  const tokens = {} as TestBackend['tokens'];
  for (const [key, u] of Object.entries(fixture.users) as [keyof Fixture['users'], { username: string }][]) tokens[key] = await client.login(u.username);
  return {
    database,
    db: database.db,
    app,
    url,
    box,
    accounts,
    fixture,
    client,
    tokens,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
