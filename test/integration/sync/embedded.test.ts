// The default a clean machine gets: no backend configured, so the desktop starts its built-in backend
// (PGlite in <data>/backend, a worker thread, HTTP on 127.0.0.1), signs in as the demo agent, takes the
// demo agent's SIP account, and syncs the demo customers into its cache. Signing out stops that for the
// next start; the demo agent can still be chosen on the sign-in screen; a restart restores the session.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../../shared/domain/session';
import type { Settings } from '../../../shared/domain/settings';
import type { LookupResult } from '../../../shared/domain/customer';
import type { WireResult } from '../../../shared/result';
import { startServices, type Services } from '../../../electron/services/app-services';
import { FileSecretStore } from '../../../electron/services/secrets/secret-store';
import { tempDir } from '../support/temp-dir';
import { quiet, WRITER } from './support/services-env';
import { waitFor } from './support/desktop';

const EMBEDDED = { url: new URL('./support/embedded-backend-from-source.mjs', import.meta.url) };
const dir = join(tempDir('lianluo-embedded-desktop-'), 'data');
let services: Services | undefined;
afterAll(async () => {
  await services?.close();
});

async function start(): Promise<Services> {
  const s = await startServices({
    dataDir: dir,
    transport: 'web',
    version: '0.0.0-test',
    platform: process.platform,
    secrets: new FileSecretStore(join(dir, 'secrets.web.json')),
    writerScript: WRITER,
    log: quiet,
    demoCustomers: 300,
    backend: { embeddedScript: EMBEDDED },
  });
  void s.ready;
  return s;
}

const call = async <T,>(channel: string, payload: unknown = {}): Promise<T> => {
  const r = (await services!.router.handle(channel, payload, { transport: 'web' })) as WireResult<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value;
};

describe('a clean machine: the built-in backend', () => {
  it('starts, signs in as the demo agent with its phone account, and syncs the demo customers', async () => {
    services = await start();
    const signed = await waitFor('the automatic demo sign-in', async () => {
      const s = await call<SessionInfo>('session.get');
      return s.status === 'signed_in' ? s : undefined;
    }, 90_000);
    expect(signed).toMatchObject({ backend: { mode: 'embedded', state: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }, user: { username: 'agent1001' }, demoUser: 'agent1001' });
    expect(existsSync(join(dir, 'backend', 'pgdata'))).toBe(true);
    expect((await call<Settings>('settings.get')).account?.sipUri).toBe('sip:1001@127.0.0.1');
    const sync = await waitFor('the demo customers in the cache', async () => {
      const s = await call<SyncStatus>('sync.status');
      return s.state === 'idle' && s.customers === 300 ? s : undefined;
    }, 60_000);
    expect(sync.interactions).toBeGreaterThan(0);
    const pop = await call<LookupResult>('customers.lookup', { ani: '13800138000' });
    expect(pop.customers[0]?.id).toBe('C-STORY-1');
  }, 180_000);

  it('after a sign-out the next start waits at the sign-in screen, where the demo agent is one click', async () => {
    const out = await call<SessionInfo>('session.signOut');
    expect(out.status).toBe('signed_out');
    expect((await call<Settings>('settings.get')).account).toBeNull();
    await services!.close();
    services = await start();
    await services.ready;
    const s = await waitFor('the built-in backend', async () => {
      const x = await call<SessionInfo>('session.get');
      return x.backend.state === 'ready' ? x : undefined;
    }, 60_000);
    expect(s.status).toBe('signed_out');
    expect(s.demoUser).toBe('agent1001');
    const again = await call<SessionInfo>('session.signInDemo');
    expect(again.status).toBe('signed_in');
    expect((await call<Settings>('settings.get')).account?.sipUri).toBe('sip:1001@127.0.0.1');
  }, 120_000);

  it('a restart restores the session from the secret store and catches up', async () => {
    await services!.close();
    services = await start();
    await services.ready;
    const s = await call<SessionInfo>('session.get');
    expect(s.status).toBe('signed_in');
    await waitFor('the sync to be idle', async () => (await call<SyncStatus>('sync.status')).state === 'idle', 60_000);
  }, 120_000);
});
