// The sync methods of the writer worker (db/writer-worker.ts dispatches to them). The worker owns both
// files a sync writes: the cache that serves lookups (incremental pages) and, during an initial sync or
// a reset, a new file beside it that is bulk-loaded, finished and then swapped in by the main process
// (sync-engine.ts) while the old cache keeps serving lookups until that moment.
//
// The new file is `cache.next.sqlite`. Its meta `build_state` is 'loading' until finishBulkLoad() ran,
// then 'finished'; a crash at any point leaves a file that is resumed (loading), swapped in (finished)
// or discarded (anything that does not check out), never a half-built cache in service.
//
// Or the new file comes whole from the backend (a cache image, cache-image.ts): downloaded into
// `cache.next.sqlite.part` (resumed after a crash), checked, renamed, and marked 'image': a complete
// cache that takes delta pages (the incremental path, every index live) until it has caught up, then
// 'finished' and swapped in the same way.
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SyncStream } from '../../../shared/sync/protocol';
import { getMeta, setMeta } from '../db/customers';
import { migrate, SCHEMA_VERSION, schemaVersion } from '../db/migrations';
import type { Db } from '../db/open';
import { enterBulkMode, finishBulkLoad, readCursor, useForBuild, type FinishTimings, type StreamCursor } from '../db/sync-apply';
import { syncDir } from './cache-swap';
import { pullStream, type PageProgress, type PullOutcome } from './pull';
import { fetchCacheImage, removePart, type ImageFetchOutcome } from './cache-image';

export type BuildReason = 'initial' | 'rebuild';

export interface SyncFileState {
  customers: StreamCursor;
  interactions: StreamCursor;
}

export interface WorkerSyncState {
  cache: SyncFileState;
  /** The file being built, if any. */
  build: (SyncFileState & { reason: BuildReason; finished: boolean; /** Downloaded whole (a cache image), catching up by delta pages. */ image: boolean }) | null;
}

export interface PullRequest {
  baseUrl: string;
  token: string;
  stream: SyncStream;
  into: 'cache' | 'build';
  limit?: number;
  idleTimeoutMs?: number;
}

export interface ImageRequest {
  baseUrl: string;
  token: string;
  reason: BuildReason;
  idleTimeoutMs?: number;
}

/** What syncFetchImage reports: ImageFetchOutcome, with the new file's state once it is in place. */
export type ImageResult = Exclude<ImageFetchOutcome, { kind: 'ready' }> | (Extract<ImageFetchOutcome, { kind: 'ready' }> & { state: WorkerSyncState });

export type SyncWorkerEvent =
  | { type: 'sync.page'; into: 'cache' | 'build'; progress: PageProgress }
  | { type: 'sync.image'; received: number; total: number };

export interface WorkerSyncDeps {
  cachePath: string;
  /** The cache's write connection (null while it is closed for a swap). */
  cache(): Db | null;
  closeCache(): void;
  reopenCache(): void;
  post(event: SyncWorkerEvent): void;
  /** db/search.ts's rebuild, once the schema has a search index. */
  rebuildSearch?: (db: Db) => void;
}

export const nextCacheFile = (cachePath: string) => cachePath.replace(/(\.sqlite)?$/, '.next.sqlite');

/** Page sizes: big for a bulk load (fewer round trips and commits), small for live maintenance. */
export const BULK_PAGE = 20_000;
export const INCREMENTAL_PAGE = 2_000;

function removeFile(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
}

/**
 * The build file's connection (useForBuild: exclusive, rollback journal, synchronous off; quick_check on
 * resume catches what an OS crash could damage, and it is pulled again). It never serves lookups. A
 * downloaded image has its search triggers live (its delta pages take the incremental path), so the
 * search functions are always registered.
 */
function openBuild(path: string): Db {
  const db = new Database(path);
  useForBuild(db);
  return db;
}

function fileState(db: Db): SyncFileState {
  return { customers: readCursor(db, 'customers'), interactions: readCursor(db, 'interactions') };
}

export function createSyncMethods(d: WorkerSyncDeps) {
  const buildPath = nextCacheFile(d.cachePath);
  let build: Db | null = null;
  let running: AbortController | null = null;
  let runningDone: Promise<unknown> = Promise.resolve();

  const cache = (): Db => {
    const db = d.cache();
    if (!db) throw new Error('the cache is closed while it is being swapped');
    return db;
  };

  /** A build file left by an earlier run: kept if it checks out, else removed. */
  const resume = (): void => {
    if (build || !existsSync(buildPath)) return;
    let db: Db | null = null;
    try {
      db = openBuild(buildPath);
      const state = schemaVersion(db) === SCHEMA_VERSION ? getMeta(db, 'build_state') : undefined;
      if ((state === 'loading' || state === 'finished' || state === 'image') && db.pragma('quick_check', { simple: true }) === 'ok') {
        build = db;
        return;
      }
    } catch {
      /* unreadable: start over */
    }
    db?.close();
    removeFile(buildPath);
  };
  resume();

  const buildState = (): WorkerSyncState['build'] => {
    if (!build) return null;
    const reason = (getMeta(build, 'build_reason') as BuildReason | undefined) ?? 'initial';
    const state = getMeta(build, 'build_state');
    return { ...fileState(build), reason, finished: state === 'finished', image: state === 'image' };
  };

  const discard = () => {
    build?.close();
    build = null;
    removeFile(buildPath);
  };

  return {
    syncState: (_: null): WorkerSyncState => ({ cache: fileState(cache()), build: buildState() }),

    /** Start a new file for a bulk load (any earlier one is discarded). */
    syncBeginBuild: ({ reason }: { reason: BuildReason }): WorkerSyncState => {
      discard();
      removePart(buildPath); // a cache image given up on
      const db = openBuild(buildPath);
      try {
        migrate(db);
        db.transaction(() => {
          enterBulkMode(db);
          setMeta(db, 'build_reason', reason);
          setMeta(db, 'build_started_at', String(Date.now()));
          setMeta(db, 'build_state', 'loading'); // last: a file without it is discarded on resume
        })();
      } catch (e) {
        db.close();
        removeFile(buildPath);
        throw e;
      }
      build = db;
      return { cache: fileState(cache()), build: buildState() };
    },

    syncPull: async (r: PullRequest): Promise<PullOutcome> => {
      if (running) throw new Error('a pull is already running');
      const db = r.into === 'build' ? build : cache();
      if (!db) throw new Error('no cache is being built');
      const state = r.into === 'build' ? getMeta(db, 'build_state') : undefined;
      if (r.into === 'build' && state !== 'loading' && state !== 'image') throw new Error('the new cache is finished already');
      // A downloaded image is a complete cache: its deltas take the incremental path.
      const bulk = state === 'loading';
      const ac = new AbortController();
      running = ac;
      const pull = pullStream({
          baseUrl: r.baseUrl,
          token: r.token,
          stream: r.stream,
          db,
          bulk,
          limit: r.limit ?? (bulk ? BULK_PAGE : INCREMENTAL_PAGE),
          ...(r.idleTimeoutMs ? { idleTimeoutMs: r.idleTimeoutMs } : {}),
          signal: ac.signal,
          onPage: (progress) => d.post({ type: 'sync.page', into: r.into, progress }),
        });
      runningDone = pull.catch(() => undefined);
      try {
        return await pull;
      } finally {
        running = null;
      }
    },

    /**
     * Download the server's cache image as the new file (any earlier new file is discarded; a download
     * left by an earlier run is resumed). 'ready': the file is checked and in place as the build, to be
     * caught up with syncPull(into: 'build') and finished. Anything else leaves no new file.
     */
    syncFetchImage: async (r: ImageRequest): Promise<ImageResult> => {
      if (running) throw new Error('a pull is already running');
      discard();
      const ac = new AbortController();
      running = ac;
      const job = fetchCacheImage({
        baseUrl: r.baseUrl,
        token: r.token,
        target: buildPath,
        signal: ac.signal,
        ...(r.idleTimeoutMs ? { idleTimeoutMs: r.idleTimeoutMs } : {}),
        onProgress: (received, total) => d.post({ type: 'sync.image', received, total }),
      });
      runningDone = job.catch(() => undefined);
      let out: ImageFetchOutcome;
      try {
        out = await job;
      } finally {
        running = null;
      }
      if (out.kind !== 'ready') return out;
      let db: Db | null = null;
      try {
        db = openBuild(buildPath);
        const opened = db;
        opened.transaction(() => {
          setMeta(opened, 'build_reason', r.reason);
          setMeta(opened, 'build_started_at', String(Date.now()));
          setMeta(opened, 'build_state', 'image');
        })();
      } catch (e) {
        db?.close();
        removeFile(buildPath);
        return { kind: 'refused', detail: `the cache image could not be opened for writing: ${e instanceof Error ? e.message : String(e)}` };
      }
      build = db;
      return { ...out, state: { cache: fileState(cache()), build: buildState() } };
    },

    /** Stop a running pull; its open page is rolled back. */
    syncAbort: (_: null): boolean => {
      running?.abort();
      return running !== null;
    },

    /** Indexes, phones, history, search, statistics: the new file becomes a complete cache. */
    syncFinishBuild: (_: null): FinishTimings => {
      if (!build) throw new Error('no cache is being built');
      const db = build;
      if (getMeta(db, 'build_state') === 'image') {
        setMeta(db, 'build_state', 'finished'); // built by the server, caught up by delta pages
        return {};
      }
      const timings = finishBulkLoad(db, d.rebuildSearch ? { rebuildSearch: d.rebuildSearch } : {});
      setMeta(db, 'build_state', 'finished');
      return timings;
    },

    syncDiscardBuild: (_: null): void => discard(),

    /**
     * Close both files so the main process can move the finished one over the cache. The new file is
     * made durable first (fsync) and leaves no journal behind.
     */
    syncReleaseForSwap: (_: null): { from: string; to: string } => {
      if (!build || getMeta(build, 'build_state') !== 'finished') throw new Error('no finished cache to swap in');
      build.pragma('journal_mode = DELETE');
      build.close();
      build = null;
      // Written with synchronous=OFF: make it durable before it takes the cache's place.
      const fd = openSync(buildPath, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      d.closeCache();
      return { from: buildPath, to: d.cachePath };
    },

    syncReopen: (_: null): WorkerSyncState => {
      syncDir(dirname(d.cachePath)); // the swap's rename, made durable off the main thread
      d.reopenCache();
      const db = cache();
      db.transaction(() => {
        for (const k of ['build_reason', 'build_started_at', 'build_state', 'image_built_at']) db.prepare('DELETE FROM meta WHERE k = ?').run(k);
      })();
      return { cache: fileState(cache()), build: buildState() };
    },

    /** Stop pulling (its open page rolls back) and close the build file: the worker is about to close. */
    syncClose: async (): Promise<void> => {
      running?.abort();
      await runningDone;
      build?.close();
      build = null;
    },
  };
}

export type SyncMethods = ReturnType<typeof createSyncMethods>;
