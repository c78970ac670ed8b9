// The desktop's sync against a real backend process (PGlite; PostgreSQL when run under pg-cluster.sh,
// see test/run-all.sh): sign in with one password (SIP account included), initial sync into a new
// cache file, live changes seen by lookups, a backend restart, a reset that rebuilds while the old
// cache keeps serving, a revoked session. The real services: writer worker, read-only lookup
// connection, session service, sync engine, live socket.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerResponse } from '../../../shared/sync/api';
import type { Settings } from '../../../shared/domain/settings';
import { cacheFile } from '../../../electron/services/paths';
import { nextCacheFile } from '../../../electron/services/sync/worker-sync';
import { tempDir } from '../support/temp-dir';
import { backendKinds, startBackendProcess, type BackendProcess } from './support/backend-process';
import { expectCacheEqualsServer, readCache, startDesktop, waitFor, type Desktop } from './support/desktop';

const root = tempDir('lianluo-sync-');

describe.each(backendKinds())('desktop sync against a real backend process (%s)', (kind) => {
  let backend: BackendProcess;
  let desktop: Desktop;
  let admin: string;
  const dataDir = join(root, kind);

  beforeAll(async () => {
    backend = await startBackendProcess({ kind, customers: 1500 });
    admin = await backend.login('admin');
  }, 120_000);
  afterAll(async () => {
    await desktop?.close();
    await backend?.drop();
  });

  /** Wait until the desktop holds everything the server has, then compare row for row. */
  const converged = async () => {
    const m = await backend.mirror(admin);
    await waitFor('the cache cursors to reach the server', () => {
      const c = readCache(cacheFile(dataDir)).cursors;
      return c[0]?.cursor === m.cursor.customers && c[1]?.cursor === m.cursor.interactions;
    });
    await desktop.settled();
    expectCacheEqualsServer(dataDir, m);
    return m;
  };

  it('signs in with one password, gets the SIP account, and pulls every customer into a new cache file', async () => {
    desktop = await startDesktop({ dataDir, backendUrl: backend.url, sync: { pageLimits: { bulk: 250, incremental: 100 } } });
    expect((await desktop.session()).status).toBe('signed_out');
    const wrong = await desktop.call<{ status: string; error: { code: string } }>('session.signIn', { backendUrl: backend.url, username: 'agent1001', password: 'not-the-password' });
    expect(wrong.status).toBe('signed_out');
    expect(wrong.error.code).toBe('wrong_password');

    const info = await desktop.call<{ status: string; user: { username: string } }>('session.signIn', { backendUrl: backend.url, username: 'agent1001', password: backend.passwords.agent1001 });
    expect(info.status).toBe('signed_in');
    expect(info.user.username).toBe('agent1001');
    // The SIP account came with the sign-in: the agent typed one password.
    const settings = await desktop.call<Settings>('settings.get');
    expect(settings.account).toEqual({ wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:1001@127.0.0.1', authUser: '1001', displayName: 'Agent 1001' });
    expect(await desktop.call('sip.credentials')).toEqual({ password: 'lianluo' });

    const status = await desktop.settled();
    expect(status.customers).toBe(1500);
    expect(status.lastSyncedAt).not.toBeNull();
    expect(existsSync(nextCacheFile(cacheFile(dataDir)))).toBe(false);
    await converged();
    const pop = await desktop.lookup('013800138000');
    expect(pop.match).toBe('exact');
    expect(pop.customers[0]?.id).toBe('C-STORY-1');
    expect(pop.customers[0]?.interactions.length).toBeGreaterThan(0);
  }, 120_000);

  it('shows a change made through the API to a lookup in moments (live socket), deletes and merges too', async () => {
    await waitFor('the live socket', async () => (await desktop.sync()).live);
    const before = await backend.api<CustomerResponse>(admin, 'GET', '/v1/customers/C-STORY-1');
    const edited = { ...before.json.customer, name: '王芳（已更新）', phones: [{ label: 'mobile', number: '13800138000' }, { label: 'office', number: '02161234567' }] };
    expect((await backend.api(admin, 'PUT', '/v1/customers/C-STORY-1', edited)).status).toBe(200);
    const seen = await waitFor('the new name in a lookup', async () => {
      const r = await desktop.lookup('+862161234567');
      return r.customers[0]?.name === '王芳（已更新）' ? r : undefined;
    }, 10_000, 20);
    expect(seen.match).toBe('exact');

    expect((await backend.api(admin, 'DELETE', '/v1/customers/C-STORY-2')).status).toBe(200);
    const story2 = readCache(cacheFile(dataDir)).customers.find((c) => (c as { id: string }).id === 'C-STORY-2') as { phones_json: string } | undefined;
    const story2Number = JSON.parse(story2!.phones_json)[0][0] as string;
    expect((await desktop.lookup(story2Number)).customers.map((c) => c.id)).toContain('C-STORY-2');
    await waitFor('the deleted customer to leave the cache', async () => !(await desktop.lookup(story2Number)).customers.some((c) => c.id === 'C-STORY-2'), 10_000, 20);

    expect((await backend.api(admin, 'POST', '/v1/customers/C-STORY-3/merge', { into: 'C-STORY-1' })).status).toBe(200);
    await converged();
  }, 60_000);

  it('catches up after the backend restarts (the live socket reconnects with backoff)', async () => {
    await backend.stop();
    await waitFor('the live socket to drop', async () => !(await desktop.sync()).live, 10_000);
    await backend.restart({ samePort: true });
    await waitFor('the live socket to come back', async () => (await desktop.sync()).live, 30_000);
    const c = (await backend.api<CustomerResponse>(admin, 'GET', '/v1/customers/C0000100')).json.customer;
    const input = { ...c, notes: 'after the restart', phones: c.phones.map((p) => ({ label: p.label, number: p.e164 })) };
    expect((await backend.api(admin, 'PUT', '/v1/customers/C0000100', input)).status).toBe(200);
    await converged();
    expect(readCache(cacheFile(dataDir)).customers.find((x) => (x as { id: string }).id === 'C0000100')).toMatchObject({ notes: 'after the restart' });
  }, 90_000);

  it('a revoked session sends the agent back to the sign-in screen with a plain reason', async () => {
    const users = await backend.api<{ id: number; username: string }[]>(admin, 'GET', '/v1/users');
    const me = users.json.find((u) => u.username === 'agent1001')!;
    expect((await backend.api(admin, 'POST', `/v1/users/${me.id}/sessions/revoke`)).status).toBe(200);
    const s = await waitFor('the session to end', async () => {
      const x = await desktop.session();
      return x.status === 'signed_out' ? x : undefined;
    }, 40_000);
    expect(s.ended).toBe('revoked');
    expect((await desktop.sync()).state).toBe('off');
    // The cache keeps serving lookups while nobody is signed in.
    expect((await desktop.lookup('+8613800138000')).match).toBe('exact');
    const again = await desktop.call<{ status: string }>('session.signIn', { backendUrl: backend.url, username: 'agent1001', password: backend.passwords.agent1001 });
    expect(again.status).toBe('signed_in');
    await desktop.settled();
  }, 60_000);

  it('a reset (another dataset behind the address) rebuilds into a new file while the old cache keeps answering lookups', async () => {
    await desktop.settled();
    const port = Number(new URL(backend.url).port);
    await backend.stop();
    // Another server, another dataset, the same address: the cursor's epoch no longer continues (410).
    const other = await startBackendProcess({ kind, customers: 700 });
    const oldUrl = backend.url;
    await other.stop();
    await backend.drop();
    backend = other;
    await backend.restartAt(port);
    expect(backend.url).toBe(oldUrl);
    admin = await backend.login('admin');
    // The other server's agent: same username, other password. The old token is refused: sign in again.
    await waitFor('the old session to be refused', async () => (await desktop.session()).status === 'signed_out', 40_000);
    let failures = 0;
    let lookups = 0;
    let stop = false;
    const hammer = (async () => {
      while (!stop) {
        const r = await desktop.lookup('+8613800138000').catch(() => null);
        lookups++;
        if (!r || r.match !== 'exact') failures++;
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    const info = await desktop.call<{ status: string }>('session.signIn', { backendUrl: backend.url, username: 'agent1001', password: backend.passwords.agent1001 });
    expect(info.status).toBe('signed_in');
    const status = await desktop.settled(90_000);
    stop = true;
    await hammer;
    expect(status.customers).toBe(700);
    expect(lookups).toBeGreaterThan(10);
    expect(failures).toBe(0); // C-STORY-1 is in both datasets: every lookup found it, before, during and after the swap
    await converged();
  }, 180_000);
});
