// Worker-thread entry of the desktop's built-in backend: PGlite under the desktop's data folder, HTTP on
// 127.0.0.1, demo data on first start (startEmbeddedBackend). It runs in a worker of the desktop's main
// process, so PGlite's and Fastify's CPU work never holds up the main event loop, and the desktop talks
// to it over HTTP exactly as to a remote backend. Built as out/main/embedded-backend.js
// (electron.vite.config.ts); electron/services/backend-host/embedded-host.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import type { EmbeddedBackendCommand, EmbeddedBackendMessage, EmbeddedBackendStart } from '../shared/sync/embedded';
import { startEmbeddedBackend, type RunningBackend } from './server';

const port = parentPort;
if (!port) throw new Error('embedded-worker must run in a worker thread');
const start = workerData as EmbeddedBackendStart;
const post = (m: EmbeddedBackendMessage) => port.postMessage(m);

let backend: RunningBackend | null = null;
let closing = false;

port.on('message', (m: EmbeddedBackendCommand) => {
  if (m.type !== 'close' || closing) return;
  closing = true;
  const done = () => {
    post({ type: 'closed' });
    port.close();
  };
  if (!backend) return done();
  backend.close().then(done, done);
});

startEmbeddedBackend({
  dataDir: start.dataDir,
  demoCustomers: start.demoCustomers,
  ...(start.plan ? { plan: start.plan } : {}),
  ...(start.port ? { port: start.port } : {}),
}).then(
  (b) => {
    backend = b;
    if (closing) {
      void b.close().finally(() => {
        post({ type: 'closed' });
        port.close();
      });
      return;
    }
    post({ type: 'ready', url: b.url, database: 'pglite', demoAccountsFile: b.demoAccounts ? join(start.dataDir, 'demo-accounts.json') : null });
  },
  (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'failed', name: err.name, message: err.message });
    port.close();
  },
);
