// The writer: every write to the cache goes through here, on the one connection that owns writes.
// In the app it runs in a worker thread (writer-worker.ts) so a long write never blocks the main
// process; in tests and the CLI it can run in-process. Methods take one plain argument and return
// plain data (they cross a postMessage).
import { demoCustomers } from '../../../shared/demo/demo-customers';
import { toCustomerRecord } from '../../../shared/domain/customer-input';
import type { NumberPlan } from '../../../shared/domain/settings';
import { cacheCounts, getMeta, setMeta, upsertCustomer, upsertInteraction } from './customers';
import { migrate, schemaVersion } from './migrations';
import type { Db } from './open';
import type { SyncMethods } from '../sync/worker-sync';

export type CacheSource = 'empty' | 'demo' | 'import' | 'sync';

export interface CacheStatusData {
  customers: number;
  phones: number;
  interactions: number;
  schemaVersion: number;
  source: CacheSource;
}

export function readStatus(db: Db): CacheStatusData {
  const counts = cacheCounts(db);
  const source = (getMeta(db, 'source') as CacheSource | undefined) ?? (counts.customers ? 'import' : 'empty');
  return { ...counts, schemaVersion: schemaVersion(db), source };
}

/** Load the demo set into an empty cache (first start). Returns how many customers were written. */
export function seedDemo(db: Db, arg: { count: number; plan: NumberPlan; now?: number }): number {
  if (cacheCounts(db).customers > 0 || getMeta(db, 'source')) return 0;
  let written = 0;
  const batch = db.transaction((items: ReturnType<typeof demoCustomers> extends Generator<infer T> ? T[] : never) => {
    for (const d of items) {
      const r = toCustomerRecord(d.customer, arg.plan, arg.now);
      if (!r.ok) throw new Error(`demo customer ${d.customer.id} is invalid: ${r.errors.join('; ')}`);
      upsertCustomer(db, r.record);
      for (const i of d.interactions) upsertInteraction(db, i);
      written++;
    }
  });
  let chunk = [];
  for (const d of demoCustomers(arg.count, arg.now === undefined ? {} : { now: arg.now })) {
    chunk.push(d);
    if (chunk.length === 1000) {
      batch(chunk);
      chunk = [];
    }
  }
  if (chunk.length) batch(chunk);
  setMeta(db, 'source', 'demo');
  return written;
}

export function createWriter(db: Db) {
  return {
    migrate: (_: null) => migrate(db),
    status: (_: null) => readStatus(db),
    seedDemo: (arg: { count: number; plan: NumberPlan }) => seedDemo(db, arg),
  };
}

/** Everything the worker answers: the plain writes above plus the sync methods (services/sync/worker-sync.ts). */
export type Writer = ReturnType<typeof createWriter> & SyncMethods;
export type WriterMethod = keyof Writer;
