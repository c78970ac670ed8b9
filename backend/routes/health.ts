import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Health } from '../../shared/sync/api';
import { SYNC_PROTOCOL } from '../../shared/sync/protocol';
import { SCHEMA_VERSION } from '../db/migrate';
import { HttpError } from '../http/errors';
import type { RouteContext } from './context';

export function healthRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/v1/health', { config: { access: 'public' } }, async (): Promise<z.infer<typeof Health>> => {
    try {
      await ctx.db.query('SELECT 1');
    } catch {
      throw new HttpError('unavailable', 'the database does not answer');
    }
    return { ok: true, protocol: SYNC_PROTOCOL, schema: SCHEMA_VERSION, database: ctx.db.kind };
  });
}
