// `npm run backend -- <command>`: run the backend standalone, or administer its database.
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NewPassword, Username } from '../shared/sync/api';
import { createUser } from './auth/accounts';
import { DEFAULT_COST } from './auth/passwords';
import { SecretBox } from './auth/secret-box';
import { ConfigError, readConfig, type BackendConfig } from './config';
import { openDatabase } from './db/open';
import { MigrationError } from './db/migrate';
import { seedDemoCustomers, seedDemoUsers } from './demo/seed';
import { HttpError } from './http/errors';
import { lockDataDir, startBackend } from './server';
import { compact } from './sync/compact';

const HELP = `Lianluo backend

  npm run backend [-- serve [--ready-json]]
                                        run the server (default); --ready-json: print one JSON line
                                        {"ready":{"url","database","demoAccountsFile"}} when listening
  npm run backend -- create-admin --username NAME [--display-name TEXT] [--password-stdin]
                                        create an admin; without --password-stdin a random password is printed once
  npm run backend -- migrate            bring the database schema up to date and exit
  npm run backend -- compact --days N   drop sync history older than N days (cursors that old get 410 and rebuild)
  npm run backend -- seed-demo [--customers N]   demo users and N demo customers (default 5000) into an empty database
  npm run backend -- gen-key            print a new LIANLUO_BACKEND_KEY

Environment
  DATABASE_URL            postgres://… ; unset: embedded PGlite under LIANLUO_DATA_DIR
  LIANLUO_DATA_DIR        embedded database folder (default ~/.local/share/lianluo/backend)
  LIANLUO_BACKEND_KEY     32 random bytes, base64: encrypts SIP passwords at rest; the same on every
                          instance (required with DATABASE_URL; the embedded backend keeps backend.key
                          in its data folder). Or LIANLUO_BACKEND_KEY_FILE.
  HOST, PORT              where to listen (default 127.0.0.1:8787)
  LIANLUO_REGION          default region for customer phone numbers (default CN); LIANLUO_AREA_CODE
  LIANLUO_SESSION_HOURS   session lifetime (default 12)
  LIANLUO_DEMO            auto (seed an empty embedded database), 1 (also on PostgreSQL), 0 (never)
  LIANLUO_DEMO_CUSTOMERS  how many demo customers (default 5000)
  LIANLUO_CACHE_IMAGE     on (default) or off: build a cache image that desktops download for their first
                          sync instead of pulling every row (docs/ARCHITECTURE.md, Data)
  LIANLUO_CACHE_IMAGE_MIN_ROWS       build one from this many customers (default 100000)
  LIANLUO_CACHE_IMAGE_DIR            its folder (default <data folder>/cache-images; a second
                                     instance on the machine takes cache-images-2, …)
  LIANLUO_CACHE_IMAGE_MAX_AGE_HOURS  rebuild when older (default 6) and anything changed; it is also
                                     rebuilt when more than 5 % of its rows changed
  LIANLUO_CACHE_IMAGE_CHECK_SECONDS  how often that is checked (default 60)
  LOG_LEVEL               info, warn, debug …
`;

async function readLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

async function withDb<T>(cfg: BackendConfig, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const release = cfg.dataDir ? lockDataDir(cfg.dataDir) : () => undefined;
  try {
    const db = await openDatabase(cfg.target);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

async function serve(cfg: BackendConfig, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'ready-json': { type: 'boolean' } } });
  const release = cfg.dataDir ? lockDataDir(cfg.dataDir) : () => undefined;
  const backend = await startBackend({
    target: cfg.target,
    box: cfg.box,
    host: cfg.host,
    port: cfg.port,
    plan: cfg.plan,
    sessionTtlMs: cfg.sessionTtlMs,
    demo: cfg.demo,
    demoCustomers: cfg.demoCustomers,
    dataDir: cfg.dataDir,
    cacheImage: cfg.cacheImage,
    logger: { level: cfg.logLevel },
  }).catch((err: unknown) => {
    release();
    throw err;
  });
  const where = cfg.target.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${cfg.dataDir}`;
  if (values['ready-json']) {
    const demoAccountsFile = backend.demoAccounts && cfg.dataDir ? `${cfg.dataDir}/demo-accounts.json` : null;
    console.log(JSON.stringify({ ready: { url: backend.url, database: cfg.target.kind, demoAccountsFile } }));
  } else {
    console.log(`Lianluo backend on ${backend.url}, database: ${where}`);
  }
  if (backend.demoAccounts && !values['ready-json']) {
    console.log(`Demo sign-ins${cfg.dataDir ? ` (also in ${cfg.dataDir}/demo-accounts.json)` : ''}:`);
    for (const a of backend.demoAccounts) console.log(`  ${a.role.padEnd(10)} ${a.username.padEnd(10)} ${a.password}${a.sipUri ? `  ${a.sipUri}` : ''}`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    backend
      .close()
      .catch((err: unknown) => console.error(err))
      .finally(() => {
        release();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  if (command === 'gen-key') {
    console.log(SecretBox.newKeyBase64());
    return 0;
  }
  const cfg = readConfig();
  switch (command) {
    case 'serve':
      await serve(cfg, rest);
      return -1; // keeps running
    case 'migrate': {
      await withDb(cfg, async () => undefined);
      console.log('schema is up to date');
      return 0;
    }
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, 'display-name': { type: 'string' }, 'password-stdin': { type: 'boolean' } } });
      const username = Username.safeParse(values.username ?? '');
      if (!username.success) throw new ConfigError(`--username: ${username.error.issues[0]?.message ?? 'invalid'}`);
      const generated = !values['password-stdin'];
      const password = generated ? randomBytes(15).toString('base64url') : await readLine();
      const ok = NewPassword.safeParse(password);
      if (!ok.success) throw new ConfigError(`password: ${ok.error.issues[0]?.message ?? 'invalid'}`);
      const user = await withDb(cfg, (db) =>
        createUser(db, { box: cfg.box, cost: DEFAULT_COST, sessionTtlMs: cfg.sessionTtlMs }, { username: username.data, displayName: values['display-name'] ?? username.data, role: 'admin', teamId: null, password }),
      );
      console.log(`created admin ${user.username} (id ${user.id})`);
      if (generated) console.log(`password (shown once): ${password}`);
      return 0;
    }
    case 'compact': {
      const { values } = parseArgs({ args: rest, options: { days: { type: 'string' } } });
      const days = Number(values.days);
      if (!Number.isFinite(days) || days < 1) throw new ConfigError('--days N (at least 1) is required');
      const results = await withDb(cfg, (db) => compact(db, Date.now() - days * 86_400_000));
      for (const r of results) console.log(`${r.stream}: compacted through seq ${r.compactedThrough}, ${r.purged} tombstones dropped`);
      return 0;
    }
    case 'seed-demo': {
      const { values } = parseArgs({ args: rest, options: { customers: { type: 'string' } } });
      const count = values.customers === undefined ? 5000 : Number(values.customers);
      if (!Number.isInteger(count) || count < 0) throw new ConfigError('--customers must be a non-negative integer');
      await withDb(cfg, async (db) => {
        const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
        if (row?.n) console.log('users exist already: demo users not added');
        else for (const a of await seedDemoUsers(db, { box: cfg.box, cost: DEFAULT_COST, sessionTtlMs: cfg.sessionTtlMs })) console.log(`${a.role} ${a.username} ${a.password}`);
        const [c] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
        if (c?.n) console.log('customers exist already: demo customers not added');
        else console.log(`${await seedDemoCustomers(db, count, { plan: cfg.plan })} demo customers added`);
      });
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

const invokedDirectly = process.argv[1] !== undefined && /backend[\\/](cli|main)\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      if (err instanceof ConfigError || err instanceof MigrationError || err instanceof HttpError || (err as Error).name === 'DataDirBusyError') {
        console.error(`lianluo backend: ${(err as Error).message}`);
      } else {
        console.error(err);
      }
      process.exit(1);
    },
  );
}
