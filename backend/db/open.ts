// Open the database named by the configuration and bring its schema up to date.
import { mkdirSync } from 'node:fs';
import type { Db } from './db';
import { migrate } from './migrate';
import { PgDb } from './pg-db';
import { PgliteDb } from './pglite-db';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null };

export async function openDatabase(target: DatabaseTarget, onError?: (err: Error) => void): Promise<Db> {
  let db: Db;
  if (target.kind === 'postgres') {
    db = new PgDb({ connectionString: target.url, ...(onError ? { onError } : {}) });
  } else {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true, mode: 0o700 });
    db = await PgliteDb.open(target.dataDir ?? undefined);
  }
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
