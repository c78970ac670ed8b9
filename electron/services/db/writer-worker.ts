// Worker-thread entry: owns the cache's write connection (and, during a bulk sync, the new file being
// built) and dispatches requests to writer.ts and services/sync/worker-sync.ts. Methods may be async
// (a sync pull awaits the network); events (sync progress) are posted without an id.
import { parentPort, workerData } from 'node:worker_threads';
import { openDb, type Db } from './open';
import { rebuildSearchIndex } from './search';
import { lowerThreadPriority } from './thread-priority';
import { createWriter, type WriterMethod } from './writer';
import { createSyncMethods, type SyncWorkerEvent } from '../sync/worker-sync';

interface Request {
  id: number;
  method: WriterMethod;
  arg: unknown;
}

const port = parentPort;
if (!port) throw new Error('writer-worker must run in a worker thread');
// Below the main thread and the renderer: a bulk sync must not delay a screen pop (thread-priority.ts).
lowerThreadPriority();
const { dbPath } = workerData as { dbPath: string };
let db: Db | null = openDb(dbPath);
let writer = createWriter(db);
const sync = createSyncMethods({
  cachePath: dbPath,
  cache: () => db,
  closeCache: () => {
    db?.close();
    db = null;
  },
  reopenCache: () => {
    if (db) return;
    db = openDb(dbPath);
    writer = createWriter(db);
  },
  post: (event: SyncWorkerEvent) => port.postMessage({ event }),
  rebuildSearch: (d) => void rebuildSearchIndex(d),
});

const errorOf = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) });

port.on('message', (req: Request | { close: true }) => {
  if ('close' in req) {
    void sync
      .syncClose()
      .catch(() => undefined)
      .finally(() => {
        db?.close();
        port.close();
      });
    return;
  }
  let result: unknown;
  try {
    const own = (sync as Record<string, unknown>)[req.method] ?? (db ? (writer as Record<string, unknown>)[req.method] : undefined);
    if (typeof own !== 'function') throw new Error(db ? `unknown writer method ${String(req.method)}` : 'the cache is closed while it is being swapped');
    result = (own as (arg: unknown) => unknown)(req.arg);
  } catch (e) {
    port.postMessage({ id: req.id, ok: false, error: errorOf(e) });
    return;
  }
  Promise.resolve(result).then(
    (value) => port.postMessage({ id: req.id, ok: true, value }),
    (e: unknown) => port.postMessage({ id: req.id, ok: false, error: errorOf(e) }),
  );
});
