// The live socket: hello, nudges after committed changes, fan-out between two backend instances on one
// database through LISTEN/NOTIFY, heartbeat messages, and sessions that end close their sockets.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CLOSE, LiveServerMessage, type LiveServerMessage as Msg } from '../../shared/sync/live';
import { DB_KINDS, listen, startTestBackend, type TestBackend } from './support/backend';
import { mobile } from './support/data';

class LiveClient {
  readonly messages: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = LiveServerMessage.parse(JSON.parse(String(data)));
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, token: string): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws') + '/v1/live', { headers: { authorization: `Bearer ${token}` } });
      const client = new LiveClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  next(pred: (m: Msg) => boolean, timeoutMs = 3000): Promise<Msg> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching live message in ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

describe.each(DB_KINDS)('live socket on %s', (kind) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await startTestBackend(kind);
  });
  afterAll(() => b?.close());

  const create = async (id: string, n: number) => {
    const r = await b.client.req<{ seq: number }>('POST', '/v1/customers', { token: b.tokens.admin, json: { id, name: id, phones: [{ number: mobile(n) }] } });
    expect(r.status).toBe(201);
    return r.json.seq;
  };

  it('says hello with the current seq, then nudges after each committed change', async () => {
    const seq0 = await create('L-0', 1);
    const live = await LiveClient.open(b.url, b.tokens.agentA);
    try {
      const hello = await live.next((m) => m.type === 'hello');
      expect(hello.type === 'hello' && hello.seq).toBe(seq0);
      const seq1 = await create('L-1', 2);
      const nudge = await live.next((m) => m.type === 'customers.changed' && m.seq >= seq1);
      expect(nudge).toEqual({ type: 'customers.changed', seq: seq1 });
      live.ws.send(JSON.stringify({ type: 'ping', id: 'p1' }));
      expect(await live.next((m) => m.type === 'pong')).toEqual({ type: 'pong', id: 'p1' });
    } finally {
      live.close();
    }
  });

  it('fans out between two backend instances on one database (LISTEN/NOTIFY)', async () => {
    const secondDb = await b.database.second();
    const other = await listen(secondDb, b.box);
    try {
      const onOther = await LiveClient.open(other.url, b.tokens.agentB);
      const onFirst = await LiveClient.open(b.url, b.tokens.supA);
      await onOther.next((m) => m.type === 'hello');
      await onFirst.next((m) => m.type === 'hello');
      // A change written through instance 1 reaches a socket on instance 2, and the other way round.
      const seq = await create('L-2', 3);
      expect(await onOther.next((m) => m.type === 'customers.changed' && m.seq === seq)).toBeTruthy();
      const r = await fetch(`${other.url}/v1/customers/L-2`, { method: 'DELETE', headers: { authorization: `Bearer ${b.tokens.admin}` } });
      const { seq: delSeq } = (await r.json()) as { seq: number };
      expect(await onFirst.next((m) => m.type === 'customers.changed' && m.seq === delSeq)).toBeTruthy();
      onOther.close();
      onFirst.close();
    } finally {
      await other.app.close();
    }
  });

  it('closes the socket when its session ends, and on a malformed message', async () => {
    const token = await b.client.login('agent-a');
    const live = await LiveClient.open(b.url, token);
    await live.next((m) => m.type === 'hello');
    expect((await b.client.req('POST', '/v1/auth/logout', { token })).status).toBe(204);
    expect(await live.closed).toMatchObject({ code: LIVE_CLOSE.unauthorized });

    const other = await b.client.login('agent-a');
    const rude = await LiveClient.open(b.url, other);
    rude.ws.send('not json');
    expect((await rude.closed).code).toBe(LIVE_CLOSE.badMessage);

    // An admin disabling the user ends that user's sockets too.
    const victim = await LiveClient.open(b.url, await b.client.login('agent-b'));
    await victim.next((m) => m.type === 'hello');
    expect((await b.client.req('PATCH', `/v1/users/${b.fixture.users.agentB.id}`, { token: b.tokens.admin, json: { disabled: true } })).status).toBe(200);
    expect((await victim.closed).code).toBe(LIVE_CLOSE.unauthorized);
    await b.client.req('PATCH', `/v1/users/${b.fixture.users.agentB.id}`, { token: b.tokens.admin, json: { disabled: false } });
  });

  it.runIf(kind === 'postgres')('survives losing its LISTEN connection: reconnects and nudges everyone to check', async () => {
    const live = await LiveClient.open(b.url, b.tokens.supA);
    try {
      await live.next((m) => m.type === 'hello');
      const killed = await b.db.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      );
      expect(killed.length).toBeGreaterThan(0);
      const count = live.messages.length;
      // The gap nudge: the hub cannot know what it missed, so it tells clients to pull.
      await live.next((m) => m.type === 'customers.changed' && live.messages.indexOf(m) >= count, 5000);
      const seq = await create('L-3', 4);
      expect(await live.next((m) => m.type === 'customers.changed' && m.seq === seq, 5000)).toBeTruthy();
    } finally {
      live.close();
    }
  });

  it('drops sockets whose session expired, at the next heartbeat', async () => {
    const fast = await listen(b.db, b.box, { heartbeatMs: 100, sessionTtlMs: 250 });
    try {
      const r = await fetch(`${fast.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sup-b', password: 'correct horse battery staple' }) });
      const { token } = (await r.json()) as { token: string };
      const live = await LiveClient.open(fast.url, token);
      expect((await live.closed).code).toBe(LIVE_CLOSE.unauthorized);
    } finally {
      await fast.app.close();
    }
  });
});
