// Bad input from a "backend" that breaks the protocol in every way we know of: a malformed line, wrong
// types, an oversized field or line, seqs out of order, a page that starts elsewhere, an end line that
// counts wrong, a stream cut short (cleanly or by a reset), invalid UTF-8, the wrong content type, a
// 500, a 410 without its body, a server that stalls, nobody listening. Each time the pull stops at the
// last good page with a clear error, on both write paths (bulk into a new file, incremental into the
// serving cache): the cursor and the rows are what they were, the file passes integrity_check. Then
// the real desktop retries with backoff and gets everything once the server behaves.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../shared/sync/api';
import type { SyncCustomer } from '../../../shared/sync/protocol';
import type { SyncErrorKind, SyncStatus } from '../../../shared/domain/session';
import { migrate } from '../../../electron/services/db/migrations';
import { openDb, type Db } from '../../../electron/services/db/open';
import { enterBulkMode, readCursor } from '../../../electron/services/db/sync-apply';
import { pullStream } from '../../../electron/services/sync/pull';
import { tempDir } from '../support/temp-dir';
import { startDesktop, waitFor } from './support/desktop';

const EPOCH = 'ds1.1.0';
const customer = (n: number, extra: Partial<SyncCustomer> = {}): SyncCustomer => ({
  id: `H${n}`,
  name: `客户 ${n}`,
  company: '',
  tier: 'standard',
  tags: [],
  notes: '',
  phones: [{ e164: `+86138${String(n).padStart(8, '0')}`, display: `138 ${n}`, label: 'mobile' }],
  updatedAt: 1_790_000_000_000,
  ...extra,
});
const upsert = (seq: number, c: SyncCustomer = customer(seq)) => JSON.stringify({ type: 'upsert', seq, customer: c });
const begin = (after: number, hw = 100) => JSON.stringify({ type: 'begin', stream: 'customers', protocol: 1, epoch: EPOCH, after, highWater: hw });
const end = (next: number, count: number, more = false) => JSON.stringify({ type: 'end', next, count, more });
const good = (after: number, seqs: number[], more = false) => [begin(after), ...seqs.map((s) => upsert(s)), end(seqs.at(-1) ?? after, seqs.length, more)].join('\n') + '\n';
const emptyInteractions = (after: number) =>
  [JSON.stringify({ type: 'begin', stream: 'interactions', protocol: 1, epoch: EPOCH, after, highWater: 100 }), end(Math.max(after, 100), 0)].join('\n') + '\n';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** The first page (after=0) is always good: 3 customers up to seq 3, more to come. The second is the hostile one. */
const SECOND_AFTER = 3;

const CASES: { name: string; kind: SyncErrorKind; detail: RegExp; second: Handler }[] = [
  { name: 'a line that is not JSON', kind: 'protocol', detail: /not JSON/, second: (_q, res) => ndjson(res, [begin(3), upsert(4), '{"type":"upsert","seq":5,', end(5, 2)]) },
  { name: 'wrong types (seq as a string)', kind: 'protocol', detail: /bad change/, second: (_q, res) => ndjson(res, [begin(3), JSON.stringify({ type: 'upsert', seq: '4', customer: customer(4) }), end(4, 1)]) },
  { name: 'an unknown tier', kind: 'protocol', detail: /tier/, second: (_q, res) => ndjson(res, [begin(3), upsert(4, customer(4, { tier: 'diamond' as 'gold' })), end(4, 1)]) },
  { name: 'an oversized field (a 500-character name)', kind: 'protocol', detail: /name/, second: (_q, res) => ndjson(res, [begin(3), upsert(4, customer(4, { name: '名'.repeat(500) })), end(4, 1)]) },
  { name: 'an oversized line (300 KiB)', kind: 'protocol', detail: /longer than/, second: (_q, res) => ndjson(res, [begin(3), upsert(4, customer(4, { notes: 'x'.repeat(300 * 1024) })), end(4, 1)]) },
  { name: 'a seq that goes backwards', kind: 'protocol', detail: /is not after/, second: (_q, res) => ndjson(res, [begin(3), upsert(6), upsert(5), end(6, 2)]) },
  { name: 'a seq at or below the cursor', kind: 'protocol', detail: /is not after 3/, second: (_q, res) => ndjson(res, [begin(3), upsert(3), end(3, 1)]) },
  { name: 'a page that starts somewhere else (a gap)', kind: 'protocol', detail: /page starts after 10/, second: (_q, res) => ndjson(res, [begin(10), upsert(11), end(11, 1)]) },
  { name: 'an end line that counts more than it sent', kind: 'protocol', detail: /counts 3 changes, received 2/, second: (_q, res) => ndjson(res, [begin(3), upsert(4), upsert(5), end(6, 3)]) },
  { name: 'more pages announced without moving the cursor', kind: 'protocol', detail: /did not move/, second: (_q, res) => ndjson(res, [begin(3), end(3, 0, true)]) },
  { name: 'a stream without its end line', kind: 'protocol', detail: /without an end line/, second: (_q, res) => ndjson(res, [begin(3), upsert(4), upsert(5)]) },
  { name: 'another epoch (dataset) mid-way', kind: 'protocol', detail: /does not continue/, second: (_q, res) => ndjson(res, [begin(3).replace(EPOCH, 'other.1.0'), upsert(4), end(4, 1)]) },
  {
    name: 'a connection reset in the middle of a page',
    kind: 'offline',
    detail: /connection was lost in the middle of a page/,
    second: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      res.write(`${begin(3)}\n${upsert(4)}\n${upsert(5).slice(0, 40)}`);
      setTimeout(() => res.socket?.destroy(), 30);
    },
  },
  {
    name: 'bytes that are not UTF-8',
    kind: 'protocol',
    detail: /UTF-8/,
    second: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(Buffer.concat([Buffer.from(`${begin(3)}\n{"type":"upsert","seq":4,"customer":{"id":"H4","name":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}}\n')]));
    },
  },
  {
    name: 'an HTML page instead of NDJSON',
    kind: 'protocol',
    detail: /expected application\/x-ndjson/,
    second: (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>captive portal</html>');
    },
  },
  {
    name: 'a 500 with an error body',
    kind: 'server',
    detail: /HTTP 500: the database is on fire/,
    second: (_q, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'the database is on fire' } }));
    },
  },
  {
    name: 'a 410 without a reset body',
    kind: 'protocol',
    detail: /410 without a reset_required body/,
    second: (_q, res) => {
      res.writeHead(410, { 'content-type': 'text/plain' });
      res.end('gone');
    },
  },
  {
    name: 'a server that stalls in the middle of a page',
    kind: 'offline',
    detail: /stopped sending in the middle of a page/,
    second: (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${begin(3)}\n${upsert(4)}\n`);
      // …and nothing more: the client's idle timeout (300 ms in this test) gives up.
    },
  },
];

function ndjson(res: ServerResponse, lines: string[]): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  res.end(lines.join('\n') + '\n');
}

interface Hostile {
  url: string;
  handler: Handler;
  requests: string[];
  close(): Promise<void>;
}

async function hostileServer(): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const state: { handler: Handler; requests: string[] } = { handler: (_q, res) => res.writeHead(404).end(), requests: [] };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    state.handler(req, res, url);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    requests: state.requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

const dir = tempDir('lianluo-hostile-');
let server: Hostile;
let n = 0;

beforeAll(async () => {
  server = await hostileServer();
});
afterAll(async () => {
  await server?.close();
});

function fresh(bulk: boolean): Db {
  const db = openDb(join(dir, `cache-${++n}.sqlite`));
  migrate(db);
  if (bulk) enterBulkMode(db);
  return db;
}

const rows = (db: Db) => db.prepare('SELECT id, name, seq FROM customers ORDER BY id').all();

describe.each([
  { path: 'bulk (a new file)', bulk: true },
  { path: 'incremental (the serving cache)', bulk: false },
])('a hostile page stops the pull at the last good page: $path', ({ bulk }) => {
  it.each(CASES)('$name', async ({ second, kind, detail }) => {
    const db = fresh(bulk);
    server.handler = (req, res, url) => {
      if (url.searchParams.get('after') === '0') ndjson(res, good(0, [1, 2, 3], true).trimEnd().split('\n'));
      else second(req, res, url);
    };
    const out = await pullStream({ baseUrl: server.url, token: 't', stream: 'customers', db, bulk, limit: 1000, idleTimeoutMs: 300 });
    expect(out.kind).toBe('failed');
    if (out.kind !== 'failed') return;
    expect(out.error.kind).toBe(kind);
    expect(out.error.detail).toMatch(detail);
    expect(out.pages).toBe(1);
    // Stopped at the last good page: its rows and its cursor, nothing of the bad one.
    expect(readCursor(db, 'customers')).toMatchObject({ cursor: SECOND_AFTER, epoch: EPOCH });
    expect(rows(db)).toEqual([1, 2, 3].map((i) => ({ id: `H${i}`, name: `客户 ${i}`, seq: i })));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('nobody listening: offline, nothing written', async () => {
    const db = fresh(bulk);
    const out = await pullStream({ baseUrl: 'http://127.0.0.1:9', token: 't', stream: 'customers', db, bulk, limit: 1000, idleTimeoutMs: 2000 });
    expect(out.kind).toBe('failed');
    if (out.kind === 'failed') expect(out.error).toMatchObject({ kind: 'offline', detail: expect.stringMatching(/cannot reach the backend/) });
    expect(readCursor(db, 'customers').cursor).toBe(0);
    expect(rows(db)).toEqual([]);
    db.close();
  });
});

describe('the desktop retries a hostile backend with backoff and recovers when it behaves', () => {
  it('shows the error in plain terms, retries, and ends with every customer', async () => {
    let failuresLeft = 3;
    const session: Session = {
      token: 'tok-1',
      expiresAt: Date.now() + 3_600_000,
      user: { id: 1, username: 'agent1001', displayName: 'Agent 1001', role: 'agent', teamId: null, disabled: false, hasSip: false, createdAt: 1 },
      team: null,
      sip: null,
    };
    server.handler = (req, res, url) => {
      if (url.pathname === '/v1/auth/login') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(session));
        return;
      }
      if (url.pathname === '/v1/auth/me') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ user: session.user, team: null, expiresAt: session.expiresAt }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok-1') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'no' } }));
        return;
      }
      const after = Number(url.searchParams.get('after'));
      if (url.pathname === '/v1/sync/interactions') return ndjson(res, emptyInteractions(after).trimEnd().split('\n'));
      if (after === 0) return ndjson(res, good(0, [1, 2, 3], true).trimEnd().split('\n'));
      if (after >= 7) return ndjson(res, good(after, []).trimEnd().split('\n'));
      if (failuresLeft-- > 0) return ndjson(res, [begin(after), upsert(after + 1), '{"broken', end(after + 2, 2)]);
      return ndjson(res, good(after, [4, 5, 6, 7]).trimEnd().split('\n'));
    };
    const desktop = await startDesktop({ dataDir: join(dir, 'desktop'), backendUrl: server.url, sync: { live: null, retryMinMs: 100, retryMaxMs: 400 } });
    try {
      const seen: SyncStatus[] = [];
      desktop.services.events.listen((e, p) => {
        if (e === 'sync.changed') seen.push(p as SyncStatus);
      });
      const signed = await desktop.call<{ status: string }>('session.signIn', { backendUrl: server.url, username: 'agent1001', password: 'x' });
      expect(signed.status).toBe('signed_in');
      const idle = await waitFor('the sync to recover and be idle', async () => {
        const st = await desktop.sync();
        return st.state === 'idle' ? st : undefined;
      });
      expect(idle.customers).toBe(7);
      // Three failed attempts, each shown as an error with the time of the next try, then recovery.
      const errors = seen.filter((s, i) => s.state === 'error' && s.retryAt !== null && seen[i - 1]?.retryAt !== s.retryAt);
      expect(errors.length).toBe(3);
      expect(errors[0]?.error).toMatchObject({ kind: 'protocol', detail: expect.stringMatching(/not JSON/) });
      expect(errors.every((s) => s.retryAt !== null && s.retryAt > 0)).toBe(true);
      expect((await desktop.lookup('+8613800000007')).customers[0]?.id).toBe('H7');
    } finally {
      await desktop.close();
    }
  }, 60_000);
});
