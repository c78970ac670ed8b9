// The web host (transport 2) with the real services, the real writer worker and a real SQLite cache in
// a temp data folder: who may connect, what a valid client gets, and how bad messages are answered.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import type { Services } from '../../electron/services/app-services';
import { startTestServices } from './support/services';
import { startWebHost, type WebHost } from '../../electron/webhost';
import { tempDir } from './support/temp-dir';

const dir = tempDir('lianluo-webhost-');
let services: Services;
let host: WebHost;
let origin: string;

beforeAll(async () => {
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Lianluo</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  services = await startTestServices(join(dir, 'data'), { demoCustomers: 40 });
  await services.ready;
  host = await startWebHost({ services, rendererDir });
  origin = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host?.close();
  await services?.close();
});

// ---------- helpers ----------

function httpGet(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Opened = { ws: WebSocket; status?: undefined } | { ws?: undefined; status: number };

function connect(opts: { token?: string | null; origin?: string | null; host?: string; path?: string } = {}): Promise<Opened> {
  const token = opts.token === undefined ? host.token : opts.token;
  const url = `ws://127.0.0.1:${host.port}${opts.path ?? '/ipc'}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const headers: Record<string, string> = {};
  if (opts.host) headers.Host = opts.host;
  const o = opts.origin === undefined ? origin : opts.origin;
  const ws = new WebSocket(url, { headers, ...(o === null ? {} : { origin: o }) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

interface Frame {
  id?: number | null;
  result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  event?: string;
  payload?: unknown;
}

/** Send raw data and wait for the next frame that is not an event. */
function exchange(ws: WebSocket, data: string | Buffer, binary = false): Promise<Frame> {
  return new Promise((resolve) => {
    const onMessage = (raw: Buffer) => {
      const frame = JSON.parse(String(raw)) as Frame;
      if (frame.event) return;
      ws.off('message', onMessage);
      resolve(frame);
    };
    ws.on('message', onMessage);
    ws.send(data, { binary });
  });
}
const call = (ws: WebSocket, id: number, channel: string, payload: unknown = {}) => exchange(ws, JSON.stringify({ id, channel, payload }));

// ---------- tests ----------

describe('web host: HTTP', () => {
  it('serves the renderer with its security headers', async () => {
    const r = await httpGet('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Lianluo</title>');
    expect(r.headers['content-security-policy']).toMatch(/default-src/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['cache-control']).toBe('no-store');
    expect((await httpGet('/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses another Host (DNS rebinding), other methods and paths outside the renderer', async () => {
    expect((await httpGet('/', { Host: 'evil.example' })).status).toBe(421);
    expect((await httpGet('/', { Host: `evil.example:${host.port}` })).status).toBe(421);
    expect((await httpGet('/', {}, 'POST')).status).toBe(405);
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%5coutside.txt', '/index.html%00']) {
      const r = await httpGet(p);
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('secret');
    }
  });

  it('binds loopback only', () => {
    expect(host.url.startsWith(`http://127.0.0.1:${host.port}/#token=`)).toBe(true);
  });
});

describe('web host: IPC WebSocket', () => {
  it.each([
    ['no token', { token: null }],
    ['an empty token', { token: '' }],
    ['a wrong token of the same length', { token: 'x'.repeat(24 * 4 / 3) }],
    ['a wrong token of another length', { token: 'abc' }],
    ['no Origin', { origin: null }],
    ['another Origin', { origin: 'http://evil.example' }],
    ['a look-alike Origin', { origin: `http://127.0.0.1:${'{port}'}.evil.example` }],
    ['another Host', { host: 'evil.example' }],
    ['another path', { path: '/other' }],
  ] as [string, Parameters<typeof connect>[0]][])('refuses %s', async (_what, opts) => {
    const o = { ...opts };
    if (typeof o.origin === 'string') o.origin = o.origin.replace('{port}', String(host.port));
    const r = await connect(o);
    expect(r.status).toBe(403);
  });

  it('answers a valid client, over and over, with its request id', async () => {
    const { ws } = await connect();
    if (!ws) throw new Error('not connected');
    try {
      const info = await call(ws, 1, 'app.info');
      expect(info).toEqual({ id: 1, result: { ok: true, value: { name: 'Lianluo', version: '0.0.0-test', transport: 'web', platform: process.platform } } });
      const pop = await call(ws, 2, 'customers.lookup', { ani: STORY_NUMBERS.single });
      expect(pop.id).toBe(2);
      expect(pop.result).toMatchObject({ ok: true, value: { match: 'exact', customers: [{ id: 'C-STORY-1', name: '王芳' }] } });
      const status = await call(ws, 3, 'cache.status');
      expect(status.result).toMatchObject({ ok: true, value: { customers: 40, source: 'demo' } });
    } finally {
      ws.close();
    }
  });

  it('answers malformed messages with a clear error and keeps the connection working', async () => {
    const { ws } = await connect();
    if (!ws) throw new Error('not connected');
    try {
      const notJson = { id: null, result: { ok: false, error: { code: 'invalid_request', message: 'message is not a JSON object' } } };
      expect(await exchange(ws, '{"id": 1, "channel": ')).toEqual(notJson);
      expect(await exchange(ws, 'null')).toEqual(notJson);
      expect(await exchange(ws, '"app.info"')).toEqual(notJson);
      expect(await exchange(ws, Buffer.from('{"id":1,"channel":"app.info","payload":{}}'), true)).toEqual(notJson);
      expect(await call(ws, 7, 'no.such')).toMatchObject({ id: 7, result: { ok: false, error: { code: 'unknown_channel' } } });
      expect(await call(ws, 8, 'customers.lookup', { ani: 42 })).toMatchObject({ id: 8, result: { ok: false, error: { code: 'invalid_request' } } });
      expect(await exchange(ws, JSON.stringify({ id: 'x', channel: 'app.info', payload: {} }))).toMatchObject({ id: null, result: { ok: true } });
      // still the same healthy connection
      expect(await call(ws, 9, 'app.info')).toMatchObject({ id: 9, result: { ok: true } });
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.close();
    }
  });

  it('closes a connection that sends more than 1 MiB at once', async () => {
    const { ws } = await connect();
    if (!ws) throw new Error('not connected');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat((1 << 20) + 1));
    expect(await closed).toBe(1009);
  });

  it('pushes main-process events to connected clients', async () => {
    const { ws } = await connect();
    if (!ws) throw new Error('not connected');
    try {
      const got = new Promise<Frame>((resolve) => ws.on('message', (raw: Buffer) => resolve(JSON.parse(String(raw)) as Frame)));
      const status = { customers: 1, phones: 1, interactions: 0, schemaVersion: 1, source: 'import' as const };
      services.events.emit('cache.changed', status);
      expect(await got).toEqual({ event: 'cache.changed', payload: status });
    } finally {
      ws.close();
    }
  });
});
