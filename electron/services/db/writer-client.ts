// The main process's handle on the writer worker: typed calls, matched replies, clean shutdown.
import { Worker } from 'node:worker_threads';
import type { Writer, WriterMethod } from './writer';
import type { SyncWorkerEvent } from '../sync/worker-sync';

type Arg<M extends WriterMethod> = Parameters<Writer[M]>[0];
type Ret<M extends WriterMethod> = Awaited<ReturnType<Writer[M]>>;

export interface WriterClient {
  call<M extends WriterMethod>(method: M, arg: Arg<M>): Promise<Ret<M>>;
  /** Events the worker posts on its own (sync progress). Returns an unsubscribe function. */
  onEvent(listener: (event: SyncWorkerEvent) => void): () => void;
  close(): Promise<void>;
}

export class WriterError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface WriterScript {
  /** The built worker file (…/db-writer.js) or, in tests, the TypeScript source run through tsx. */
  url: URL;
  execArgv?: string[];
}

export function startWriter(script: WriterScript, dbPath: string): WriterClient {
  const worker = new Worker(script.url, {
    workerData: { dbPath },
    execArgv: script.execArgv ?? [],
    resourceLimits: { maxOldGenerationSizeMb: 1024 },
  });
  let seq = 0;
  let dead: Error | undefined;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(event: SyncWorkerEvent) => void>();
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { name: string; message: string }; event?: SyncWorkerEvent }) => {
    if (m.event) {
      for (const l of listeners) l(m.event);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new WriterError(m.error?.name ?? 'Error', m.error?.message ?? 'writer failed'));
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`database writer stopped (exit code ${code})`)));
  return {
    call(method, arg) {
      if (dead) return Promise.reject(dead);
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, method, arg });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (dead) return;
      // Let the worker close its connection (checkpointing the WAL); terminate only if it hangs.
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ close: true });
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
