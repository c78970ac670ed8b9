// A real backend process for the desktop's sync tests: `backend/cli.ts serve --ready-json` in a child
// process, on PGlite (a data folder) or on PostgreSQL (a fresh database in the cluster DATABASE_URL
// points at, as backend/test/pg-cluster.sh starts it). Demo users and customers are seeded with the
// CLI first (`seed-demo`), which prints the demo passwords.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Mirror } from '../../../../backend/test/support/sync-client';

export const REPO = new URL('../../../../', import.meta.url).pathname;

/** PGlite always; PostgreSQL too when the suite runs under pg-cluster.sh (LIANLUO_SYNC_TEST_PG=1). */
export function backendKinds(): ('pglite' | 'postgres')[] {
  if (process.env.LIANLUO_SYNC_TEST_PG !== '1') return ['pglite'];
  if (!process.env.DATABASE_URL) throw new Error('LIANLUO_SYNC_TEST_PG=1 needs DATABASE_URL: run through backend/test/pg-cluster.sh run -- …');
  return ['postgres'];
}

export interface BackendProcess {
  kind: 'pglite' | 'postgres';
  url: string;
  passwords: Record<string, string>;
  /** Sign in through the API and return the token. */
  login(username: string): Promise<string>;
  /** Authorised JSON request. */
  api<T = unknown>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
  /** Everything the server would sync to a fresh client. */
  mirror(token: string): Promise<Mirror>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Start the server again on the same database (and, with `samePort`, the same address). */
  restart(opts?: { samePort?: boolean }): Promise<void>;
  /** Start the server again on the same database at this port. */
  restartAt(port: number): Promise<void>;
  /** Remove the database. */
  drop(): Promise<void>;
}

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'backend/cli.ts', ...args], { cwd: REPO, env, encoding: 'utf8', input: input ?? '' });
  if (r.status !== 0) throw new Error(`backend ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function startBackendProcess(o: { kind: 'pglite' | 'postgres'; customers: number; env?: NodeJS.ProcessEnv }): Promise<BackendProcess> {
  const key = randomBytes(32).toString('base64');
  let dataDir: string | null = null;
  let dbName: string | null = null;
  const env: NodeJS.ProcessEnv = { ...process.env, LIANLUO_BACKEND_KEY: key, LOG_LEVEL: 'warn', LIANLUO_DEMO: '0', PORT: '0', ...o.env };
  if (o.kind === 'pglite') {
    dataDir = mkdtempSync(join(tmpdir(), 'lianluo-sync-backend-'));
    env.DATABASE_URL = '';
    env.LIANLUO_DATA_DIR = dataDir;
  } else {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    dbName = `sync_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    env.DATABASE_URL = Object.assign(new URL(process.env.DATABASE_URL as string), { pathname: `/${dbName}` }).toString();
    // Cache images of this database in a folder of its own (the default is under the home folder).
    dataDir = mkdtempSync(join(tmpdir(), 'lianluo-sync-backend-'));
    env.LIANLUO_CACHE_IMAGE_DIR ??= join(dataDir, 'cache-images');
  }
  const seeded = cli(['seed-demo', '--customers', String(o.customers)], env);
  const passwords: Record<string, string> = {};
  for (const line of seeded.split('\n')) {
    const m = /^(admin|supervisor|agent) (\S+) (\S+)$/.exec(line.trim());
    if (m) passwords[m[2] as string] = m[3] as string;
  }
  if (!passwords.agent1001 || !passwords.admin) throw new Error(`seed-demo printed no demo passwords:\n${seeded}`);

  let child: ChildProcess | null = null;
  let url = '';
  const start = async (port = 0) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'backend/cli.ts', 'serve', '--ready-json'], {
      cwd: REPO,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      c.stdout!.on('data', (d: Buffer) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
        if (line) resolve((JSON.parse(line) as { ready: { url: string } }).ready.url);
      });
      c.stderr!.on('data', (d: Buffer) => (out += d));
      c.once('exit', (code) => reject(new Error(`backend exited (${code}) before it was ready:\n${out}`)));
    });
  };
  await start();

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child as ChildProcess | null;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };

  const api = async <T,>(token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
  };

  return {
    kind: o.kind,
    get url() {
      return url;
    },
    passwords,
    async login(username) {
      const res = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: passwords[username] }) });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    api,
    async mirror(token) {
      const m = new Mirror();
      await m.pull(url, token, 'customers', 5000);
      await m.pull(url, token, 'interactions', 5000);
      return m;
    },
    stop,
    async restart(opts = {}) {
      const port = opts.samePort ? Number(new URL(url).port) : 0;
      await stop();
      await start(port);
    },
    async restartAt(port) {
      await stop();
      await start(port);
    },
    async drop() {
      await stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}
