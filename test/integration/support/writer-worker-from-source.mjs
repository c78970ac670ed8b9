// Runs the real writer worker (electron/services/db/writer-worker.ts) from its TypeScript source in a
// worker thread. On Node 20, `execArgv: ['--import', 'tsx']` does not reach a worker's entry module, so
// the worker registers tsx itself, then loads the source.
import { register } from 'tsx/esm/api';

register();
await import('../../../electron/services/db/writer-worker.ts');
