// Benchmark fixtures: a customer cache with N generated customers, built once and reused across runs
// (.bench/ is git-ignored). Rebuilt when the generator or the schema changes.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { demoCustomers } from '../../shared/demo/demo-customers';
import { toCustomerRecord } from '../../shared/domain/customer-input';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { setMeta, upsertCustomer, upsertInteraction } from '../../electron/services/db/customers';
import { migrate, SCHEMA_VERSION } from '../../electron/services/db/migrations';
import { openDb } from '../../electron/services/db/open';
import { rebuildSearchIndex, suspendSearchIndex } from '../../electron/services/db/search';

export const BENCH_DIR = '.bench';
const FIXTURE_VERSION = `v3-schema${SCHEMA_VERSION}`;
/** Fixed "now" so the generated history is identical on every run. */
export const FIXTURE_NOW = Date.UTC(2026, 10, 1);

export function cacheFixture(count: number, log: (m: string) => void = console.log): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  const file = join(BENCH_DIR, `cache-${count}.sqlite`);
  if (existsSync(file)) {
    const db = openDb(file, { readonly: true });
    let ok = false;
    try {
      ok = db.prepare("SELECT v FROM meta WHERE k = 'bench_fixture'").pluck().get() === FIXTURE_VERSION;
    } catch {
      /* an older fixture: rebuild */
    }
    db.close();
    if (ok) return file;
  }
  const tmp = `${file}.building`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const db = openDb(tmp);
  db.pragma('synchronous = OFF');
  migrate(db);
  // Bulk path, as an initial sync takes it: the search index is built once at the end.
  suspendSearchIndex(db);
  const t0 = performance.now();
  const batch = db.transaction((items: ReturnType<typeof demoCustomers> extends Generator<infer T> ? T[] : never) => {
    for (const d of items) {
      const r = toCustomerRecord(d.customer, DEFAULT_NUMBER_PLAN, FIXTURE_NOW);
      if (!r.ok) throw new Error(`fixture customer ${d.customer.id}: ${r.errors.join('; ')}`);
      upsertCustomer(db, r.record);
      for (const i of d.interactions) upsertInteraction(db, i);
    }
  });
  let chunk = [];
  let done = 0;
  for (const d of demoCustomers(count, { now: FIXTURE_NOW })) {
    chunk.push(d);
    if (chunk.length === 10_000) {
      batch(chunk);
      done += chunk.length;
      chunk = [];
      if (done % 100_000 === 0) log(`  fixture: ${done} customers (${Math.round(done / ((performance.now() - t0) / 1000))}/s)`);
    }
  }
  if (chunk.length) batch(chunk);
  const search = rebuildSearchIndex(db);
  log(`  fixture: search index rebuilt over ${search.rows} customers in ${Math.round(search.ms)} ms`);
  setMeta(db, 'bench_search_rebuild_ms', String(Math.round(search.ms)));
  setMeta(db, 'source', 'demo');
  setMeta(db, 'bench_fixture', FIXTURE_VERSION);
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, file);
  log(`  fixture: ${count} customers built in ${Math.round((performance.now() - t0) / 1000)} s → ${file}`);
  return file;
}
