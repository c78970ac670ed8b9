// Once per test run: a migrated template of each database kind, so every test file starts from a fresh,
// migrated database in well under a second (PGlite: a data-dir dump; PostgreSQL: CREATE DATABASE … TEMPLATE).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../db/migrate';
import { PgDb } from '../../db/pg-db';
import { PgliteDb } from '../../db/pglite-db';

export const PG_TEMPLATE = 'lianluo_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresUrl: string;
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'lianluo-backend-test-'));
  const lite = await PgliteDb.open();
  await migrate(lite);
  const file = join(dir, 'template.tar');
  writeFileSync(file, Buffer.from(await (await lite.dump()).arrayBuffer()));
  await lite.close();
  project.provide('pgliteTemplate', file);

  const url = process.env.DATABASE_URL ?? '';
  project.provide('postgresUrl', url);
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE}`);
    await admin.query(`CREATE DATABASE ${PG_TEMPLATE}`);
    await admin.end();
    const db = new PgDb({ connectionString: withDatabase(url, PG_TEMPLATE) });
    await migrate(db);
    await db.close();
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true });
  };
}
