// Worker-thread entry of the cache-image job (job.ts): everything CPU-heavy of a build (SQLite inserts,
// phones, history, indexes, the search index, hashing) runs here, so the backend's HTTP loop never
// waits for it. On PostgreSQL the worker reads the snapshot itself over its own connection; on PGlite
// (one in-process database) the job reads it and hands the rows over in batches (each acknowledged, so
// at most one batch waits in memory).
import { parentPort, workerData } from 'node:worker_threads';
import { PgDb } from '../../db/pg-db';
import { ImageWriter, publishImage, readSnapshot, type ImageFiles, type ImageSidecar, type SnapshotInfo, type SnapshotRow } from './build';
import type { SyncStream } from '../../../shared/sync/protocol';

export type ImageWorkerData = ImageFiles & { source: { kind: 'postgres'; url: string } | { kind: 'port' }; batchRows?: number };

/** From the job to the worker (PGlite: the rows). */
export type ImageWorkerCommand = { type: 'batch'; stream: SyncStream; rows: SnapshotRow[] } | { type: 'finish'; info: SnapshotInfo };

/** From the worker to the job. */
export type ImageWorkerMessage =
  | { type: 'ack' }
  | { type: 'done'; sidecar: ImageSidecar }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('the cache-image worker must run in a worker thread');
const data = workerData as ImageWorkerData;
const post = (m: ImageWorkerMessage) => port.postMessage(m);
const t0 = performance.now();
const writer = new ImageWriter(data.tmp);

async function finish(info: SnapshotInfo): Promise<void> {
  const builtAt = Date.now();
  const built = writer.finish(info, builtAt);
  const sidecar = await publishImage(data, info, built, builtAt, Math.round(performance.now() - t0));
  post({ type: 'done', sidecar });
}

function fail(e: unknown): void {
  writer.abort();
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
}

if (data.source.kind === 'postgres') {
  const db = new PgDb({ connectionString: data.source.url, max: 1 });
  readSnapshot(db, { batch: (stream, rows) => writer.batch(stream, rows) }, data.batchRows)
    .then(finish)
    .catch(fail)
    .finally(() => void db.close().catch(() => undefined).finally(() => port.close()));
} else {
  port.on('message', (m: ImageWorkerCommand) => {
    try {
      if (m.type === 'batch') {
        writer.batch(m.stream, m.rows);
        post({ type: 'ack' });
      } else {
        finish(m.info)
          .catch(fail)
          .finally(() => port.close());
      }
    } catch (e) {
      fail(e);
      port.close();
    }
  });
}
