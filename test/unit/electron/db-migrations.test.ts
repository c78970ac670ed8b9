// Schema migrations on real SQLite files: a fresh cache reaches SCHEMA_VERSION, re-running changes
// nothing, a cache from a newer Lianluo is refused and left untouched, a failing migration commits
// nothing. Add a case here with every new migration.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError, schemaVersion, type Migration } from '../../../electron/services/db/migrations';
import { openDb, type Db } from '../../../electron/services/db/open';

const dir = mkdtempSync(join(tmpdir(), 'lianluo-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const path = join(dir, `db-${++n}.sqlite`);
  return { path, db: openDb(path) };
};
const schema = (db: Db) => db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();

describe('migrations', () => {
  it('are numbered 1, 2, 3 … with a name each', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.name).not.toBe('');
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring a fresh cache to SCHEMA_VERSION with the tables the app reads', () => {
    const { db } = fresh();
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    const names = (schema(db) as { name: string }[]).map((r) => r.name);
    for (const t of ['customers', 'customer_phones', 'customer_phones_rev', 'customer_phones_rid', 'interactions', 'interactions_customer_at', 'meta']) expect(names).toContain(t);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('are a no-op when run again', () => {
    const { db } = fresh();
    migrate(db);
    db.prepare("INSERT INTO meta(k, v) VALUES ('x', 'y')").run();
    const before = schema(db);
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    expect(schema(db)).toEqual(before);
    expect(db.prepare("SELECT v FROM meta WHERE k = 'x'").get()).toEqual({ v: 'y' });
    db.close();
  });

  it('refuse a cache written by a newer Lianluo, and leave it byte-for-byte untouched', () => {
    const { db, path } = fresh();
    migrate(db);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.prepare("INSERT INTO meta(k, v) VALUES ('future', '1')").run();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(path);

    const again = openDb(path);
    let error: unknown;
    try {
      migrate(again);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(error).toMatchObject({ found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
    expect((error as Error).message).toMatch(/newer version of Lianluo/);
    again.pragma('wal_checkpoint(TRUNCATE)');
    again.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('commit each step with its version; a failing step leaves the previous version intact', () => {
    const { db } = fresh();
    const steps: Migration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE one(x)') },
      {
        version: 2,
        name: 'broken',
        up: (d) => {
          d.exec('CREATE TABLE two(x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    const names = (schema(db) as { name: string }[]).map((r) => r.name);
    expect(names).toContain('one');
    expect(names).not.toContain('two');
    db.close();
  });
});
