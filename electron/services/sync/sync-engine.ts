// The main process's side of sync: when to pull and what the agent sees. The work itself (HTTP,
// checking lines, SQLite) runs in the writer worker (worker-sync.ts, pull.ts); this file only decides.
//
// One cycle:
//   a finished new file is waiting            → swap it in
//   a new file is being built (initial/reset) → pull both streams into it in bulk, finish it, swap
//   the cache has never synced                → start a new file ('initial') and go on as above
//   otherwise                                 → pull both streams into the cache, page by page
// A 410 (reset) starts a new file ('rebuild') while the old cache keeps serving lookups. A 401 ends the
// session. A new file is first asked of the backend whole (a cache image, cache-image.ts): downloaded,
// checked, then caught up by delta pages; with no usable image (none, another schema, refused) it is
// built from NDJSON pages as before, and after MAX_IMAGE_FAILURES interrupted downloads in a row too. Anything else stops at the last good page with a plain error, and the cycle is retried with
// exponential backoff and jitter (sooner if a live nudge shows the backend is back).
// The live socket is the session's (session/live-connection.ts, one per signed-in desktop): the engine
// subscribes to it and pulls on its hello, on nudges and when the machine woke up.
import { SYNC_STREAMS, type SyncStream } from '../../../shared/sync/protocol';
import type { SyncErrorKind, SyncStatus } from '../../../shared/domain/session';
import type { CacheStatusData } from '../db/writer';
import type { WriterClient } from '../db/writer-client';
import type { Logger } from '../router';
import { backoffDelay } from './backoff';
import type { LiveEvent, LiveFeed } from '../session/live-connection';
import type { PullOutcome } from './pull';
import type { BuildReason, SyncWorkerEvent, WorkerSyncState } from './worker-sync';

export interface SyncConnection {
  baseUrl: string;
  token: string;
}

export interface SyncEngineDeps {
  writer: Pick<WriterClient, 'call' | 'onEvent'>;
  /** Move the finished new file over the cache (closing and reopening every connection). */
  swapCache(): Promise<void>;
  onStatus(status: SyncStatus): void;
  /** The backend refused the token: the session is over. */
  onUnauthorized(detail: string): void;
  /** Rows changed in the cache that serves lookups (counts computed by the worker). */
  onCacheChanged(status: CacheStatusData): void;
  log: Logger;
  /** The session's live socket, followed while syncing; null: pull at start, on Retry and on retries only (tests). */
  live: LiveFeed | null;
  random?: () => number;
  now?: () => number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Changes per page (tests use small pages to get many of them). */
  pageLimits?: { bulk?: number; incremental?: number };
  /** How long a stalled page may wait for bytes. */
  idleTimeoutMs?: number;
  /** Shortest time between two progress events. */
  progressEveryMs?: number;
  /** Ask the backend for a cache image before building a new file from pages (default true; tests and the benchmark compare both paths). */
  cacheImages?: boolean;
}

class Failure extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Share of a new file's progress bar per step: customers, then history, then finishing. */
const WEIGHTS: Record<SyncStream, [number, number]> = { customers: [0, 0.7], interactions: [0.7, 0.95] };
const MAX_RESETS_IN_A_ROW = 3;
const MAX_IMAGE_FAILURES = 3;

export class SyncEngine {
  private conn: SyncConnection | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private generation = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly known: Record<SyncStream, number> = { customers: 0, interactions: 0 };
  private readonly wanted: Record<SyncStream, number> = { customers: 0, interactions: 0 };
  private buildRows = 0;
  private imageFailures = 0;
  /** The new file is a downloaded image catching up (its page events are no progress bar). */
  private imageBuild = false;
  private lastEmit = 0;
  private emitTimer: NodeJS.Timeout | null = null;
  private readonly unlisten: () => void;
  private readonly unsubscribe: () => void;
  private s: SyncStatus = {
    state: 'off',
    phase: null,
    lastSyncedAt: null,
    customers: 0,
    interactions: 0,
    progress: null,
    error: null,
    retryAt: null,
    live: false,
  };

  constructor(private readonly d: SyncEngineDeps) {
    this.unlisten = d.writer.onEvent((e) => this.onWorkerEvent(e));
    this.unsubscribe =
      d.live?.subscribe({
        onHello: (seq) => {
          this.nudge('customers', seq);
          this.nudge('interactions', seq);
        },
        onMessage: (m: LiveEvent) => {
          if (m.type === 'customers.changed') this.nudge('customers', m.seq);
          else if (m.type === 'interactions.changed') this.nudge('interactions', m.seq);
        },
        onConnected: (connected) => {
          if (this.conn) this.set({ live: connected });
        },
        onWake: () => {
          if (this.conn) this.syncNow();
        },
      }) ?? (() => undefined);
  }

  status(): SyncStatus {
    return this.s;
  }

  /** Counts of the serving cache (e.g. at start, before any sync). */
  setCounts(counts: { customers: number; interactions: number }): void {
    this.set({ customers: counts.customers, interactions: counts.interactions });
  }

  /** Sync with this backend and token (signed in). A different one restarts; the same one is a no-op. */
  async start(conn: SyncConnection): Promise<void> {
    if (this.conn && this.conn.baseUrl === conn.baseUrl && this.conn.token === conn.token) return;
    await this.stop();
    this.conn = conn;
    ++this.generation;
    this.attempt = 0;
    this.set({ state: 'syncing', error: null, retryAt: null, live: this.d.live?.connected ?? false });
    this.kick();
  }

  /** Stop pulling (signed out, backend changed, app closing). The page in flight rolls back. */
  async stop(): Promise<void> {
    this.generation++;
    this.conn = null;
    this.clearRetry();
    const running = this.running;
    if (running) {
      await this.d.writer.call('syncAbort', null).catch(() => undefined);
      await running.catch(() => undefined);
    }
    this.set({ state: 'off', phase: null, progress: null, error: null, retryAt: null, live: false });
  }

  async close(): Promise<void> {
    await this.stop();
    this.unlisten();
    this.unsubscribe();
    if (this.emitTimer) clearTimeout(this.emitTimer);
  }

  /** The backend has changes up to `seq` on a stream. */
  nudge(stream: SyncStream, seq: number): void {
    if (!this.conn) return;
    this.wanted[stream] = Math.max(this.wanted[stream], seq);
    if (seq <= this.known[stream]) return;
    this.kick();
  }

  /** Pull now: the agent pressed Retry, or the computer woke up (the live socket's onWake). */
  syncNow(): void {
    this.attempt = 0;
    this.kick();
  }

  /** Resolves when no cycle is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  // ------------------------------------------------------------------------------------------------

  private kick(): void {
    if (!this.conn) return;
    this.clearRetry();
    if (this.running) {
      this.again = true;
      return;
    }
    const gen = this.generation;
    this.running = (async () => {
      let ok: boolean;
      do {
        this.again = false;
        ok = await this.cycle(gen);
        // After a failure the retry timer decides when to try again (a nudge then cuts it short).
      } while (ok && this.again && gen === this.generation);
    })().finally(() => {
      this.running = null;
    });
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.s.retryAt !== null) this.set({ retryAt: null });
  }

  /** One cycle; false when it failed (a retry is scheduled). */
  private async cycle(gen: number): Promise<boolean> {
    const conn = this.conn;
    if (!conn) return false;
    const live = () => gen === this.generation;
    try {
      let resets = 0;
      let changed = false;
      let st = await this.d.writer.call('syncState', null);
      this.remember(st);
      if (this.s.lastSyncedAt === null) this.set({ lastSyncedAt: syncedAt(st) });
      this.set({ state: 'syncing', error: null, retryAt: null, phase: st.build ? st.build.reason : this.s.phase });
      for (;;) {
        if (!live()) return false;
        if (st.build?.finished) {
          this.set({ progress: { fraction: 1, rows: this.buildRows } });
          await this.d.swapCache();
          this.buildRows = 0;
          st = await this.d.writer.call('syncState', null);
          this.remember(st);
          // The new cache serves lookups from now on: say so before catching up on what changed meanwhile.
          const counts = await this.d.writer.call('status', null);
          this.d.onCacheChanged(counts);
          this.set({ phase: 'update', progress: null, customers: counts.customers, interactions: counts.interactions });
          continue;
        }
        if (st.build) {
          this.imageBuild = st.build.image;
          this.set({ phase: st.build.reason, progress: this.s.progress ?? { fraction: st.build.image ? 1 : 0, rows: 0 } });
          let reset: BuildReason | null = null;
          for (const stream of SYNC_STREAMS) {
            const out = await this.pull(conn, stream, 'build');
            if (!live()) return false;
            if (out === 'reset') {
              reset = 'rebuild';
              break;
            }
          }
          if (reset) {
            if (++resets > MAX_RESETS_IN_A_ROW) throw new Failure('server', 'the backend keeps asking for a fresh copy of the cache');
            st = await this.begin('rebuild');
            continue;
          }
          if (!this.imageBuild) this.set({ progress: { fraction: WEIGHTS.interactions[1], rows: this.buildRows } });
          const t = await this.d.writer.call('syncFinishBuild', null);
          this.d.log.info(this.imageBuild ? 'new cache finished (a cache image, caught up)' : `new cache finished (${Object.entries(t).map(([k, v]) => `${k} ${v} ms`).join(', ')})`);
          st = await this.d.writer.call('syncState', null);
          continue;
        }
        if (st.cache.customers.epoch === null) {
          st = await this.begin('initial');
          continue;
        }
        this.set({ phase: 'update', progress: null });
        let reset = false;
        for (const stream of SYNC_STREAMS) {
          const out = await this.pull(conn, stream, 'cache');
          if (!live()) return false;
          if (out === 'reset') {
            reset = true;
            break;
          }
          if (out === 'changed') changed = true;
        }
        if (reset) {
          if (++resets > MAX_RESETS_IN_A_ROW) throw new Failure('server', 'the backend keeps asking for a fresh copy of the cache');
          st = await this.begin('rebuild');
          continue;
        }
        break;
      }
      this.attempt = 0;
      const counts = changed ? await this.d.writer.call('status', null) : null;
      if (!live()) return false;
      if (counts) this.d.onCacheChanged(counts);
      this.set({
        state: 'idle',
        phase: null,
        progress: null,
        error: null,
        retryAt: null,
        lastSyncedAt: (this.d.now ?? Date.now)(),
        ...(counts ? { customers: counts.customers, interactions: counts.interactions } : {}),
      });
      // A nudge that arrived while the last page was being written may be newer than what we hold.
      if (SYNC_STREAMS.some((s) => this.wanted[s] > this.known[s])) this.again = true;
      return true;
    } catch (e) {
      if (!live() || e instanceof Quiet) return false;
      const f = e instanceof Failure ? e : new Failure('storage', e instanceof Error ? e.message : String(e));
      this.fail(f);
      return false;
    }
  }

  private async begin(reason: BuildReason): Promise<WorkerSyncState> {
    this.buildRows = 0;
    this.set({ phase: reason, progress: { fraction: 0, rows: 0 } });
    const conn = this.conn;
    if (conn && this.d.cacheImages !== false && this.imageFailures < MAX_IMAGE_FAILURES) {
      const out = await this.d.writer.call('syncFetchImage', { baseUrl: conn.baseUrl, token: conn.token, reason, ...(this.d.idleTimeoutMs ? { idleTimeoutMs: this.d.idleTimeoutMs } : {}) });
      switch (out.kind) {
        case 'ready': {
          this.imageFailures = 0;
          const m = out.manifest;
          this.d.log.info(
            `cache image downloaded (${m.rows.customers} customers, ${m.rows.interactions} interactions, ${Math.round(m.bytes / 2 ** 20)} MiB, ` +
              `${out.downloadedBytes} bytes this time, checked in ${out.verifyMs} ms); catching up from seq ${m.cursors.customers.cursor}`,
          );
          this.buildRows = m.rows.customers;
          this.imageBuild = true;
          this.set({ progress: { fraction: 1, rows: m.rows.customers } });
          this.remember(out.state);
          return out.state;
        }
        case 'none':
          this.d.log.info(`no cache image to download (${out.detail}): loading the customers page by page`);
          break;
        case 'refused':
          this.d.log.warn(`${out.detail}; it was discarded: loading the customers page by page`);
          break;
        case 'failed':
          // The part is kept: the retry resumes it (or, after a few failures, loads page by page).
          if (++this.imageFailures >= MAX_IMAGE_FAILURES) this.d.log.warn(`the cache image download failed ${this.imageFailures} times: loading page by page instead`);
          throw new Failure(out.error.kind, out.error.detail);
        case 'unauthorized':
          this.unauthorized(out.detail);
          throw new Quiet();
        case 'aborted':
          throw new Quiet();
      }
    }
    this.imageBuild = false;
    const st = await this.d.writer.call('syncBeginBuild', { reason });
    this.remember(st);
    return st;
  }

  /** One stream to the end: 'changed' (rows applied), 'same', or 'reset'. Throws Failure or Unauthorized. */
  private async pull(conn: SyncConnection, stream: SyncStream, into: 'cache' | 'build'): Promise<'changed' | 'same' | 'reset'> {
    const limit = into === 'build' ? this.d.pageLimits?.bulk : this.d.pageLimits?.incremental;
    const out: PullOutcome = await this.d.writer.call('syncPull', {
      baseUrl: conn.baseUrl,
      token: conn.token,
      stream,
      into,
      ...(limit ? { limit } : {}),
      ...(this.d.idleTimeoutMs ? { idleTimeoutMs: this.d.idleTimeoutMs } : {}),
    });
    switch (out.kind) {
      case 'caught_up':
        this.known[stream] = out.cursor.cursor;
        return out.rows > 0 ? 'changed' : 'same';
      case 'reset':
        this.d.log.warn(`sync ${stream}: the backend asked for a fresh copy (${out.reason}): ${out.detail}`);
        return 'reset';
      case 'unauthorized':
        this.unauthorized(out.detail);
        throw new Quiet();
      case 'aborted':
        throw new Quiet(); // stopped on purpose: nothing to report
      case 'failed':
        this.known[stream] = out.cursor.cursor;
        throw new Failure(out.error.kind, out.error.detail);
    }
  }

  private unauthorized(detail: string): void {
    this.generation++;
    this.conn = null;
    this.clearRetry();
    this.set({ state: 'off', phase: null, progress: null, error: null, retryAt: null, live: false });
    this.d.onUnauthorized(detail);
  }

  private fail(f: Failure): void {
    const delay = backoffDelay(this.attempt++, this.d.retryMinMs ?? 1000, this.d.retryMaxMs ?? 60_000, this.d.random);
    const retryAt = (this.d.now ?? Date.now)() + delay;
    this.d.log.warn(`sync stopped at the last good page (${f.kind}): ${f.message}; next try in ${Math.round(delay / 1000)} s`);
    this.set({ state: 'error', error: { kind: f.kind, detail: f.message.slice(0, 500) }, retryAt });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, delay);
    this.retryTimer.unref?.();
  }

  private remember(st: WorkerSyncState): void {
    for (const s of SYNC_STREAMS) this.known[s] = st.cache[s].cursor;
  }

  private onWorkerEvent(e: SyncWorkerEvent): void {
    if (!this.conn) return;
    if (e.type === 'sync.image') {
      const fraction = e.total > 0 ? Math.round((e.received / e.total) * 1000) / 1000 : 0;
      this.set({ progress: { fraction, rows: 0, download: { received: e.received, total: e.total } } }, true);
      return;
    }
    const p = e.progress;
    if (e.into !== 'build') {
      this.known[p.stream] = p.cursor;
      return;
    }
    if (this.imageBuild) return; // deltas into a downloaded image: the bar stays full
    if (p.stream === 'customers') this.buildRows = p.rows;
    const [from, to] = WEIGHTS[p.stream];
    const span = p.highWater - p.startedAt;
    const part = p.more ? (span > 0 ? Math.min(1, Math.max(0, (p.cursor - p.startedAt) / span)) : 0) : 1;
    this.set({ progress: { fraction: Math.round((from + (to - from) * part) * 1000) / 1000, rows: this.buildRows } }, true);
  }

  private set(patch: Partial<SyncStatus>, throttled = false): void {
    this.s = { ...this.s, ...patch };
    if (!throttled) {
      this.emitNow();
      return;
    }
    const every = this.d.progressEveryMs ?? 250;
    const wait = this.lastEmit + every - Date.now();
    if (wait <= 0) this.emitNow();
    else if (!this.emitTimer) {
      this.emitTimer = setTimeout(() => {
        this.emitTimer = null;
        this.emitNow();
      }, wait);
    }
  }

  private emitNow(): void {
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitTimer = null;
    this.lastEmit = Date.now();
    this.d.onStatus(this.s);
  }
}

/** A cycle that ends without an error to show: the session ended, or sync was stopped on purpose. */
class Quiet extends Error {}

function syncedAt(st: WorkerSyncState): number | null {
  const a = st.cache.customers.syncedAt;
  const b = st.cache.interactions.syncedAt;
  return a === null || b === null ? null : Math.min(a, b);
}
