// Calls electron/services/db/thread-priority.ts from its TypeScript source inside a worker thread and
// reports what it did; stays alive (so its thread can be inspected) until the parent says "done".
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { currentThreadId, lowerThreadPriority } = await import('../../../electron/services/db/thread-priority.ts');
const first = lowerThreadPriority();
const again = lowerThreadPriority(5); // never raises
parentPort.once('message', () => parentPort.close());
parentPort.postMessage({ tid: currentThreadId(), first, again });
