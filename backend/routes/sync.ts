// Pull sync (shared/sync/protocol.ts) and the live socket (shared/sync/live.ts).
import type { FastifyInstance } from 'fastify';
import { NDJSON_TYPE, SyncQuery, type SyncStream } from '../../shared/sync/protocol';
import { LIVE_PATH } from '../../shared/sync/live';
import { ANY_ROLE, who } from '../http/access';
import { parse } from '../http/errors';
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

  app.get(LIVE_PATH, { config: { access: ANY_ROLE }, websocket: true }, (socket, req) => {
    void ctx.hub.add(socket, who(req)).catch((err: unknown) => {
      req.log.warn({ err }, 'live socket setup failed');
      socket.terminate();
    });
  });
}
