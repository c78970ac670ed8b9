// Migrations: fresh, idempotent, concurrent starts, and refusals (newer database, edited migration).
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, MigrationError, SCHEMA_VERSION, migrate, type Migration } from '../db/migrate';
import { DB_KINDS, freshDatabase } from './support/backend';

describe.each(DB_KINDS)('migrations on %s', (kind) => {
  it('migrates an empty database, and a second run changes nothing', async () => {
    const t = await freshDatabase(kind, { migrated: false });
    try {
      expect(await migrate(t.db)).toEqual({ from: 0, to: SCHEMA_VERSION });
      expect(await migrate(t.db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
      const [row] = await t.db.query<{ value: number }>('SELECT value FROM change_seq');
      expect(row?.value).toBe(0);
      const streams = await t.db.query<{ stream: string }>('SELECT stream FROM sync_streams ORDER BY stream');
      expect(streams.map((s) => s.stream)).toEqual(['customers', 'interactions']);
    } finally {
      await t.drop();
    }
  });

  it('applies once when two instances start together', async () => {
    const t = await freshDatabase(kind, { migrated: false });
    try {
      const other = await t.second();
      const results = await Promise.all([migrate(t.db), migrate(other)]);
      expect(results.map((r) => r.from).sort()).toEqual([0, SCHEMA_VERSION]);
      const rows = await t.db.query('SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(MIGRATIONS.length);
    } finally {
      await t.drop();
    }
  });

  it('refuses a database migrated by a newer backend, and leaves it alone', async () => {
    const t = await freshDatabase(kind);
    try {
      const future: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'from the future', sql: 'CREATE TABLE future_thing (x int)' }];
      await migrate(t.db, future);
      await expect(migrate(t.db)).rejects.toThrow(MigrationError);
      await expect(migrate(t.db)).rejects.toThrow(`newer Lianluo backend (schema ${SCHEMA_VERSION + 1}; this version knows up to ${SCHEMA_VERSION})`);
      expect(await t.db.query('SELECT x FROM future_thing')).toEqual([]);
    } finally {
      await t.drop();
    }
  });

  it('refuses when a shipped migration was edited', async () => {
    const t = await freshDatabase(kind);
    try {
      const edited: Migration[] = [{ ...MIGRATIONS[0]!, sql: MIGRATIONS[0]!.sql + '\n-- edited' }, ...MIGRATIONS.slice(1)];
      await expect(migrate(t.db, edited)).rejects.toThrow(/was changed after it was applied/);
      await expect(migrate(t.db, [{ ...MIGRATIONS[0]!, version: 2 }])).rejects.toThrow(/numbered/);
    } finally {
      await t.drop();
    }
  });
});
