// History compaction: a maintenance job (`backend/cli.ts compact`). Cursors that have not moved for the
// retention period are declared too old (they get 410 and rebuild), which lets the server forget old
// customer tombstones. Merge tombstones are kept: they still redirect the old id to the survivor.
// Interactions are history and are never deleted; their stream only stops sending old tombstones.
import type { SyncStream } from '../../shared/sync/protocol';
import type { Db } from '../db/db';

export interface CompactResult {
  stream: SyncStream;
  compactedThrough: number;
  purged: number;
}

/** Mark everything that changed before `before` (ms epoch) as compacted, for both streams. */
export async function compact(db: Db, before: number): Promise<CompactResult[]> {
  return db.transaction(async (tx) => {
    const results: CompactResult[] = [];
    for (const stream of ['customers', 'interactions'] as const) {
      const [row] = await tx.query<{ through: number }>(
        `UPDATE sync_streams SET compacted_through = GREATEST(compacted_through, COALESCE((SELECT max(seq) FROM ${stream} WHERE changed_at < $2), 0))
          WHERE stream = $1 RETURNING compacted_through AS through`,
        [stream, before],
      );
      const through = row?.through ?? 0;
      let purged = 0;
      if (stream === 'customers') {
        const gone = await tx.query(
          `DELETE FROM customers c
            WHERE c.doc IS NULL AND c.merged_into IS NULL AND c.seq <= $1
              AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id)
              AND NOT EXISTS (SELECT 1 FROM customers m WHERE m.merged_into = c.id)
          RETURNING c.id`,
          [through],
        );
        purged = gone.length;
      }
      results.push({ stream, compactedThrough: through, purged });
    }
    return results;
  });
}
