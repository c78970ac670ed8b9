// Runs the built-in backend's worker entry (backend/embedded-worker.ts) from its TypeScript source in a
// worker thread, as the writer worker's shim does (Node 20 does not pass --import tsx to a worker).
import { register } from 'tsx/esm/api';

register();
await import('../../../../backend/embedded-worker.ts');
