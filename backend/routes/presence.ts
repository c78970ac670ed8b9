// Presence (issue 5): a desktop reports its agent's state; team leads read their team (and get changes
// live on /v1/live); admins configure the Not Ready reasons, globally or per team.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PRESENCE_ME_PATH, PRESENCE_REASONS_PATH, PresenceReport, ReasonList, type PresenceAck, type ReasonsAnswer, type TeamPresence } from '../../shared/presence/api';
import { EntityIdParam } from '../../shared/sync/api';
import { ADMIN, ANY_ROLE, LEADS, assertTeamVisible, who } from '../http/access';
import { parse } from '../http/errors';
import { replaceReasons, reportPresence, teamPresence, teamReasons } from '../presence/store';
import type { RouteContext } from './context';

const TeamParams = z.object({ teamId: EntityIdParam });
const IdParams = z.object({ id: EntityIdParam });

export function presenceRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db } = ctx;

  app.put(PRESENCE_ME_PATH, { config: { access: ANY_ROLE } }, async (req): Promise<PresenceAck> => {
    const p = who(req);
    const body = parse(PresenceReport, req.body, 'presence');
    return { presence: await reportPresence(db, p, body.presence, body.sentAt), serverTime: Date.now() };
  });

  app.get('/v1/presence/team/:teamId', { config: { access: LEADS } }, async (req): Promise<TeamPresence> => {
    const { teamId } = parse(TeamParams, req.params, 'path');
    assertTeamVisible(who(req), teamId);
    return teamPresence(db, teamId);
  });

  app.get(PRESENCE_REASONS_PATH, { config: { access: ANY_ROLE } }, async (req): Promise<ReasonsAnswer> => teamReasons(db, who(req).teamId));

  app.put(PRESENCE_REASONS_PATH, { config: { access: ADMIN } }, async (req): Promise<ReasonsAnswer> => {
    const list = parse(ReasonList, req.body, 'Not Ready reasons');
    return replaceReasons(db, null, list);
  });

  // A team's own list; an empty list gives the team the global one back.
  app.put('/v1/teams/:id/presence-reasons', { config: { access: ADMIN } }, async (req): Promise<ReasonsAnswer> => {
    const { id } = parse(IdParams, req.params, 'path');
    return replaceReasons(db, id, parse(ReasonList, req.body, 'Not Ready reasons'));
  });
}
