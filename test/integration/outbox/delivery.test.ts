// The desktop's outbox (real outbox.sqlite, real pusher, the service's IPC handlers) against the real
// backend (Fastify + PGlite on a data folder, stopped and started like a real outage):
// - backend stopped, 100 items saved, backend started → all 100 delivered exactly once, in order, with
//   nobody pressing anything;
// - a refused item is fixed and resent from "needs attention";
// - signing out keeps items, another agent does not send them, the owner's next sign-in does;
// - two desktops signed in as one agent, and a call forked to both, duplicate nothing;
// - the screen pop's context and my callbacks, online and offline.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../backend/app';
import { TEST_COST } from '../../../backend/auth/passwords';
import { SecretBox } from '../../../backend/auth/secret-box';
import type { AccountsConfig } from '../../../backend/auth/accounts';
import { migrate } from '../../../backend/db/migrate';
import { PgliteDb } from '../../../backend/db/pglite-db';
import { Client, createFixture, type Fixture } from '../../../backend/test/support/backend';
import { callRecord, newUlid, wrapUp } from '../../../backend/test/support/outbox-data';
import { OutboxService } from '../../../electron/services/outbox/outbox-service';
import type { PushLink } from '../../../electron/services/outbox/pusher';
import type { CallContext } from '../../../electron/services/router';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';
import type { PushRequest, PushResponse } from '../../../shared/outbox/items';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-outbox-int-');
const box = SecretBox.fromKey(randomBytes(32));
const accounts: AccountsConfig = { box, cost: TEST_COST, sessionTtlMs: 3_600_000 };
const quiet = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const ctx: CallContext = { transport: 'web' };

class Backend {
  db!: PgliteDb;
  app: FastifyInstance | null = null;
  port = 0;
  constructor(readonly dataDir: string) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.db = await PgliteDb.open(this.dataDir);
    await migrate(this.db);
    this.app = await buildApp({ db: this.db, box, passwordCost: TEST_COST });
    await this.app.listen({ host: '127.0.0.1', port: this.port });
    const addr = this.app.server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
  }
  async stop(): Promise<void> {
    await this.app?.close();
    this.app = null;
    await this.db.close();
  }
}

const backend = new Backend(join(dir, 'pg'));
let fixture: Fixture;
const tokens: Record<string, string> = {};
const desktops: OutboxService[] = [];
/** Every push request any desktop sent, with the answer it got (null: no answer). */
const wire: { desktop: string; req: PushRequest; res: PushResponse | null }[] = [];

beforeAll(async () => {
  await backend.start();
  fixture = await createFixture(backend.db, accounts);
  const client = new Client(backend.url);
  for (const u of ['agent-a', 'agent-b']) tokens[u] = await client.login(u);
  await client.req('PUT', `/v1/teams/${fixture.teams.alpha}/wrapup`, { token: await client.login('admin'), json: { seconds: 45 } });
}, 60_000);
afterAll(async () => {
  for (const d of desktops) await d.close();
  if (backend.app) await backend.stop();
});

function desktop(name: string): OutboxService {
  const s = new OutboxService({
    dataDir: join(dir, name),
    events: { emit: () => undefined },
    log: quiet,
    plan: () => DEFAULT_NUMBER_PLAN,
    pusher: { backoffBaseMs: 100, backoffMaxMs: 800, timeoutMs: 5000 },
    refreshMs: 3_600_000,
  });
  desktops.push(s);
  return s;
}

function link(desktopName: string, user: 'agent-a' | 'agent-b'): PushLink {
  return {
    baseUrl: backend.url,
    owner: `test-backend ${user}`,
    unauthorized: vi.fn(),
    async fetch(url, init) {
      const req = url.endsWith('/v1/outbox') ? (JSON.parse(String(init.body)) as PushRequest) : null;
      const entry = req ? { desktop: desktopName, req, res: null as PushResponse | null } : null;
      if (entry) wire.push(entry);
      const res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${tokens[user]}` } });
      if (entry && res.status === 200) entry.res = (await res.clone().json()) as PushResponse;
      return res;
    },
  };
}

async function until<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const serverCount = async (sql: string, params: unknown[] = []) => ((await backend.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]?.n ?? 0);

async function createCustomer(id: string, phone: string): Promise<void> {
  const client = new Client(backend.url);
  const r = await client.req('POST', '/v1/customers', { token: await client.login('admin'), json: { id, name: `客户 ${id}`, phones: [{ number: phone }] } });
  expect(r.status, r.text).toBe(201);
}

describe('outbox delivery against the real backend', () => {
  it('delivers 100 items saved while the backend was down, once each, in order, without anyone asking', async () => {
    await createCustomer('INT-1', '13912340001');
    const d = desktop('desk-1');
    d.setLink(link('desk-1', 'agent-a'));
    await until('the configuration', async () => (await d.handlers['outbox.config']({ refresh: true }, ctx)).config);
    expect(d.cachedConfig()?.wrapUpSeconds).toBe(45);

    await backend.stop();
    const keys: string[] = [];
    for (let i = 0; i < 50; i++) {
      const rec = callRecord({ customerId: i % 2 ? 'INT-1' : null, remoteNumber: '13912340001' });
      const saved = d.handlers['outbox.recordCall'](rec, ctx);
      if (!('ok' in saved) || !saved.ok) throw new Error('not saved');
      keys.push(saved.key);
      const w = wrapUp(rec.interactionId, {
        customerId: rec.customerId,
        note: `call ${i}`,
        followups: i % 5 === 0 ? [{ id: newUlid(), kind: 'callback', dueAt: Date.now() + 86_400_000, number: '13912340001', assignee: 'me', note: '' }] : [],
      });
      const r = d.handlers['outbox.submitWrapUp']({ wrapUp: w }, ctx);
      if (!('ok' in r) || !r.ok) throw new Error(`not saved: ${JSON.stringify(r)}`);
      keys.push(r.key);
    }
    expect(d.status()).toMatchObject({ pending: 100, needsAttention: 0 });
    await until('the pusher to notice the backend is down', () => d.status().online === false && d.status().lastError !== null);
    expect(d.status().lastError?.message).toMatch(/cannot be reached/);
    expect(d.status().oldestAt).toBeLessThanOrEqual(Date.now());

    await backend.start();
    await until('all 100 delivered', () => d.status().pending === 0);
    expect(d.status()).toMatchObject({ online: true, lastError: null, needsAttention: 0 });

    // Exactly once, on the server's side.
    expect(await serverCount("outbox_applied WHERE key = ANY($1::text[]) AND status = 'applied'", [keys])).toBe(100);
    expect(await serverCount('call_records WHERE note LIKE $1', ['call %'])).toBe(50);
    expect(await serverCount("followups WHERE kind = 'callback' AND number = '13912340001'")).toBe(10);
    expect(await serverCount("interactions WHERE customer_id = 'INT-1'")).toBe(25);
    // In order: every answered request continued exactly where the previous answered one ended.
    const answered = wire.filter((w) => w.desktop === 'desk-1' && w.res).flatMap((w) => w.req.items.map((it, k) => ({ key: it.key, status: w.res!.results[k]!.status })));
    const firsts = answered.filter((a) => a.status === 'applied').map((a) => a.key);
    expect(firsts).toEqual(keys);
  }, 90_000);

  it('lets the agent fix and resend what the backend refused', async () => {
    const d = desktop('desk-2');
    d.setLink(link('desk-2', 'agent-a'));
    const rec = callRecord();
    d.handlers['outbox.recordCall'](rec, ctx);
    // The backend's list changed after this desktop fetched it: 'sale' was retired meanwhile.
    const client = new Client(backend.url);
    const admin = await client.login('admin');
    const cfg = (await client.req<{ dispositions: { code: string; en: string; zh: string; active: boolean }[] }>('GET', '/v1/wrapup/config', { token: admin })).json;
    const w = wrapUp(rec.interactionId, { disposition: 'sale', note: 'sold the upgrade' });
    expect(d.handlers['outbox.submitWrapUp']({ wrapUp: w }, ctx)).toMatchObject({ ok: true });
    await client.req('PUT', '/v1/wrapup/dispositions', { token: admin, json: cfg.dispositions.map((x) => ({ ...x, active: x.code !== 'sale' })) });
    d.pusher.retryNow();
    await until('the refusal', () => d.status().needsAttention === 1);
    const list = await d.handlers['outbox.list']({}, ctx);
    expect(list.attention).toMatchObject([{ kind: 'wrapup.submit', error: { code: 'unknown_disposition', field: 'disposition' } }]);
    const entry = list.attention[0]!;
    // A fix that is still wrong is refused before anything is saved.
    expect(d.handlers['outbox.resend']({ seq: entry.seq, payload: { ...w, note: 'x'.repeat(2001) } }, ctx)).toMatchObject({ ok: false, issues: [{ field: 'note' }] });
    expect(d.handlers['outbox.resend']({ seq: entry.seq, payload: { ...w, disposition: 'resolved' } }, ctx)).toMatchObject({ ok: true });
    await until('the fixed item delivered', () => d.status().pending === 0 && d.status().needsAttention === 0);
    const [row] = await backend.db.query<{ disposition: string; note: string }>('SELECT disposition, note FROM call_records WHERE id = $1', [rec.interactionId]);
    expect(row).toEqual({ disposition: 'resolved', note: 'sold the upgrade' });
    await client.req('PUT', '/v1/wrapup/dispositions', { token: admin, json: cfg.dispositions });
  }, 30_000);

  it('keeps items over a sign-out; another agent does not send them; the owner’s next sign-in does', async () => {
    const d = desktop('desk-3');
    d.setLink(link('desk-3', 'agent-a'));
    await backend.stop();
    const mine = callRecord({ remoteName: 'saved by A, backend down' });
    try {
      d.handlers['outbox.recordCall'](mine, ctx);
      await until('a failed attempt', () => d.status().lastError !== null);
      expect(d.status().pending).toBe(1);
      d.setLink(null); // A signs out (the app warned about the waiting item)
    } finally {
      await backend.start();
    }
    const unowned = callRecord({ remoteName: 'saved while nobody was signed in' });
    d.handlers['outbox.recordCall'](unowned, ctx);
    d.setLink(link('desk-3', 'agent-b')); // B takes the unowned one, not A's
    await until('B’s item delivered', () => d.status().pending === 0);
    expect(d.status()).toMatchObject({ waitingForOthers: 1 });
    expect(await serverCount('call_records WHERE id = $1', [mine.interactionId])).toBe(0);
    d.setLink(link('desk-3', 'agent-a'));
    await until('A’s item delivered at A’s sign-in', () => d.status().pending === 0 && d.status().waitingForOthers === 0);
    const rows = await backend.db.query<{ id: string; user_id: number }>('SELECT id, user_id FROM call_records WHERE id = ANY($1::text[])', [[mine.interactionId, unowned.interactionId]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.user_id]))).toEqual({ [mine.interactionId]: fixture.users.agentA.id, [unowned.interactionId]: fixture.users.agentB.id });
  }, 30_000);

  it('duplicates nothing with two desktops signed in as one agent, also for a call forked to both', async () => {
    const one = desktop('twin-1');
    const two = desktop('twin-2');
    one.setLink(link('twin-1', 'agent-a'));
    two.setLink(link('twin-2', 'agent-a'));
    await createCustomer('INT-TWIN', '13912340002');
    const sipCallId = `${newUlid()}@127.0.0.1`;
    const answered = callRecord({ customerId: 'INT-TWIN', sipCallId });
    const elsewhere = callRecord({ customerId: 'INT-TWIN', sipCallId, outcome: 'elsewhere', answeredAt: null, talkMs: 0, holdMs: 0, endReason: 'missed' });
    two.handlers['outbox.recordCall'](elsewhere, ctx);
    one.handlers['outbox.recordCall'](answered, ctx);
    one.handlers['outbox.submitWrapUp']({ wrapUp: wrapUp(answered.interactionId, { customerId: 'INT-TWIN', note: 'twin' }) }, ctx);
    for (let i = 0; i < 10; i++) {
      one.handlers['outbox.recordCall'](callRecord({ remoteName: 'twin-1' }), ctx);
      two.handlers['outbox.recordCall'](callRecord({ remoteName: 'twin-2' }), ctx);
    }
    await until('both drained', () => one.status().pending === 0 && two.status().pending === 0);
    expect(await serverCount("call_records WHERE remote_name IN ('twin-1', 'twin-2')")).toBe(20);
    const outcomes = await backend.db.query<{ outcome: string }>('SELECT outcome FROM call_records WHERE sip_call_id = $1 ORDER BY outcome', [sipCallId]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['answered', 'elsewhere']);
    const ctxAnswer = await one.handlers['outbox.context']({ customerId: 'INT-TWIN' }, ctx);
    expect(ctxAnswer).toMatchObject({ source: 'server', pendingContacts: 0, context: { contacts7d: 1, lastNote: { note: 'twin' } } });
  }, 30_000);

  it('answers the pop’s context and my callbacks from the backend, and from the outbox while it is down', async () => {
    await createCustomer('INT-CTX', '13912340003');
    const d = desktop('desk-ctx');
    d.setLink(link('desk-ctx', 'agent-a'));
    const first = callRecord({ customerId: 'INT-CTX' });
    d.handlers['outbox.recordCall'](first, ctx);
    const due = Date.now() + 2 * 3_600_000;
    d.handlers['outbox.submitWrapUp'](
      { wrapUp: wrapUp(first.interactionId, { customerId: 'INT-CTX', note: '第一次来电', followups: [{ id: newUlid(), kind: 'callback', dueAt: due, number: '13912340003', assignee: 'me', note: 'quote' }] }) },
      ctx,
    );
    await until('delivered', () => d.status().pending === 0);
    const online = await d.handlers['outbox.context']({ customerId: 'INT-CTX' }, ctx);
    expect(online).toMatchObject({ source: 'server', context: { contacts7d: 1, lastDisposition: { code: 'resolved' }, lastNote: { note: '第一次来电' }, openFollowups: [{ kind: 'callback', dueAt: due }] } });
    const callbacks = await d.handlers['outbox.callbacks']({ refresh: true }, ctx);
    expect(callbacks.fetchedAt).not.toBeNull();
    const cb = callbacks.followups.find((f) => f.customerId === 'INT-CTX');
    expect(cb).toMatchObject({ dueAt: due, number: '13912340003', customerSnapshot: { name: '客户 INT-CTX' } });
    expect(cb?.pending).toBeUndefined();

    await backend.stop();
    try {
      const second = callRecord({ customerId: 'INT-CTX' });
      d.handlers['outbox.recordCall'](second, ctx);
      const due2 = Date.now() + 3 * 3_600_000;
      d.handlers['outbox.submitWrapUp']({ wrapUp: wrapUp(second.interactionId, { customerId: 'INT-CTX', note: '第二次', followups: [{ id: newUlid(), kind: 'callback', dueAt: due2, number: '13912340003', assignee: 'me', note: '' }] }) }, ctx);
      const offline = await d.handlers['outbox.context']({ customerId: 'INT-CTX' }, ctx);
      expect(offline).toMatchObject({ source: 'local', pendingContacts: 1, context: { contacts7d: 1, lastNote: { note: '第二次' } } });
      const cbs = await d.handlers['outbox.callbacks']({ refresh: true }, ctx);
      expect(cbs.followups.filter((f) => f.customerId === 'INT-CTX').map((f) => [f.dueAt, f.pending ?? false])).toEqual([
        [due, false],
        [due2, true],
      ]);
    } finally {
      await backend.start();
    }
    await until('delivered after the restart', () => d.status().pending === 0);
  }, 60_000);
});
