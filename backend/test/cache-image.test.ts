// Cache images (sync/cache-image): built by the job in a worker thread from one snapshot, on PostgreSQL
// and PGlite; the manifest and the file over HTTP (auth, Range, unknown or malformed sha); the image plus
// the delta feed from its cursors equals the server's state even with writes during the build; rebuilt
// when stale, the previous one kept and older ones removed; dropped when compaction passes its cursor.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { phonesJson } from '../../shared/cache/bulk';
import { SCHEMA_VERSION } from '../../shared/cache/migrations';
import { CacheImageManifest } from '../../shared/sync/image';
import type { SyncCustomer } from '../../shared/sync/protocol';
import type { AccountsConfig } from '../auth/accounts';
import { TEST_COST } from '../auth/passwords';
import { SecretBox } from '../auth/secret-box';
import { writeChanges } from '../db/changes';
import type { DatabaseTarget } from '../db/open';
import { addInteractions } from '../interactions/store';
import { compact } from '../sync/compact';
import { CacheImages, type CacheImageConfig } from '../sync/cache-image/job';
import { Client, createFixture, DB_KINDS, freshDatabase, listen, type TestDatabase } from './support/backend';
import { csvOf, customers, interaction, serverCustomers, serverWindow } from './support/data';
import { Mirror } from './support/sync-client';

const logs: string[] = [];
const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`WARN ${m}`) };

interface ImageRows {
  customers: Map<string, SyncCustomer>;
  seqs: number[];
  interactions: Map<string, unknown>;
  cursors: { stream: string; cursor: number; epoch: string; synced_at: number | null }[];
  meta: Record<string, string>;
  integrity: unknown;
}

function readImage(bytes: Buffer): ImageRows {
  const path = join(mkdtempSync(join(tmpdir(), 'lianluo-img-')), 'image.sqlite');
  writeFileSync(path, bytes);
  const db = new Database(path, { readonly: true });
  try {
    const cs = db.prepare('SELECT id, name, company, tier, tags, notes, updated_at, phones_json, seq FROM customers').all() as {
      id: string; name: string; company: string; tier: SyncCustomer['tier']; tags: string; notes: string; updated_at: number; phones_json: string; seq: number;
    }[];
    const customers = new Map<string, SyncCustomer>();
    for (const r of cs) {
      const phones = (JSON.parse(r.phones_json) as [string, string, string][]).map(([e164, display, label]) => ({ e164, display, label }));
      customers.set(r.id, { id: r.id, name: r.name, company: r.company, tier: r.tier, tags: JSON.parse(r.tags) as string[], notes: r.notes, phones, updatedAt: r.updated_at });
    }
    const is = db.prepare('SELECT id, customer_id, at, direction, channel, agent, disposition, note, duration_s FROM interactions').all() as {
      id: string; customer_id: string; at: number; direction: string; channel: string; agent: string; disposition: string; note: string; duration_s: number;
    }[];
    return {
      customers,
      seqs: cs.map((r) => r.seq),
      interactions: new Map(is.map((i) => [i.id, { id: i.id, customerId: i.customer_id, at: i.at, direction: i.direction, channel: i.channel, agent: i.agent, disposition: i.disposition, note: i.note, durationS: i.duration_s }])),
      cursors: db.prepare('SELECT stream, cursor, epoch, synced_at FROM sync_state ORDER BY stream').all() as ImageRows['cursors'],
      meta: Object.fromEntries((db.prepare('SELECT k, v FROM meta').all() as { k: string; v: string }[]).map((r) => [r.k, r.v])),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
    rmSync(path, { force: true });
  }
}

describe.each(DB_KINDS)('cache images on %s', (kind) => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let client: Client;
  let images: CacheImages;
  let admin: string;
  let agent: string;
  const dir = mkdtempSync(join(tmpdir(), 'lianluo-images-'));
  const config: CacheImageConfig = { enabled: true, dir, minRows: 100, maxAgeMs: 3_600_000, checkEveryMs: 3_600_000 };

  beforeAll(async () => {
    database = await freshDatabase(kind);
    const box = SecretBox.fromKey(randomBytes(32));
    const accounts: AccountsConfig = { box, cost: TEST_COST, sessionTtlMs: 3_600_000 };
    await createFixture(database.db, accounts);
    const target: DatabaseTarget = database.url ? { kind: 'postgres', url: database.url } : { kind: 'pglite', dataDir: null };
    images = new CacheImages(database.db, target, config, log);
    ({ app } = await listen(database.db, box, { cacheImages: images }));
    const addr = app.server.address() as { port: number };
    client = new Client(`http://127.0.0.1:${addr.port}`);
    admin = await client.login('admin');
    agent = await client.login('agent-a');
    images.start();
    await images.idle();
  });
  afterAll(async () => {
    await app?.close();
    await images?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(logs.join('\n'));
  });

  const importCsv = async (csv: string) => {
    const r = await client.req('POST', '/v1/customers/import', { token: admin, body: csv, headers: { 'content-type': 'text/csv' } });
    expect(r.status, r.text).toBe(200);
  };
  const manifest = async () => {
    const r = await client.req('GET', '/v1/sync/image', { token: agent });
    return r.status === 200 ? CacheImageManifest.parse(r.json) : r.status;
  };
  const download = async (m: CacheImageManifest, headers: Record<string, string> = {}) => {
    const res = await fetch(`${client.url}/v1/sync/image/${m.sha256}`, { headers: { authorization: `Bearer ${agent}`, ...headers } });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  it('has no image below the threshold (404), and the routes need a session', async () => {
    await importCsv(csvOf(customers(60, 'A')));
    await images.check();
    await images.idle();
    expect(await manifest()).toBe(404);
    expect((await client.req('GET', '/v1/sync/image')).status).toBe(401);
    expect((await client.req('GET', `/v1/sync/image/${'0'.repeat(64)}`)).status).toBe(401);
    expect((await client.req('GET', `/v1/sync/image/${'0'.repeat(64)}`, { token: agent })).status).toBe(404);
    expect((await client.req('GET', '/v1/sync/image/not-a-sha', { token: agent })).status).toBe(400);
  });

  it('builds an image of one snapshot: the feed continues from its cursors to the server state, without gap or duplicate', async () => {
    await importCsv(csvOf(customers(90, 'B')));
    await addInteractions(database.db, [0, 1, 2, 3].flatMap((n) => [interaction('B00001', n, 1_700_000_000_000 + n), interaction('A00002', n, 1_700_000_100_000 + n)]));
    // Writes while the image is read and written: each either in the snapshot or after its cursor.
    const building = images.check();
    const writes = (async () => {
      for (let i = 0; i < 15; i++) {
        const r = await client.req('PUT', `/v1/customers/B000${String(10 + i).padStart(2, '0')}`, { token: admin, json: { name: `during ${i}`, phones: [{ label: 'mobile', number: `1380000${String(1000 + i)}` }] } });
        expect(r.status, r.text).toBe(200);
        if (i === 7) expect((await client.req('DELETE', '/v1/customers/A00005', { token: admin })).status).toBe(200);
      }
    })();
    await Promise.all([building, writes]);
    await images.idle();
    const m = await manifest();
    if (typeof m === 'number') throw new Error(`no manifest (${m}): ${logs.join('\n')}`);
    expect(m.schemaVersion).toBe(SCHEMA_VERSION);
    expect(m.cursors.customers.cursor).toBe(m.cursors.interactions.cursor);

    const { res, body } = await download(m);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.sqlite3');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(body.length).toBe(m.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(m.sha256);
    const img = readImage(body);
    expect(img.integrity).toBe('ok');
    expect(img.customers.size).toBe(m.rows.customers);
    expect(img.interactions.size).toBe(m.rows.interactions);
    expect(Math.max(...img.seqs)).toBeLessThanOrEqual(m.cursors.customers.cursor);
    expect(img.cursors).toEqual([
      { stream: 'customers', cursor: m.cursors.customers.cursor, epoch: m.cursors.customers.epoch, synced_at: null },
      { stream: 'interactions', cursor: m.cursors.interactions.cursor, epoch: m.cursors.interactions.epoch, synced_at: null },
    ]);
    expect(Object.keys(img.meta).sort()).toEqual(['image_built_at', 'source']);

    // The feed from the image's cursors: the image plus these pages is the server's state.
    const mirror = new Mirror();
    for (const [id, c] of img.customers) mirror.customers.set(id, c);
    for (const [id, i] of img.interactions) mirror.interactions.set(id, i as never);
    for (const s of ['customers', 'interactions'] as const) {
      mirror.cursor[s] = m.cursors[s].cursor;
      mirror.epoch[s] = m.cursors[s].epoch;
    }
    await mirror.pull(client.url, agent, 'customers', 7);
    await mirror.pull(client.url, agent, 'interactions', 7);
    for (const s of ['customers', 'interactions'] as const) for (const seq of mirror.seqs[s]) expect(seq).toBeGreaterThan(m.cursors[s].cursor);
    expect(mirror.customers).toEqual(await serverCustomers(database.db));
    expect(mirror.interactions).toEqual(await serverWindow(database.db));
    // The cards' phones as the desktop's own bulk path writes them.
    const someone = img.customers.get('B00001')!;
    expect(JSON.parse(phonesJson(someone))).toEqual(someone.phones.map((p) => [p.e164, p.display, p.label]));
  });

  it('serves byte ranges so a download resumes, and refuses ranges past the end', async () => {
    const m = (await manifest()) as CacheImageManifest;
    const whole = (await download(m)).body;
    const part = await download(m, { range: 'bytes=1000-' });
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 1000-${m.bytes - 1}/${m.bytes}`);
    expect(part.body.equals(whole.subarray(1000))).toBe(true);
    const mid = await download(m, { range: 'bytes=10-19' });
    expect(mid.res.status).toBe(206);
    expect(mid.body.equals(whole.subarray(10, 20))).toBe(true);
    const past = await download(m, { range: `bytes=${m.bytes}-` });
    expect(past.res.status).toBe(416);
    expect(past.res.headers.get('content-range')).toBe(`bytes */${m.bytes}`);
    expect((await download(m, { range: 'bytes=-5' })).res.status).toBe(416);
  });

  it('is not rebuilt for a few changes, is rebuilt past 5 %, keeps the previous image and removes older ones', async () => {
    await images.check(); // the writes of the test above may have made it stale already
    await images.idle();
    const first = (await manifest()) as CacheImageManifest;
    await client.req('PUT', '/v1/customers/B00001', { token: admin, json: { name: 'one change', phones: [{ label: 'mobile', number: '13800001111' }] } });
    await images.check();
    await images.idle();
    expect(((await manifest()) as CacheImageManifest).sha256).toBe(first.sha256);

    const bump = async (tag: string) => {
      await writeChanges(database.db, async (tx, changes) => {
        const rows = await tx.query<{ id: string; doc: string }>(`SELECT id, doc FROM customers WHERE doc IS NOT NULL ORDER BY id LIMIT 20`);
        for (const r of rows) {
          const c = JSON.parse(r.doc) as SyncCustomer;
          await tx.query('UPDATE customers SET doc = $2, seq = $3, changed_at = $4 WHERE id = $1', [r.id, JSON.stringify({ ...c, notes: tag }), changes.next('customers'), Date.now()]);
        }
      });
      await images.check();
      await images.idle();
      return (await manifest()) as CacheImageManifest;
    };
    const second = await bump('second');
    expect(second.sha256).not.toBe(first.sha256);
    expect(second.cursors.customers.cursor).toBeGreaterThan(first.cursors.customers.cursor);
    expect(images.file(first.sha256)).not.toBeNull(); // the previous one, for downloads in progress
    expect((await download(first, { range: 'bytes=0-9' })).res.status).toBe(206);
    const third = await bump('third');
    expect(images.file(first.sha256)).toBeNull();
    expect((await download(first)).res.status).toBe(404);
    expect(images.file(second.sha256)).not.toBeNull();
    const files = readdirSync(images.folder!).filter((f) => f.startsWith('cache-image-')).sort();
    expect(files).toEqual([`cache-image-${second.cursors.customers.cursor}.json`, `cache-image-${second.cursors.customers.cursor}.sqlite`, `cache-image-${third.cursors.customers.cursor}.json`, `cache-image-${third.cursors.customers.cursor}.sqlite`].sort());
    // A restart finds both again.
    const again = new CacheImages(database.db, database.url ? { kind: 'postgres', url: database.url } : { kind: 'pglite', dataDir: null }, { ...config, dir: `${dir}-other` }, log);
    expect(again.current()).toBeNull();
    await again.close();
    const sidecar = JSON.parse(readFileSync(join(images.folder!, `cache-image-${third.cursors.customers.cursor}.json`), 'utf8')) as { manifest: unknown };
    expect(sidecar.manifest).toEqual(third);
  });

  it('stops serving an image once compaction passes its cursor, and builds a new one', async () => {
    const before = (await manifest()) as CacheImageManifest;
    await client.req('PUT', '/v1/customers/B00002', { token: admin, json: { name: 'after the image', phones: [{ label: 'mobile', number: '13800002222' }] } });
    await compact(database.db, Date.now() + 1000);
    await images.check();
    await images.idle();
    const after = (await manifest()) as CacheImageManifest;
    expect(after.sha256).not.toBe(before.sha256);
    expect(images.file(before.sha256)).toBeNull();
    expect(after.cursors.customers.epoch).not.toBe(before.cursors.customers.epoch);
    expect(logs.some((l) => l.includes('no longer match the feed'))).toBe(true);
  });
});

describe('cache images switched off', () => {
  it('answers 404 and builds nothing', async () => {
    const database = await freshDatabase('pglite');
    const dir = mkdtempSync(join(tmpdir(), 'lianluo-images-off-'));
    const images = new CacheImages(database.db, { kind: 'pglite', dataDir: null }, { enabled: false, dir, minRows: 1, maxAgeMs: 1, checkEveryMs: 1000 }, log);
    const box = SecretBox.fromKey(randomBytes(32));
    await createFixture(database.db, { box, cost: TEST_COST, sessionTtlMs: 3_600_000 });
    const { app, url } = await listen(database.db, box, { cacheImages: images });
    try {
      const c = new Client(url);
      const token = await c.login('agent-a');
      await c.req('POST', '/v1/customers/import', { token: await c.login('admin'), body: csvOf(customers(5, 'Z')), headers: { 'content-type': 'text/csv' } });
      images.start();
      await images.check();
      await images.idle();
      expect((await c.req('GET', '/v1/sync/image', { token })).status).toBe(404);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await app.close();
      await images.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
