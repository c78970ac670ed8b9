// The desktop's sign-in (electron/services/session/session-service.ts) against a scripted backend: the
// built-in backend's demo agent on a first start (not again once someone signed out), one password
// bringing the SIP account (and another agent never inheriting it), the token only in the secret
// store, a session that expired or was revoked ending with its reason, and plain error codes for a
// wrong password, throttling, no answer, or something that is not a Lianluo backend.
import { describe, expect, it, vi } from 'vitest';
import type { Session, SipSettings } from '../../../shared/sync/api';
import type { SessionInfo } from '../../../shared/domain/session';
import type { BackendHost } from '../../../electron/services/backend-host/backend-host';
import { MemorySecretStore } from '../../../electron/services/secrets/secret-store';
import { SESSION_KEY, SIP_OWNER_KEY, SessionService } from '../../../electron/services/session/session-service';

const BASE = 'http://127.0.0.1:41000';
const SIP: SipSettings = { wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:1001@127.0.0.1', authUser: '1001', displayName: 'Agent 1001', password: 'lianluo' };

function host(mode: 'embedded' | 'remote' = 'embedded'): BackendHost {
  return {
    mode,
    identity: mode === 'embedded' ? 'embedded' : BASE,
    state: () => 'ready',
    currentUrl: () => BASE,
    error: () => null,
    url: async () => BASE,
    demoAgent: () => (mode === 'embedded' ? { username: 'agent1001', password: 'demo-pw', role: 'agent', sipUri: SIP.sipUri } : null),
    onChange: () => () => undefined,
    close: async () => undefined,
  };
}

const session = (username: string, sip: SipSettings | null, expiresAt = Date.now() + 3_600_000): Session => ({
  token: `tok-${username}`,
  expiresAt,
  user: { id: 7, username, displayName: username.toUpperCase(), role: 'agent', teamId: 1, disabled: false, hasSip: sip !== null, createdAt: 1 },
  team: { id: 1, name: 'Demo team', createdAt: 1 },
  sip,
});

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

interface Backend {
  users: Record<string, { password: string; sip: SipSettings | null }>;
  me?: number;
  calls: string[];
}

function fakeFetch(b: Backend): typeof fetch {
  return vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    b.calls.push(`${init?.method ?? 'GET'} ${url.pathname} ${(init?.headers as Record<string, string> | undefined)?.authorization ?? ''}`.trim());
    if (url.pathname === '/v1/auth/login') {
      const { username, password } = JSON.parse(String(init?.body)) as { username: string; password: string };
      const u = b.users[username];
      if (!u || u.password !== password) return json(401, { error: { code: 'unauthorized', message: 'wrong username or password, or the account is disabled' } });
      return json(200, session(username, u.sip));
    }
    if (url.pathname === '/v1/auth/me') {
      if (b.me === 401) return json(401, { error: { code: 'unauthorized', message: 'revoked' } });
      return json(200, { user: session('agent1001', null).user, team: null, expiresAt: Date.now() + 7_200_000 });
    }
    if (url.pathname === '/v1/auth/logout') return new Response(null, { status: 204 });
    return json(404, { error: { code: 'not_found', message: 'no' } });
  }) as unknown as typeof fetch;
}

function service(o: { secrets?: MemorySecretStore; backend?: Backend; demoSignIn?: boolean; fetch?: typeof fetch; mode?: 'embedded' | 'remote' } = {}) {
  const secrets = o.secrets ?? new MemorySecretStore();
  const backend = o.backend ?? { users: { agent1001: { password: 'demo-pw', sip: SIP } }, calls: [] };
  let demo = o.demoSignIn ?? true;
  const h = host(o.mode);
  const applied: SipSettings[] = [];
  const forgotten: number[] = [];
  const changes: SessionInfo[] = [];
  const s = new SessionService({
    secrets,
    host: () => h,
    switchHost: async () => h,
    applySip: async (sip) => void applied.push(sip),
    forgetSip: async () => void forgotten.push(1),
    demoSignIn: () => demo,
    setDemoSignIn: (on) => {
      demo = on;
    },
    onChange: (info) => changes.push(info),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    fetch: o.fetch ?? fakeFetch(backend),
  });
  return { s, secrets, backend, applied, forgotten, changes, demo: () => demo };
}

describe('session service', () => {
  it('a first start signs in as the built-in demo agent: token in the secret store, SIP account applied', async () => {
    const t = service();
    await t.s.restore();
    const info = t.s.info();
    expect(info).toMatchObject({ status: 'signed_in', user: { username: 'agent1001', team: 'Demo team' }, ended: null, error: null, backend: { mode: 'embedded', url: BASE } });
    expect(JSON.parse((await t.secrets.get(SESSION_KEY))!)).toMatchObject({ backend: 'embedded', token: 'tok-agent1001' });
    expect(t.applied).toEqual([SIP]);
    expect(t.s.connection()).toEqual({ baseUrl: BASE, token: 'tok-agent1001' });
    expect(t.changes.map((c) => c.status)).toEqual(['signing_in', 'signed_in']);
  });

  it('signing out revokes the token, removes the SIP account that came with it, and stops the automatic demo sign-in', async () => {
    const t = service();
    await t.s.restore();
    const out = await t.s.signOut();
    expect(out).toMatchObject({ status: 'signed_out', user: null, ended: null });
    expect(await t.secrets.get(SESSION_KEY)).toBeUndefined();
    expect(await t.secrets.get(SIP_OWNER_KEY)).toBeUndefined();
    expect(t.forgotten).toHaveLength(1);
    expect(t.demo()).toBe(false);
    expect(t.backend.calls).toContain('POST /v1/auth/logout Bearer tok-agent1001');
    // The next start stays at the sign-in screen.
    const again = service({ secrets: t.secrets, demoSignIn: t.demo(), backend: t.backend });
    await again.s.restore();
    expect(again.s.info().status).toBe('signed_out');
    expect(t.backend.calls.filter((c) => c.startsWith('POST /v1/auth/login'))).toHaveLength(1);
  });

  it('a stored session counts at once (offline-capable) and ends as "revoked" when the backend refuses it', async () => {
    const first = service();
    await first.s.restore();
    const backend: Backend = { ...first.backend, me: 401, calls: [] };
    const t = service({ secrets: first.secrets, backend });
    await t.s.restore();
    expect(t.s.info().status).toBe('signed_in');
    await t.s.check();
    expect(t.s.info()).toMatchObject({ status: 'signed_out', ended: 'revoked' });
    expect(await t.secrets.get(SESSION_KEY)).toBeUndefined();
    expect(t.forgotten).toHaveLength(0); // the agent's extension stays for when they sign in again
  });

  it('an expired stored session ends as "expired" without asking the backend', async () => {
    const secrets = new MemorySecretStore();
    await secrets.set(SESSION_KEY, JSON.stringify({ backend: 'embedded', token: 'old', expiresAt: Date.now() - 1000, user: { username: 'agent1001', displayName: 'A', role: 'agent' }, team: null }));
    const t = service({ secrets });
    await t.s.restore();
    expect(t.s.info()).toMatchObject({ status: 'signed_out', ended: 'expired' });
    expect(t.backend.calls).toEqual([]);
  });

  it('a 401 from sync or the live socket ends the session: "expired" after expiresAt, else "revoked"', async () => {
    const t = service();
    await t.s.restore();
    await t.s.refused();
    expect(t.s.info()).toMatchObject({ status: 'signed_out', ended: 'revoked' });
    const later = service({ fetch: (async () => json(200, session('agent1001', null, Date.now() + 20))) as unknown as typeof fetch });
    await later.s.signInDemo();
    await new Promise((r) => setTimeout(r, 40));
    await later.s.refused();
    expect(later.s.info().ended).toBe('expired');
  });

  it("another agent signing in on this computer never keeps the first agent's extension", async () => {
    const backend: Backend = { users: { agent1001: { password: 'demo-pw', sip: SIP }, bob: { password: 'bob-pw', sip: null } }, calls: [] };
    const t = service({ backend });
    await t.s.restore();
    await t.s.end('expired');
    const bob = await t.s.signIn({ backendUrl: null, username: 'bob', password: 'bob-pw' });
    expect(bob.status).toBe('signed_in');
    expect(t.forgotten).toHaveLength(1);
    expect(await t.secrets.get(SIP_OWNER_KEY)).toBeUndefined();
  });

  it('tells a wrong password, throttling, no answer and a non-Lianluo server apart', async () => {
    const wrong = service({ demoSignIn: false });
    expect((await wrong.s.signIn({ backendUrl: null, username: 'agent1001', password: 'nope' })).error).toMatchObject({ code: 'wrong_password', detail: expect.stringMatching(/wrong username/) });
    expect(wrong.s.info().status).toBe('signed_out');

    const throttled = service({ fetch: (async () => json(429, { error: { code: 'rate_limited', message: 'too many failed sign-ins; try again in 5 minute(s)' } })) as unknown as typeof fetch });
    expect((await throttled.s.signIn({ backendUrl: null, username: 'a', password: 'b' })).error?.code).toBe('rate_limited');

    const down = service({ fetch: (async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))) as unknown as typeof fetch });
    expect((await down.s.signIn({ backendUrl: null, username: 'a', password: 'b' })).error).toMatchObject({ code: 'unreachable', detail: expect.stringMatching(/ECONNREFUSED/) });

    const portal = service({ fetch: (async () => new Response('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } })) as unknown as typeof fetch });
    expect((await portal.s.signIn({ backendUrl: null, username: 'a', password: 'b' })).error?.code).toBe('not_lianluo');
    const proxy = service({ fetch: (async () => new Response('Bad gateway', { status: 502 })) as unknown as typeof fetch });
    expect((await proxy.s.signIn({ backendUrl: null, username: 'a', password: 'b' })).error?.code).toBe('not_lianluo');
  });
});
