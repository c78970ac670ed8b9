// After-call work besides the push: the wrap-up configuration (admins set codes and team limits; every
// desktop reads them), open callbacks, and the customer context a screen pop shows.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CustomerId } from '../../shared/domain/customer';
import { EntityIdParam } from '../../shared/sync/api';
import { CodeList, FollowupQuery, TeamWrapup, type CallView, type CustomerContext, type FollowupList, type WrapupConfig } from '../../shared/outbox/followups';
import { Ulid } from '../../shared/outbox/items';
import { replaceCodes, setTeamWrapupSeconds, wrapupConfig } from '../config/wrapup';
import { customerContext, getCall, listFollowups } from '../followups/store';
import { ADMIN, ANY_ROLE, who } from '../http/access';
import { forbidden, parse } from '../http/errors';
import type { RouteContext } from './context';

const TeamParams = z.object({ id: EntityIdParam });
const CustomerParams = z.object({ id: CustomerId });
const CallParams = z.object({ id: Ulid });

export function followupRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db } = ctx;

  app.get('/v1/wrapup/config', { config: { access: ANY_ROLE } }, async (req): Promise<WrapupConfig> => wrapupConfig(db, who(req).teamId));

  app.put('/v1/wrapup/dispositions', { config: { access: ADMIN } }, async (req) => ({ dispositions: await replaceCodes(db, 'disposition', parse(CodeList, req.body, 'dispositions')) }));

  app.put('/v1/wrapup/categories', { config: { access: ADMIN } }, async (req) => ({ categories: await replaceCodes(db, 'category', parse(CodeList, req.body, 'ticket categories')) }));

  app.put('/v1/teams/:id/wrapup', { config: { access: ADMIN } }, async (req) => {
    const { id } = parse(TeamParams, req.params, 'path');
    return setTeamWrapupSeconds(db, id, parse(TeamWrapup, req.body, 'wrap-up limit').seconds);
  });

  app.get('/v1/followups', { config: { access: ANY_ROLE } }, async (req): Promise<FollowupList> => {
    const p = who(req);
    const q = parse(FollowupQuery, req.query, 'query');
    if (q.scope === 'team' && p.role === 'agent') throw forbidden('only team leads and admins list the whole team’s follow-ups');
    return { followups: await listFollowups(db, p, q.scope), fetchedAt: Date.now() };
  });

  // Anyone signed in may read a call, as they may read its customer: a transfer's receiving agent reads the first agent's notes.
  app.get('/v1/calls/:id', { config: { access: ANY_ROLE } }, async (req): Promise<CallView> => getCall(db, parse(CallParams, req.params, 'path').id));

  app.get('/v1/customers/:id/context', { config: { access: ANY_ROLE } }, async (req): Promise<CustomerContext> => customerContext(db, parse(CustomerParams, req.params, 'path').id));
}
