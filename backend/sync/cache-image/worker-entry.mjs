// Loads the cache-image worker (worker.ts) from its TypeScript source: the backend runs through tsx
// (`npm run backend`), and on Node 20 `--import tsx` does not reach a worker's entry module, so the
// worker registers tsx itself. (The desktop's built-in backend, the only bundled one, never builds
// cache images: see job.ts.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
