// A desktop that only syncs, as a child process the kill -9 test can kill at any moment: the real
// services (writer worker, session with its token in a secrets file, sync engine) on a data folder that
// survives the kills. Prints one JSON line per sync status; exits 0 once the cache has caught up.
//   LIANLUO_DATA_DIR, BACKEND_URL, SYNC_USER, SYNC_PASSWORD, BULK_PAGE, INCREMENTAL_PAGE
import { join } from 'node:path';
import type { SessionInfo, SyncStatus } from '../../../../shared/domain/session';
import { startServices } from '../../../../electron/services/app-services';
import { FileSecretStore } from '../../../../electron/services/secrets/secret-store';
import { quiet, WRITER } from './services-env';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const dataDir = env('LIANLUO_DATA_DIR');
const services = await startServices({
  dataDir,
  transport: 'web',
  version: '0.0.0-test',
  platform: process.platform,
  secrets: new FileSecretStore(join(dataDir, 'secrets.json')),
  writerScript: WRITER,
  log: quiet,
  backend: { override: env('BACKEND_URL') },
  sync: { live: null, retryMinMs: 50, retryMaxMs: 200, pageLimits: { bulk: Number(env('BULK_PAGE')), incremental: Number(env('INCREMENTAL_PAGE')) }, progressEveryMs: 0 },
});
let done = false;
services.events.listen((event, payload) => {
  if (event !== 'sync.changed') return;
  const s = payload as SyncStatus;
  console.log(JSON.stringify({ state: s.state, phase: s.phase, progress: s.progress, error: s.error }));
  if (s.state === 'idle' && !done) {
    done = true;
    void services.close().then(() => process.exit(0));
  }
});
await services.ready;
const call = (channel: string, payload: unknown = {}) => services.router.handle(channel, payload, { transport: 'web' });
const session = (await call('session.get')) as { ok: true; value: SessionInfo };
if (session.value.status !== 'signed_in') {
  const r = (await call('session.signIn', { backendUrl: env('BACKEND_URL'), username: env('SYNC_USER'), password: env('SYNC_PASSWORD') })) as { ok: true; value: SessionInfo };
  if (r.value.status !== 'signed_in') {
    console.error(`sign-in failed: ${JSON.stringify(r.value.error)}`);
    process.exit(2);
  }
}
