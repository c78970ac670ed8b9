// Where the desktop's backend is, and (for the built-in one) keeping it running. The desktop talks to
// every backend the same way, over HTTP; only how the URL comes about differs:
//   embedded  the backend built into the app, run from its own built entry (out/main/embedded-backend.js,
//             from backend/embedded-worker.ts) in a worker thread: PGlite in <data>/backend, 127.0.0.1
//   remote    a URL from the settings (a shared backend on PostgreSQL)
//   off       no backend: PBX-only setups and tests of the phone; the cache holds imported customers
// electron/ never imports backend/ code (eslint fence): the worker is loaded by URL, like the DB writer.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendMode } from '../../../shared/domain/session';
import type { NumberPlan } from '../../../shared/domain/settings';
import type { DemoAccountEntry, EmbeddedBackendMessage, EmbeddedBackendStart } from '../../../shared/sync/embedded';
import type { WriterScript } from '../db/writer-client';

export type HostState = 'starting' | 'ready' | 'failed' | 'off';

export interface BackendHost {
  readonly mode: BackendMode;
  /** 'embedded' for the built-in one, else the URL: what a stored session belongs to. */
  readonly identity: string;
  state(): HostState;
  /** The base URL once ready. */
  currentUrl(): string | null;
  /** Why the built-in backend is not running. */
  error(): string | null;
  /** Resolves with the base URL when ready (starting the built-in one again if it failed). */
  url(): Promise<string>;
  /** The built-in backend's demo agent, when its demo data is in use. */
  demoAgent(): DemoAccountEntry | null;
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

export function remoteHost(url: string): BackendHost {
  const base = url.replace(/\/+$/, '');
  return {
    mode: 'remote',
    identity: base,
    state: () => 'ready',
    currentUrl: () => base,
    error: () => null,
    url: async () => base,
    demoAgent: () => null,
    onChange: () => () => undefined,
    close: async () => undefined,
  };
}

export function offHost(): BackendHost {
  return {
    mode: 'off',
    identity: 'off',
    state: () => 'off',
    currentUrl: () => null,
    error: () => 'no backend is configured',
    url: async () => {
      throw new BackendUnavailableError('no backend is configured (LIANLUO_BACKEND=off)');
    },
    demoAgent: () => null,
    onChange: () => () => undefined,
    close: async () => undefined,
  };
}

export interface EmbeddedHostOptions {
  script: WriterScript;
  /** The desktop's data folder; the backend keeps its files in <dataDir>/backend. */
  dataDir: string;
  demoCustomers: number;
  plan?: NumberPlan;
  log: { info(m: string): void; warn(m: string): void };
}

/** The built-in backend, started now in a worker thread. */
export function embeddedHost(o: EmbeddedHostOptions): BackendHost {
  const dir = join(o.dataDir, 'backend');
  const listeners = new Set<() => void>();
  let state: HostState = 'starting';
  let url: string | null = null;
  let error: string | null = null;
  let demoFile: string | null = null;
  let worker: Worker | null = null;
  let ready: Promise<string>;
  let closed = false;

  const changed = () => {
    for (const l of listeners) l();
  };

  const start = (): Promise<string> => {
    state = 'starting';
    error = null;
    changed();
    const t0 = performance.now();
    const data: EmbeddedBackendStart = { dataDir: dir, demoCustomers: o.demoCustomers, ...(o.plan ? { plan: o.plan } : {}) };
    const w = new Worker(o.script.url, { workerData: data, execArgv: o.script.execArgv ?? [] });
    worker = w;
    return new Promise<string>((resolve, reject) => {
      const failed = (message: string) => {
        if (worker === w) worker = null;
        url = null;
        state = 'failed';
        error = message;
        changed();
        reject(new BackendUnavailableError(message));
      };
      w.on('message', (m: EmbeddedBackendMessage) => {
        if (m.type === 'ready') {
          url = m.url;
          demoFile = m.demoAccountsFile;
          state = 'ready';
          o.log.info(`built-in backend ready on ${m.url} in ${Math.round(performance.now() - t0)} ms (PGlite in ${dir})`);
          changed();
          resolve(m.url);
        } else if (m.type === 'failed') failed(`the built-in backend could not start: ${m.message}`);
      });
      w.on('error', (e) => failed(`the built-in backend stopped: ${e.message}`));
      w.on('exit', (code) => {
        if (closed || worker !== w) return;
        // It died under us (PGlite aborted, out of memory): our lock file would block a restart.
        releaseOwnLock(dir);
        failed(`the built-in backend stopped (exit code ${code})`);
      });
    });
  };

  ready = start();
  ready.catch((e: unknown) => o.log.warn(e instanceof Error ? e.message : String(e)));

  return {
    mode: 'embedded',
    identity: 'embedded',
    state: () => state,
    currentUrl: () => url,
    error: () => error,
    url: () => {
      if (state === 'failed' && !closed) {
        releaseOwnLock(dir);
        ready = start();
      }
      return ready;
    },
    demoAgent: () => {
      if (!demoFile || !existsSync(demoFile)) return null;
      try {
        const list = JSON.parse(readFileSync(demoFile, 'utf8')) as DemoAccountEntry[];
        return list.find((a) => a.role === 'agent' && typeof a.password === 'string') ?? null;
      } catch {
        return null;
      }
    },
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async close() {
      if (closed) return;
      closed = true;
      const w = worker;
      worker = null;
      state = 'off';
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage({ type: 'close' });
      const timer = setTimeout(() => void w.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
      releaseOwnLock(dir);
    },
  };
}

/** The backend's lock file names the process holding the folder; a worker of ours that is gone leaves ours. */
function releaseOwnLock(dir: string): void {
  const file = join(dir, 'backend.lock');
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    /* no lock */
  }
}
