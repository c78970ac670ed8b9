// Sync pages (shared/sync/protocol.ts) applied to a cache file, on the writer's connection. Plain
// functions of (db, args); the writer worker decides which path a page takes.
//
// Incremental (applyPage): a page and its cursor in one transaction, with every index, the phones
// table, the cards' history and the search triggers maintained as rows change.
//
// Bulk (a fresh cache file for an initial sync or a reset, see services/sync/worker-sync.ts):
// enterBulkMode() sets every index and trigger aside, pages go in as bare rows (BulkLoader, still one
// transaction per page with its cursor), and finishBulkLoad() derives the rest in one pass each: the
// phones table from the cards' phones_json, the cards' history from the interactions, the indexes,
// the triggers and the search index. Research (sync-anchors.md §5.2) measured this ~3x faster than
// keeping everything live; here it also keeps per-row work to one JSON.stringify and one insert.
import type { CustomerChange, InteractionChange, SyncStream } from '../../../shared/sync/protocol';
import { writeCursor, type PageMark } from '../../../shared/cache/state';
import { refreshHistory, upsertCustomer, upsertInteraction } from './customers';
import { statements, type Db } from './open';

export { readCursor, writeCursor, type PageMark, type StreamCursor } from '../../../shared/cache/state';

// ---------------------------------------------------------------- incremental

const live = statements((db) => ({
  deleteCustomer: db.prepare<[string]>('DELETE FROM customers WHERE id = ?'),
  deleteInteraction: db.prepare<[string], { customer_id: string }>('DELETE FROM interactions WHERE id = ? RETURNING customer_id'),
  interactionOwner: db.prepare<[string], string>('SELECT customer_id FROM interactions WHERE id = ?').pluck(),
}));

export function applyCustomerChanges(db: Db, changes: readonly CustomerChange[]): void {
  const s = live(db);
  for (const c of changes) {
    if (c.type === 'upsert') upsertCustomer(db, c.customer, c.seq);
    else s.deleteCustomer.run(c.id); // its numbers go with it (ON DELETE CASCADE)
  }
}

export function applyInteractionChanges(db: Db, changes: readonly InteractionChange[]): void {
  const s = live(db);
  const touched = new Set<string>();
  for (const c of changes) {
    if (c.type === 'upsert') {
      // An interaction moved to another customer (a merge) leaves the old one's card too.
      const before = s.interactionOwner.get(c.interaction.id);
      if (before !== undefined) touched.add(before);
      upsertInteraction(db, c.interaction, false);
      touched.add(c.interaction.customerId);
    } else {
      const gone = s.deleteInteraction.get(c.id);
      if (gone) touched.add(gone.customer_id);
    }
  }
  for (const id of touched) refreshHistory(db, id);
}

/** One page and its cursor, all or nothing. */
export function applyPage<S extends SyncStream>(db: Db, stream: S, changes: readonly (S extends 'customers' ? CustomerChange : InteractionChange)[], mark: PageMark): void {
  db.transaction(() => {
    if (stream === 'customers') applyCustomerChanges(db, changes as readonly CustomerChange[]);
    else applyInteractionChanges(db, changes as readonly InteractionChange[]);
    writeCursor(db, stream, mark);
  })();
}

// ---------------------------------------------------------------- bulk

// The bulk path is part of the cache file's format (the backend builds cache images with it).
export {
  BULK_ROWS_PER_STATEMENT,
  BulkWriter,
  enterBulkMode,
  finishBulkLoad,
  inBulkMode,
  phonesJson,
  useForBuild,
  type FinishHooks,
  type FinishTimings,
} from '../../../shared/cache/bulk';
