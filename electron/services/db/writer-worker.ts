// Worker-thread entry: owns the cache's write connection and dispatches requests to writer.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from './open';
import { createWriter, type WriterMethod } from './writer';

interface Request {
  id: number;
  method: WriterMethod;
  arg: unknown;
}

const port = parentPort;
if (!port) throw new Error('writer-worker must run in a worker thread');
const { dbPath } = workerData as { dbPath: string };
const db = openDb(dbPath);
const writer = createWriter(db);

port.on('message', (req: Request | { close: true }) => {
  if ('close' in req) {
    db.close();
    port.close();
    return;
  }
  try {
    const fn = writer[req.method] as ((arg: unknown) => unknown) | undefined;
    if (!fn) throw new Error(`unknown writer method ${String(req.method)}`);
    port.postMessage({ id: req.id, ok: true, value: fn(req.arg) });
  } catch (e) {
    const err = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
    port.postMessage({ id: req.id, ok: false, error: err });
  }
});
