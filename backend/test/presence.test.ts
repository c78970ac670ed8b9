// Presence: reports checked against the team's Not Ready reasons and moved onto the server's clock; the
// team view for leads; presence.changed only to that team's supervisors and admins, also from another
// backend instance on the same database (LISTEN/NOTIFY); Offline after the last live socket closed or
// missed its heartbeat, after a grace that a reconnect survives; admin-configured reasons.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOT_READY_REASONS, type AgentPresence, type NotReadyReason } from '../../shared/domain/agent-state';
import type { MemberPresence, ReasonsAnswer, TeamPresence } from '../../shared/presence/api';
import { LiveServerMessage, type LiveServerMessage as Msg } from '../../shared/sync/live';
import { createUser } from '../auth/accounts';
import { DB_KINDS, PASSWORD, listen, startTestBackend, type TestBackend } from './support/backend';

class Live {
  readonly messages: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  readonly closed: Promise<number>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = LiveServerMessage.parse(JSON.parse(String(data)));
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }
  static async open(url: string, token: string, opts: { autoPong?: boolean } = {}): Promise<Live> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/v1/live', { headers: { authorization: `Bearer ${token}` }, autoPong: opts.autoPong ?? true });
    const live = new Live(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    await live.next((m) => m.type === 'hello');
    return live;
  }
  next(pred: (m: Msg) => boolean, timeoutMs = 4000): Promise<Msg> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching live message in ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
  presence(userId: number): MemberPresence[] {
    return this.messages.flatMap((m) => (m.type === 'presence.changed' && m.member.userId === userId ? [m.member] : []));
  }
  close(): void {
    this.ws.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isChange = (userId: number, pred: (p: AgentPresence | null) => boolean) => (m: Msg) => m.type === 'presence.changed' && m.member.userId === userId && pred(m.member.presence);

describe.each(DB_KINDS)('presence on %s', (kind) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await startTestBackend(kind);
  });
  afterAll(() => b?.close());

  const report = (token: string, presence: AgentPresence, sentAt = Date.now(), url = b.url) =>
    fetch(`${url}/v1/presence/me`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ presence, sentAt }) }).then(
      async (r) => ({ status: r.status, json: (await r.json()) as { presence: AgentPresence; error?: { message: string } } }),
    );
  const team = async (token: string, teamId: number) => b.client.req<TeamPresence>('GET', `/v1/presence/team/${teamId}`, { token });
  const member = (t: TeamPresence, userId: number) => t.members.find((m) => m.userId === userId);
  /** A beta agent of its own (sockets of the shared fixture users may still be in their grace from other tests). */
  let fresh = 0;
  const freshAgent = async () => {
    const u = await createUser(b.db, b.accounts, { username: `beta-agent-${++fresh}`, displayName: `Beta ${fresh}`, role: 'agent', teamId: b.fixture.teams.beta, password: PASSWORD });
    return { id: u.id, token: await b.client.login(u.username) };
  };

  it('serves the default reasons, and an admin’s team list replaces them for that team only', async () => {
    const mine = await b.client.req<ReasonsAnswer>('GET', '/v1/presence/reasons', { token: b.tokens.agentA });
    expect(mine.status).toBe(200);
    expect(mine.json.scope).toBe('global');
    expect(mine.json.reasons).toEqual(DEFAULT_NOT_READY_REASONS);

    const away = DEFAULT_NOT_READY_REASONS.find((r) => r.automatic)!;
    const coaching: NotReadyReason = { id: 'coaching', label: { en: 'Coaching', 'zh-CN': '辅导' } };
    const put = await b.client.req<ReasonsAnswer>('PUT', `/v1/teams/${b.fixture.teams.alpha}/presence-reasons`, { token: b.tokens.admin, json: [coaching, away] });
    expect(put.status, put.text).toBe(200);
    expect((await b.client.req<ReasonsAnswer>('GET', '/v1/presence/reasons', { token: b.tokens.agentA })).json).toMatchObject({ scope: 'team', reasons: [coaching, away] });
    expect((await b.client.req<ReasonsAnswer>('GET', '/v1/presence/reasons', { token: b.tokens.agentB })).json.scope).toBe('global');
    // The team's own list is what its reports are checked against.
    expect((await report(b.tokens.agentA, { state: 'not_ready', reasonId: 'coaching', since: Date.now(), wrapUpUntil: null })).status).toBe(200);
    const lunch = await report(b.tokens.agentA, { state: 'not_ready', reasonId: 'lunch', since: Date.now(), wrapUpUntil: null });
    expect(lunch.status).toBe(400);
    expect(lunch.json.error?.message).toMatch(/"lunch" is not one of your team's Not Ready reasons \(coaching, away\)/);
    // The team view still labels the old reason a member may carry.
    const view = await team(b.tokens.supA, b.fixture.teams.alpha);
    expect(view.json.reasons.find((r) => r.id === 'coaching')).toMatchObject({ active: true, label: coaching.label });
    expect(view.json.reasons.find((r) => r.id === 'lunch')).toMatchObject({ active: true, label: { en: 'Lunch' } });
    // An empty list gives the team the global list back.
    expect((await b.client.req('PUT', `/v1/teams/${b.fixture.teams.alpha}/presence-reasons`, { token: b.tokens.admin, json: [] })).status).toBe(200);
    expect((await b.client.req<ReasonsAnswer>('GET', '/v1/presence/reasons', { token: b.tokens.agentA })).json.scope).toBe('global');
  });

  it('refuses bad reason lists with a message, and keeps the old list', async () => {
    const away = DEFAULT_NOT_READY_REASONS.find((r) => r.automatic)!;
    const bad: [unknown, RegExp][] = [
      [[{ id: 'break', label: { en: 'Break', 'zh-CN': '小休' } }], /must keep the automatic reason "away"/],
      [[away, { id: 'x', label: { en: 'X', 'zh-CN': 'X' } }, { id: 'x', label: { en: 'Y', 'zh-CN': 'Y' } }], /appears twice/],
      [[away, { id: 'Bad Id', label: { en: 'X', 'zh-CN': 'X' } }], /id/],
      [[away, { id: 'nolabel', label: { en: 'X' } }], /zh-CN/],
      [[away], /at least one reason an agent can pick/],
      [[], /cannot be empty/],
    ];
    for (const [body, message] of bad) {
      const r = await b.client.req<{ error: { message: string } }>('PUT', '/v1/presence/reasons', { token: b.tokens.admin, json: body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.message).toMatch(message);
    }
    expect((await b.client.req<ReasonsAnswer>('GET', '/v1/presence/reasons', { token: b.tokens.agentB })).json.reasons).toEqual(DEFAULT_NOT_READY_REASONS);
    expect((await b.client.req('PUT', `/v1/teams/999999/presence-reasons`, { token: b.tokens.admin, json: [...DEFAULT_NOT_READY_REASONS] })).status).toBe(404);
  });

  it('stores a report on the server’s clock and shows it to the team’s lead with the time in state', async () => {
    const sentAt = Date.now() - 3_600_000; // the desktop's clock is an hour behind
    const since = sentAt - 42_000; // … and the agent went Not Ready 42 s before sending
    const r = await report(b.tokens.agentA, { state: 'not_ready', reasonId: 'lunch', since, wrapUpUntil: null }, sentAt);
    expect(r.status).toBe(200);
    const view = await team(b.tokens.supA, b.fixture.teams.alpha);
    expect(view.status).toBe(200);
    const me = member(view.json, b.fixture.users.agentA.id)!;
    expect(me.presence).toMatchObject({ state: 'not_ready', reasonId: 'lunch', wrapUpUntil: null });
    const inState = view.json.serverTime - me.presence!.since;
    expect(inState).toBeGreaterThanOrEqual(42_000);
    expect(inState).toBeLessThan(47_000);
    // Members who never reported are listed without a presence; other teams' members are not listed.
    expect(member(view.json, b.fixture.users.supA.id)).toMatchObject({ presence: null, role: 'supervisor' });
    expect(member(view.json, b.fixture.users.agentB.id)).toBeUndefined();
    expect((await team(b.tokens.admin, b.fixture.teams.alpha)).status).toBe(200);
    expect((await team(b.tokens.supB, b.fixture.teams.alpha)).status).toBe(403);
    expect((await team(b.tokens.agentA, b.fixture.teams.alpha)).status).toBe(403);

    // Wrong shapes: a reason outside Not Ready, Not Ready without one, an unknown state, a wild clock.
    const wrong: [unknown, number, RegExp][] = [
      [{ state: 'ready', reasonId: 'lunch', since: Date.now(), wrapUpUntil: null }, Date.now(), /only Not Ready carries a reason/],
      [{ state: 'not_ready', reasonId: null, since: Date.now(), wrapUpUntil: null }, Date.now(), /needs a reason/],
      [{ state: 'napping', reasonId: null, since: Date.now(), wrapUpUntil: null }, Date.now(), /state/],
      [{ state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: Date.now() }, Date.now(), /only wrap-up has an end/],
      [{ state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null }, Date.now() - 3 * 86_400_000, /date and time/],
    ];
    for (const [presence, at, message] of wrong) {
      const res = await report(b.tokens.agentA, presence as AgentPresence, at);
      expect(res.status, JSON.stringify(presence)).toBe(400);
      expect(res.json.error?.message).toMatch(message);
    }
    expect(member((await team(b.tokens.supA, b.fixture.teams.alpha)).json, b.fixture.users.agentA.id)?.presence?.reasonId).toBe('lunch');
  });

  it('sends presence.changed to that team’s supervisors and admins only, from either of two instances', async () => {
    const secondDb = await b.database.second();
    const other = await listen(secondDb, b.box);
    const sockets: Live[] = [];
    try {
      const supOnB = await Live.open(other.url, b.tokens.supA);
      const adminOnA = await Live.open(b.url, b.tokens.admin);
      const supBeta = await Live.open(b.url, b.tokens.supB);
      const agentBeta = await Live.open(other.url, b.tokens.agentB);
      const agentAlpha = await Live.open(b.url, b.tokens.agentA);
      sockets.push(supOnB, adminOnA, supBeta, agentBeta, agentAlpha);
      const a = b.fixture.users.agentA.id;
      // Reported to instance A; the supervisor's socket is on instance B.
      expect((await report(b.tokens.agentA, { state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null })).status).toBe(200);
      const seen = await supOnB.next(isChange(a, (p) => p?.state === 'ready'));
      expect(seen.type === 'presence.changed' && seen.teamId).toBe(b.fixture.teams.alpha);
      await adminOnA.next(isChange(a, (p) => p?.state === 'ready'));
      // And the other way round: reported to B, seen on A.
      expect((await report(b.tokens.agentA, { state: 'on_call', reasonId: null, since: Date.now(), wrapUpUntil: null }, Date.now(), other.url)).status).toBe(200);
      await adminOnA.next(isChange(a, (p) => p?.state === 'on_call'));
      await supOnB.next(isChange(a, (p) => p?.state === 'on_call'));
      // Beta's lead hears about beta's agent (so their socket works) and never about alpha's.
      expect((await report(b.tokens.agentB, { state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null })).status).toBe(200);
      await supBeta.next(isChange(b.fixture.users.agentB.id, (p) => p?.state === 'ready'));
      await adminOnA.next(isChange(b.fixture.users.agentB.id, (p) => p?.state === 'ready'));
      expect(supBeta.presence(a)).toEqual([]);
      expect(agentBeta.messages.filter((m) => m.type === 'presence.changed')).toEqual([]);
      expect(agentAlpha.messages.filter((m) => m.type === 'presence.changed')).toEqual([]);
      expect(supOnB.presence(b.fixture.users.agentB.id)).toEqual([]);
      // A resend of the same state (a reconnect) is no change.
      const before = supOnB.presence(a).length;
      const current = member((await team(b.tokens.supA, b.fixture.teams.alpha)).json, a)!.presence!;
      expect((await report(b.tokens.agentA, current)).status).toBe(200);
      expect((await report(b.tokens.agentB, { state: 'wrap_up', reasonId: null, since: Date.now(), wrapUpUntil: Date.now() + 30_000 })).status).toBe(200);
      await adminOnA.next(isChange(b.fixture.users.agentB.id, (p) => p?.state === 'wrap_up'));
      expect(supOnB.presence(a).length).toBe(before);
    } finally {
      for (const s of sockets) s.close();
      await other.app.close();
    }
  });

  it('a lead moved to another team hears that team from then on, not the old one; demoted, neither', async () => {
    const lead = await createUser(b.db, b.accounts, { username: `moving-lead-${++fresh}`, displayName: 'Moving lead', role: 'supervisor', teamId: b.fixture.teams.alpha, password: PASSWORD });
    const beta = await freshAgent();
    const a = b.fixture.users.agentA.id;
    const sockets: Live[] = [];
    const patch = (json: object) => b.client.req('PATCH', `/v1/users/${lead.id}`, { token: b.tokens.admin, json });
    const state = (s: AgentPresence['state']): AgentPresence => ({ state: s, reasonId: null, since: Date.now(), wrapUpUntil: null });
    try {
      const leadLive = await Live.open(b.url, await b.client.login(lead.username));
      const adminLive = await Live.open(b.url, b.tokens.admin);
      sockets.push(leadLive, adminLive);
      expect((await report(b.tokens.agentA, state('ready'))).status).toBe(200);
      await leadLive.next(isChange(a, (p) => p?.state === 'ready'));

      // Moved to beta on the same socket: alpha's next change does not reach it (the admin's socket shows
      // it went out), beta's does.
      expect((await patch({ teamId: b.fixture.teams.beta })).status).toBe(200);
      expect((await report(b.tokens.agentA, state('on_call'))).status).toBe(200);
      await adminLive.next(isChange(a, (p) => p?.state === 'on_call'));
      expect((await report(beta.token, state('ready'))).status).toBe(200);
      await leadLive.next(isChange(beta.id, (p) => p?.state === 'ready'));
      expect(leadLive.presence(a).map((p) => p.presence?.state)).toEqual(['ready']);

      // No longer a lead: not even their own team's.
      expect((await patch({ role: 'agent' })).status).toBe(200);
      expect((await report(beta.token, state('on_call'))).status).toBe(200);
      await adminLive.next(isChange(beta.id, (p) => p?.state === 'on_call'));
      await sleep(200);
      expect(leadLive.presence(beta.id).map((p) => p.presence?.state)).toEqual(['ready']);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('marks an agent Offline after the last socket closed and the grace passed; a reconnect within it does not flap', async () => {
    // A second instance with short presence timings (the lease stays long: the first instance refreshes its sockets slowly).
    const fast = await listen(b.db, b.box, { presence: { graceMs: 400, touchMs: 100, leaseMs: 60_000 } });
    try {
      const lead = await Live.open(b.url, b.tokens.supB);
      const { id, token } = await freshAgent();
      let sock = await Live.open(fast.url, token);
      expect((await report(token, { state: 'ready', reasonId: null, since: Date.now(), wrapUpUntil: null })).status).toBe(200);
      await lead.next(isChange(id, (p) => p?.state === 'ready'));

      // Closed and reconnected within the grace: still Ready, no Offline in between.
      sock.close();
      await sock.closed;
      await sleep(100);
      sock = await Live.open(fast.url, token);
      await sleep(700);
      expect(lead.presence(id).some((p) => p.presence?.state === 'offline')).toBe(false);

      // Closed for good: Offline, but only after the grace.
      const closedAt = Date.now();
      sock.close();
      await sleep(150);
      expect(member((await team(b.tokens.supB, b.fixture.teams.beta)).json, id)?.presence?.state).toBe('ready');
      const off = await lead.next(isChange(id, (p) => p?.state === 'offline'), 5000);
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(380);
      // Offline since the socket closed, not since the grace ended.
      expect(off.type === 'presence.changed' && off.member.presence!.since - closedAt).toBeLessThan(100);
      lead.close();
    } finally {
      await fast.app.close();
    }
  });

  it('marks an agent Offline when their desktop stops answering the heartbeat', async () => {
    const fast = await listen(b.db, b.box, { heartbeatMs: 100, presence: { graceMs: 200, touchMs: 100, leaseMs: 60_000 } });
    try {
      const lead = await Live.open(b.url, b.tokens.supB);
      const { id, token } = await freshAgent();
      const mute = await Live.open(fast.url, token, { autoPong: false }); // a frozen desktop: no pongs, no messages
      expect((await report(token, { state: 'not_ready', reasonId: 'break', since: Date.now(), wrapUpUntil: null })).status).toBe(200);
      await lead.next(isChange(id, (p) => p?.state === 'not_ready'));
      await lead.next(isChange(id, (p) => p?.state === 'offline'), 5000);
      expect(await mute.closed).toBe(1006); // terminated by the server
      lead.close();
    } finally {
      await fast.app.close();
    }
  });

  it('marks Offline the agents of an instance that died (its socket rows go stale)', async () => {
    const fast = await listen(b.db, b.box, { presence: { graceMs: 100, touchMs: 100, leaseMs: 300 } });
    try {
      const id = b.fixture.users.agentA.id;
      const now = Date.now();
      await b.db.query(`UPDATE agent_presence SET state = 'ready', reason_id = NULL, updated_at = $2 WHERE user_id = $1`, [id, now - 10_000]);
      await b.db.query('INSERT INTO presence_sockets (id, user_id, instance, seen_at) VALUES ($1, $2, $3, $4)', ['dead-socket', id, 'dead-instance', now - 1000]);
      await expect.poll(async () => member((await team(b.tokens.supA, b.fixture.teams.alpha)).json, id)?.presence?.state, { timeout: 5000 }).toBe('offline');
      expect(await b.db.query(`SELECT 1 FROM presence_sockets WHERE id = 'dead-socket'`)).toEqual([]);
    } finally {
      await fast.app.close();
    }
  });
});
