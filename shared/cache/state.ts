// The cache file's bookkeeping rows: one sync_state row per pull stream (its cursor and epoch, written in
// the same transaction as the page it covers, so the rows always equal the server's state as of cursor)
// and the meta key/value table. Shared by the desktop (electron/services/db/sync-apply.ts) and the
// backend's cache-image builder, which writes the image's cursors.
import type { SyncStream } from '../sync/protocol';
import { cachedStatements, type CacheDb } from './sqlite';

export interface StreamCursor {
  stream: SyncStream;
  /** Everything with seq <= cursor is applied (0: nothing yet). */
  cursor: number;
  /** The epoch of the page that gave this cursor (sent back with the next request). */
  epoch: string | null;
  /** The server's newest seq when the last page began (progress bars). */
  highWater: number;
  /** When this stream last caught up with the server (a page that said more: false). */
  syncedAt: number | null;
}

interface CursorRow {
  cursor: number;
  epoch: string | null;
  high_water: number;
  synced_at: number | null;
}

const cursors = cachedStatements((db: CacheDb) => ({
  get: db.prepare('SELECT cursor, epoch, high_water, synced_at FROM sync_state WHERE stream = ?'),
  put: db.prepare(
    `INSERT INTO sync_state(stream, cursor, epoch, high_water, synced_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(stream) DO UPDATE SET cursor = excluded.cursor, epoch = excluded.epoch, high_water = excluded.high_water,
       synced_at = coalesce(excluded.synced_at, sync_state.synced_at)`,
  ),
}));

export function readCursor(db: CacheDb, stream: SyncStream): StreamCursor {
  const r = cursors(db).get.get(stream) as CursorRow | undefined;
  return r
    ? { stream, cursor: r.cursor, epoch: r.epoch, highWater: r.high_water, syncedAt: r.synced_at }
    : { stream, cursor: 0, epoch: null, highWater: 0, syncedAt: null };
}

/** A page's end: its cursor and epoch, stored inside the page's transaction. */
export interface PageMark {
  next: number;
  epoch: string;
  highWater: number;
  /** The page said more: false: the stream is caught up as of `now`. */
  caughtUp: boolean;
  now: number;
}

export function writeCursor(db: CacheDb, stream: SyncStream, m: PageMark): void {
  cursors(db).put.run(stream, m.next, m.epoch, m.highWater, m.caughtUp ? m.now : null);
}

const meta = cachedStatements((db: CacheDb) => ({
  set: db.prepare('INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
  get: db.prepare('SELECT v FROM meta WHERE k = ?').pluck(),
}));

export function setCacheMeta(db: CacheDb, k: string, v: string): void {
  meta(db).set.run(k, v);
}

export function getCacheMeta(db: CacheDb, k: string): string | undefined {
  return meta(db).get.get(k) as string | undefined;
}
