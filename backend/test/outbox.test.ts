// The outbox push endpoint against a real database (PostgreSQL and PGlite): exactly once under resends and
// concurrent deliveries, per-item results, rejections that never wedge, customers merged or deleted
// meanwhile, new customers from the card, follow-ups, the customer context, forked calls, the config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemResult, PushResponse, WireItem } from '../../shared/outbox/items';
import { OUTBOX_LIMITS } from '../../shared/outbox/items';
import type { CallView, CustomerContext, FollowupList, WrapupConfig } from '../../shared/outbox/followups';
import { DB_KINDS, startTestBackend, type TestBackend } from './support/backend';
import type { Db, Queryable } from '../db/db';
import { pushItems } from '../outbox/apply';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { mobile, serverWindow } from './support/data';
import { callRecord, item, newCustomer, newUlid, wrapUp } from './support/outbox-data';
import { Mirror } from './support/sync-client';

describe.each(DB_KINDS)('outbox on %s', (kind) => {
  let b: TestBackend;
  const clientId = newUlid();
  let customerN = 0;

  beforeAll(async () => {
    b = await startTestBackend(kind);
  });
  afterAll(() => b?.close());

  async function push(items: WireItem[], token = b.tokens.agentA, cid = clientId): Promise<ItemResult[]> {
    const r = await b.client.req<PushResponse>('POST', '/v1/outbox', { token, json: { protocol: 1, clientId: cid, items } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.results.map((x) => x.key)).toEqual(items.map((i) => i.key));
    return r.json.results;
  }

  async function customer(name = '客户'): Promise<string> {
    const id = `OB-${kind}-${++customerN}`;
    const r = await b.client.req('POST', '/v1/customers', { token: b.tokens.admin, json: { id, name, phones: [{ number: mobile(500_000 + customerN) }] } });
    expect(r.status, r.text).toBe(201);
    return id;
  }

  const count = async (sql: string, params: unknown[] = []) => ((await b.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]?.n ?? 0);

  it('applies a call record and its wrap-up with a callback and a ticket, once', async () => {
    const cust = await customer('王芳');
    const rec = callRecord({ customerId: cust });
    const due = Date.now() + 3_600_000;
    const wrap = wrapUp(rec.interactionId, {
      customerId: cust,
      note: '答应明天回电。',
      followups: [
        { id: newUlid(), kind: 'callback', dueAt: due, number: '138 0013 8000', assignee: 'me', note: 'about the renewal' },
        { id: newUlid(), kind: 'ticket', category: 'billing', priority: 'high', description: 'Invoice title wrong' },
      ],
    });
    const items = [item('call.record', rec), item('wrapup.submit', wrap)];
    const first = await push(items);
    expect(first.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(first[1]).toMatchObject({ customerId: cust, notices: [] });

    // The same request again (a lost answer): duplicates with the first answers, nothing applied twice.
    const again = await push(items);
    expect(again.map((r) => [r.status, r.original])).toEqual([
      ['duplicate', 'applied'],
      ['duplicate', 'applied'],
    ]);
    expect(await count('call_records WHERE id = $1', [rec.interactionId])).toBe(1);
    expect(await count('followups WHERE interaction_id = $1', [rec.interactionId])).toBe(2);

    // The history row syncs to every desktop with the disposition and the note.
    const m = new Mirror();
    await m.pull(b.url, b.tokens.agentB, 'interactions');
    expect(m.interactions.get(rec.interactionId)).toMatchObject({ customerId: cust, disposition: 'resolved', note: '答应明天回电。', agent: 'agent-a', durationS: 80 });
    expect(m.interactions).toEqual(await serverWindow(b.db));

    // My callbacks, and the screen pop's context.
    const mine = await b.client.req<FollowupList>('GET', '/v1/followups', { token: b.tokens.agentA });
    expect(mine.json.followups.filter((f) => f.customerId === cust)).toMatchObject([{ kind: 'callback', dueAt: due, number: '13800138000', assignee: 'me', state: 'open', customerSnapshot: { name: '王芳' } }]);
    const ctx = await b.client.req<CustomerContext>('GET', `/v1/customers/${cust}/context`, { token: b.tokens.agentB });
    expect(ctx.json).toMatchObject({ customerId: cust, contacts7d: 1, lastDisposition: { code: 'resolved' }, lastNote: { note: '答应明天回电。', agent: 'agent-a', interactionId: rec.interactionId } });
    expect(ctx.json.openFollowups.map((f) => f.kind).sort()).toEqual(['callback', 'ticket']);
    // The call itself, as another agent (a transfer's receiver) reads it.
    const call = await b.client.req<CallView>('GET', `/v1/calls/${rec.interactionId}`, { token: b.tokens.agentB });
    expect(call.json).toMatchObject({ agent: 'agent-a', customerId: cust, outcome: 'answered', ringMs: 5000, talkMs: 80_000, holdMs: 10_000, wrapMs: 20_000, disposition: 'resolved', note: '答应明天回电。' });
    expect((await b.client.req('GET', `/v1/calls/${newUlid()}`, { token: b.tokens.agentB })).status).toBe(404);
  });

  it('applies concurrent deliveries of the same items exactly once', async () => {
    const recs = Array.from({ length: 20 }, () => callRecord());
    const items = recs.map((r) => item('call.record', r));
    const answers = await Promise.all([push(items), push(items), push(items.slice(5))]);
    for (const [i, it] of items.entries()) {
      const statuses = answers.map((a) => a.find((r) => r.key === it.key)?.status).filter(Boolean);
      expect(statuses.filter((s) => s === 'applied'), `item ${i}`).toHaveLength(1);
    }
    expect(await count('call_records WHERE id = ANY($1::text[])', [recs.map((r) => r.interactionId)])).toBe(20);
    expect(await count('outbox_applied WHERE key = ANY($1::text[])', [items.map((i) => i.key)])).toBe(20);
  });

  it('rejects one bad item alone, with the field and a reason, and keeps the answer for resends', async () => {
    const rec = callRecord();
    const items = [
      item('call.record', rec),
      item('wrapup.submit', wrapUp(rec.interactionId, { disposition: 'no_such_code' })),
      item('wrapup.submit', wrapUp(rec.interactionId, { note: 'x'.repeat(OUTBOX_LIMITS.note + 1) })),
      item('wrapup.submit', wrapUp(rec.interactionId, { followups: [{ id: newUlid(), kind: 'callback', dueAt: Date.now() - 86_400_000, number: '13800138000', assignee: 'me', note: '' }] })),
      item('wrapup.submit', wrapUp(rec.interactionId, { followups: [{ id: newUlid(), kind: 'ticket', category: 'nope', priority: 'low', description: 'x' }] })),
      item('wrapup.submit', wrapUp(newUlid())),
      item('call.record', { ...rec, interactionId: 'not-a-ulid' }),
      item('call.record', rec, { kind: 'call.teleport' }),
      item('wrapup.submit', wrapUp(rec.interactionId, { disposition: 'sale', note: 'after all that' })),
    ];
    const r = await push(items);
    expect(r.map((x) => x.status)).toEqual(['applied', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'applied']);
    expect(r.map((x) => [x.error?.code, x.error?.field])).toEqual([
      [undefined, undefined],
      ['unknown_disposition', 'disposition'],
      ['invalid', 'note'],
      ['invalid_due', 'followups.0.dueAt'],
      ['unknown_category', 'followups.0.category'],
      ['call_missing', 'interactionId'],
      ['invalid', 'interactionId'],
      ['unknown_kind', undefined],
      [undefined, undefined],
    ]);
    for (const x of r.filter((y) => y.status === 'rejected')) expect(x.error?.message.length).toBeGreaterThan(10);
    // Nothing half-saved: the rejected wrap-ups left no follow-ups behind; the good one is on the record.
    expect(await count('followups WHERE interaction_id = $1', [rec.interactionId])).toBe(0);
    const [row] = await b.db.query<{ disposition: string; note: string }>('SELECT disposition, note FROM call_records WHERE id = $1', [rec.interactionId]);
    expect(row).toEqual({ disposition: 'sale', note: 'after all that' });
    const again = await push(items.slice(1, 3));
    expect(again.map((x) => [x.status, x.original, x.error?.code])).toEqual([
      ['duplicate', 'rejected', 'unknown_disposition'],
      ['duplicate', 'rejected', 'invalid'],
    ]);
  });

  it('re-links follow-ups of a merged customer and keeps those of a deleted one with the snapshot', async () => {
    const from = await customer('张三');
    const into = await customer('张三 (main)');
    const gone = await customer('李四');
    expect((await b.client.req('POST', `/v1/customers/${from}/merge`, { token: b.tokens.admin, json: { into } })).status).toBe(200);
    expect((await b.client.req('DELETE', `/v1/customers/${gone}`, { token: b.tokens.admin })).status).toBe(200);

    const recA = callRecord({ customerId: from });
    const recB = callRecord({ customerId: gone, remoteName: 'Li Si', remoteNumber: '13900001111' });
    const cb = (n: string) => ({ id: newUlid(), kind: 'callback' as const, dueAt: Date.now() + 60_000, number: n, assignee: 'team' as const, note: '' });
    const r = await push([
      item('call.record', recA),
      item('wrapup.submit', wrapUp(recA.interactionId, { customerId: from, followups: [cb('13800000001')] })),
      item('call.record', recB),
      item('wrapup.submit', wrapUp(recB.interactionId, { customerId: gone, customerSnapshot: { name: '李四', company: 'ACME', number: '13900001111' }, followups: [cb('13900001111')] })),
      item('call.record', callRecord({ customerId: 'NEVER-EXISTED' })),
    ]);
    expect(r.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(r[1]).toMatchObject({ customerId: into, notices: [{ code: 'customer_merged', from, to: into }] });
    expect(r[3]).toMatchObject({ customerId: null, notices: [{ code: 'customer_deleted', customerId: gone }] });
    expect(r[4]).toMatchObject({ customerId: null, notices: [{ code: 'customer_unknown', customerId: 'NEVER-EXISTED' }] });

    // The team's callbacks (assignee team): a lead of the team sees both, the deleted one with its snapshot.
    const team = await b.client.req<FollowupList>('GET', '/v1/followups?scope=team', { token: b.tokens.supA });
    const a = team.json.followups.find((f) => f.interactionId === recA.interactionId);
    const bb = team.json.followups.find((f) => f.interactionId === recB.interactionId);
    expect(a).toMatchObject({ customerId: into, assignee: 'team', ownerUserId: null });
    expect(bb).toMatchObject({ customerId: null, customerSnapshot: { name: '李四', company: 'ACME', number: '13900001111' } });
    // The context of the old id answers for the survivor.
    const ctx = await b.client.req<CustomerContext>('GET', `/v1/customers/${from}/context`, { token: b.tokens.agentA });
    expect(ctx.json.customerId).toBe(into);
    expect(ctx.json.openFollowups.map((f) => f.interactionId)).toEqual([recA.interactionId]);
    expect((await b.client.req('GET', `/v1/customers/${gone}/context`, { token: b.tokens.agentA })).status).toBe(404);
  });

  it('moves call records and follow-ups along when their customer is merged later', async () => {
    const from = await customer();
    const into = await customer();
    const rec = callRecord({ customerId: from });
    await push([item('call.record', rec), item('wrapup.submit', wrapUp(rec.interactionId, { customerId: from, followups: [{ id: newUlid(), kind: 'ticket', category: 'other', priority: 'low', description: 'x' }] }))]);
    expect((await b.client.req('POST', `/v1/customers/${from}/merge`, { token: b.tokens.admin, json: { into } })).status).toBe(200);
    const ctx = await b.client.req<CustomerContext>('GET', `/v1/customers/${into}/context`, { token: b.tokens.agentA });
    expect(ctx.json.contacts7d).toBe(1);
    expect(ctx.json.openFollowups).toHaveLength(1);
    const [row] = await b.db.query<{ customer_id: string }>('SELECT customer_id FROM call_records WHERE id = $1', [rec.interactionId]);
    expect(row?.customer_id).toBe(into);
  });

  it('creates a customer from the card and links the call recorded before it', async () => {
    const rec = callRecord({ remoteNumber: '13911113333' });
    const nc = newCustomer({ name: 'New Caller 新来电', phones: [{ number: '139 1111 3333', label: 'mobile' }], interactionId: rec.interactionId });
    const r = await push([item('call.record', rec), item('customer.create', nc), item('wrapup.submit', wrapUp(rec.interactionId, { customerId: nc.id, note: 'first call' }))]);
    expect(r.map((x) => x.status)).toEqual(['applied', 'applied', 'applied']);
    const m = new Mirror();
    await m.pull(b.url, b.tokens.agentA, 'customers');
    await m.pull(b.url, b.tokens.agentA, 'interactions');
    expect(m.customers.get(nc.id)).toMatchObject({ name: 'New Caller 新来电', phones: [{ e164: '+8613911113333' }] });
    expect(m.interactions.get(rec.interactionId)).toMatchObject({ customerId: nc.id, note: 'first call' });
    const bad = await push([item('customer.create', newCustomer({ phones: [{ number: '12', label: '' }] }))]);
    expect(bad[0]).toMatchObject({ status: 'rejected', error: { code: 'invalid', field: 'phones' } });
  });

  it('closes a callback for its owner and team, never for another team', async () => {
    const rec = callRecord();
    const id = newUlid();
    await push([item('call.record', rec), item('wrapup.submit', wrapUp(rec.interactionId, { followups: [{ id, kind: 'callback', dueAt: Date.now() + 1000, number: '010 8888 6666', assignee: 'me', note: '' }] }))]);
    const other = await push([item('followup.update', { followupId: id, state: 'done', note: '' })], b.tokens.agentB);
    expect(other[0]).toMatchObject({ status: 'rejected', error: { code: 'forbidden' } });
    const missing = await push([item('followup.update', { followupId: newUlid(), state: 'done', note: '' })]);
    expect(missing[0]).toMatchObject({ status: 'rejected', error: { code: 'followup_missing' } });
    const done = await push([item('followup.update', { followupId: id, state: 'done', note: 'called back, all good' })]);
    expect(done[0]).toMatchObject({ status: 'applied' });
    expect(done[0]?.error).toBeUndefined();
    const mine = await b.client.req<FollowupList>('GET', '/v1/followups', { token: b.tokens.agentA });
    expect(mine.json.followups.some((f) => f.id === id)).toBe(false);
    const [row] = await b.db.query<{ state: string; note: string }>('SELECT state, note FROM followups WHERE id = $1', [id]);
    expect(row).toEqual({ state: 'done', note: 'called back, all good' });
  });

  it('keeps a forked call answered on one desktop as "elsewhere" on the other, whichever arrives first', async () => {
    const cust = await customer();
    for (const missedFirst of [true, false]) {
      const sipCallId = `fork-${newUlid()}@127.0.0.1`;
      const answered = callRecord({ customerId: cust, sipCallId });
      const missed = callRecord({ customerId: cust, sipCallId, outcome: 'missed', answeredAt: null, talkMs: 0, holdMs: 0, endReason: 'missed' });
      const order = missedFirst ? [missed, answered] : [answered, missed];
      const r = await push(order.map((x) => item('call.record', x)), b.tokens.agentA, newUlid());
      expect(r.map((x) => x.status)).toEqual(['applied', 'applied']);
      const rows = await b.db.query<{ id: string; outcome: string }>('SELECT id, outcome FROM call_records WHERE sip_call_id = $1', [sipCallId]);
      expect(Object.fromEntries(rows.map((x) => [x.id, x.outcome]))).toEqual({ [answered.interactionId]: 'answered', [missed.interactionId]: 'elsewhere' });
    }
    const ctx = await b.client.req<CustomerContext>('GET', `/v1/customers/${cust}/context`, { token: b.tokens.agentA });
    expect(ctx.json.contacts7d).toBe(2);
  });

  it('rolls back only the item that fails unexpectedly, records it as internal, and applies the rest', async () => {
    // A database that refuses one particular follow-up (as a constraint or a bug would).
    const faulty = (q: Queryable): Queryable => ({
      ...q,
      query: (sql, params) => {
        if (sql.includes('INSERT INTO followups') && params?.includes('BOOM')) return Promise.reject(Object.assign(new Error('check violation'), { code: '23514' }));
        return q.query(sql, params);
      },
      queryArrays: (sql, params) => q.queryArrays(sql, params),
      exec: (sql) => q.exec(sql),
    });
    const db: Db = { ...b.db, kind: b.db.kind, query: b.db.query.bind(b.db), queryArrays: b.db.queryArrays.bind(b.db), exec: b.db.exec.bind(b.db), listen: b.db.listen.bind(b.db), close: async () => undefined, transaction: (fn) => b.db.transaction((tx) => fn(faulty(tx))) };
    const [user] = await b.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'agent-a'");
    const principal = { userId: user!.id, username: 'agent-a', displayName: 'agent-a', role: 'agent' as const, teamId: b.fixture.teams.alpha, tokenHash: '', expiresAt: Date.now() + 60_000 };
    const recs = [callRecord(), callRecord(), callRecord()];
    const cb = (note: string) => [{ id: newUlid(), kind: 'callback' as const, dueAt: Date.now() + 60_000, number: '13800138000', assignee: 'me' as const, note }];
    const items = [
      ...recs.map((r) => item('call.record', r)),
      item('wrapup.submit', wrapUp(recs[0]!.interactionId, { followups: cb('fine') })),
      item('wrapup.submit', wrapUp(recs[1]!.interactionId, { note: 'half-saved?', followups: cb('BOOM') })),
      item('wrapup.submit', wrapUp(recs[2]!.interactionId, { followups: cb('fine too') })),
    ];
    const errors: unknown[] = [];
    const r = await pushItems(db, principal, DEFAULT_NUMBER_PLAN, { protocol: 1, clientId, items }, { error: (obj) => errors.push(obj) });
    expect(r.map((x) => x.error?.code ?? x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'internal', 'applied']);
    expect(errors).toHaveLength(1);
    // Nothing of the failed wrap-up stayed (its note is not on the record), everything else did.
    const rows = await b.db.query<{ id: string; note: string }>('SELECT id, note FROM call_records WHERE id = ANY($1::text[]) ORDER BY id', [recs.map((x) => x.interactionId)]);
    expect(rows.map((x) => x.note)).toEqual(['Explained the invoice.', '', 'Explained the invoice.']);
    expect(await count('followups WHERE interaction_id = ANY($1::text[])', [recs.map((x) => x.interactionId)])).toBe(2);
    expect(await count('outbox_applied WHERE key = ANY($1::text[])', [items.map((i) => i.key)])).toBe(6);
  });

  it('never answers another user’s key with its result', async () => {
    const it0 = item('call.record', callRecord());
    await push([it0]);
    const r = await push([it0], b.tokens.agentB);
    expect(r[0]).toMatchObject({ status: 'rejected', error: { code: 'conflict' } });
    expect(r[0]?.original).toBeUndefined();
  });

  it('refuses a malformed request as a whole (bad keys, too many items)', async () => {
    const bad = await b.client.req('POST', '/v1/outbox', { token: b.tokens.agentA, json: { protocol: 1, clientId, items: [{ ...item('call.record', callRecord()), key: 'nope' }] } });
    expect(bad.status).toBe(400);
    const many = Array.from({ length: OUTBOX_LIMITS.batch + 1 }, () => item('call.record', callRecord()));
    expect((await b.client.req('POST', '/v1/outbox', { token: b.tokens.agentA, json: { protocol: 1, clientId, items: many } })).status).toBe(400);
  });

  it('serves the wrap-up configuration; admins change codes and team limits, deactivated codes are refused', async () => {
    const cfg = await b.client.req<WrapupConfig>('GET', '/v1/wrapup/config', { token: b.tokens.agentA });
    expect(cfg.json.dispositions.map((d) => d.code)).toContain('resolved');
    expect(cfg.json.dispositions.find((d) => d.code === 'resolved')).toMatchObject({ en: 'Resolved', zh: '已解决', active: true });
    expect(cfg.json.wrapUpSeconds).toBe(30);

    expect((await b.client.req('PUT', `/v1/teams/${b.fixture.teams.alpha}/wrapup`, { token: b.tokens.admin, json: { seconds: 45 } })).status).toBe(200);
    expect((await b.client.req('PUT', `/v1/teams/${b.fixture.teams.alpha}/wrapup`, { token: b.tokens.admin, json: { seconds: 99999 } })).status).toBe(400);
    expect((await b.client.req<WrapupConfig>('GET', '/v1/wrapup/config', { token: b.tokens.agentA })).json.wrapUpSeconds).toBe(45);
    expect((await b.client.req<WrapupConfig>('GET', '/v1/wrapup/config', { token: b.tokens.agentB })).json.wrapUpSeconds).toBe(30);

    const list = cfg.json.dispositions.filter((d) => d.code !== 'sale').map((d) => ({ code: d.code, en: d.en, zh: d.zh, active: d.active }));
    list.push({ code: 'vip_upgrade', en: 'VIP upgrade', zh: 'VIP 升级', active: true });
    const put = await b.client.req<{ dispositions: { code: string; active: boolean }[] }>('PUT', '/v1/wrapup/dispositions', { token: b.tokens.admin, json: list });
    expect(put.status, put.text).toBe(200);
    expect(put.json.dispositions.find((d) => d.code === 'sale')).toMatchObject({ active: false });
    expect((await b.client.req('PUT', '/v1/wrapup/dispositions', { token: b.tokens.admin, json: [{ code: 'Bad Code', en: 'x', zh: 'x', active: true }] })).status).toBe(400);
    const rec = callRecord();
    const r = await push([item('call.record', rec), item('wrapup.submit', wrapUp(rec.interactionId, { disposition: 'sale' })), item('wrapup.submit', wrapUp(rec.interactionId, { disposition: 'vip_upgrade' }))]);
    expect(r.map((x) => x.error?.code ?? x.status)).toEqual(['applied', 'unknown_disposition', 'applied']);
  });
});
