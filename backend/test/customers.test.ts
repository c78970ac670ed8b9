// Customer writes through the API: validation (4xx with a message, nothing changed), tombstones, merges,
// and the streamed CSV import (per-line errors, all or nothing, unchanged rows not re-synced).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerResponse, ImportRejected, ImportResult } from '../../shared/sync/api';
import { LIMITS } from '../../shared/domain/customer';
import { highWater } from '../db/changes';
import { DB_KINDS, listen, startTestBackend, Client, type TestBackend } from './support/backend';
import { csvOf, customers, mobile, serverCustomers } from './support/data';

type Err = { error: { code: string; message: string; issues?: string[] }; mergedInto?: string };

describe.each(DB_KINDS)('customers on %s', (kind) => {
  let b: TestBackend;
  let admin: string;
  const post = (json: unknown) => b.client.req<CustomerResponse & Err>('POST', '/v1/customers', { token: admin, json });
  const put = (id: string, json: unknown, headers: Record<string, string> = {}) => b.client.req<CustomerResponse & Err>('PUT', `/v1/customers/${id}`, { token: admin, json, headers });
  const get = (id: string) => b.client.req<CustomerResponse & Err>('GET', `/v1/customers/${id}`, { token: b.tokens.agentA });
  const importCsv = (csv: string | Buffer, contentType = 'text/csv; charset=utf-8') =>
    b.client.req<ImportResult & ImportRejected>('POST', '/v1/customers/import', { token: admin, body: csv, headers: { 'content-type': contentType } });

  beforeAll(async () => {
    b = await startTestBackend(kind);
    admin = b.tokens.admin;
  });
  afterAll(() => b?.close());

  it('creates a customer with cleaned text and E.164 phones, and reads it back', async () => {
    const r = await post({ id: 'C-1', name: '  王芳\u202e ', company: '华信', tier: 'gold', tags: ['VIP', 'VIP', ' 续约 '], phones: [{ label: 'mobile', number: '+86 138-0013-8000' }, { number: '010 6552 8899' }] });
    expect(r.status, r.text).toBe(201);
    expect(r.json.customer).toMatchObject({ id: 'C-1', name: '王芳', tier: 'gold', tags: ['VIP', '续约'] });
    expect(r.json.customer.phones.map((p) => p.e164)).toEqual(['+8613800138000', '+861065528899']);
    expect((await get('C-1')).json).toEqual(r.json);
  });

  it('answers invalid writes with 4xx and a message, and changes nothing', async () => {
    const before = await highWater(b.db);
    const bad: [unknown, number, RegExp][] = [
      [{ id: 'C-2', name: '', phones: [{ number: mobile(2) }] }, 400, /name/],
      [{ id: 'C-2', name: 'x', phones: [] }, 400, /at least one phone/],
      [{ id: 'C-2', name: 'x', phones: [{ number: '12345' }] }, 400, /not a valid phone number/],
      [{ id: 'C-2', name: 'x', tier: 'diamond', phones: [{ number: mobile(2) }] }, 400, /tier/],
      [{ id: 'bad id!', name: 'x', phones: [{ number: mobile(2) }] }, 400, /id/],
      [{ id: 'C-2', name: 'x', phones: Array.from({ length: LIMITS.phones + 1 }, (_, i) => ({ number: mobile(100 + i) })) }, 400, /phones/],
      [{ id: 'C-2', name: 'x'.repeat(10_000), phones: [{ number: mobile(2) }] }, 400, /name/],
      [['not', 'an', 'object'], 400, /JSON object/],
      [{ id: 'C-1', name: 'again', phones: [{ number: mobile(2) }] }, 409, /already exists/],
    ];
    for (const [json, status, message] of bad) {
      const r = await post(json);
      expect(r.status, JSON.stringify(json).slice(0, 80)).toBe(status);
      expect(r.json.error.message).toMatch(message);
    }
    const notJson = await b.client.req<Err>('POST', '/v1/customers', { token: admin, body: '{"id":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    const tooBig = await b.client.req<Err>('POST', '/v1/customers', { token: admin, body: JSON.stringify({ notes: 'x'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error.code).toBe('payload_too_large');
    const mismatch = await put('C-1', { id: 'C-9', name: 'x', phones: [{ number: mobile(2) }] });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error.message).toContain('differs');
    expect((await put('C-404', { name: 'x', phones: [{ number: mobile(2) }] })).status).toBe(404);
    expect((await get('no such id')).status).toBe(400);
    expect(await highWater(b.db)).toBe(before);
  });

  it('updates with optimistic concurrency via If-Match', async () => {
    const current = (await get('C-1')).json.seq;
    const ok = await put('C-1', { name: '王芳芳', phones: [{ number: '13800138000' }] }, { 'if-match': `"${current}"` });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.seq).toBeGreaterThan(current);
    const stale = await put('C-1', { name: 'lost update', phones: [{ number: '13800138000' }] }, { 'if-match': String(current) });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toContain('changed meanwhile');
    expect((await put('C-1', { name: 'x', phones: [{ number: '13800138000' }] }, { 'if-match': 'W/"x"' })).status).toBe(400);
  });

  it('deletes as a tombstone; the id can be used again', async () => {
    expect((await post({ id: 'C-DEL', name: 'Temp', phones: [{ number: mobile(3) }] })).status).toBe(201);
    const del = await b.client.req<{ seq: number }>('DELETE', '/v1/customers/C-DEL', { token: admin });
    expect(del.status).toBe(200);
    const gone = await get('C-DEL');
    expect(gone.status).toBe(404);
    expect(gone.json.error.message).toContain('was deleted');
    expect((await b.client.req('DELETE', '/v1/customers/C-DEL', { token: admin })).status).toBe(404);
    const [row] = await b.db.query<{ doc: string | null; seq: number }>('SELECT doc, seq FROM customers WHERE id = $1', ['C-DEL']);
    expect(row).toEqual({ doc: null, seq: del.json.seq });
    expect((await post({ id: 'C-DEL', name: 'Back again', phones: [{ number: mobile(3) }] })).status).toBe(201);
  });

  it('merges A into B: B keeps its fields and gains A’s numbers and tags; A redirects to B', async () => {
    await post({ id: 'M-A', name: 'Alice Old', company: 'Acme', tier: 'platinum', tags: ['vip'], notes: 'from A', phones: [{ label: 'mobile', number: mobile(10) }, { number: mobile(11) }] });
    await post({ id: 'M-B', name: 'Alice', tier: 'silver', tags: ['billing'], notes: 'from B', phones: [{ label: 'office', number: mobile(11) }] });
    const r = await b.client.req<{ merged: string; into: CustomerResponse }>('POST', '/v1/customers/M-A/merge', { token: admin, json: { into: 'M-B' } });
    expect(r.status, r.text).toBe(200);
    expect(r.json.into.customer).toMatchObject({ id: 'M-B', name: 'Alice', company: 'Acme', tier: 'platinum', tags: ['billing', 'vip'], notes: 'from B\n\nfrom A' });
    expect(r.json.into.customer.phones.map((p) => [p.e164, p.label])).toEqual([
      ['+8613900000011', 'office'],
      ['+8613900000010', 'mobile'],
    ]);
    const a = await get('M-A');
    expect(a.status).toBe(404);
    expect(a.json.mergedInto).toBe('M-B');
    // Merge chains resolve to the live survivor.
    await post({ id: 'M-C', name: 'Alice New', phones: [{ number: mobile(12) }] });
    expect((await b.client.req('POST', '/v1/customers/M-B/merge', { token: admin, json: { into: 'M-C' } })).status).toBe(200);
    expect((await get('M-A')).json.mergedInto).toBe('M-C');
    // What cannot be merged.
    const self = await b.client.req<Err>('POST', '/v1/customers/M-C/merge', { token: admin, json: { into: 'M-C' } });
    expect(self.status).toBe(400);
    const intoMerged = await b.client.req<Err>('POST', '/v1/customers/M-C/merge', { token: admin, json: { into: 'M-A' } });
    expect(intoMerged.status).toBe(404);
    expect(intoMerged.json.error.message).toContain('merged into M-C');
    const reuse = await post({ id: 'M-A', name: 'x', phones: [{ number: mobile(13) }] });
    expect(reuse.status).toBe(409);
    expect(reuse.json.error.message).toContain('merged into');
  });

  it('refuses a merge that would exceed the limits, and changes nothing', async () => {
    const many = (from: number) => Array.from({ length: 6 }, (_, i) => ({ number: mobile(from + i) }));
    await post({ id: 'L-A', name: 'A', phones: many(200) });
    await post({ id: 'L-B', name: 'B', phones: many(300) });
    const before = await highWater(b.db);
    const r = await b.client.req<Err>('POST', '/v1/customers/L-A/merge', { token: admin, json: { into: 'L-B' } });
    expect(r.status).toBe(409);
    expect(r.json.error.message).toContain('12 phone numbers');
    expect(await highWater(b.db)).toBe(before);
    expect((await get('L-A')).status).toBe(200);
  });

  describe('CSV import', () => {
    it('imports a file, creating and updating; an unchanged re-import syncs nothing', async () => {
      const rows = customers(50, 'IMP');
      const r = await importCsv(csvOf(rows));
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ rows: 50, created: 50, updated: 0 });
      const seq = await highWater(b.db);
      const again = await importCsv(csvOf(rows));
      expect(again.json).toMatchObject({ rows: 50, created: 0, updated: 0 });
      expect(await highWater(b.db)).toBe(seq);
      rows[7]!.name = 'Changed name';
      const changed = await importCsv(csvOf(rows));
      expect(changed.json).toMatchObject({ rows: 50, created: 0, updated: 1 });
      const server = await serverCustomers(b.db);
      expect(server.get('IMP00007')?.name).toBe('Changed name');
    });

    it('reads quoting, a BOM and any column order; optional cells may be empty', async () => {
      const csv =
        '\uFEFFphones,name,id,notes,tags,tier,company\n' +
        `"mobile:${mobile(401)};office:010-6552 8899","Li, ""Lucy""",Q-1,"line one\nline two",,,\n` +
        `${mobile(402)},张三,Q-2,,,,\n`;
      const r = await importCsv(csv);
      expect(r.status, r.text).toBe(200);
      const one = (await get('Q-1')).json.customer;
      expect(one).toMatchObject({ name: 'Li, "Lucy"', notes: 'line one\nline two', tier: 'standard', company: '' });
      expect(one.phones.map((p) => p.label)).toEqual(['mobile', 'office']);
      expect((await get('Q-2')).json.customer.phones[0]?.label).toBe('');
    });

    it('refuses a header without every column: a column left out would blank what an earlier import wrote', async () => {
      const r = await importCsv(`id,name,phones\nQ-3,x,${mobile(403)}\n`);
      expect(r.status).toBe(422);
      expect(r.json.lines[0]?.errors.join(' ')).toMatch(/missing column.*company.*tier.*tags.*notes/);
    });

    it('rejects a file with bad lines: every error with its line, nothing imported', async () => {
      const before = await highWater(b.db);
      const count = (await serverCustomers(b.db)).size;
      const rows = customers(8, 'BAD');
      rows[2]!.phones = 'mobile:1390000';
      rows[4]!.name = '';
      rows[5]!.tier = 'diamond';
      rows[6]!.id = 'BAD00001';
      const r = await importCsv(csvOf(rows));
      expect(r.status).toBe(422);
      expect(r.json.error.code).toBe('invalid_data');
      expect(r.json.error.message).toContain('nothing was imported');
      expect(r.json.errorLines).toBe(4);
      const byLine = new Map(r.json.lines.map((l) => [l.line, l.errors.join(' ')]));
      expect(byLine.get(4)).toContain('not a valid phone number');
      expect(byLine.get(6)).toContain('name');
      expect(byLine.get(7)).toContain('tier');
      expect(byLine.get(8)).toContain('already appears on line 3');
      expect(await highWater(b.db)).toBe(before);
      expect((await serverCustomers(b.db)).size).toBe(count);
      expect(await b.db.query('SELECT 1 FROM import_rows')).toEqual([]);
    });

    it('rejects bad files as a whole with a message', async () => {
      const cases: [string | Buffer, number, RegExp][] = [
        ['', 422, /empty/],
        ['id,name,company,tier,tags,notes,phones\n', 422, /no customers/],
        ['id,name,email\nX,y,z\n', 422, /header/],
        [`id,name,company,tier,tags,notes,phones\nU-1,"unclosed,,,,,${mobile(1)}\n`, 422, /not valid CSV/],
        [`id,name,company,tier,tags,notes,phones\nU-1,x,,,,,${mobile(1)},extra\n`, 422, /with errors/],
        [Buffer.concat([Buffer.from('id,name,company,tier,tags,notes,phones\nG-1,'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(`,,,,,${mobile(1)}\n`)]), 422, /with errors/],
      ];
      for (const [body, status, message] of cases) {
        const r = await importCsv(body);
        expect(r.status, String(body).slice(0, 40)).toBe(status);
        expect(r.json.error.message).toMatch(message);
      }
      const gbk = await importCsv(Buffer.concat([Buffer.from('id,name,company,tier,tags,notes,phones\nG-1,'), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(`,,,,,${mobile(1)}\n`)]));
      expect(gbk.json.lines[0]?.errors.join()).toContain('UTF-8');
      const wrongType = await importCsv(csvOf(customers(1, 'WT')), 'application/json');
      expect(wrongType.status).toBe(400);
      const octet = await b.client.req<Err>('POST', '/v1/customers/import', { token: admin, body: 'id,name,phones\n', headers: { 'content-type': 'application/octet-stream' } });
      expect(octet.status).toBe(415);
    });

    it('refuses ids that were merged away, and files over the size limit', async () => {
      const merged = await importCsv(csvOf([{ id: 'M-A', name: 'Alice', phones: mobile(10) }]));
      expect(merged.status).toBe(422);
      expect(merged.json.lines[0]?.errors.join()).toContain('merged into M-B');
      const { app, url } = await listen(b.db, b.box, { maxImportBytes: 1000 });
      try {
        const c = new Client(url);
        const r = await c.req<Err>('POST', '/v1/customers/import', { token: admin, body: csvOf(customers(100, 'BIG')), headers: { 'content-type': 'text/csv' } });
        expect(r.status).toBe(413);
        expect(r.json.error.message).toContain('larger than 1000 bytes');
      } finally {
        await app.close();
      }
      expect((await get('BIG00001')).status).toBe(404);
    });
  });
});
