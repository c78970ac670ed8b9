// The sync engine's decisions (electron/services/sync/sync-engine.ts), with a scripted writer worker:
// which file a cycle writes to (new file for a first sync, the cache after), a 410 that starts a
// rebuild while the old cache keeps serving, a finished file swapped in, failures retried with backoff
// and cut short by a live nudge, a 401 that ends the session, nudges that are already covered ignored.
import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../shared/domain/session';
import type { SyncStream } from '../../../shared/sync/protocol';
import type { PullOutcome } from '../../../electron/services/sync/pull';
import type { WorkerSyncState, SyncWorkerEvent } from '../../../electron/services/sync/worker-sync';
import { SyncEngine } from '../../../electron/services/sync/sync-engine';
import type { WriterClient } from '../../../electron/services/db/writer-client';

const cursor = (stream: SyncStream, n: number, epoch: string | null = n ? 'e.1.0' : null) => ({ stream, cursor: n, epoch, highWater: n, syncedAt: n ? 1 : null });

type Script = (req: { stream: SyncStream; into: 'cache' | 'build' }) => PullOutcome;

class FakeWriter {
  cache = { customers: 0, interactions: 0 };
  epoch: string | null = null;
  build: { reason: 'initial' | 'rebuild'; finished: boolean; image: boolean; customers: number; interactions: number } | null = null;
  /** What syncFetchImage answers (the backend has no cache image unless a test says so). */
  image: unknown = { kind: 'none', detail: 'HTTP 404' };
  calls: string[] = [];
  script: Script = ({ stream, into }) => this.caughtUp(stream, into, 10);
  swaps = 0;

  caughtUp(stream: SyncStream, into: 'cache' | 'build', to: number): PullOutcome {
    const target = into === 'build' ? this.build! : this.cache;
    const rows = Math.max(0, to - target[stream]);
    target[stream] = to;
    if (into === 'cache') this.epoch = 'e.1.0';
    return { kind: 'caught_up', stream, pages: 1, rows, cursor: cursor(stream, to) };
  }

  state(): WorkerSyncState {
    return {
      cache: { customers: cursor('customers', this.cache.customers, this.epoch), interactions: cursor('interactions', this.cache.interactions, this.epoch) },
      build: this.build ? { ...this.build, customers: cursor('customers', this.build.customers), interactions: cursor('interactions', this.build.interactions) } : null,
    };
  }

  client(): Pick<WriterClient, 'call' | 'onEvent'> {
    return {
      onEvent: (_l: (e: SyncWorkerEvent) => void) => () => undefined,
      call: (async (method: string, arg: unknown) => {
        this.calls.push(method === 'syncPull' ? `pull ${(arg as { stream: string }).stream}→${(arg as { into: string }).into}` : method);
        switch (method) {
          case 'syncState':
            return this.state();
          case 'syncBeginBuild':
            this.build = { reason: (arg as { reason: 'initial' | 'rebuild' }).reason, finished: false, image: false, customers: 0, interactions: 0 };
            return this.state();
          case 'syncFetchImage':
            return this.image;
          case 'syncPull':
            return this.script(arg as { stream: SyncStream; into: 'cache' | 'build' });
          case 'syncFinishBuild':
            this.build!.finished = true;
            return { phones: 1 };
          case 'syncAbort':
            return false;
          case 'status':
            return { customers: this.cache.customers, phones: 0, interactions: this.cache.interactions, schemaVersion: 3, source: 'sync' };
          default:
            throw new Error(`unexpected ${method}`);
        }
      }) as WriterClient['call'],
    };
  }

  swap = async () => {
    this.swaps++;
    this.cache = { customers: this.build!.customers, interactions: this.build!.interactions };
    this.epoch = 'e.1.0';
    this.build = null;
  };
}

function engine(w: FakeWriter, o: { unauthorized?: string[]; statuses?: SyncStatus[] } = {}) {
  return new SyncEngine({
    writer: w.client(),
    swapCache: w.swap,
    onStatus: (s) => o.statuses?.push(s),
    onUnauthorized: (d) => o.unauthorized?.push(d),
    onCacheChanged: () => undefined,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    live: null,
    random: () => 0.5,
    retryMinMs: 40,
    retryMaxMs: 200,
    progressEveryMs: 0,
  });
}

const until = async (fn: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const conn = { baseUrl: 'http://b', token: 't' };

describe('sync engine', () => {
  it('a first sync goes into a new file in bulk, is finished, swapped in, then checked incrementally', async () => {
    const w = new FakeWriter();
    const e = engine(w);
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    expect(w.calls).toEqual([
      'syncState',
      'syncFetchImage',
      'syncBeginBuild',
      'pull customers→build',
      'pull interactions→build',
      'syncFinishBuild',
      'syncState',
      'syncState',
      'status',
      'pull customers→cache',
      'pull interactions→cache',
    ]);
    expect(w.swaps).toBe(1);
    expect(e.status()).toMatchObject({ state: 'idle', phase: null, customers: 10, error: null });
    await e.close();
  });

  it('a 410 on the cache starts a rebuild; the old cache is swapped only when the new one is finished', async () => {
    const w = new FakeWriter();
    w.cache = { customers: 5, interactions: 5 };
    w.epoch = 'e.1.0';
    let resets = 1;
    w.script = ({ stream, into }) =>
      into === 'cache' && resets-- > 0 ? { kind: 'reset', stream, reason: 'epoch_changed', detail: 'another dataset', pages: 0, rows: 0 } : w.caughtUp(stream, into, 20);
    const statuses: SyncStatus[] = [];
    const e = engine(w, { statuses });
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    expect(w.calls.slice(0, 7)).toEqual(['syncState', 'pull customers→cache', 'syncFetchImage', 'syncBeginBuild', 'pull customers→build', 'pull interactions→build', 'syncFinishBuild']);
    expect(statuses.some((s) => s.phase === 'rebuild')).toBe(true);
    expect(w.swaps).toBe(1);
    expect(w.cache.customers).toBe(20);
    await e.close();
  });

  it('a failure stops the cycle with a plain error and a retry time; it is retried with backoff until it works', async () => {
    const w = new FakeWriter();
    w.cache = { customers: 5, interactions: 5 };
    w.epoch = 'e.1.0';
    let failures = 3;
    w.script = ({ stream, into }) =>
      failures-- > 0
        ? { kind: 'failed', stream, error: { kind: 'offline', detail: 'cannot reach the backend' }, pages: 0, rows: 0, cursor: cursor(stream, 5) }
        : w.caughtUp(stream, into, 9);
    const statuses: SyncStatus[] = [];
    const e = engine(w, { statuses });
    const t0 = Date.now();
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    const errors = statuses.filter((s) => s.state === 'error' && s.retryAt !== null);
    expect(new Set(errors.map((s) => s.retryAt)).size).toBe(3);
    expect(errors[0]?.error).toEqual({ kind: 'offline', detail: 'cannot reach the backend' });
    // 20 + 40 + 80 ms at least (equal jitter with random 0.5: three quarters of each step).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await e.close();
  });

  it('a live nudge cuts the wait short; a nudge the cache already covers does nothing', async () => {
    const w = new FakeWriter();
    w.cache = { customers: 5, interactions: 5 };
    w.epoch = 'e.1.0';
    let failing = true;
    w.script = ({ stream, into }) =>
      failing ? { kind: 'failed', stream, error: { kind: 'offline', detail: 'down' }, pages: 0, rows: 0, cursor: cursor(stream, 5) } : w.caughtUp(stream, into, 30);
    const e = new SyncEngine({
      writer: w.client(),
      swapCache: w.swap,
      onStatus: () => undefined,
      onUnauthorized: () => undefined,
      onCacheChanged: () => undefined,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      live: null,
      retryMinMs: 60_000,
      retryMaxMs: 60_000,
    });
    await e.start(conn);
    await until(() => e.status().state === 'error');
    failing = false;
    e.nudge('customers', 30); // the backend is back and has news: no waiting a minute
    await until(() => e.status().state === 'idle');
    const pulls = w.calls.filter((c) => c.startsWith('pull')).length;
    e.nudge('customers', 30);
    e.nudge('interactions', 12);
    await new Promise((r) => setTimeout(r, 30));
    expect(w.calls.filter((c) => c.startsWith('pull')).length).toBe(pulls);
    await e.close();
  });

  it('a 401 ends the session: onUnauthorized once, sync off, no retry', async () => {
    const w = new FakeWriter();
    w.cache = { customers: 5, interactions: 5 };
    w.epoch = 'e.1.0';
    w.script = ({ stream }) => ({ kind: 'unauthorized', stream, detail: 'the session token is unknown, expired or revoked', pages: 0, rows: 0 });
    const unauthorized: string[] = [];
    const e = engine(w, { unauthorized });
    await e.start(conn);
    await until(() => unauthorized.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(unauthorized).toEqual(['the session token is unknown, expired or revoked']);
    expect(e.status()).toMatchObject({ state: 'off', error: null, retryAt: null });
    expect(w.calls.filter((c) => c.startsWith('pull')).length).toBe(1);
    await e.close();
  });

  it('a finished new file left by an earlier run is swapped in first', async () => {
    const w = new FakeWriter();
    w.build = { reason: 'initial', finished: true, image: false, customers: 40, interactions: 40 };
    w.script = ({ stream, into }) => w.caughtUp(stream, into, 40);
    const e = engine(w);
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    expect(w.calls.slice(0, 3)).toEqual(['syncState', 'syncState', 'status']);
    expect(w.swaps).toBe(1);
    expect(w.cache.customers).toBe(40);
    await e.close();
  });

  it('a cache image, when the backend has one, replaces the bulk load: its deltas go into the new file, then the swap', async () => {
    const w = new FakeWriter();
    const manifest = { rows: { customers: 30, interactions: 5 }, bytes: 1 << 20, cursors: { customers: { cursor: 30 }, interactions: { cursor: 30 } } };
    w.client = ((orig) => () => {
      const c = orig();
      return {
        ...c,
        call: (async (method: string, arg: unknown) => {
          if (method !== 'syncFetchImage') return c.call(method as never, arg as never);
          w.calls.push(method);
          w.build = { reason: 'initial', finished: false, image: true, customers: 30, interactions: 30 };
          return { kind: 'ready', manifest, downloadedBytes: 1 << 20, verifyMs: 1, state: w.state() };
        }) as WriterClient['call'],
      };
    })(w.client.bind(w));
    w.script = ({ stream, into }) => w.caughtUp(stream, into, 35);
    const statuses: SyncStatus[] = [];
    const e = engine(w, { statuses });
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    expect(w.calls.slice(0, 6)).toEqual(['syncState', 'syncFetchImage', 'pull customers→build', 'pull interactions→build', 'syncFinishBuild', 'syncState']);
    expect(w.calls).not.toContain('syncBeginBuild');
    expect(w.swaps).toBe(1);
    expect(w.cache.customers).toBe(35);
    // The bar never goes back once the image is in: the delta pages are no bulk load.
    const fractions = statuses.filter((s) => s.phase === 'initial' && s.progress).map((s) => s.progress!.fraction);
    expect(fractions.at(-1)).toBe(1);
    await e.close();
  });

  it('an interrupted image download is retried (resumed by the worker) and after three failures the pages are used', async () => {
    const w = new FakeWriter();
    w.image = { kind: 'failed', error: { kind: 'offline', detail: 'cut off' } };
    const e = engine(w);
    await e.start(conn);
    await until(() => e.status().state === 'idle', 5000);
    expect(w.calls.filter((c) => c === 'syncFetchImage')).toHaveLength(3);
    expect(w.calls.filter((c) => c === 'syncBeginBuild')).toHaveLength(1);
    expect(w.calls.indexOf('syncBeginBuild')).toBeGreaterThan(w.calls.lastIndexOf('syncFetchImage'));
    expect(w.swaps).toBe(1);
    await e.close();
  });

  it('a refused image falls back to the pages in the same cycle', async () => {
    const w = new FakeWriter();
    w.image = { kind: 'refused', detail: 'its schema differs' };
    const e = engine(w);
    await e.start(conn);
    await until(() => e.status().state === 'idle');
    expect(w.calls.slice(0, 4)).toEqual(['syncState', 'syncFetchImage', 'syncBeginBuild', 'pull customers→build']);
    expect(e.status().error).toBeNull();
    await e.close();
  });
});
