// Every route × every role × a target in the caller's own team and in another team, plus no token and a
// revoked token. The table below is checked against the routes the app really registers, so a new route
// cannot be added without deciding (and testing) who may call it.
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/sync/api';
import { toCustomerRecord } from '../../shared/domain/customer-input';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { createTeam, createUser } from '../auth/accounts';
import { createCustomer } from '../customers/store';
import { DB_KINDS, PASSWORD, startTestBackend, type TestBackend } from './support/backend';
import { csvOf, customers, mobile } from './support/data';
import { callRecord, item, newUlid } from './support/outbox-data';
import { DEFAULT_CATEGORIES, DEFAULT_DISPOSITIONS } from '../../shared/outbox/followups';
import { DEFAULT_NOT_READY_REASONS } from '../../shared/domain/agent-state';

type Scope = 'own' | 'other';
const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent'];

interface Ctx {
  b: TestBackend;
  role: Role;
  scope: Scope;
  /** The team of the target: the caller's (alpha) for 'own', beta for 'other'. Admins have no team; alpha stands in. */
  team: number;
  callerName: string;
}

interface Case {
  method: string;
  url: string;
  /** The concrete path (and any setup it needs). */
  path(c: Ctx): Promise<string> | string;
  body?(c: Ctx): unknown;
  contentType?: string;
  /** The status when allowed, or 403 when the role/team may not. */
  expect(role: Role, scope: Scope): number;
}

let n = 0;
const uniq = () => `${Date.now().toString(36)}${(n++).toString(36)}${randomBytes(2).toString('hex')}`;
const adminOnly = (ok: number) => (role: Role) => (role === 'admin' ? ok : 403);
const anyone = (ok: number) => () => ok;

async function freshUser(c: Ctx): Promise<number> {
  const u = await createUser(c.b.db, c.b.accounts, { username: `u-${uniq()}`, displayName: 'temp', role: 'agent', teamId: c.team, password: PASSWORD });
  return u.id;
}
async function freshCustomer(c: Ctx): Promise<string> {
  const id = `M-${uniq()}`;
  const r = toCustomerRecord({ id, name: 'Matrix 客户', phones: [{ number: mobile(Math.floor(Math.random() * 1e8)) }] }, DEFAULT_NUMBER_PLAN);
  if (!r.ok) throw new Error(r.errors.join());
  await createCustomer(c.b.db, r.record);
  return id;
}
const teammate = (c: Ctx) => {
  const u = c.b.fixture.users;
  if (c.scope === 'other') return u.agentB.id;
  return c.role === 'agent' ? u.supA.id : u.agentA.id;
};

const CASES: Case[] = [
  { method: 'GET', url: '/v1/health', path: () => '/v1/health', expect: anyone(200) },
  { method: 'POST', url: '/v1/auth/login', path: () => '/v1/auth/login', body: (c) => ({ username: c.callerName, password: PASSWORD }), expect: anyone(200) },
  { method: 'POST', url: '/v1/auth/logout', path: () => '/v1/auth/logout', expect: anyone(204) },
  { method: 'GET', url: '/v1/auth/me', path: () => '/v1/auth/me', expect: anyone(200) },
  // Only the agents of the fixture have a SIP account.
  { method: 'GET', url: '/v1/auth/sip', path: () => '/v1/auth/sip', expect: (role) => (role === 'agent' ? 200 : 404) },
  { method: 'PUT', url: '/v1/auth/password', path: () => '/v1/auth/password', body: () => ({ current: PASSWORD, next: PASSWORD }), expect: anyone(204) },

  { method: 'GET', url: '/v1/users', path: () => '/v1/users', expect: adminOnly(200) },
  {
    method: 'POST',
    url: '/v1/users',
    path: () => '/v1/users',
    body: (c) => ({ username: `new-${uniq()}`, displayName: 'New', role: 'agent', teamId: c.team, password: PASSWORD }),
    expect: adminOnly(201),
  },
  {
    method: 'GET',
    url: '/v1/users/:id',
    path: (c) => `/v1/users/${teammate(c)}`,
    expect: (role, scope) => (role === 'admin' || (role === 'supervisor' && scope === 'own') ? 200 : 403),
  },
  { method: 'PATCH', url: '/v1/users/:id', path: async (c) => `/v1/users/${await freshUser(c)}`, body: () => ({ displayName: 'Renamed' }), expect: adminOnly(200) },
  { method: 'DELETE', url: '/v1/users/:id', path: async (c) => `/v1/users/${await freshUser(c)}`, expect: adminOnly(204) },
  { method: 'PUT', url: '/v1/users/:id/password', path: async (c) => `/v1/users/${await freshUser(c)}/password`, body: () => ({ password: 'another password 2' }), expect: adminOnly(204) },
  {
    method: 'PUT',
    url: '/v1/users/:id/sip',
    path: async (c) => `/v1/users/${await freshUser(c)}/sip`,
    body: () => ({ wsUrl: 'wss://pbx.example.com:8089/ws', sipUri: 'sip:2001@pbx.example.com', authUser: '2001', displayName: 'x', password: 's3cret' }),
    expect: adminOnly(204),
  },
  { method: 'DELETE', url: '/v1/users/:id/sip', path: async (c) => `/v1/users/${await freshUser(c)}/sip`, expect: adminOnly(204) },
  { method: 'POST', url: '/v1/users/:id/sessions/revoke', path: async (c) => `/v1/users/${await freshUser(c)}/sessions/revoke`, expect: adminOnly(200) },

  { method: 'GET', url: '/v1/teams', path: () => '/v1/teams', expect: anyone(200) },
  { method: 'POST', url: '/v1/teams', path: () => '/v1/teams', body: () => ({ name: `Team ${uniq()}` }), expect: adminOnly(201) },
  { method: 'GET', url: '/v1/teams/:id', path: (c) => `/v1/teams/${c.team}`, expect: (role, scope) => (role === 'admin' || scope === 'own' ? 200 : 403) },
  { method: 'PATCH', url: '/v1/teams/:id', path: (c) => `/v1/teams/${c.team}`, body: () => ({ name: `Renamed ${uniq()}` }), expect: adminOnly(200) },
  { method: 'DELETE', url: '/v1/teams/:id', path: async (c) => `/v1/teams/${(await createTeam(c.b.db, `Empty ${uniq()}`)).id}`, expect: adminOnly(204) },
  {
    method: 'GET',
    url: '/v1/teams/:id/members',
    path: (c) => `/v1/teams/${c.team}/members`,
    expect: (role, scope) => (role === 'admin' || (role === 'supervisor' && scope === 'own') ? 200 : 403),
  },

  { method: 'GET', url: '/v1/customers/:id', path: async (c) => `/v1/customers/${await freshCustomer(c)}`, expect: anyone(200) },
  { method: 'POST', url: '/v1/customers', path: () => '/v1/customers', body: () => ({ id: `P-${uniq()}`, name: '新客户', phones: [{ number: '13800001111' }] }), expect: adminOnly(201) },
  { method: 'PUT', url: '/v1/customers/:id', path: async (c) => `/v1/customers/${await freshCustomer(c)}`, body: () => ({ name: 'Edited', phones: [{ number: '13800002222' }] }), expect: adminOnly(200) },
  { method: 'DELETE', url: '/v1/customers/:id', path: async (c) => `/v1/customers/${await freshCustomer(c)}`, expect: adminOnly(200) },
  {
    method: 'POST',
    url: '/v1/customers/:id/merge',
    path: async (c) => {
      (c as Ctx & { into?: string }).into = await freshCustomer(c);
      return `/v1/customers/${await freshCustomer(c)}/merge`;
    },
    body: (c) => ({ into: (c as Ctx & { into?: string }).into }),
    expect: adminOnly(200),
  },
  { method: 'POST', url: '/v1/customers/import', path: () => '/v1/customers/import', body: () => csvOf(customers(3, `I${uniq()}-`)), contentType: 'text/csv', expect: adminOnly(200) },

  { method: 'GET', url: '/v1/sync/customers', path: () => '/v1/sync/customers?after=0&limit=5', expect: anyone(200) },
  { method: 'GET', url: '/v1/sync/interactions', path: () => '/v1/sync/interactions?after=0&limit=5', expect: anyone(200) },
  // No cache images on this backend: a signed-in caller of any role gets 404 (the image tests cover 200 and 206).
  { method: 'GET', url: '/v1/sync/image', path: () => '/v1/sync/image', expect: anyone(404) },
  { method: 'GET', url: '/v1/sync/image/:sha256', path: () => `/v1/sync/image/${'0'.repeat(64)}`, expect: anyone(404) },
  { method: 'GET', url: '/v1/live', path: () => '/v1/live', expect: anyone(101) },

  // Issue 4: the outbox, follow-ups and the wrap-up configuration.
  { method: 'POST', url: '/v1/outbox', path: () => '/v1/outbox', body: () => ({ protocol: 1, clientId: newUlid(), items: [item('call.record', callRecord())] }), expect: anyone(200) },
  { method: 'GET', url: '/v1/wrapup/config', path: () => '/v1/wrapup/config', expect: anyone(200) },
  { method: 'PUT', url: '/v1/wrapup/dispositions', path: () => '/v1/wrapup/dispositions', body: () => DEFAULT_DISPOSITIONS, expect: adminOnly(200) },
  { method: 'PUT', url: '/v1/wrapup/categories', path: () => '/v1/wrapup/categories', body: () => DEFAULT_CATEGORIES, expect: adminOnly(200) },
  { method: 'PUT', url: '/v1/teams/:id/wrapup', path: (c) => `/v1/teams/${c.team}/wrapup`, body: () => ({ seconds: 60 }), expect: adminOnly(200) },
  { method: 'GET', url: '/v1/followups', path: () => '/v1/followups', expect: anyone(200) },
  { method: 'GET', url: '/v1/customers/:id/context', path: async (c) => `/v1/customers/${await freshCustomer(c)}/context`, expect: anyone(200) },
  {
    method: 'GET',
    url: '/v1/calls/:id',
    path: async (c) => {
      const rec = callRecord();
      const r = await c.b.client.req('POST', '/v1/outbox', { token: c.b.tokens.agentB, json: { protocol: 1, clientId: newUlid(), items: [item('call.record', rec)] } });
      if (r.status !== 200) throw new Error(r.text);
      return `/v1/calls/${rec.interactionId}`;
    },
    expect: anyone(200),
  },

  // Issue 5: presence and the Not Ready reasons.
  { method: 'PUT', url: '/v1/presence/me', path: () => '/v1/presence/me', body: () => ({ presence: { state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null }, sentAt: Date.now() }), expect: anyone(200) },
  {
    method: 'GET',
    url: '/v1/presence/team/:teamId',
    path: (c) => `/v1/presence/team/${c.team}`,
    expect: (role, scope) => (role === 'admin' || (role === 'supervisor' && scope === 'own') ? 200 : 403),
  },
  { method: 'GET', url: '/v1/presence/reasons', path: () => '/v1/presence/reasons', expect: anyone(200) },
  { method: 'PUT', url: '/v1/presence/reasons', path: () => '/v1/presence/reasons', body: () => DEFAULT_NOT_READY_REASONS, expect: adminOnly(200) },
  { method: 'PUT', url: '/v1/teams/:id/presence-reasons', path: (c) => `/v1/teams/${c.team}/presence-reasons`, body: () => [], expect: adminOnly(200) },
];

const PUBLIC = new Set(['GET /v1/health', 'POST /v1/auth/login']);

function openSocket(url: string, token: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/v1/live', token ? { headers: { authorization: `Bearer ${token}` } } : {});
    ws.once('upgrade', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe.each(DB_KINDS)('auth matrix on %s', (kind) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await startTestBackend(kind);
  });
  afterAll(() => b?.close());

  const callers: Record<Role, 'admin' | 'supA' | 'agentA'> = { admin: 'admin', supervisor: 'supA', agent: 'agentA' };

  async function call(kase: Case, ctx: Ctx, token: string | null): Promise<{ status: number; body: string }> {
    const path = await kase.path(ctx);
    if (kase.url === '/v1/live') return { status: await openSocket(b.url, token), body: '' };
    const body = kase.body?.(ctx);
    const r = await b.client.req(kase.method, path, {
      token,
      ...(body === undefined ? {} : kase.contentType ? { body: body as string, headers: { 'content-type': kase.contentType } } : { json: body }),
    });
    return { status: r.status, body: r.text };
  }

  it('covers every registered route, and only those', () => {
    const registered = b.app.routeTable.map((r) => `${r.method} ${r.url}`).sort();
    const tested = CASES.map((c) => `${c.method} ${c.url}`).sort();
    expect(tested).toEqual(registered);
    for (const r of b.app.routeTable) expect(r.access === 'public', `${r.method} ${r.url}`).toBe(PUBLIC.has(`${r.method} ${r.url}`));
  });

  for (const kase of CASES) {
    it(`${kase.method} ${kase.url}`, async () => {
      const results: string[] = [];
      for (const role of ROLES) {
        for (const scope of ['own', 'other'] as const) {
          const user = b.fixture.users[callers[role]];
          const ctx: Ctx = { b, role, scope, team: scope === 'own' ? b.fixture.teams.alpha : b.fixture.teams.beta, callerName: user.username };
          // A fresh session per call: some routes (logout, password change) end sessions.
          const token = await b.client.login(user.username);
          const want = kase.expect(role, scope);
          const got = await call(kase, ctx, token);
          results.push(`${role}/${scope}: ${got.status}`);
          expect(got.status, `${role}/${scope} ${kase.method} ${kase.url}: ${got.body.slice(0, 300)}`).toBe(want);
          if (want === 403) expect(JSON.parse(got.body).error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/.{10}/) });
        }
      }
      // Without a token, and with a revoked one: 401 for everything that is not public.
      const ctx: Ctx = { b, role: 'agent', scope: 'own', team: b.fixture.teams.alpha, callerName: 'agent-a' };
      const anonymous = await call(kase, ctx, null);
      const revoked = await b.client.login('agent-a');
      expect((await b.client.req('POST', '/v1/auth/logout', { token: revoked })).status).toBe(204);
      const afterLogout = await call(kase, ctx, revoked);
      if (PUBLIC.has(`${kase.method} ${kase.url}`)) {
        expect(anonymous.status).toBe(kase.expect('agent', 'own'));
      } else {
        expect(anonymous.status, anonymous.body).toBe(401);
        expect(afterLogout.status, afterLogout.body).toBe(401);
      }
    });
  }

  it('shows teams and members only within the caller’s team', async () => {
    const teams = await b.client.req<{ id: number }[]>('GET', '/v1/teams', { token: await b.client.login('agent-a') });
    expect(teams.json.map((t) => t.id)).toEqual([b.fixture.teams.alpha]);
    const all = await b.client.req<{ id: number }[]>('GET', '/v1/teams', { token: await b.client.login('admin') });
    expect(all.json.length).toBeGreaterThanOrEqual(2);
    const members = await b.client.req<{ teamId: number }[]>('GET', `/v1/teams/${b.fixture.teams.alpha}/members`, { token: await b.client.login('sup-a') });
    expect(members.json.length).toBeGreaterThan(0);
    expect(members.json.every((u) => u.teamId === b.fixture.teams.alpha)).toBe(true);
    // Everyone sees themselves.
    for (const who of ['agent-a', 'sup-b'] as const) {
      const token = await b.client.login(who);
      const me = await b.client.req<{ user: { id: number } }>('GET', '/v1/auth/me', { token });
      expect((await b.client.req('GET', `/v1/users/${me.json.user.id}`, { token })).status).toBe(200);
    }
  });
});
