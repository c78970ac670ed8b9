// Pull-sync pages (shared/sync/protocol.ts) straight from the seq index. A page is read in batches of
// keyset queries (`seq > cursor ORDER BY seq LIMIT n`), each its own short statement, so a slow client
// holds no transaction and no connection while it reads. The next batch is requested before the current
// one is handed to the socket, so PostgreSQL and Node work in parallel; the response stream pulls
// batches only as fast as the client reads (backpressure).
//
// Why batches from different snapshots are still exact: seqs are handed out in commit order
// (../db/changes.ts), so every snapshot sees a prefix of the seq space; a row that changes between two
// batches moves to a higher seq and is read again later, never lost.
//
// Each batch reads the high-water mark and the stream's compaction mark in the same statement (one
// snapshot). When a batch comes back short, everything up to that high-water mark has been seen, so the
// cursor can jump there: a client that got `more: false` holds a cursor at or above every seq that was
// committed when its last statement ran, so `cursor >= seq of a nudge` means "caught up". If compaction moved during the response, the response is cut off without its
// end line (the client retries and gets 410).
import { Readable } from 'node:stream';
import { SYNC_PAGE_DEFAULT, SYNC_PROTOCOL, STREAM_VERSIONS, epochOf, parseEpoch, type ResetReason, type ResetRequired, type SyncQuery, type SyncStream } from '../../shared/sync/protocol';
import type { Db } from '../db/db';
import { badRequest } from '../http/errors';

/** Rows per query: large enough to amortise a round trip, small enough to stream smoothly. */
export const BATCH_ROWS = 5000;

const LINE_SQL: Record<SyncStream, { line: string; live: string; table: string }> = {
  customers: {
    table: 'customers',
    live: 'doc IS NOT NULL',
    line: `CASE WHEN doc IS NOT NULL THEN '{"type":"upsert","seq":' || seq || ',"customer":' || doc || '}'
                ELSE '{"type":"tombstone","seq":' || seq || ',"id":' || to_json(id)::text || ',"mergedInto":' || COALESCE(to_json(merged_into)::text, 'null') || '}' END`,
  },
  interactions: {
    table: 'interactions',
    live: 'in_window',
    line: `CASE WHEN in_window THEN '{"type":"upsert","seq":' || seq || ',"interaction":' || doc || '}'
                ELSE '{"type":"tombstone","seq":' || seq || ',"id":' || to_json(id)::text || '}' END`,
  },
};

function batchSql(stream: SyncStream): string {
  const s = LINE_SQL[stream];
  // $1 cursor, $2 tombstones at or below this seq are skipped, $3 rows, $4 stream name.
  return `SELECT seq, ${s.line} AS line,
                 (SELECT value FROM change_seq) AS hw,
                 (SELECT compacted_through FROM sync_streams WHERE stream = $4) AS compacted
            FROM ${s.table}
           WHERE seq > $1 AND (${s.live} OR seq > $2)
           ORDER BY seq
           LIMIT $3`;
}
const BATCH_SQL: Record<SyncStream, string> = { customers: batchSql('customers'), interactions: batchSql('interactions') };

function emptySql(stream: SyncStream): string {
  const s = LINE_SQL[stream];
  return `SELECT (SELECT value FROM change_seq) AS hw, EXISTS (SELECT 1 FROM ${s.table} WHERE seq > $1 AND (${s.live} OR seq > $2)) AS more`;
}
const EMPTY_SQL: Record<SyncStream, string> = { customers: emptySql('customers'), interactions: emptySql('interactions') };

export class ResetRequiredError extends Error {
  constructor(readonly body: ResetRequired) {
    super(body.error.message);
    this.name = 'ResetRequiredError';
  }
}

interface StreamMeta {
  datasetId: string;
  highWater: number;
  compactedThrough: number;
}

async function streamMeta(db: Db, stream: SyncStream): Promise<StreamMeta> {
  const [row] = await db.query<{ dataset: string; hw: number; compacted: number }>(
    `SELECT d.id AS dataset, (SELECT value FROM change_seq) AS hw, s.compacted_through AS compacted
       FROM dataset d, sync_streams s WHERE s.stream = $1`,
    [stream],
  );
  if (!row) throw new Error(`sync stream ${stream} is missing from sync_streams`);
  return { datasetId: row.dataset, highWater: row.hw, compactedThrough: row.compacted };
}

const RESET_MESSAGES: Record<ResetReason, string> = {
  compacted: 'this cursor is older than the server keeps history for: rebuild the cache from after=0',
  epoch_changed: 'this cursor belongs to another server dataset: rebuild the cache from after=0',
  schema_changed: 'the server changed the shape of this stream: rebuild the cache from after=0',
  ahead: 'this cursor is newer than anything the server has (was it restored from a backup?): rebuild the cache from after=0',
};

function reset(stream: SyncStream, meta: StreamMeta, reason: ResetReason): ResetRequiredError {
  return new ResetRequiredError({
    error: { code: 'reset_required', message: RESET_MESSAGES[reason], reason },
    stream,
    epoch: epochOf(meta.datasetId, stream, meta.compactedThrough),
  });
}

export interface PageOptions {
  batchRows?: number;
}

/**
 * Check the cursor and return the page as a stream of NDJSON text chunks. Throws ResetRequiredError
 * (→ 410) or an HttpError (→ 400) before anything is sent.
 */
export async function openPage(db: Db, stream: SyncStream, q: SyncQuery, opts: PageOptions = {}): Promise<Readable> {
  const meta = await streamMeta(db, stream);
  const epoch = epochOf(meta.datasetId, stream, meta.compactedThrough);
  if (q.after > 0) {
    if (q.epoch === undefined) throw badRequest('epoch is required when after > 0: send the epoch of the page that gave you this cursor');
    const e = parseEpoch(q.epoch);
    if (!e) throw badRequest('epoch is not an epoch returned by the server');
    if (e.datasetId !== meta.datasetId) throw reset(stream, meta, 'epoch_changed');
    if (e.version !== STREAM_VERSIONS[stream]) throw reset(stream, meta, 'schema_changed');
    // Below the mark, tombstones the client may need are gone, unless the mark has not moved since the
    // client's initial sync began: then every tombstone below it was final before the client saw anything.
    if (q.after < meta.compactedThrough && e.compactedThrough !== meta.compactedThrough) throw reset(stream, meta, 'compacted');
    if (q.after > meta.highWater) throw reset(stream, meta, 'ahead');
  }
  const limit = q.limit ?? SYNC_PAGE_DEFAULT;
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  // A fresh client (after=0) has nothing to delete: tombstones that were final before this response
  // began (seq <= the high-water mark read above) cannot concern it. Later tombstones can: an upsert
  // this response already sent may have been deleted since.
  const skipTombstonesThrough = q.after === 0 ? meta.highWater : meta.compactedThrough;
  const sql = BATCH_SQL[stream];

  type Batch = { rows: unknown[][]; want: number };
  const fetch = (cursor: number, want: number): Promise<Batch> => {
    const p = db.queryArrays(sql, [cursor, skipTombstonesThrough, want + 1, stream]).then((rows) => ({ rows, want }));
    // A prefetched batch may outlive its response (the client went away): never an unhandled rejection.
    p.catch(() => undefined);
    return p;
  };

  async function* page(): AsyncGenerator<string> {
    yield JSON.stringify({ type: 'begin', stream, protocol: SYNC_PROTOCOL, epoch, after: q.after, highWater: meta.highWater }) + '\n';
    let cursor = q.after;
    let sent = 0;
    let pending: Promise<Batch> | null = fetch(cursor, Math.min(batchRows, limit));
    let more = false;
    while (pending) {
      const { rows, want } = await pending;
      pending = null;
      const extra = rows.length > want;
      const take = extra ? want : rows.length;
      if (take > 0) {
        const last = rows[take - 1] as unknown[];
        if ((last[3] as number) !== meta.compactedThrough) {
          throw new Error(`${stream} history was compacted while this page was read; the client will retry and rebuild`);
        }
        cursor = last[0] as number;
      }
      sent += take;
      if (extra && sent < limit) {
        pending = fetch(cursor, Math.min(batchRows, limit - sent)); // overlap the next query with this write
      } else if (extra) {
        more = true;
      } else if (take > 0) {
        // Short batch: this snapshot holds nothing beyond the last row, and everything up to its
        // high-water mark is committed, so the client may skip there.
        cursor = Math.max(cursor, (rows[take - 1] as unknown[])[2] as number);
      } else {
        // Empty batch: the cursor may still skip to the high-water mark (changes of other streams
        // move it), but only if "nothing above the cursor" and the mark come from one snapshot.
        const [row] = await db.queryArrays(EMPTY_SQL[stream], [cursor, skipTombstonesThrough]);
        if (row && row[1] === false) cursor = Math.max(cursor, row[0] as number);
        else if (row && sent < limit) pending = fetch(cursor, Math.min(batchRows, limit - sent)); // it just arrived: read it
      }
      if (take > 0) {
        let chunk = '';
        for (let i = 0; i < take; i++) chunk += (rows[i] as unknown[])[1] + '\n';
        yield chunk;
      }
    }
    yield JSON.stringify({ type: 'end', next: cursor, count: sent, more }) + '\n';
  }

  return Readable.from(page(), { objectMode: false, highWaterMark: 1 });
}
