// Downloading and checking a cache image (shared/sync/image.ts), in the writer worker. The backend built
// the whole cache file; this desktop downloads it into `<next file>.part` (resumed with HTTP Range after
// a crash, a kill or a lost connection, hashed while it streams), then treats it as untrusted input:
//
//   - it must be a plain SQLite file in rollback-journal mode (no WAL beside it to replay);
//   - opened read-only with trusted_schema=OFF, its user_version must be this app's cache schema, and its
//     sqlite_master (type, name, table, sql) must be exactly what this app's own migrations produce in an
//     empty database (plus ANALYZE's statistics table): any other table, index, trigger or view refuses it;
//   - PRAGMA quick_check, the sync_state rows (both streams, the manifest's cursors and epochs), meta
//     (only known keys), no bulk bookkeeping left, the row counts of the manifest, and every row's values
//     within the limits the NDJSON path's validation enforces.
//
// Only then is it renamed to the next file (its build_state 'image'), and the sync goes on as after a
// bulk load: delta pages from the image's cursors into it, then the usual swap. Anything that does not
// check out removes the download and the desktop pulls NDJSON pages instead; a connection lost midway
// keeps the part for the next try.
import Database from 'better-sqlite3';
import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { closeSync, createReadStream, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { LIMITS, TIERS } from '../../../shared/domain/customer';
import { CACHE_IMAGE_PATH, CacheImageManifest, IMAGE_META_KEYS } from '../../../shared/sync/image';
import { SYNC_STREAMS } from '../../../shared/sync/protocol';
import { migrate, SCHEMA_VERSION } from '../db/migrations';
import { causeOf, errorText, type PullFailure } from './pull';

export type ImageFetchOutcome =
  /** The file is verified and in place (not yet in a Db connection). */
  | { kind: 'ready'; manifest: CacheImageManifest; downloadedBytes: number; verifyMs: number }
  /** No usable image on the server (none, another schema, an old server): pull NDJSON pages. */
  | { kind: 'none'; detail: string }
  /** An image was downloaded but refused (hash, schema, content): removed; pull NDJSON pages. */
  | { kind: 'refused'; detail: string }
  /** The download stopped (connection, server error): the part is kept and resumed next time. */
  | { kind: 'failed'; error: PullFailure }
  | { kind: 'unauthorized'; detail: string }
  | { kind: 'aborted' };

export interface ImageFetchOptions {
  baseUrl: string;
  token: string;
  /** Where the verified file goes (the next cache file). */
  target: string;
  signal?: AbortSignal;
  idleTimeoutMs?: number;
  onProgress?: (received: number, total: number) => void;
}

export const partFile = (target: string) => `${target}.part`;
const partInfoFile = (target: string) => `${target}.part.json`;

/** Remove a download in progress (and what describes it). */
export function removePart(target: string): void {
  rmSync(partFile(target), { force: true });
  rmSync(partInfoFile(target), { force: true });
}

class Refused extends Error {}

export async function fetchCacheImage(o: ImageFetchOptions): Promise<ImageFetchOutcome> {
  const base = o.baseUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${o.token}` };
  const idleMs = o.idleTimeoutMs ?? 30_000;
  const aborted = () => o.signal?.aborted === true;

  // ---- the manifest
  let manifest: CacheImageManifest;
  try {
    const res = await fetch(base + CACHE_IMAGE_PATH, { headers, signal: AbortSignal.any([AbortSignal.timeout(idleMs), ...(o.signal ? [o.signal] : [])]) });
    if (res.status === 401) return { kind: 'unauthorized', detail: await errorText(res) };
    if (res.status !== 200) return { kind: 'none', detail: `no cache image (HTTP ${res.status}${res.status === 404 ? '' : `: ${await errorText(res)}`})` };
    const parsed = CacheImageManifest.safeParse(await res.json().catch(() => null));
    if (!parsed.success) return { kind: 'none', detail: 'the cache image manifest is not one this app understands' };
    manifest = parsed.data;
  } catch (e) {
    if (aborted()) return { kind: 'aborted' };
    return { kind: 'none', detail: `no cache image manifest (${causeOf(e)})` };
  }
  if (manifest.schemaVersion !== SCHEMA_VERSION) {
    return { kind: 'none', detail: `the server's cache image has schema ${manifest.schemaVersion}, this app's cache has ${SCHEMA_VERSION}` };
  }

  // ---- the bytes, from where an earlier download stopped
  const part = partFile(o.target);
  const info = partInfoFile(o.target);
  let kept = 0;
  try {
    const prev = existsSync(info) ? (JSON.parse(readFileSync(info, 'utf8')) as { sha256?: unknown; bytes?: unknown }) : null;
    if (prev?.sha256 === manifest.sha256 && prev.bytes === manifest.bytes && existsSync(part)) kept = statSync(part).size;
  } catch {
    kept = 0;
  }
  if (kept === 0 || kept > manifest.bytes) {
    removePart(o.target);
    kept = 0;
    writeFileSync(info, JSON.stringify({ sha256: manifest.sha256, bytes: manifest.bytes }));
  }
  const hash = createHash('sha256');
  if (kept > 0) {
    for await (const chunk of createReadStream(part, { end: kept - 1, highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  }

  const got = await download(o, manifest, part, kept, hash, idleMs);
  if (got.kind !== 'done') {
    if (got.kind === 'refused') removePart(o.target);
    return got.kind === 'refused' ? { kind: 'refused', detail: got.detail } : got;
  }
  const sha = got.sha256;
  if (sha !== manifest.sha256) {
    removePart(o.target);
    return { kind: 'refused', detail: `the downloaded cache image's SHA-256 is ${sha.slice(0, 12)}…, the server announced ${manifest.sha256.slice(0, 12)}…` };
  }
  const t0 = performance.now();
  try {
    await verifyImage(part, manifest);
  } catch (e) {
    removePart(o.target);
    return { kind: 'refused', detail: `the cache image was refused: ${e instanceof Error ? e.message : String(e)}` };
  }
  renameSync(part, o.target);
  rmSync(info, { force: true });
  return { kind: 'ready', manifest, downloadedBytes: got.received, verifyMs: Math.round(performance.now() - t0) };
}

type DownloadResult = { kind: 'done'; received: number; sha256: string } | { kind: 'refused'; detail: string } | Exclude<ImageFetchOutcome, { kind: 'ready' | 'none' | 'refused' }>;

/** Append the rest of the file from byte `from` (`kept`: the hash of the bytes already there). */
async function download(o: ImageFetchOptions, m: CacheImageManifest, part: string, from: number, kept: Hash, idleMs: number): Promise<DownloadResult> {
  const ac = new AbortController();
  let idle = false;
  let timer = setTimeout(() => ((idle = true), ac.abort()), idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ((idle = true), ac.abort()), idleMs);
  };
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort);
  let fd: number | null = null;
  let received = 0;
  try {
    let res: Response;
    try {
      res = await fetch(`${o.baseUrl.replace(/\/+$/, '')}${CACHE_IMAGE_PATH}/${m.sha256}`, {
        headers: { authorization: `Bearer ${o.token}`, ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
        signal: ac.signal,
      });
    } catch (e) {
      if (o.signal?.aborted) return { kind: 'aborted' };
      return { kind: 'failed', error: { kind: 'offline', detail: idle ? `the backend did not answer within ${idleMs / 1000} s` : `cannot reach the backend at ${o.baseUrl} (${causeOf(e)})` } };
    }
    touch();
    if (res.status === 401) return { kind: 'unauthorized', detail: await errorText(res) };
    if (res.status === 404 || res.status === 416) {
      // Replaced by a newer image, or our part does not fit it: start over with the next manifest.
      await res.body?.cancel().catch(() => undefined);
      removePart(o.target);
      return { kind: 'failed', error: { kind: 'server', detail: `the cache image is no longer offered (HTTP ${res.status}); the next try asks for the current one` } };
    }
    let offset: number;
    if (res.status === 206 && from > 0) {
      const cr = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
      if (!cr || Number(cr[1]) !== from || Number(cr[3]) !== m.bytes) {
        await res.body?.cancel().catch(() => undefined);
        return { kind: 'refused', detail: `the server answered a resumed download with the wrong range (${res.headers.get('content-range') ?? 'none'})` };
      }
      offset = from;
    } else if (res.status === 200) {
      offset = 0; // the whole file (again, if the server ignored the range)
    } else {
      const detail = await errorText(res);
      return { kind: 'failed', error: { kind: 'server', detail: `the backend answered HTTP ${res.status} for the cache image${detail ? `: ${detail}` : ''}` } };
    }
    if (!res.body) return { kind: 'failed', error: { kind: 'server', detail: 'the cache image answer has no body' } };
    const h = offset === 0 ? createHash('sha256') : kept;
    fd = openSync(part, offset === 0 ? 'w' : 'a');
    let at = offset;
    let lastReport = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      touch();
      if (at + chunk.byteLength > m.bytes) return { kind: 'refused', detail: `the cache image is longer than the ${m.bytes} bytes announced` };
      h.update(chunk);
      let off = 0;
      while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      at += chunk.byteLength;
      received += chunk.byteLength;
      const now = Date.now();
      if (now - lastReport >= 100 || at === m.bytes) {
        lastReport = now;
        o.onProgress?.(at, m.bytes);
      }
    }
    if (at < m.bytes) {
      return { kind: 'failed', error: { kind: 'offline', detail: `the cache image download stopped at ${at} of ${m.bytes} bytes; it resumes from there` } };
    }
    fsyncSync(fd);
    return { kind: 'done', received, sha256: h.digest('hex') };
  } catch (e) {
    if (o.signal?.aborted) return { kind: 'aborted' };
    if ((e as Error).name === 'SqliteError' || (e as NodeJS.ErrnoException).code === 'ENOSPC') {
      return { kind: 'failed', error: { kind: 'storage', detail: `the cache image could not be written: ${(e as Error).message}` } };
    }
    return {
      kind: 'failed',
      error: { kind: 'offline', detail: idle ? `the backend stopped sending the cache image for ${idleMs / 1000} s; it resumes from there` : `the cache image download was cut off (${causeOf(e)}); it resumes from there` },
    };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    if (fd !== null) closeSync(fd);
  }
}

// ---------------------------------------------------------------- verification

type MasterRow = { type: string; name: string; tbl_name: string; sql: string | null };

let expected: MasterRow[] | null = null;

/** sqlite_master as this app's migrations make it in an empty database, with ANALYZE's table (the bulk finish runs ANALYZE). */
function expectedSchema(): MasterRow[] {
  if (expected) return expected;
  const db = new Database(':memory:');
  try {
    migrate(db);
    db.exec('ANALYZE');
    expected = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master').all() as MasterRow[];
  } finally {
    db.close();
  }
  return expected;
}

const rowKey = (r: MasterRow) => JSON.stringify([r.type, r.name, r.tbl_name, r.sql]);

/**
 * PRAGMA quick_check in a thread of its own (it reads the whole file: ~3.5 s for 1,000,000 customers),
 * while the writer worker checks the rows. Plain CommonJS evaluated as the thread's code, so it needs no
 * script file of its own in the built app; it loads the same better-sqlite3 as this worker.
 */
const QUICK_CHECK_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
let out;
try {
  const Database = require(workerData.sqlite);
  const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    out = { check: String(db.pragma('quick_check', { simple: true })) };
  } finally {
    db.close();
  }
} catch (e) {
  out = { error: String((e && e.message) || e) };
}
parentPort.postMessage(out);
`;

function quickCheckThread(path: string): { result: Promise<string>; stop: () => void } {
  const worker = new Worker(QUICK_CHECK_THREAD, { eval: true, workerData: { path, sqlite: createRequire(import.meta.url).resolve('better-sqlite3') } });
  const result = new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { check?: string; error?: string }) => (m.error !== undefined ? reject(new Refused(`SQLite cannot check it (${m.error})`)) : resolve(m.check ?? '')));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the quick_check thread stopped (exit code ${code})`)));
  });
  result.catch(() => undefined);
  return { result, stop: () => void worker.terminate() };
}

/** Throws (a plain reason) unless the file is a cache this app would have built itself. */
export async function verifyImage(path: string, m: CacheImageManifest): Promise<void> {
  const head = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') throw new Refused('it is not a SQLite file');
  if (head[18] !== 1 || head[19] !== 1) throw new Refused('it is not a rollback-journal SQLite file (WAL or an unknown format)');
  let db: Database.Database;
  let qc: ReturnType<typeof quickCheckThread> | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new Refused(`SQLite cannot open it (${(e as Error).message})`);
  }
  try {
    // Nothing in the file's schema may run code while it is read (triggers, views, virtual tables'
    // functions), even before the schema comparison below has refused it.
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) throw new Refused(`its schema version is ${version}, this app's is ${SCHEMA_VERSION}`);
    const want = new Set(expectedSchema().map(rowKey));
    const got = (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master').all() as MasterRow[]).map(rowKey);
    const extra = got.filter((k) => !want.has(k));
    const have = new Set(got);
    const missing = [...want].filter((k) => !have.has(k));
    if (extra.length || missing.length || got.length !== want.size) {
      const name = (k: string) => (JSON.parse(k) as string[]).slice(0, 2).join(' ');
      throw new Refused(`its schema differs from this app's (${[...extra.map((k) => `unexpected ${name(k)}`), ...missing.map((k) => `missing ${name(k)}`)].slice(0, 4).join(', ') || 'duplicates'})`);
    }
    // The schema is ours: quick_check runs beside the row checks below.
    qc = quickCheckThread(path);
    const state = db.prepare('SELECT stream, cursor, epoch, high_water, synced_at FROM sync_state ORDER BY stream').all() as { stream: string; cursor: unknown; epoch: unknown; high_water: unknown; synced_at: unknown }[];
    const streams = [...SYNC_STREAMS].sort();
    if (state.length !== streams.length || state.some((r, i) => r.stream !== streams[i])) throw new Refused('its sync_state rows are not one per stream');
    for (const r of state) {
      const want = m.cursors[r.stream as (typeof SYNC_STREAMS)[number]];
      if (r.cursor !== want.cursor || r.epoch !== want.epoch) throw new Refused(`its ${r.stream} cursor is not the manifest's`);
      if (!Number.isSafeInteger(r.high_water) || (r.synced_at !== null && !Number.isSafeInteger(r.synced_at))) throw new Refused(`its ${r.stream} sync_state row is malformed`);
    }
    const meta = db.prepare('SELECT k, v FROM meta').all() as { k: unknown; v: unknown }[];
    if (meta.some((r) => !(IMAGE_META_KEYS as readonly unknown[]).includes(r.k)) || !meta.some((r) => r.k === 'source' && r.v === 'sync')) throw new Refused('its meta rows are not those of a synced cache');
    if ((db.prepare('SELECT count(*) FROM bulk_ddl').pluck().get() as number) !== 0) throw new Refused('it was never finished (bulk-load bookkeeping left)');
    // The same bounds the NDJSON path's validation enforces on every row, in one pass per table.
    const c = db
      .prepare(
        `SELECT count(*) AS n,
                sum(typeof(id) != 'text' OR length(id) NOT BETWEEN 1 AND 64 OR typeof(name) != 'text' OR length(name) NOT BETWEEN 1 AND ?
                    OR typeof(company) != 'text' OR length(company) > ? OR typeof(notes) != 'text' OR length(notes) > ?
                    OR tier NOT IN (${TIERS.map(() => '?').join(', ')}) OR typeof(updated_at) != 'integer' OR typeof(seq) != 'integer' OR seq > ?
                    OR json_valid(tags) = 0 OR json_type(tags) != 'array' OR json_valid(phones_json) = 0 OR json_type(phones_json) != 'array'
                    OR json_valid(history_json) = 0 OR json_type(history_json) != 'array') AS bad
           FROM customers`,
      )
      .get(LIMITS.name, LIMITS.company, LIMITS.notes, ...TIERS, m.cursors.customers.cursor) as { n: number; bad: number | null };
    if (c.n !== m.rows.customers) throw new Refused(`it holds ${c.n} customers, the manifest says ${m.rows.customers}`);
    if (c.bad) throw new Refused(`${c.bad} customer rows are outside what the sync accepts`);
    const i = db
      .prepare(
        `SELECT count(*) AS n,
                sum(typeof(id) != 'text' OR length(id) NOT BETWEEN 1 AND 64 OR typeof(customer_id) != 'text' OR typeof(at) != 'integer'
                    OR direction NOT IN ('inbound', 'outbound') OR length(note) > ? OR typeof(duration_s) != 'integer' OR duration_s < 0) AS bad
           FROM interactions`,
      )
      .get(LIMITS.interactionNote) as { n: number; bad: number | null };
    if (i.n !== m.rows.interactions) throw new Refused(`it holds ${i.n} interactions, the manifest says ${m.rows.interactions}`);
    if (i.bad) throw new Refused(`${i.bad} interaction rows are outside what the sync accepts`);
  } catch (e) {
    qc?.stop();
    throw e;
  } finally {
    db.close();
  }
  const check = await (qc as ReturnType<typeof quickCheckThread>).result;
  if (check !== 'ok') throw new Refused(`quick_check failed: ${check.slice(0, 120)}`);
}
