// Start a backend: open and migrate the database, seed demo data into an empty one if asked, listen.
// startEmbeddedBackend() is what the desktop calls: PGlite under its data folder, loopback only.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { DEFAULT_NUMBER_PLAN } from '../shared/domain/defaults';
import type { NumberPlan } from '../shared/domain/settings';
import { buildApp } from './app';
import { DEFAULT_COST, type ScryptCost } from './auth/passwords';
import { SecretBox } from './auth/secret-box';
import type { Db } from './db/db';
import { openDatabase, type DatabaseTarget } from './db/open';
import { DEMO_CUSTOMERS, isEmpty, seedDemoCustomers, seedDemoUsers, type DemoAccount } from './demo/seed';
import { CacheImages, type CacheImageConfig } from './sync/cache-image/job';

export interface StartOptions {
  target: DatabaseTarget;
  box: SecretBox;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  plan?: NumberPlan;
  sessionTtlMs?: number;
  passwordCost?: ScryptCost;
  /** Seed demo users and customers when the database is empty. */
  demo?: boolean;
  demoCustomers?: number;
  /** Where demo-accounts.json is kept (PGlite: the data dir). */
  dataDir?: string | null;
  /** Cache images for desktops' first sync (off unless given: the built-in backend serves one desktop). */
  cacheImage?: CacheImageConfig;
  logger?: FastifyServerOptions['logger'];
}

export interface RunningBackend {
  app: FastifyInstance;
  db: Db;
  url: string;
  port: number;
  /** Demo sign-ins (with their passwords) when this database holds the demo data. */
  demoAccounts: DemoAccount[] | null;
  cacheImages: CacheImages | null;
  close(): Promise<void>;
}

const DEMO_FILE = 'demo-accounts.json';

export async function startBackend(opts: StartOptions): Promise<RunningBackend> {
  const db = await openDatabase(opts.target);
  try {
    const plan = opts.plan ?? DEFAULT_NUMBER_PLAN;
    const accounts = { box: opts.box, cost: opts.passwordCost ?? DEFAULT_COST, sessionTtlMs: opts.sessionTtlMs ?? 12 * 3_600_000 };
    let demoAccounts: DemoAccount[] | null = null;
    const demoFile = opts.dataDir ? join(opts.dataDir, DEMO_FILE) : null;
    if (opts.demo && (await isEmpty(db))) {
      demoAccounts = await seedDemoUsers(db, accounts);
      // Written before the customers: if seeding is interrupted, the accounts are still known.
      if (demoFile) writeFileSync(demoFile, JSON.stringify(demoAccounts, null, 2) + '\n', { mode: 0o600 });
      await seedDemoCustomers(db, opts.demoCustomers ?? DEMO_CUSTOMERS, { plan });
    } else if (demoFile && existsSync(demoFile)) {
      demoAccounts = JSON.parse(readFileSync(demoFile, 'utf8')) as DemoAccount[];
    }
    let log: { info(m: string): void; warn(m: string): void } = { info: () => undefined, warn: () => undefined };
    const images = opts.cacheImage?.enabled && opts.cacheImage.dir ? new CacheImages(db, opts.target, opts.cacheImage, { info: (m) => log.info(m), warn: (m) => log.warn(m) }) : null;
    const app = await buildApp({
      db,
      box: opts.box,
      plan,
      sessionTtlMs: accounts.sessionTtlMs,
      passwordCost: accounts.cost,
      logger: opts.logger ?? false,
      ...(images ? { cacheImages: images } : {}),
    });
    log = { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m) };
    const host = opts.host ?? '127.0.0.1';
    await app.listen({ host, port: opts.port ?? 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
    const shown = host.includes(':') ? `[${host}]` : host;
    images?.start();
    return {
      app,
      db,
      url: `http://${shown}:${port}`,
      port,
      demoAccounts,
      cacheImages: images,
      async close() {
        await app.close();
        await images?.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

export interface EmbeddedOptions {
  /** The desktop's data folder for the backend: database, key file, demo accounts. */
  dataDir: string;
  port?: number;
  plan?: NumberPlan;
  demoCustomers?: number;
  logger?: FastifyServerOptions['logger'];
}

/**
 * The backend inside the desktop: PGlite under dataDir (no database server), listening on 127.0.0.1
 * only, demo data on first start. One process per data folder (a lock file guards it: PGlite must
 * never be opened twice).
 */
export async function startEmbeddedBackend(opts: EmbeddedOptions): Promise<RunningBackend> {
  const releaseLock = lockDataDir(opts.dataDir);
  try {
    const backend = await startBackend({
      target: { kind: 'pglite', dataDir: join(opts.dataDir, 'pgdata') },
      box: SecretBox.fromKeyFile(join(opts.dataDir, 'backend.key')),
      host: '127.0.0.1',
      port: opts.port ?? 0,
      demo: true,
      demoCustomers: opts.demoCustomers ?? DEMO_CUSTOMERS,
      dataDir: opts.dataDir,
      ...(opts.plan ? { plan: opts.plan } : {}),
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    });
    const close = backend.close;
    return {
      ...backend,
      async close() {
        try {
          await close();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

export class DataDirBusyError extends Error {
  constructor(dir: string, pid: number) {
    super(`the backend data folder ${dir} is in use by process ${pid}; stop it first (PGlite cannot be opened twice)`);
    this.name = 'DataDirBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A pid file in the data folder; a stale one (its process is gone) is taken over. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'backend.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      // Our own pid counts too: a second PGlite on the folder in this process would be just as harmful.
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new DataDirBusyError(dir, pid);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}
