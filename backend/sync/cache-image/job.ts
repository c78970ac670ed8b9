// The cache-image job: keeps one recent cache image (build.ts) for desktops that start from nothing
// (first sync, or a 410 reset) to download instead of pulling every row through NDJSON pages and
// building their own file (measured: the local build tops out near 34k rows/s on a 2-core machine, and
// every desktop of a contact center would repeat it). Desktops then continue from the image's cursors
// with the normal delta feed.
//
// When: checked at start and every checkEveryMs. Built when there are at least minRows live customers
// and either no image is valid or the current one has fallen behind: more than STALE_FRACTION of its
// rows changed since (rows with a seq above its cursor, both streams), or it is older than maxAgeMs and
// anything changed at all. An image stops being served at once when the feed could not continue from
// its cursors (another dataset, or history compacted past them): the next check rebuilds it.
//
// Files: <dir>/cache-image-<seq>.sqlite, its manifest in cache-image-<seq>.json (written last, so a
// file without one is an interrupted build and is removed). The previous image is kept (a desktop in
// the middle of downloading it may resume) until a newer one is complete; older ones are removed. Each
// backend instance keeps its own folder: the folder is locked by a pid file, and a second instance on
// the same machine takes <dir>-2, -3, …
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SCHEMA_VERSION } from '../../../shared/cache/migrations';
import type { CacheImageManifest } from '../../../shared/sync/image';
import { SYNC_STREAMS } from '../../../shared/sync/protocol';
import type { Db } from '../../db/db';
import type { DatabaseTarget } from '../../db/open';
import { readSnapshot, type ImageSidecar } from './build';
import type { ImageWorkerCommand, ImageWorkerData, ImageWorkerMessage } from './worker';

/** Share of an image's rows that may have changed before it is rebuilt. */
export const STALE_FRACTION = 0.05;

export interface CacheImageConfig {
  enabled: boolean;
  /** The folder images are kept in (null: off). */
  dir: string | null;
  /** Live customers needed before an image is worth building. */
  minRows: number;
  /** An image older than this is rebuilt (if anything changed). */
  maxAgeMs: number;
  checkEveryMs: number;
}

export const DEFAULT_CACHE_IMAGE: Omit<CacheImageConfig, 'dir'> = { enabled: true, minRows: 100_000, maxAgeMs: 6 * 3_600_000, checkEveryMs: 60_000 };

export interface ImageLog {
  info(msg: string): void;
  warn(msg: string): void;
}

const IMAGE_FILE = /^cache-image-(\d+)\.sqlite$/;
const SIDECAR_FILE = /^cache-image-(\d+)\.json$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock `base`, or the first of base-2 … base-16 that no running process holds. */
function lockFolder(base: string): { dir: string; release: () => void } {
  for (let i = 1; i <= 16; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'images.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        return { dir, release: () => rmSync(file, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(file, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) break;
        if (pid === process.pid) break; // another job of this process holds it
        rmSync(file, { force: true });
      }
    }
  }
  throw new Error(`no free cache-image folder at ${base} (16 instances hold one each)`);
}

const WORKER_URL = new URL('./worker-entry.mjs', import.meta.url);

export class CacheImages {
  private dir: string | null = null;
  private release: (() => void) | null = null;
  private images: ImageSidecar[] = []; // newest first
  private timer: NodeJS.Timeout | null = null;
  private building: Promise<void> | null = null;
  private worker: Worker | null = null;
  private closed = false;
  private lastCheck: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly target: DatabaseTarget,
    readonly config: CacheImageConfig,
    private readonly log: ImageLog,
  ) {}

  get enabled(): boolean {
    return this.config.enabled && this.config.dir !== null;
  }

  get folder(): string | null {
    return this.dir;
  }

  /** Take the folder, pick up the images a previous run left, check now and every checkEveryMs. */
  start(): void {
    if (!this.enabled || this.timer) return;
    // The folder is made (and locked) when there is something in it or the first image is built.
    if (existsSync(this.config.dir as string)) this.takeFolder();
    this.timer = setInterval(() => void this.check(), this.config.checkEveryMs);
    this.timer.unref();
    void this.check();
  }

  /** The manifest desktops get, or null (none yet, disabled, or the newest one no longer valid). */
  current(): CacheImageManifest | null {
    return this.enabled ? (this.images[0]?.manifest ?? null) : null;
  }

  /** The file for a sha256 the server handed out (the current image or the previous one). */
  file(sha256: string): { path: string; bytes: number } | null {
    if (!this.enabled) return null;
    const s = this.images.find((i) => i.manifest.sha256 === sha256);
    return s && existsSync(s.file) ? { path: s.file, bytes: s.manifest.bytes } : null;
  }

  /** Decide whether to build, and build (at most one build at a time). Resolves when that decision's work is done. */
  check(): Promise<void> {
    if (!this.enabled || this.closed || !this.timer) return Promise.resolve();
    if (this.building) return this.building;
    this.lastCheck = this.decide()
      .then((why) => {
        if (!why || this.closed) return;
        this.log.info(`cache image: building (${why})`);
        this.building = this.build().finally(() => {
          this.building = null;
        });
        return this.building;
      })
      .catch((err: unknown) => this.log.warn(`cache image: ${err instanceof Error ? err.message : String(err)}`));
    return this.lastCheck;
  }

  /** Wait for a running build (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.lastCheck;
    while (this.building) await this.building.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const w = this.worker;
    if (w) await w.terminate().catch(() => undefined);
    await this.building?.catch(() => undefined);
    if (this.dir) for (const f of readdirSync(this.dir)) if (f.endsWith('.tmp') || f.endsWith('.tmp-journal')) rmSync(join(this.dir, f), { force: true });
    this.release?.();
    this.release = null;
  }

  // ------------------------------------------------------------------------------------------------

  private takeFolder(): string {
    if (this.dir) return this.dir;
    const { dir, release } = lockFolder(this.config.dir as string);
    this.dir = dir;
    this.release = release;
    this.images = this.scan();
    return dir;
  }

  /** Images of this folder with a complete manifest for this schema, newest first; leftovers removed. */
  private scan(): ImageSidecar[] {
    const dir = this.dir as string;
    const found: ImageSidecar[] = [];
    for (const f of readdirSync(dir)) {
      if (!SIDECAR_FILE.test(f)) continue;
      try {
        const s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ImageSidecar;
        if (s.manifest.schemaVersion === SCHEMA_VERSION && existsSync(s.file) && statSync(s.file).size === s.manifest.bytes) found.push(s);
        else this.remove(s);
      } catch {
        rmSync(join(dir, f), { force: true });
      }
    }
    found.sort((a, b) => b.manifest.cursors.customers.cursor - a.manifest.cursors.customers.cursor || b.manifest.builtAt - a.manifest.builtAt);
    const keep = new Set(found.map((s) => s.file));
    for (const f of readdirSync(dir)) {
      const path = join(dir, f);
      if (f.endsWith('.tmp') || f.endsWith('.tmp-journal') || (IMAGE_FILE.test(f) && !keep.has(path))) rmSync(path, { force: true });
    }
    return found;
  }

  private remove(s: ImageSidecar): void {
    rmSync(s.file, { force: true });
    rmSync(s.file.replace(/\.sqlite$/, '.json'), { force: true });
  }

  /** Why a build is due now, or null. Drops an image the feed could no longer continue from. */
  private async decide(): Promise<string | null> {
    const [st] = await this.db.query<{ dataset: string; live: number; cc: number; ic: number }>(
      `SELECT d.id AS dataset, (SELECT count(*) FROM customers WHERE doc IS NOT NULL)::bigint AS live,
              (SELECT compacted_through FROM sync_streams WHERE stream = 'customers') AS cc,
              (SELECT compacted_through FROM sync_streams WHERE stream = 'interactions') AS ic
         FROM dataset d`,
    );
    if (!st) return null;
    const compacted = { customers: Number(st.cc), interactions: Number(st.ic) };
    const usable = (s: ImageSidecar) =>
      s.datasetId === st.dataset &&
      SYNC_STREAMS.every((k) => s.compacted[k] === compacted[k] || s.manifest.cursors[k].cursor >= compacted[k]);
    const before = this.images.length;
    const bad = this.images.filter((s) => !usable(s));
    if (bad.length) {
      this.images = this.images.filter(usable);
      for (const s of bad) this.remove(s);
      this.log.info(`cache image: ${bad.length} of ${before} no longer match the feed (dataset or compaction changed)`);
    }
    const live = Number(st.live);
    if (live < this.config.minRows) return null;
    const img = this.images[0];
    if (!img) return `${live} customers, no image yet`;
    const cursor = img.manifest.cursors.customers.cursor;
    const [ch] = await this.db.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM customers WHERE seq > $1) + (SELECT count(*) FROM interactions WHERE seq > $1))::bigint AS n`,
      [cursor],
    );
    const changed = Number(ch?.n ?? 0);
    const total = Math.max(1, img.manifest.rows.customers + img.manifest.rows.interactions);
    if (changed > STALE_FRACTION * total) return `${changed} rows changed since seq ${cursor} (more than ${STALE_FRACTION * 100} % of ${total})`;
    const age = Date.now() - img.manifest.builtAt;
    if (changed > 0 && age > this.config.maxAgeMs) return `the image is ${Math.round(age / 60_000)} min old and ${changed} rows changed`;
    return null;
  }

  private async build(): Promise<void> {
    const dir = this.takeFolder();
    const stamp = `${Date.now()}-${process.pid}`;
    const tmp = join(dir, `cache-image-${stamp}.tmp`);
    const worker = (this.worker = new Worker(WORKER_URL, {
      workerData: {
        tmp,
        dir,
        source: this.target.kind === 'postgres' ? { kind: 'postgres', url: this.target.url } : { kind: 'port' },
      } satisfies ImageWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    }));
    try {
      const sidecar = await new Promise<ImageSidecar>((resolve, reject) => {
        let acked: (() => void) | null = null;
        worker.on('message', (m: ImageWorkerMessage) => {
          if (m.type === 'ack') acked?.();
          else if (m.type === 'done') resolve(m.sidecar);
          else reject(new Error(m.message));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the image worker stopped (exit code ${code})`)));
        if (this.target.kind === 'pglite') {
          const send = (m: ImageWorkerCommand) => worker.postMessage(m);
          readSnapshot(this.db, {
            batch: (stream, rows) =>
              new Promise<void>((ok) => {
                acked = ok;
                send({ type: 'batch', stream, rows });
              }),
          }).then((info) => send({ type: 'finish', info }), reject);
        }
      });
      if (this.closed) return;
      this.images = [sidecar, ...this.images.filter((s) => s.file !== sidecar.file)];
      for (const old of this.images.slice(2)) this.remove(old);
      this.images = this.images.slice(0, 2);
      const t = sidecar.timings;
      this.log.info(
        `cache image: ${sidecar.manifest.rows.customers} customers, ${sidecar.manifest.rows.interactions} interactions at seq ${sidecar.manifest.cursors.customers.cursor}, ` +
          `${Math.round(sidecar.manifest.bytes / 2 ** 20)} MiB in ${(sidecar.buildMs / 1000).toFixed(1)} s (${Object.entries(t).map(([k, v]) => `${k} ${v} ms`).join(', ')})`,
      );
    } catch (err) {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}-journal`, { force: true });
      if (!this.closed) this.log.warn(`cache image: the build failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.worker = null;
      await worker.terminate().catch(() => undefined);
    }
  }
}
