// Pull sync against a real backend on PostgreSQL and on PGlite: page order and boundaries, tombstones,
// merges, resets, bad cursors, the commit-order guarantee, and convergence under concurrent writers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PAGE_MAX } from '../../shared/sync/protocol';
import { writeChanges } from '../db/changes';
import { addInteractions } from '../interactions/store';
import { compact } from '../sync/compact';
import { DB_KINDS, startTestBackend, type TestBackend } from './support/backend';
import { csvOf, customers, interaction, mobile, serverCustomers } from './support/data';
import { fetchPage, Mirror } from './support/sync-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)('pull sync on %s', (kind) => {
  let b: TestBackend;
  let token: string;
  let admin: string;
  const importCsv = async (csv: string) => {
    const r = await b.client.req('POST', '/v1/customers/import', { token: admin, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(r.status, r.text).toBe(200);
    return r.json as { rows: number; created: number; updated: number; seq: number };
  };

  beforeAll(async () => {
    // Tiny batches: every page crosses many batch boundaries inside the server.
    b = await startTestBackend(kind, { syncBatchRows: 7 });
    token = b.tokens.agentA;
    admin = b.tokens.admin;
  });
  afterAll(() => b?.close());

  it('answers an empty stream with a begin and an end line', async () => {
    const r = await fetchPage(b.url, token, 'customers', { after: 0 });
    if (r.kind !== 'page') throw new Error('unexpected reset');
    expect(r.page.changes).toEqual([]);
    expect(r.page.end).toEqual({ type: 'end', next: 0, count: 0, more: false });
    expect(r.page.begin.epoch).toMatch(/^[a-f0-9]{32}\.1\.0$/);
  });

  it('serves pages in seq order, with no gap or duplicate across page and batch boundaries', async () => {
    await importCsv(csvOf(customers(120, 'P')));
    const m = new Mirror();
    const pages = await m.pull(b.url, token, 'customers', 25);
    expect(pages).toBe(5);
    expect(m.seqs.customers).toHaveLength(120);
    expect(m.seqs.customers).toEqual([...m.seqs.customers].sort((x, y) => x - y));
    expect(new Set(m.seqs.customers).size).toBe(120);
    expect(m.customers).toEqual(await serverCustomers(b.db));
    // Up to date: asking again gives nothing and keeps the cursor.
    const again = await fetchPage(b.url, token, 'customers', { after: m.cursor.customers, epoch: m.epoch.customers! });
    expect(again.kind === 'page' && again.page.changes.length === 0 && again.page.end.next === m.cursor.customers).toBe(true);
  });

  it('sends updates at a new seq, deletes as tombstones and merges as tombstones pointing at the survivor', async () => {
    const m = new Mirror();
    await m.pull(b.url, token, 'customers');
    const before = m.cursor.customers;

    const put = await b.client.req('PUT', '/v1/customers/P00001', { token: admin, json: { name: '新名字', phones: [{ label: 'mobile', number: mobile(1) }] } });
    expect(put.status, put.text).toBe(200);
    expect((await b.client.req('DELETE', '/v1/customers/P00002', { token: admin })).status).toBe(200);
    const merge = await b.client.req('POST', '/v1/customers/P00003/merge', { token: admin, json: { into: 'P00004' } });
    expect(merge.status, merge.text).toBe(200);

    const r = await fetchPage(b.url, token, 'customers', { after: before, epoch: m.epoch.customers! });
    if (r.kind !== 'page') throw new Error('unexpected reset');
    const byId = new Map(r.page.changes.map((c) => [c.type === 'upsert' ? c.customer.id : c.id, c]));
    expect(r.page.changes.every((c) => c.seq > before)).toBe(true);
    expect(byId.get('P00001')).toMatchObject({ type: 'upsert', customer: { name: '新名字' } });
    expect(byId.get('P00002')).toMatchObject({ type: 'tombstone', mergedInto: null });
    expect(byId.get('P00003')).toMatchObject({ type: 'tombstone', mergedInto: 'P00004' });
    const survivor = byId.get('P00004');
    expect(survivor?.type === 'upsert' && survivor.customer.phones.map((p) => p.e164).sort()).toEqual(['+8613900000003', '+8613900000004']);
    m.apply('customers', r.page);
    expect(m.customers).toEqual(await serverCustomers(b.db));
    expect(m.tombstones.get('P00003')).toBe('P00004');
  });

  it('moves a caught-up cursor to the high-water mark, even when only another stream changed', async () => {
    const m = new Mirror();
    await m.pull(b.url, token, 'customers');
    const seq = await addInteractions(b.db, [interaction('P00010', 1, Date.now())]);
    expect(seq).toBeGreaterThan(m.cursor.customers);
    const r = await fetchPage(b.url, token, 'customers', { after: m.cursor.customers, epoch: m.epoch.customers! });
    if (r.kind !== 'page') throw new Error('unexpected reset');
    expect(r.page.changes).toEqual([]);
    expect(r.page.end).toMatchObject({ next: seq, more: false });
  });

  it('gives a fresh client no tombstones that were final before it started', async () => {
    const r = await fetchPage(b.url, token, 'customers', { after: 0, limit: SYNC_PAGE_MAX });
    if (r.kind !== 'page') throw new Error('unexpected reset');
    expect(r.page.changes.some((c) => c.type === 'tombstone')).toBe(false);
    expect(r.page.changes).toHaveLength((await serverCustomers(b.db)).size);
  });

  it('answers 400 with a message for malformed cursors and limits', async () => {
    const bad = ['after=abc', 'after=-1', 'after=1.5', 'after=01', 'after=1e3', 'after=99999999999999999', 'after=0&limit=0', `after=0&limit=${SYNC_PAGE_MAX + 1}`, 'after=0&limit=x', 'after=0&x=1', 'limit=5', 'after=5', 'after=5&epoch=not%20an%20epoch'];
    for (const q of bad) {
      const r = await b.client.req<{ error: { code: string; message: string } }>('GET', `/v1/sync/customers?${q}`, { token });
      expect(r.status, q).toBe(400);
      expect(r.json.error.code, q).toBe('invalid_request');
      expect(r.json.error.message.length, q).toBeGreaterThan(10);
    }
    expect((await b.client.req('GET', '/v1/sync/customers?after=0')).status).toBe(401);
  });

  it('answers 410 reset_required when the cursor cannot be continued', async () => {
    const first = await fetchPage(b.url, token, 'customers', { after: 0 });
    if (first.kind !== 'page') throw new Error('unexpected reset');
    const epoch = first.page.begin.epoch;
    const [dataset, , mark] = epoch.split('.');
    const hw = first.page.begin.highWater;
    const cases: [string, string][] = [
      [`after=3&epoch=${'f'.repeat(32)}.1.${mark}`, 'epoch_changed'],
      [`after=3&epoch=${dataset}.99.${mark}`, 'schema_changed'],
      [`after=${hw + 100}&epoch=${epoch}`, 'ahead'],
    ];
    for (const [q, reason] of cases) {
      const r = await b.client.req<{ error: { code: string; reason: string }; epoch: string; stream: string }>('GET', `/v1/sync/customers?${q}`, { token });
      expect(r.status, q).toBe(410);
      expect(r.json.error).toMatchObject({ code: 'reset_required', reason });
      expect(r.json.epoch).toBe(epoch);
      expect(r.json.stream).toBe('customers');
    }

    // Compaction: cursors below the mark must rebuild; at or above it they continue; after=0 always works.
    const m = new Mirror();
    await m.pull(b.url, token, 'customers');
    const [c] = await compact(b.db, Date.now() + 1000);
    expect(c?.compactedThrough).toBeGreaterThan(3);
    const old = await b.client.req<{ error: { reason: string } }>('GET', `/v1/sync/customers?after=3&epoch=${epoch}`, { token });
    expect(old.status).toBe(410);
    expect(old.json.error.reason).toBe('compacted');
    const current = await fetchPage(b.url, token, 'customers', { after: Math.max(m.cursor.customers, c!.compactedThrough), epoch });
    expect(current.kind).toBe('page');
    // A cache built after the compaction pages through seqs below the mark without a reset.
    const rebuilt = new Mirror();
    await rebuilt.pull(b.url, token, 'customers', 30);
    expect(rebuilt.customers).toEqual(await serverCustomers(b.db));
    // A compacted delete tombstone was purged; the merge pointer stays and still redirects.
    const gone = await b.client.req<{ error: { message: string } }>('GET', '/v1/customers/P00003', { token });
    expect(gone.json.error.message).toContain('merged into P00004');
  });

  it('hands out seqs in commit order: a writer waits for the one before it to commit', async () => {
    const other = await b.database.second();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstSeq = 0;
    let secondEntered = false;
    const insert = 'INSERT INTO customers (id, seq, doc, changed_at) VALUES ($1, $2, $3, 0)';
    const doc = (id: string) => JSON.stringify({ id, name: id, company: '', tier: 'standard', tags: [], notes: '', phones: [{ e164: '+8613900009999', display: 'x', label: '' }], updatedAt: 0 });
    const t1 = writeChanges(b.db, async (tx, ch) => {
      firstSeq = ch.next('customers');
      await tx.query(insert, ['ORDER-1', firstSeq, doc('ORDER-1')]);
      await gate;
    });
    while (!firstSeq) await sleep(5);
    const t2 = writeChanges(other, async (tx, ch) => {
      secondEntered = true;
      const s = ch.next('customers');
      await tx.query(insert, ['ORDER-2', s, doc('ORDER-2')]);
      return s;
    });
    await sleep(300);
    expect(secondEntered).toBe(false);
    if (kind === 'postgres') {
      // Meanwhile a reader sees neither: the first is uncommitted and the second has not even started.
      const seen = await other.query("SELECT id FROM customers WHERE id IN ('ORDER-1', 'ORDER-2')");
      expect(seen).toEqual([]);
    }
    release();
    await t1;
    expect(await t2).toBe(firstSeq + 1);
  });

  it('converges while several writers change customers during the pull', async () => {
    await importCsv(csvOf(customers(60, 'W')));
    const m = new Mirror();
    let writing = true;
    const ids = customers(60, 'W').map((c) => c.id);
    const writer = async (w: number) => {
      let n = 0;
      while (writing) {
        const id = ids[(n * 7 + w * 13) % ids.length]!;
        const op = n % 5;
        if (op === 4 && w === 0) {
          await b.client.req('DELETE', `/v1/customers/${id}`, { token: admin });
        } else if (op === 3) {
          await b.client.req('POST', '/v1/customers', { token: admin, json: { id: `N${w}-${n}`, name: `new ${w}-${n}`, phones: [{ number: mobile(50_000 + w * 10_000 + n) }] } });
        } else {
          await b.client.req('PUT', `/v1/customers/${id}`, { token: admin, json: { name: `w${w} edit ${n}`, phones: [{ number: mobile(90_000 + (n % 500)) }] } });
        }
        n++;
      }
    };
    const writers = [0, 1, 2].map(writer);
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline) await m.pull(b.url, token, 'customers', 9);
    writing = false;
    await Promise.all(writers);
    await m.pull(b.url, token, 'customers', 9);
    expect(m.customers).toEqual(await serverCustomers(b.db));
    const seqs = m.seqs.customers;
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
  });
});
