// The messages between the desktop and its built-in backend, which runs in a worker thread of the
// desktop's main process (backend/embedded-worker.ts ↔ electron/services/backend-host/). Plain data:
// they cross a postMessage.
import type { NumberPlan } from '../domain/settings';

export interface EmbeddedBackendStart {
  /** The backend's own folder (PGlite data, key file, demo-accounts.json), inside the desktop's data folder. */
  dataDir: string;
  demoCustomers: number;
  plan?: NumberPlan;
  /** 0 or absent: any free port on 127.0.0.1. */
  port?: number;
}

export type EmbeddedBackendMessage =
  | { type: 'ready'; url: string; database: 'pglite'; demoAccountsFile: string | null }
  | { type: 'failed'; name: string; message: string }
  | { type: 'closed' };

export type EmbeddedBackendCommand = { type: 'close' };

/** One demo sign-in as demo-accounts.json lists it. */
export interface DemoAccountEntry {
  username: string;
  password: string;
  role: 'agent' | 'supervisor' | 'admin';
  sipUri: string | null;
}
