// The session's live socket (electron/services/session/live-connection.ts) against a real WebSocket server
// on 127.0.0.1: the token in the Authorization header, hello and every message type to every subscriber,
// reconnection with backoff after the server goes away (and a hello that says what was missed), no
// reconnection with a refused token (close 4401 or HTTP 401, told once), a heartbeat that drops a silent
// connection, a late timer (the machine slept) that reconnects and tells subscribers at once, and one
// socket per target (the same target again is a no-op; another one replaces it). Plus the backoff's bounds.
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay } from '../../../electron/services/sync/backoff';
import { LiveConnection, liveUrl, type LiveConnectionOptions } from '../../../electron/services/session/live-connection';

interface Server {
  url: string;
  sockets: WebSocket[];
  auth: string[];
  connections: number;
  close(): Promise<void>;
}

async function server(onConnect: (ws: WebSocket, n: number) => void, verify?: (req: IncomingMessage) => number): Promise<Server> {
  const state = { sockets: [] as WebSocket[], auth: [] as string[], connections: 0 };
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/v1/live',
    ...(verify
      ? {
          verifyClient: (info: { req: IncomingMessage }, cb: (ok: boolean, code?: number) => void) => {
            const code = verify(info.req);
            cb(code === 200, code);
          },
        }
      : {}),
  });
  await new Promise<void>((ok) => wss.once('listening', () => ok()));
  wss.on('connection', (ws, req) => {
    state.connections++;
    state.sockets.push(ws);
    state.auth.push(String(req.headers.authorization));
    onConnect(ws, state.connections);
  });
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    ...state,
    get connections() {
      return state.connections;
    },
    async close() {
      for (const s of wss.clients) s.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
    },
  };
}

const until = async (what: string, fn: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** What the subscribers heard: hello and messages as `type@seq`, connected flags, wake-ups; refusals. */
function recorder() {
  const r = { messages: [] as string[], unauthorized: [] as string[], connected: [] as boolean[], wakes: 0 };
  return {
    r,
    subscriber: {
      onHello: (seq: number) => r.messages.push(`hello@${seq}`),
      onMessage: (m: { type: string; seq?: number }) => r.messages.push(`${m.type}@${m.seq ?? '-'}`),
      onConnected: (c: boolean) => r.connected.push(c),
      onWake: () => r.wakes++,
    },
    onUnauthorized: (d: string) => r.unauthorized.push(d),
  };
}

function connect(url: string, token: string, rec: ReturnType<typeof recorder>, o: Omit<LiveConnectionOptions, 'onUnauthorized'> = {}): LiveConnection {
  const c = new LiveConnection({ onUnauthorized: rec.onUnauthorized, ...o });
  c.subscribe(rec.subscriber);
  cleanups.push(() => c.close());
  c.open({ baseUrl: url, token });
  return c;
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('live client', () => {
  it('maps the backend URL to its live path', () => {
    expect(liveUrl('https://lianluo.example.com/')).toBe('wss://lianluo.example.com/v1/live');
    expect(liveUrl('http://127.0.0.1:8787')).toBe('ws://127.0.0.1:8787/v1/live');
  });

  it('sends the token, gives hello and changes to every subscriber, and reconnects with backoff when the server goes away', async () => {
    const s = await server((ws, n) => {
      ws.send(JSON.stringify({ type: 'hello', seq: 100 * n, serverTime: Date.now() }));
      if (n === 1) {
        ws.send(JSON.stringify({ type: 'customers.changed', seq: 101 }));
        ws.send(JSON.stringify({ type: 'some.future.event', seq: 1 })); // ignored, not fatal
        ws.send(JSON.stringify({ type: 'pong', id: '1' })); // the heartbeat's, nobody else's
        ws.send('not json');
        setTimeout(() => ws.close(1001, 'going away'), 50);
      }
    });
    cleanups.push(() => s.close());
    const rec = recorder();
    const { r } = rec;
    const c = connect(s.url, 'tok-1', rec, { minDelayMs: 20, maxDelayMs: 100, random: () => 1 });
    // A second subscriber (presence beside sync) hears the same, on the same socket.
    const other = recorder();
    const unsubscribe = c.subscribe(other.subscriber);
    await until('the second connection', () => s.connections === 2 && r.messages.includes('hello@200'));
    expect(s.auth).toEqual(['Bearer tok-1', 'Bearer tok-1']);
    expect(r.messages).toEqual(['hello@100', 'customers.changed@101', 'hello@200']);
    expect(r.connected).toEqual([true, false, true]);
    expect(c.connected).toBe(true);
    expect(r.unauthorized).toEqual([]);
    expect(other.r.messages).toEqual(r.messages);
    expect(other.r.connected).toEqual(r.connected);
    unsubscribe();
    s.sockets.at(-1)!.send(JSON.stringify({ type: 'interactions.changed', seq: 201 }));
    await until('the change', () => r.messages.includes('interactions.changed@201'));
    expect(other.r.messages).not.toContain('interactions.changed@201');
  });

  it('a refused token (close 4401) ends it: no reconnection', async () => {
    const s = await server((ws) => ws.close(4401, 'session ended: sign in again'));
    cleanups.push(() => s.close());
    const rec = recorder();
    const { r } = rec;
    const c = connect(s.url, 'revoked', rec, { minDelayMs: 10, maxDelayMs: 20 });
    await until('unauthorized', () => r.unauthorized.length > 0);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.unauthorized).toEqual(['session ended: sign in again']);
    expect(s.connections).toBe(1);
    // The refused token is not tried again, not even when the owner opens it once more, nor on a wake-up.
    c.open({ baseUrl: s.url, token: 'revoked' });
    c.reconnectNow();
    await new Promise((res) => setTimeout(res, 100));
    expect(s.connections).toBe(1);
    expect(r.unauthorized).toHaveLength(1);
    // A new token (signed in again) connects.
    c.open({ baseUrl: s.url, token: 'fresh' });
    await until('the new token', () => s.connections === 2);
    expect(s.auth.at(-1)).toBe('Bearer fresh');
  });

  it('a 401 instead of the upgrade ends it too; other refusals are retried', async () => {
    let status = 503;
    const s = await server(
      (ws) => ws.send(JSON.stringify({ type: 'hello', seq: 1, serverTime: 0 })),
      () => status,
    );
    cleanups.push(() => s.close());
    const rec = recorder();
    const { r } = rec;
    connect(s.url, 't', rec, { minDelayMs: 10, maxDelayMs: 20 });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.unauthorized).toEqual([]);
    status = 401;
    await until('unauthorized', () => r.unauthorized.length > 0);
    expect(r.unauthorized[0]).toMatch(/refused the session token/);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.unauthorized).toHaveLength(1);
  });

  it('drops a connection that stops answering the heartbeat, and reconnects', async () => {
    const s = await server((ws, n) => {
      ws.send(JSON.stringify({ type: 'hello', seq: n, serverTime: 0 }));
      // The first connection goes silent: no pongs, no messages (its socket stays open).
      if (n === 1) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    });
    cleanups.push(() => s.close());
    const rec = recorder();
    const { r } = rec;
    connect(s.url, 't', rec, { heartbeatMs: 60, minDelayMs: 10, maxDelayMs: 20 });
    await until('a second connection', () => s.connections >= 2, 5000);
    await until('its hello', () => r.messages.includes('hello@2'));
  });

  it('a timer that fires far too late (the machine slept) reconnects and asks for a pull', async () => {
    const s = await server((ws, n) => ws.send(JSON.stringify({ type: 'hello', seq: n, serverTime: 0 })));
    cleanups.push(() => s.close());
    const rec = recorder();
    const { r } = rec;
    connect(s.url, 't', rec, { heartbeatMs: 40, minDelayMs: 10, maxDelayMs: 20 });
    await until('connected', () => r.connected.includes(true));
    const stop = Date.now() + 250; // the event loop stands still, as in a suspended process
    while (Date.now() < stop) {
      /* asleep */
    }
    await until('the wake-up', () => r.wakes > 0);
    await until('a new connection', () => s.connections >= 2);
    await until('its hello', () => r.messages.includes('hello@2'));
  });

  it('one socket per target: the same target again is a no-op, another replaces it, null closes it', async () => {
    const s = await server((ws, n) => ws.send(JSON.stringify({ type: 'hello', seq: n, serverTime: 0 })));
    cleanups.push(() => s.close());
    const rec = recorder();
    const c = connect(s.url, 'a', rec, { minDelayMs: 10, maxDelayMs: 20 });
    await until('connected', () => c.connected);
    c.open({ baseUrl: s.url, token: 'a' });
    await new Promise((res) => setTimeout(res, 100));
    expect(s.connections).toBe(1);
    c.open({ baseUrl: s.url, token: 'b' });
    await until('the other token', () => s.connections === 2 && c.connected);
    await until('the first socket closed', () => s.sockets[0]!.readyState === s.sockets[0]!.CLOSED);
    expect(s.auth).toEqual(['Bearer a', 'Bearer b']);
    c.open(null);
    expect(c.connected).toBe(false);
    await until('closed', () => s.sockets.every((x) => x.readyState === x.CLOSED));
    await new Promise((res) => setTimeout(res, 100));
    expect(s.connections).toBe(2);
    expect(rec.r.connected).toEqual([true, false, true, false]);
  });

  it('backoff: exponential, capped, between half and all of the step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, 500, 30_000, () => r);
        const step = Math.min(30_000, 500 * 2 ** Math.min(attempt, 30));
        expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(d).toBeLessThanOrEqual(step);
      }),
    );
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(10, 500, 30_000, () => 1)).toBe(30_000);
  });
});
