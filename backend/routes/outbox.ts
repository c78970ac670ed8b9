// The outbox's push endpoint (shared/outbox/items.ts): a desktop delivers items in order; each is applied
// exactly once and answered with its own result (backend/outbox/apply.ts).
import type { FastifyInstance } from 'fastify';
import { PushRequest, type PushResponse } from '../../shared/outbox/items';
import { ANY_ROLE, who } from '../http/access';
import { parse } from '../http/errors';
import { pushItems } from '../outbox/apply';
import type { RouteContext } from './context';

/** A request may carry up to OUTBOX_LIMITS.batch items; desktops keep requests near 1 MiB. */
export const OUTBOX_BODY_LIMIT = 8 * 1024 * 1024;

export function outboxRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/v1/outbox', { config: { access: ANY_ROLE }, bodyLimit: OUTBOX_BODY_LIMIT }, async (req): Promise<PushResponse> => {
    const body = parse(PushRequest, req.body, 'outbox push');
    const results = await pushItems(ctx.db, who(req), ctx.plan, body, { error: (obj, msg) => req.log.error(obj, msg) });
    return { results };
  });
}
