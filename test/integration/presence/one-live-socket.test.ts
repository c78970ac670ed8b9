// A signed-in desktop opens exactly one live socket, counted on a real backend (Fastify + PGlite in this
// process: the WebSocket server's open clients, and the user's open rows in presence_sockets), and both
// subscribers use it: the sync engine is live and pulls, the presence service reports and a lead's team
// view follows presence.changed. One socket also after a wake-up; none after signing out; a revoked token
// (close 4401) ends the session once and is not reconnected.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../../shared/domain/session';
import type { TeamPresence } from '../../../shared/presence/api';
import type { TeamView } from '../../../shared/presence/desktop';
import type { WireResult } from '../../../shared/result';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { TEST_COST } from '../../../backend/auth/passwords';
import { SecretBox } from '../../../backend/auth/secret-box';
import { migrate } from '../../../backend/db/migrate';
import { PgliteDb } from '../../../backend/db/pglite-db';
import { Client, createFixture, listen, PASSWORD, type Fixture } from '../../../backend/test/support/backend';
import { startServices, type Services } from '../../../electron/services/app-services';
import { MemorySecretStore } from '../../../electron/services/secrets/secret-store';
import { SESSION_KEY } from '../../../electron/services/session/session-service';
import { quiet, waitFor, WRITER } from '../sync/support/desktop';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-one-live-');
const backend = {} as { db: PgliteDb; app: FastifyInstance; url: string; fixture: Fixture; client: Client; tokens: { supA: string } };

beforeAll(async () => {
  const box = SecretBox.fromKey(randomBytes(32));
  backend.db = await PgliteDb.open(join(dir, 'pg'));
  await migrate(backend.db);
  backend.fixture = await createFixture(backend.db, { box, cost: TEST_COST, sessionTtlMs: 3_600_000 });
  Object.assign(backend, await listen(backend.db, box));
  backend.client = new Client(backend.url);
  backend.tokens = { supA: await backend.client.login('sup-a') };
}, 60_000);
afterAll(async () => {
  await backend.app?.close();
  await backend.db?.close();
});

/** Live sockets open on the backend now: its WebSocket server's clients (only /v1/live is a WebSocket). */
const openSockets = () => backend.app.websocketServer.clients.size;
/** A user's open sockets as the presence tracker records them (closed ones have no instance). */
const trackedSockets = async (userId: number) =>
  Number((await backend.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM presence_sockets WHERE user_id = $1 AND instance <> ''`, [userId]))[0]!.n);

interface Desktop {
  services: Services;
  secrets: MemorySecretStore;
  events: { name: string; payload: unknown }[];
  call<T>(channel: string, payload?: unknown): Promise<T>;
}

async function desktop(name: string, sync: { live?: null } = {}): Promise<Desktop> {
  const secrets = new MemorySecretStore();
  const services = await startServices({
    dataDir: join(dir, name),
    transport: 'web',
    version: '0.0.0-test',
    platform: process.platform,
    secrets,
    writerScript: WRITER,
    demoCustomers: 0,
    backend: { override: backend.url },
    sync: { retryMinMs: 100, retryMaxMs: 1000, ...sync },
    live: { minDelayMs: 50, maxDelayMs: 200 },
    presence: { coalesceMs: 20 },
    log: quiet,
  });
  await services.ready;
  const events: Desktop['events'] = [];
  services.events.listen((n, payload) => void events.push({ name: n, payload }));
  const call = async <T,>(channel: string, payload: unknown = {}) => {
    const r = (await services.router.handle(channel, payload, { transport: 'web' })) as WireResult<T>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  return { services, secrets, events, call };
}

describe('one live socket per signed-in desktop', () => {
  let agent: Desktop;
  let lead: Desktop;
  const agentId = () => backend.fixture.users.agentA.id;
  const supId = () => backend.fixture.users.supA.id;

  it('an agent signed in: one socket, sync live over it, presence reported over it', async () => {
    expect(openSockets()).toBe(0);
    agent = await desktop('agent');
    const signed = await agent.call<SessionInfo>('session.signIn', { backendUrl: backend.url, username: 'agent-a', password: PASSWORD });
    expect(signed.status).toBe('signed_in');
    await waitFor('the sync to be live and idle', async () => {
      const s = await agent.call<SyncStatus>('sync.status');
      return s.live && s.state === 'idle';
    });
    await agent.call('presence.report', { state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null });
    await waitFor('the presence on the backend', async () => {
      const team = await backend.client.req<TeamPresence>('GET', `/v1/presence/team/${backend.fixture.teams.alpha}`, { token: backend.tokens.supA });
      return team.json.members.find((m) => m.username === 'agent-a')?.presence?.state === 'ready';
    });
    // Settled: nothing else is connecting.
    await new Promise((r) => setTimeout(r, 300));
    expect(openSockets()).toBe(1);
    expect(await trackedSockets(agentId())).toBe(1);
  });

  it('a team lead signed in: one socket carries the sync and the team’s presence.changed', async () => {
    lead = await desktop('lead', { live: null }); // sync not following the socket: the socket is there anyway
    await lead.call('session.signIn', { backendUrl: backend.url, username: 'sup-a', password: PASSWORD });
    await waitFor('the lead’s team, live', async () => {
      const t = await lead.call<TeamView>('presence.team', {});
      return t.live && t.team?.members.some((m) => m.username === 'agent-a' && m.presence?.state === 'ready');
    });
    expect(openSockets()).toBe(2);
    expect(await trackedSockets(supId())).toBe(1);
    await agent.call('presence.report', { state: 'not_ready', reasonId: 'break', since: Date.now(), wrapUpUntil: null });
    await waitFor('the change on the lead’s desktop', async () => {
      const t = await lead.call<TeamView>('presence.team', {});
      return t.team?.members.find((m) => m.username === 'agent-a')?.presence?.state === 'not_ready';
    });
    expect(openSockets()).toBe(2);
  });

  it('a wake-up redoes the one socket and pulls: still one', async () => {
    const before = await trackedSockets(agentId());
    const syncEvents = agent.events.length;
    agent.services.events.emit('shell.power', { state: 'resume' });
    await waitFor('a pull after the wake-up', () => agent.events.slice(syncEvents).some((e) => e.name === 'sync.changed' && (e.payload as SyncStatus).state === 'syncing'));
    await waitFor('live again', async () => (await agent.call<SyncStatus>('sync.status')).live);
    await new Promise((r) => setTimeout(r, 300));
    expect(before).toBe(1);
    expect(openSockets()).toBe(2); // the agent's and the lead's
    expect(await trackedSockets(agentId())).toBe(1);
  });

  it('a revoked token closes the socket (4401): the session ends once, nothing reconnects', async () => {
    const stored = JSON.parse((await agent.secrets.get(SESSION_KEY)) ?? '{}') as { token: string };
    const from = agent.events.length;
    const out = await backend.client.req('POST', '/v1/auth/logout', { token: stored.token });
    expect(out.status).toBeLessThan(300);
    await waitFor('the session to end', async () => (await agent.call<SessionInfo>('session.get')).status === 'signed_out');
    await new Promise((r) => setTimeout(r, 500));
    const ended = agent.events.slice(from).filter((e) => e.name === 'session.changed' && (e.payload as SessionInfo).ended === 'revoked');
    expect(ended).toHaveLength(1);
    expect(await trackedSockets(agentId())).toBe(0);
    expect(openSockets()).toBe(1); // the lead's
  });

  it('signing out closes the socket', async () => {
    await lead.call('session.signOut', {});
    await waitFor('no socket', () => openSockets() === 0);
    expect(await trackedSockets(supId())).toBe(0);
    expect((await lead.call<SyncStatus>('sync.status')).live).toBe(false);
  });

  afterAll(async () => {
    await agent?.services.close();
    await lead?.services.close();
  });
});
