// Versioned, forward-only migrations: the same SQL on PostgreSQL and PGlite. All pending migrations run
// in one transaction under an advisory lock, so instances starting together on one PostgreSQL neither
// race nor leave a half-migrated schema. A database newer than this code, or a shipped migration whose
// text changed, is refused with a clear message and never touched.
// Add a migration: a new file in ./migrations (next version), listed below; never edit a shipped one.
import { createHash } from 'node:crypto';
import type { Db } from './db';
import m0001 from './migrations/0001-init';
import m0002 from './migrations/0002-outbox-followups';
import m0003 from './migrations/0003-presence';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Any constant works: it only has to be the same in every instance. ('Lian' in ASCII.) */
const MIGRATION_LOCK = 0x4c69616e;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<{ from: number; to: number }> {
  for (let i = 0; i < migrations.length; i++) {
    if (migrations[i]?.version !== i + 1) throw new MigrationError(`migrations must be numbered 1, 2, 3 … without gaps (found ${migrations[i]?.version} at position ${i + 1})`);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at bigint NOT NULL
    )`);
    const applied = await tx.query<{ version: number; name: string; checksum: string }>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
    const latest = migrations.length;
    const from = applied.length ? (applied[applied.length - 1]?.version ?? 0) : 0;
    if (from > latest) {
      throw new MigrationError(
        `This database was migrated by a newer Lianluo backend (schema ${from}; this version knows up to ${latest}). Run the newer backend, or point this one at another database.`,
      );
    }
    for (const a of applied) {
      const m = migrations[a.version - 1];
      if (!m || m.version !== a.version) throw new MigrationError(`schema_migrations lists version ${a.version}, which this backend does not know`);
      if (checksum(m.sql) !== a.checksum) {
        throw new MigrationError(`migration ${a.version} (${a.name}) was changed after it was applied to this database; shipped migrations must never be edited`);
      }
    }
    for (const m of migrations.slice(from)) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)', [m.version, m.name, checksum(m.sql), Date.now()]);
    }
    return { from, to: latest };
  });
}
