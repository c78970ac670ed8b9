// Building one cache image: a consistent snapshot of the synced tables read from PostgreSQL (or PGlite)
// and written into a new SQLite file by exactly the steps a desktop takes for an NDJSON bulk load
// (shared/cache: migrations, bulk mode, BulkWriter, finishBulkLoad, search rebuild, ANALYZE), plus the
// sync_state rows a desktop continues the delta feed from.
//
// Consistency: everything is read inside one REPEATABLE READ, READ ONLY transaction. change_seq is
// written in the same transaction as the rows it numbers, and seqs are handed out in commit order
// (db/changes.ts), so the snapshot holds exactly the changes with seq <= the change_seq value it sees,
// and none above it. That value is the image's cursor for both streams; the epochs are the feed's
// (dataset, stream version, compaction mark as of the snapshot). Like a feed page from after=0, only
// live rows are copied (customers with a doc, interactions in the window): tombstones at or below the
// cursor cannot concern a fresh cache. A change committed while the image is read or downloaded has a
// seq above the cursor and arrives through the feed.
import { createReadStream, closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BulkWriter, enterBulkMode, finishBulkLoad, useForBuild, type FinishTimings } from '../../../shared/cache/bulk';
import { migrate, SCHEMA_VERSION } from '../../../shared/cache/migrations';
import { rebuildSearchIndex } from '../../../shared/cache/search-index';
import { setCacheMeta, writeCursor } from '../../../shared/cache/state';
import type { CacheImageManifest } from '../../../shared/sync/image';
import { epochOf, SYNC_STREAMS, type SyncCustomer, type SyncInteraction, type SyncStream } from '../../../shared/sync/protocol';
import type { Db } from '../../db/db';

/** What one snapshot saw: the cursor (change_seq) and what the epochs are made of. */
export interface SnapshotInfo {
  datasetId: string;
  highWater: number;
  compacted: Record<SyncStream, number>;
}

/** A row as read: its seq and the doc its sync line carries (JSON of SyncCustomer / SyncInteraction). */
export type SnapshotRow = [seq: number, doc: string];

export interface SnapshotSink {
  start?(info: SnapshotInfo): void | Promise<void>;
  batch(stream: SyncStream, rows: SnapshotRow[]): void | Promise<void>;
}

const LIVE_ROWS: Record<SyncStream, string> = {
  customers: 'SELECT seq, doc FROM customers WHERE doc IS NOT NULL ORDER BY seq',
  interactions: 'SELECT seq, doc FROM interactions WHERE in_window ORDER BY seq',
};

export const IMAGE_BATCH_ROWS = 5000;

/** Read every live row of both streams from one snapshot, in seq order (the order a feed from after=0 has). */
export async function readSnapshot(db: Db, sink: SnapshotSink, batchRows = IMAGE_BATCH_ROWS): Promise<SnapshotInfo> {
  return db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const [m] = await tx.query<{ dataset: string; hw: number; cc: number; ic: number }>(
      `SELECT d.id AS dataset, (SELECT value FROM change_seq) AS hw,
              (SELECT compacted_through FROM sync_streams WHERE stream = 'customers') AS cc,
              (SELECT compacted_through FROM sync_streams WHERE stream = 'interactions') AS ic
         FROM dataset d`,
    );
    if (!m) throw new Error('the dataset row is missing: the database was not migrated');
    const info: SnapshotInfo = { datasetId: m.dataset, highWater: Number(m.hw), compacted: { customers: Number(m.cc), interactions: Number(m.ic) } };
    await sink.start?.(info);
    for (const stream of SYNC_STREAMS) {
      const cursor = `lianluo_image_${stream}`;
      await tx.exec(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${LIVE_ROWS[stream]}`);
      const fetch = () => tx.queryArrays(`FETCH FORWARD ${batchRows} FROM ${cursor}`);
      let next: Promise<unknown[][]> | null = fetch();
      while (next) {
        const rows: unknown[][] = await next;
        // The next batch is read while this one is written.
        next = rows.length === batchRows ? fetch() : null;
        if (rows.length) await sink.batch(stream, rows as SnapshotRow[]);
      }
      await tx.exec(`CLOSE ${cursor}`);
    }
    return info;
  });
}

function removeFile(path: string): void {
  for (const f of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}

function fsyncPath(path: string, flags = 'r'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The SQLite side: a new file nobody else opens, set up as the desktop's build file (useForBuild),
 * fsynced before it is hashed and renamed into place.
 */
export class ImageWriter {
  private readonly db: Database.Database;
  private readonly writers: { customers: BulkWriter<'customers'>; interactions: BulkWriter<'interactions'> };

  constructor(readonly tmpPath: string) {
    removeFile(tmpPath);
    const db = new Database(tmpPath);
    try {
      useForBuild(db);
      migrate(db);
      enterBulkMode(db);
    } catch (e) {
      db.close();
      removeFile(tmpPath);
      throw e;
    }
    this.db = db;
    this.writers = { customers: new BulkWriter(db, 'customers'), interactions: new BulkWriter(db, 'interactions') };
  }

  /** One batch of live rows, in one transaction. */
  batch(stream: SyncStream, rows: readonly SnapshotRow[]): void {
    const db = this.db;
    db.exec('BEGIN');
    try {
      if (stream === 'customers') {
        const w = this.writers.customers;
        for (const [seq, doc] of rows) w.change({ type: 'upsert', seq: Number(seq), customer: JSON.parse(doc) as SyncCustomer });
        w.flush();
      } else {
        const w = this.writers.interactions;
        for (const [seq, doc] of rows) w.change({ type: 'upsert', seq: Number(seq), interaction: JSON.parse(doc) as SyncInteraction });
        w.flush();
      }
      db.exec('COMMIT');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  }

  /** Finish the cache (as a desktop finishes a bulk load), write the cursors, close and fsync. */
  finish(info: SnapshotInfo, builtAt: number): { rows: CacheImageManifest['rows']; timings: FinishTimings } {
    const db = this.db;
    const timings = finishBulkLoad(db, { rebuildSearch: (d) => void rebuildSearchIndex(d) });
    db.transaction(() => {
      for (const stream of SYNC_STREAMS) {
        writeCursor(db, stream, { next: info.highWater, epoch: epochOf(info.datasetId, stream, info.compacted[stream]), highWater: info.highWater, caughtUp: false, now: builtAt });
      }
      setCacheMeta(db, 'image_built_at', String(builtAt));
    })();
    const rows = {
      customers: db.prepare('SELECT count(*) FROM customers').pluck().get() as number,
      interactions: db.prepare('SELECT count(*) FROM interactions').pluck().get() as number,
    };
    // A plain rollback-journal file: no WAL header, no journal left beside it.
    db.pragma('journal_mode = DELETE');
    db.close();
    fsyncPath(this.tmpPath, 'r+');
    return { rows, timings };
  }

  abort(): void {
    if (this.db.open) this.db.close();
    removeFile(this.tmpPath);
  }
}

export interface ImageFiles {
  /** Where the file is written, then renamed from. */
  tmp: string;
  /** The folder of the finished cache-image-<seq>.sqlite and its manifest cache-image-<seq>.json. */
  dir: string;
}

/** What the job keeps beside each image: the manifest and what it was built from. */
export interface ImageSidecar {
  manifest: CacheImageManifest;
  datasetId: string;
  compacted: Record<SyncStream, number>;
  file: string;
  timings: FinishTimings;
  buildMs: number;
}

/** Hash the finished file, rename it into place and write its manifest, each step durable. */
export async function publishImage(files: ImageFiles, info: SnapshotInfo, built: { rows: CacheImageManifest['rows']; timings: FinishTimings }, builtAt: number, buildMs: number): Promise<ImageSidecar> {
  const sha256 = await sha256File(files.tmp);
  const bytes = statSync(files.tmp).size;
  const file = join(files.dir, `cache-image-${info.highWater}.sqlite`);
  const sidecarPath = join(files.dir, `cache-image-${info.highWater}.json`);
  // A previous image of the same seq (a rebuild for a new schema) is replaced in one step.
  renameSync(files.tmp, file);
  const manifest: CacheImageManifest = {
    schemaVersion: SCHEMA_VERSION,
    cursors: {
      customers: { cursor: info.highWater, epoch: epochOf(info.datasetId, 'customers', info.compacted.customers) },
      interactions: { cursor: info.highWater, epoch: epochOf(info.datasetId, 'interactions', info.compacted.interactions) },
    },
    bytes,
    sha256,
    rows: built.rows,
    builtAt,
  };
  const sidecar: ImageSidecar = { manifest, datasetId: info.datasetId, compacted: info.compacted, file, timings: built.timings, buildMs };
  const tmpSidecar = `${sidecarPath}.tmp`;
  writeFileSync(tmpSidecar, JSON.stringify(sidecar, null, 2) + '\n');
  fsyncPath(tmpSidecar);
  renameSync(tmpSidecar, sidecarPath);
  fsyncPath(files.dir);
  return sidecar;
}
