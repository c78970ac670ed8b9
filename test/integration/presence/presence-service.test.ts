// The desktop's presence service against a real backend process (backend/cli.ts serve, PGlite, demo
// accounts: agent1001 and the team lead `lead` on one team, an admin): reports coalesced and checked by
// the server, a lead's team followed live, the current presence sent again after the backend was away,
// nothing sent while signed out, the team's Not Ready reasons fetched and kept for offline use. Each
// desktop's live socket is a real LiveConnection (electron/services/session/live-connection.ts), opened
// and closed with the link as the desktop session does.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentPresence } from '../../../shared/domain/agent-state';
import type { TeamPresence } from '../../../shared/presence/api';
import type { ReasonsView, TeamView } from '../../../shared/presence/desktop';
import { PresenceService, type PresenceLink } from '../../../electron/services/presence/presence-service';
import { LiveConnection } from '../../../electron/services/session/live-connection';
import { startBackendProcess, type BackendProcess } from '../sync/support/backend-process';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-presence-');
const quiet = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
let bp: BackendProcess;
const services: PresenceService[] = [];
const sockets: LiveConnection[] = [];

beforeAll(async () => {
  bp = await startBackendProcess({ kind: 'pglite', customers: 10 });
}, 120_000);
afterAll(async () => {
  for (const s of services) s.close();
  for (const l of sockets) l.close();
  await bp?.drop();
});

interface Desktop {
  service: PresenceService;
  live: LiveConnection;
  /** Signed in (the link, and the live socket for it) or out (null), as the desktop session does. */
  signIn(link: PresenceLink | null): void;
  events: { name: string; payload: unknown }[];
  requests: { method: string; path: string; body: unknown }[];
  link: PresenceLink;
  lastTeam(): TeamView | undefined;
}

async function desktop(name: string, username: string, role: PresenceLink['role']): Promise<Desktop> {
  const events: Desktop['events'] = [];
  const requests: Desktop['requests'] = [];
  const unauthorized = vi.fn();
  const live = new LiveConnection({ onUnauthorized: unauthorized });
  sockets.push(live);
  const service = new PresenceService({
    dataDir: join(dir, name),
    events: { emit: (n, payload) => void events.push({ name: n, payload }) },
    log: quiet,
    coalesceMs: 50,
    retryMs: 100,
    fetch: (url, init) => {
      const u = new URL(String(url));
      requests.push({ method: init?.method ?? 'GET', path: u.pathname, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return fetch(url, init);
    },
    live,
  });
  services.push(service);
  const link: PresenceLink = { baseUrl: bp.url, token: await bp.login(username), owner: `test ${username}`, role, unauthorized };
  return {
    service,
    live,
    signIn: (l) => {
      live.open(l);
      service.setLink(l);
    },
    events,
    requests,
    link,
    lastTeam: () => events.filter((e) => e.name === 'presence.team').at(-1)?.payload as TeamView | undefined,
  };
}

const presence = (state: AgentPresence['state'], reasonId: string | null = null, since = Date.now()): AgentPresence => ({ state, reasonId, since, wrapUpUntil: null });
const puts = (d: Desktop) => d.requests.filter((r) => r.method === 'PUT' && r.path === '/v1/presence/me');
const memberState = (t: TeamView | undefined, username: string) => t?.team?.members.find((m) => m.username === username)?.presence;

describe('presence service with a real backend', () => {
  let agent: Desktop;
  let lead: Desktop;

  it('sends nothing while signed out', async () => {
    agent = await desktop('agent', 'agent1001', 'agent');
    agent.service.report(presence('offline'));
    agent.service.report(presence('ready'));
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.requests).toEqual([]);
  });

  it('reports once signed in, coalescing a burst, and a lead sees it live with the time in state', async () => {
    lead = await desktop('lead', 'lead', 'supervisor');
    lead.signIn(lead.link);
    await vi.waitFor(() => expect(lead.lastTeam()?.team?.members.length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    expect(lead.lastTeam()?.live).toBe(true);

    agent.signIn(agent.link); // the presence reported while signed out is sent now
    await vi.waitFor(() => expect(memberState(lead.lastTeam(), 'agent1001')?.state).toBe('ready'), { timeout: 10_000 });

    // A burst: five changes within the coalescing window → the newest is what the backend gets, in few requests.
    const before = puts(agent).length;
    const t0 = Date.now() - 5000;
    for (const [i, s] of (['ringing', 'on_call', 'wrap_up', 'ready', 'not_ready'] as const).entries()) {
      agent.service.report(s === 'not_ready' ? presence(s, 'break', t0 + i) : presence(s, null, t0 + i));
    }
    await vi.waitFor(() => expect(memberState(lead.lastTeam(), 'agent1001')).toMatchObject({ state: 'not_ready', reasonId: 'break' }), { timeout: 10_000 });
    expect(puts(agent).length - before).toBeLessThanOrEqual(2);
    const view = lead.lastTeam()!;
    const inState = Date.now() + view.clockOffsetMs - memberState(view, 'agent1001')!.since;
    expect(inState).toBeGreaterThanOrEqual(4900);
    expect(inState).toBeLessThan(15_000);
    expect(agent.service.lastError).toBeNull();
  });

  it('keeps a refused reason from being resent, with the server’s message', async () => {
    const sent = agent.service.sent;
    agent.service.report(presence('not_ready', 'not_a_reason'));
    await vi.waitFor(() => expect(agent.service.lastError).toMatch(/"not_a_reason" is not one of your team's Not Ready reasons/), { timeout: 5000 });
    expect(agent.service.sent).toBe(sent);
    agent.service.report(presence('ready'));
    await vi.waitFor(() => expect(memberState(lead.lastTeam(), 'agent1001')?.state).toBe('ready'), { timeout: 5000 });
  });

  it('fetches the team’s reasons from the server, and keeps them for offline use', async () => {
    const admin = await bp.login('admin');
    const teams = await bp.api<{ id: number }[]>(admin, 'GET', '/v1/teams');
    const teamId = teams.json[0]!.id;
    const reasons = [
      { id: 'coaching', label: { en: 'Coaching', 'zh-CN': '辅导' } },
      { id: 'away', label: { en: 'Away (computer slept)', 'zh-CN': '离开（电脑休眠）' }, automatic: true },
    ];
    expect((await bp.api(admin, 'PUT', `/v1/teams/${teamId}/presence-reasons`, reasons)).status).toBe(200);
    const view = await agent.service.refreshReasons();
    expect(view).toEqual({ reasons, source: 'server' });
    expect(agent.events.some((e) => e.name === 'presence.reasons' && (e.payload as ReasonsView).reasons[0]?.id === 'coaching')).toBe(true);
    // The lead's view labels the new reason too.
    const t = await bp.api<TeamPresence>(await bp.login('lead'), 'GET', `/v1/presence/team/${teamId}`);
    expect(t.json.reasons.find((r) => r.id === 'coaching')?.label.en).toBe('Coaching');
  });

  it('re-sends the current presence after the backend was away, and serves the cached reasons meanwhile', async () => {
    await bp.stop();
    // Changed while the backend is down: not lost.
    agent.service.report(presence('not_ready', 'coaching', Date.now()));
    await new Promise((r) => setTimeout(r, 300));
    // A desktop starting now (same agent, same data folder) has the list it fetched before.
    const offline = new PresenceService({ dataDir: join(dir, 'agent'), events: { emit: () => undefined }, log: quiet, fetch: () => Promise.reject(new Error('offline')), live: new LiveConnection({ onUnauthorized: () => undefined }) });
    services.push(offline);
    offline.setLink({ ...agent.link });
    expect((await offline.handlers['presence.reasons']({ refresh: true }, { transport: 'web' })).source).toBe('cache');
    expect((await offline.handlers['presence.reasons']({}, { transport: 'web' })).reasons.map((r) => r.id)).toEqual(['coaching', 'away']);
    offline.close();
    // Another agent's cache is not theirs: the built-in list.
    const stranger = new PresenceService({ dataDir: join(dir, 'agent'), events: { emit: () => undefined }, log: quiet, fetch: () => Promise.reject(new Error('offline')), live: new LiveConnection({ onUnauthorized: () => undefined }) });
    services.push(stranger);
    stranger.setLink({ ...agent.link, owner: 'test someone-else' });
    expect((await stranger.handlers['presence.reasons']({}, { transport: 'web' })).source).toBe('default');
    stranger.close();

    await bp.restart({ samePort: true });
    await vi.waitFor(() => expect(memberState(lead.lastTeam(), 'agent1001')).toMatchObject({ state: 'not_ready', reasonId: 'coaching' }), { timeout: 20_000 });
    expect(lead.lastTeam()?.live).toBe(true);
  }, 60_000);

  it('stops sending when signed out', async () => {
    agent.signIn(null);
    const n = agent.requests.length;
    agent.service.report(presence('ready'));
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.requests.length).toBe(n);
  });
});
