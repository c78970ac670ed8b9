// The pusher against a scripted HTTP server on 127.0.0.1 (a real socket, answers chosen per request):
// order, batching, backoff with jitter, lost answers, timeouts, 401, and one unreadable item isolated
// without holding up the rest. The real backend's side is in test/integration/outbox.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openOutboxDb, type OutboxDb } from '../../../electron/services/outbox/outbox-db';
import { counts, enqueue, listByState, toEntry } from '../../../electron/services/outbox/outbox-store';
import { backoffDelay, Pusher, type PushLink } from '../../../electron/services/outbox/pusher';
import type { ItemResult, PushRequest } from '../../../shared/outbox/items';
import { tempDir } from '../../integration/support/temp-dir';

const dir = tempDir('lianluo-pusher-');
const OWNER = 'embedded agent1001';
const quiet = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

type Reply = 'apply' | 'drop-after-apply' | 'hang' | { status: number; body?: unknown };

class Scripted {
  server!: Server;
  url = '';
  /** Keys the "backend" applied, in order (a second apply of a key is a bug the tests look for). */
  applied: string[] = [];
  requests: PushRequest[] = [];
  script: Reply[] = [];
  fallback: Reply = 'apply';
  /** Requests it refuses as a whole (400), as a backend does with an item it cannot even parse. */
  refuseWhole: ((push: PushRequest) => boolean) | null = null;
  private hanging: ServerResponse[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const push = JSON.parse(body) as PushRequest;
    this.requests.push(push);
    if (this.refuseWhole?.(push)) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'invalid_request', message: 'invalid outbox push: items.5.key: must be a ULID' } }));
      return;
    }
    const reply = this.script.shift() ?? this.fallback;
    if (reply === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (typeof reply === 'object') {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? { error: { code: 'internal', message: `scripted ${reply.status}` } }));
      return;
    }
    const results: ItemResult[] = push.items.map((it) => {
      if (this.applied.includes(it.key)) return { key: it.key, status: 'duplicate', original: 'applied', notices: [] };
      if ((it.payload as { bad?: boolean }).bad) return { key: it.key, status: 'rejected', error: { code: 'unknown_disposition', message: 'no such code', field: 'disposition' }, notices: [] };
      this.applied.push(it.key);
      return { key: it.key, status: 'applied', notices: [] };
    });
    if (reply === 'drop-after-apply') {
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.socket?.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const servers: Scripted[] = [];
const pushers: Pusher[] = [];
const dbs: OutboxDb[] = [];
afterEach(async () => {
  for (const p of pushers.splice(0)) await p.close();
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dbs.splice(0)) d.close();
});

let n = 0;
async function rig(o: { maxItems?: number; timeoutMs?: number } = {}) {
  const server = new Scripted();
  await server.start();
  servers.push(server);
  const db = openOutboxDb(join(dir, `p-${++n}.sqlite`));
  dbs.push(db);
  const unauthorized = vi.fn();
  const link: PushLink = { baseUrl: server.url, owner: OWNER, fetch: (url, init) => fetch(url, init), unauthorized };
  const pusher = new Pusher({ db, log: quiet, onChange: () => undefined, backoffBaseMs: 20, backoffMaxMs: 80, maxItems: o.maxItems ?? 200, timeoutMs: o.timeoutMs ?? 2000 });
  pushers.push(pusher);
  const add = (count: number, payload: (i: number) => Record<string, unknown> = (i) => ({ i })) => {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      keys.push(enqueue(db, { kind: 'call.record', payload: payload(i), owner: OWNER, createdAt: Date.now() }).key);
      pusher.itemAdded();
    }
    return keys;
  };
  const drained = async (timeoutMs = 10_000) => {
    const end = Date.now() + timeoutMs;
    while (counts(db, OWNER).pending > 0) {
      if (Date.now() > end) throw new Error(`not drained: ${JSON.stringify(counts(db, OWNER))}, state ${JSON.stringify(pusher.state())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { server, db, pusher, link, unauthorized, add, drained };
}

describe('pusher', () => {
  it('delivers in order, batching what has piled up', async () => {
    const r = await rig({ maxItems: 50 });
    const keys = r.add(120);
    r.pusher.setLink(r.link);
    await r.drained();
    expect(r.server.applied).toEqual(keys);
    expect(r.server.requests.every((q) => q.items.length <= 50)).toBe(true);
    expect(r.server.requests.length).toBeLessThanOrEqual(4);
    const seqs = r.server.requests.flatMap((q) => q.items.map((i) => i.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(r.pusher.state()).toMatchObject({ online: true, lastError: null, retryAt: null });
  });

  it('waits with backoff while the backend fails, then delivers each item once', async () => {
    const r = await rig();
    r.server.script = [{ status: 503 }, { status: 503 }, 'drop-after-apply', 'hang'];
    const short = new Pusher({ db: r.db, log: quiet, onChange: () => undefined, backoffBaseMs: 20, backoffMaxMs: 80, timeoutMs: 300 });
    pushers.push(short);
    r.pusher.setLink(null);
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) keys.push(enqueue(r.db, { kind: 'call.record', payload: { i }, owner: OWNER, createdAt: Date.now() }).key);
    short.setLink(r.link);
    await r.drained();
    expect(r.server.applied).toEqual(keys); // applied once although delivered up to five times
    expect(r.server.requests.length).toBe(5);
    const entries = listByState(r.db, 'pending', OWNER);
    expect(entries).toEqual([]);
  });

  it('says why it is waiting and when it tries again', async () => {
    const r = await rig();
    r.server.fallback = { status: 503, body: { error: { code: 'unavailable', message: 'database restarting' } } };
    r.add(1);
    r.pusher.setLink(r.link);
    await vi.waitFor(() => expect(r.pusher.state().lastError?.message).toMatch(/503: database restarting/), { timeout: 3000 });
    expect(r.pusher.state().online).toBe(true);
    await r.server.stop();
    servers.splice(servers.indexOf(r.server), 1);
    await vi.waitFor(() => expect(r.pusher.state().lastError?.message).toMatch(/cannot be reached/), { timeout: 3000 });
    expect(r.pusher.state().online).toBe(false);
    expect(r.pusher.state().retryAt).toBeGreaterThan(Date.now() - 100);
    expect(toEntry(listByState(r.db, 'pending', OWNER)[0]!).attempts).toBeGreaterThanOrEqual(2);
  });

  it('stops on 401, tells the session, and keeps the items for the next sign-in', async () => {
    const r = await rig();
    r.server.script = [{ status: 401, body: { error: { code: 'unauthorized', message: 'revoked' } } }];
    const keys = r.add(3);
    r.pusher.setLink(r.link);
    await vi.waitFor(() => expect(r.unauthorized).toHaveBeenCalledTimes(1), { timeout: 3000 });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.server.requests).toHaveLength(1);
    expect(counts(r.db, OWNER).pending).toBe(3);
    r.pusher.setLink({ ...r.link }); // signed in again
    await r.drained();
    expect(r.server.applied).toEqual(keys);
  });

  it('isolates an item the backend cannot read (400) and delivers everything else', async () => {
    const r = await rig({ maxItems: 8 });
    const keys = r.add(8, (i) => ({ i, poison: i === 5 }));
    r.server.refuseWhole = (push) => push.items.some((it) => (it.payload as { poison?: boolean }).poison);
    r.pusher.setLink(r.link);
    await r.drained();
    expect(r.server.applied).toEqual(keys.filter((_, i) => i !== 5));
    const attention = listByState(r.db, 'rejected', OWNER).map(toEntry);
    expect(attention).toHaveLength(1);
    expect(attention[0]).toMatchObject({ key: keys[5], error: { code: 'invalid', message: expect.stringMatching(/must be a ULID/) } });
    // Halving found it in a few requests, not one per item.
    expect(r.server.requests.length).toBeLessThanOrEqual(7);
  });

  it('moves refused items to needs attention and goes on', async () => {
    const r = await rig();
    const keys = r.add(4, (i) => ({ i, bad: i === 1 }));
    r.pusher.setLink(r.link);
    await r.drained();
    expect(r.server.applied).toEqual([keys[0], keys[2], keys[3]]);
    expect(listByState(r.db, 'rejected', OWNER).map(toEntry)).toMatchObject([{ key: keys[1], error: { code: 'unknown_disposition', field: 'disposition' } }]);
  });

  it('sends nothing while signed out, and only the signed-in agent’s items', async () => {
    const r = await rig();
    r.add(2);
    enqueue(r.db, { kind: 'call.record', payload: { other: true }, owner: 'embedded agent1002', createdAt: Date.now() });
    r.pusher.itemAdded();
    await new Promise((res) => setTimeout(res, 100));
    expect(r.server.requests).toHaveLength(0);
    r.pusher.setLink(r.link);
    await r.drained();
    expect(r.server.requests.flatMap((q) => q.items).every((i) => !(i.payload as { other?: boolean }).other)).toBe(true);
    expect(counts(r.db, OWNER).waitingForOthers).toBe(1);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with half of each delay random', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, rnd) => {
        const ceiling = Math.min(30_000, 1000 * 2 ** (failures - 1));
        const d = backoffDelay(failures, 1000, 30_000, () => rnd);
        return d >= Math.floor(ceiling / 2) && d <= ceiling;
      }),
    );
    expect([1, 2, 3, 4, 5, 6, 7].map((f) => backoffDelay(f, 1000, 30_000, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
