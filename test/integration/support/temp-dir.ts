// Temporary folders and SQLite caches for integration tests: real files, removed after each test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { migrate } from '../../../electron/services/db/migrations';
import { openDb, type Db } from '../../../electron/services/db/open';

/** A fresh folder for this test file, removed when its tests are done. */
export function tempDir(prefix = 'lianluo-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let n = 0;
/** A migrated cache file in `dir`, opened for writing. The caller closes it. */
export function freshCache(dir: string): { path: string; db: Db } {
  const path = join(dir, `cache-${++n}.sqlite`);
  const db = openDb(path);
  migrate(db);
  return { path, db };
}
