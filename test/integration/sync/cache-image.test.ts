// The desktop's first sync from a cache image, against a real backend process (PGlite; PostgreSQL too
// under pg-cluster.sh): the image path gives the same cache, row for row and search for search, as the
// NDJSON path; changes made after the image and during its download arrive by delta; a flipped byte, a
// hostile file with a valid hash (extra trigger, extra view, another schema, another user_version) are
// refused and the desktop loads page by page; a cut-off download and a 500 midway are resumed with
// Range; kill -9 at random points of the download resumes it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../../shared/domain/search';
import type { CustomerResponse } from '../../../shared/sync/api';
import { CacheImageManifest } from '../../../shared/sync/image';
import { prng } from '../../../shared/demo/demo-customers';
import { cacheFile } from '../../../electron/services/paths';
import { partFile } from '../../../electron/services/sync/cache-image';
import { nextCacheFile } from '../../../electron/services/sync/worker-sync';
import { tempDir } from '../support/temp-dir';
import { backendKinds, REPO, startBackendProcess, type BackendProcess } from './support/backend-process';
import { expectCacheEqualsServer, readCache, startDesktop, waitFor, type Desktop } from './support/desktop';
import { startImageProxy, type ImageProxy } from './support/image-proxy';

const CUSTOMERS = 2500;
const root = tempDir('lianluo-image-');
let n = 0;

describe.each(backendKinds())('first sync from a cache image (%s backend)', (kind) => {
  let backend: BackendProcess;
  let proxy: ImageProxy;
  let admin: string;
  let manifest: CacheImageManifest;

  beforeAll(async () => {
    backend = await startBackendProcess({ kind, customers: CUSTOMERS, env: { LIANLUO_CACHE_IMAGE_MIN_ROWS: '500', LIANLUO_CACHE_IMAGE_CHECK_SECONDS: '1' } });
    admin = await backend.login('admin');
    manifest = await waitFor(
      'the backend to build a cache image',
      async () => {
        const r = await backend.api<unknown>(admin, 'GET', '/v1/sync/image');
        return r.status === 200 ? CacheImageManifest.parse(r.json) : undefined;
      },
      120_000,
      250,
    );
    proxy = await startImageProxy(() => backend.url);
  }, 240_000);
  afterAll(async () => {
    await proxy?.close();
    await backend?.drop();
  });

  /** A desktop with an empty data folder whose log is kept. */
  async function desktop(o: { viaProxy?: boolean; images?: boolean } = {}): Promise<Desktop & { log: string[] }> {
    const log: string[] = [];
    const dataDir = join(root, `desktop-${++n}`);
    const d = await startDesktop({
      dataDir,
      backendUrl: o.viaProxy === false ? backend.url : proxy.url,
      sync: { live: null, ...(o.images === false ? { cacheImages: false } : {}) },
      log: { info: (m) => log.push(m), warn: (m) => log.push(`WARN ${m}`), error: (m) => log.push(`ERROR ${m}`) },
    });
    return Object.assign(d, { log });
  }

  async function signIn(d: Desktop, url = proxy.url): Promise<void> {
    const r = await d.call<{ status: string }>('session.signIn', { backendUrl: url, username: 'agent1001', password: backend.passwords.agent1001 });
    expect(r.status).toBe('signed_in');
  }

  async function editSome(tag: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const id = `C${String(10 + i * 37).padStart(7, '0')}`;
      const got = await backend.api<CustomerResponse>(admin, 'GET', `/v1/customers/${id}`);
      if (got.status !== 200) continue;
      const c = got.json.customer;
      if (i % 5 === 4) expect((await backend.api(admin, 'DELETE', `/v1/customers/${id}`)).status).toBe(200);
      else expect((await backend.api(admin, 'PUT', `/v1/customers/${id}`, { ...c, name: `${tag} ${i}`, phones: c.phones.map((p) => ({ label: p.label, number: p.e164 })) })).status).toBe(200);
    }
  }

  /** The hits as a set; when more match than the limit, which ones come first follows the row order, so only how many. */
  const search = async (d: Desktop, query: string) => {
    const r = await d.call<SearchResult>('customers.search', { query, limit: 50 });
    return r.more ? { more: true, count: r.hits.length } : { more: false, hits: r.hits.map((h) => JSON.stringify(h)).sort() };
  };

  it('gives the same cache as the NDJSON path, row for row and search for search, with the changes made after the image by delta', async () => {
    proxy.mode = { kind: 'pass' };
    await editSome('after the image', 12);
    const viaImage = await desktop();
    const viaPages = await desktop({ viaProxy: false, images: false });
    try {
      await signIn(viaImage);
      await signIn(viaPages, backend.url);
      await viaImage.settled();
      await viaPages.settled();
      expect(viaImage.log.some((l) => l.startsWith('cache image downloaded')), viaImage.log.join('\n')).toBe(true);
      expect(viaPages.log.some((l) => l.startsWith('cache image downloaded'))).toBe(false);
      const m = await backend.mirror(admin);
      expectCacheEqualsServer(viaImage.dataDir, m);
      expectCacheEqualsServer(viaPages.dataDir, m);
      const a = readCache(cacheFile(viaImage.dataDir));
      const b = readCache(cacheFile(viaPages.dataDir));
      expect(a.customers).toEqual(b.customers);
      expect(a.phones).toEqual(b.phones);
      expect(a.interactions).toEqual(b.interactions);
      for (const q of ['after', 'after the', '138', '王', '张伟', 'C00001', 'gold', '5']) expect(await search(viaImage, q), q).toEqual(await search(viaPages, q));
      const look = await viaImage.lookup(m.customers.get('C0000100')!.phones[0]!.e164);
      expect(look.customers.map((c) => c.id)).toContain('C0000100');
      // Same files otherwise: the schema, no bookkeeping of the build or the image left.
      const schema = (dir: string) => {
        const db = new Database(cacheFile(dir), { readonly: true });
        try {
          return { master: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all(), meta: db.prepare('SELECT k, v FROM meta ORDER BY k').all() };
        } finally {
          db.close();
        }
      };
      expect(schema(viaImage.dataDir)).toEqual(schema(viaPages.dataDir));
      expect(existsSync(partFile(nextCacheFile(cacheFile(viaImage.dataDir))))).toBe(false);
    } finally {
      await viaImage.close();
      await viaPages.close();
    }
  });

  it('takes changes made while the image downloads by delta', async () => {
    proxy.mode = { kind: 'slow', bytesPerSecond: Math.max(100_000, Math.round(manifest.bytes / 8)) };
    const d = await desktop();
    try {
      await signIn(d);
      await waitFor('the download to start', async () => ((await d.sync()).progress?.download?.received ?? 0) > 0, 20_000, 20);
      await editSome('during the download', 8);
      const p = (await d.sync()).progress;
      expect(p?.download && p.download.received < p.download.total, 'the edits were made while the image downloaded').toBe(true);
      await d.settled();
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(true);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  it('refuses an image with a flipped byte (hash mismatch) and loads page by page', async () => {
    proxy.mode = { kind: 'flip', at: Math.floor((await currentManifest()).bytes / 2) };
    const d = await desktop();
    try {
      await signIn(d);
      await d.settled();
      expect(d.log.find((l) => l.includes('SHA-256'))).toMatch(/^WARN the downloaded cache image's SHA-256 is .* discarded: loading the customers page by page$/);
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(false);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
      expect(existsSync(partFile(nextCacheFile(cacheFile(d.dataDir))))).toBe(false);
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  async function currentManifest(): Promise<CacheImageManifest> {
    const r = await backend.api<unknown>(admin, 'GET', '/v1/sync/image');
    return CacheImageManifest.parse(r.json);
  }

  /** The current image changed by `sql`, with a manifest that announces its real hash and size. */
  async function hostile(sql: string): Promise<{ manifest: unknown; file: Buffer }> {
    const m = await currentManifest();
    const res = await fetch(`${backend.url}/v1/sync/image/${m.sha256}`, { headers: { authorization: `Bearer ${admin}` } });
    const dir = mkdtempSync(join(root, 'hostile-'));
    const path = join(dir, 'x.sqlite');
    writeFileSync(path, Buffer.from(await res.arrayBuffer()));
    const db = new Database(path);
    db.exec(sql);
    db.pragma('journal_mode = DELETE');
    db.close();
    const file = readFileSync(path);
    rmSync(dir, { recursive: true, force: true });
    return { manifest: { ...m, bytes: file.length, sha256: createHash('sha256').update(file).digest('hex') }, file };
  }

  const HOSTILE: [string, string, RegExp][] = [
    ['an extra trigger', `CREATE TRIGGER evil AFTER INSERT ON customers BEGIN DELETE FROM interactions; END;`, /unexpected trigger evil/],
    ['an extra view', `CREATE VIEW evil AS SELECT * FROM customers`, /unexpected view evil/],
    ['another schema (an extra column)', `ALTER TABLE customers ADD COLUMN evil TEXT`, /unexpected table customers/],
    ['another user_version', `PRAGMA user_version = 99`, /schema version is 99/],
    ['a rewritten trigger of the same name', `DROP TRIGGER customers_search_delete; CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN SELECT 1; END;`, /customers_search_delete/],
    ['rows outside the limits', `UPDATE customers SET tier = 'evil' WHERE rid = 1`, /customer rows are outside/],
  ];

  it.each(HOSTILE)('refuses an image with a valid hash but %s, and loads page by page', async (_what, sql, reason) => {
    const h = await hostile(sql);
    proxy.mode = { kind: 'serve', ...h };
    const d = await desktop();
    try {
      await signIn(d);
      await d.settled();
      const refusal = d.log.find((l) => l.includes('was refused'));
      expect(refusal).toMatch(reason);
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(false);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
      const db = new Database(cacheFile(d.dataDir), { readonly: true });
      try {
        expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'evil'`).pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  it('refuses an image whose b-tree pages are damaged (valid hash), and loads page by page', async () => {
    const m = await currentManifest();
    const res = await fetch(`${backend.url}/v1/sync/image/${m.sha256}`, { headers: { authorization: `Bearer ${admin}` } });
    const file = Buffer.from(await res.arrayBuffer());
    // Garbage over a few pages in the middle of the file, past the schema page.
    const at = Math.floor(file.length / 2 / 4096) * 4096;
    for (let i = 0; i < 4 * 4096; i++) file[at + i] = (i * 7919) & 0xff;
    proxy.mode = { kind: 'serve', manifest: { ...m, sha256: createHash('sha256').update(file).digest('hex') }, file };
    const d = await desktop();
    try {
      await signIn(d);
      await d.settled();
      expect(d.log.find((l) => l.includes('was refused'))).toMatch(/quick_check failed|malformed|corrupt|outside what the sync accepts|holds \d+/);
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(false);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  it('resumes a download cut off twice, with Range from where it stopped', async () => {
    const m = await currentManifest();
    proxy.imageRequests = [];
    proxy.mode = { kind: 'cut', after: Math.floor(m.bytes / 3), times: 2 };
    const d = await desktop();
    try {
      await signIn(d);
      await d.settled();
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(true);
      const reqs = proxy.imageRequests;
      expect(reqs.length).toBe(3);
      expect(reqs[0]!.range).toBeNull();
      // Each resumed where the last one's bytes ended (a cut-off loses what was in flight, so about a third each).
      const from = reqs.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? '')?.[1]));
      expect(from[0]).toBeGreaterThan(0);
      expect(from[1]).toBeGreaterThan(from[0]!);
      expect(from[1]).toBeLessThanOrEqual(2 * Math.floor(m.bytes / 3));
      expect(reqs.slice(1).every((r) => r.status === 206)).toBe(true);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  it('resumes after a server answering 500 in the middle of a download', async () => {
    const m = await currentManifest();
    proxy.imageRequests = [];
    proxy.mode = { kind: 'cut-then-500', after: Math.floor(m.bytes / 2), times500: 1 };
    const d = await desktop();
    try {
      await signIn(d);
      await d.settled();
      expect(proxy.imageRequests.map((r) => r.status)).toEqual([200, 500, 206]);
      expect(proxy.imageRequests[2]!.range).toMatch(/^bytes=[1-9]\d*-$/);
      expect(d.log.some((l) => l.includes('HTTP 500'))).toBe(true);
      expect(d.log.some((l) => l.startsWith('cache image downloaded'))).toBe(true);
      expectCacheEqualsServer(d.dataDir, await backend.mirror(admin));
    } finally {
      await d.close();
      proxy.mode = { kind: 'pass' };
    }
  });

  it('resumes the download after kill -9 at random points', async () => {
    const m = await currentManifest();
    const random = prng(20261124);
    const dataDir = join(root, `kill-${++n}`);
    const part = partFile(nextCacheFile(cacheFile(dataDir)));
    proxy.imageRequests = [];
    // About 4 s for the whole file: the kills land in the download.
    proxy.mode = { kind: 'slow', bytesPerSecond: Math.max(100_000, Math.round(m.bytes / 4)) };
    const run = (killAfterMs: number | null) =>
      new Promise<{ killed: boolean }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/sync/support/sync-child.ts'], {
          cwd: REPO,
          env: { ...process.env, LIANLUO_DATA_DIR: dataDir, BACKEND_URL: proxy.url, SYNC_USER: 'agent1001', SYNC_PASSWORD: backend.passwords.agent1001, BULK_PAGE: '500', INCREMENTAL_PAGE: '200' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let killed = false;
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d;
          // Kill once the download is under way.
          if (killAfterMs !== null && !killed && out.includes('"download"')) {
            killed = true;
            setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          }
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.once('exit', (code, signal) => {
          if (signal === 'SIGKILL') resolve({ killed: true });
          else if (code === 0) resolve({ killed: false });
          else reject(new Error(`sync child exited with ${code ?? signal}: ${err}\n${out.slice(-2000)}`));
        });
      });
    const sizes: number[] = [];
    try {
      for (let k = 0; k < 4; k++) {
        const r = await run(Math.floor(random() * 700));
        expect(r.killed).toBe(true);
        sizes.push(existsSync(part) ? statSync(part).size : 0);
      }
      // The part only grows: each run went on from the bytes the previous one kept.
      expect(sizes.at(-1)).toBeGreaterThan(0);
      for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeGreaterThanOrEqual(sizes[i - 1]!);
      proxy.mode = { kind: 'pass' };
      expect((await run(null)).killed).toBe(false);
      expect(proxy.imageRequests.filter((r) => r.range !== null).length).toBeGreaterThanOrEqual(3);
      expect(existsSync(part)).toBe(false);
      expect(existsSync(nextCacheFile(cacheFile(dataDir)))).toBe(false);
      expectCacheEqualsServer(dataDir, await backend.mirror(admin));
    } finally {
      proxy.mode = { kind: 'pass' };
    }
  }, 180_000);
});
