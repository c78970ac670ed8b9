// Pull sync (shared/sync/protocol.ts), cache images (shared/sync/image.ts) and the live socket (shared/sync/live.ts).
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { CACHE_IMAGE_PATH, CACHE_IMAGE_TYPE, CacheImageParams } from '../../shared/sync/image';
import { NDJSON_TYPE, SyncQuery, type SyncStream } from '../../shared/sync/protocol';
import { LIVE_PATH } from '../../shared/sync/live';
import { ANY_ROLE, who } from '../http/access';
import { notFound, parse } from '../http/errors';
import { openPage, ResetRequiredError } from '../sync/feed';
import type { RouteContext } from './context';

export function syncRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const stream of ['customers', 'interactions'] as const satisfies readonly SyncStream[]) {
    app.get(`/v1/sync/${stream}`, { config: { access: ANY_ROLE } }, async (req, reply) => {
      const q = parse(SyncQuery, req.query, 'sync query');
      try {
        const body = await openPage(ctx.db, stream, q, ctx.syncBatchRows ? { batchRows: ctx.syncBatchRows } : {});
        body.on('error', (err) => req.log.warn({ err }, `sync ${stream} page cut off`));
        return reply.header('content-type', `${NDJSON_TYPE}; charset=utf-8`).header('cache-control', 'no-store').send(body);
      } catch (err) {
        if (err instanceof ResetRequiredError) return reply.code(410).send(err.body);
        throw err;
      }
    });
  }

  app.get(CACHE_IMAGE_PATH, { config: { access: ANY_ROLE } }, async (_req, reply) => {
    const manifest = ctx.cacheImages?.current() ?? null;
    if (!manifest) throw notFound('this server has no cache image now: sync through the pages');
    return reply.header('cache-control', 'no-store').send(manifest);
  });

  // The file, whole or from a byte offset (Range: bytes=N- or bytes=N-M), so an interrupted download resumes.
  app.get(`${CACHE_IMAGE_PATH}/:sha256`, { config: { access: ANY_ROLE } }, async (req, reply) => {
    const { sha256 } = parse(CacheImageParams, req.params, 'cache image');
    const file = ctx.cacheImages?.file(sha256) ?? null;
    if (!file) throw notFound('no such cache image (a newer one replaced it): ask for the manifest again');
    // Opened before anything is sent: a replaced image removed meanwhile is still read to its end.
    const handle = await open(file.path, 'r').catch(() => null);
    if (!handle) throw notFound('no such cache image (a newer one replaced it): ask for the manifest again');
    const size = file.bytes;
    let start = 0;
    let end = size - 1;
    const range = req.headers.range;
    if (range !== undefined) {
      const m = /^bytes=(\d{1,15})-(\d{0,15})$/.exec(range.trim());
      const from = m ? Number(m[1]) : NaN;
      const to = m?.[2] ? Number(m[2]) : size - 1;
      if (!m || from > to || from >= size) {
        await handle.close();
        return reply
          .code(416)
          .header('content-range', `bytes */${size}`)
          .send({ error: { code: 'invalid_request', message: `unsatisfiable range "${range.slice(0, 40)}" for ${size} bytes: use bytes=N- with N < ${size}` } });
      }
      start = from;
      end = Math.min(to, size - 1);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    }
    const body = handle.createReadStream({ start, end, highWaterMark: 1024 * 1024 }); // closes the handle when done
    body.on('error', (err) => req.log.warn({ err }, 'cache image download cut off'));
    return reply
      .header('content-type', CACHE_IMAGE_TYPE)
      .header('content-length', String(end - start + 1))
      .header('accept-ranges', 'bytes')
      .header('etag', `"${sha256}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });

  app.get(LIVE_PATH, { config: { access: ANY_ROLE }, websocket: true }, (socket, req) => {
    void ctx.hub.add(socket, who(req)).catch((err: unknown) => {
      req.log.warn({ err }, 'live socket setup failed');
      socket.terminate();
    });
  });
}
