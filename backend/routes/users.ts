// Users (admins manage; supervisors see their team; everyone sees themselves) and teams.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CreateTeam, CreateUser, EntityIdParam, SetPassword, SipSettings, UpdateTeam, UpdateUser } from '../../shared/sync/api';
import {
  createTeam,
  createUser,
  deleteSip,
  deleteTeam,
  deleteUser,
  getTeam,
  getUser,
  listTeams,
  listUsers,
  renameTeam,
  revokeUserSessions,
  setPassword,
  setSip,
  updateUser,
} from '../auth/accounts';
import { ADMIN, ANY_ROLE, LEADS, assertTeamVisible, assertUserVisible, who } from '../http/access';
import { forbidden, parse } from '../http/errors';
import type { RouteContext } from './context';

const IdParams = z.object({ id: EntityIdParam });
const UserListQuery = z.object({ teamId: EntityIdParam.optional() }).strict();

export function userRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, accounts } = ctx;
  const idOf = (params: unknown) => parse(IdParams, params, 'path').id;

  // ── users ──
  app.get('/v1/users', { config: { access: ADMIN } }, async (req) => {
    const q = parse(UserListQuery, req.query, 'query');
    return listUsers(db, q.teamId);
  });

  app.post('/v1/users', { config: { access: ADMIN } }, async (req, reply) => {
    const body = parse(CreateUser, req.body, 'user');
    return reply.code(201).send(await createUser(db, accounts, body));
  });

  app.get('/v1/users/:id', { config: { access: ANY_ROLE } }, async (req) => {
    const p = who(req);
    const id = idOf(req.params);
    if (p.role === 'agent' && id !== p.userId) throw forbidden('you can only see your own account');
    const user = await getUser(db, id);
    assertUserVisible(p, user);
    return user;
  });

  app.patch('/v1/users/:id', { config: { access: ADMIN } }, async (req) => {
    const id = idOf(req.params);
    return updateUser(db, id, parse(UpdateUser, req.body, 'user change'));
  });

  app.delete('/v1/users/:id', { config: { access: ADMIN } }, async (req, reply) => {
    await deleteUser(db, idOf(req.params));
    return reply.code(204).send();
  });

  app.put('/v1/users/:id/password', { config: { access: ADMIN } }, async (req, reply) => {
    const id = idOf(req.params);
    const body = parse(SetPassword, req.body, 'password');
    await setPassword(db, accounts, id, body.password);
    return reply.code(204).send();
  });

  app.put('/v1/users/:id/sip', { config: { access: ADMIN } }, async (req, reply) => {
    const id = idOf(req.params);
    await setSip(db, accounts.box, id, parse(SipSettings, req.body, 'SIP account'));
    return reply.code(204).send();
  });

  app.delete('/v1/users/:id/sip', { config: { access: ADMIN } }, async (req, reply) => {
    await deleteSip(db, idOf(req.params));
    return reply.code(204).send();
  });

  app.post('/v1/users/:id/sessions/revoke', { config: { access: ADMIN } }, async (req) => {
    const id = idOf(req.params);
    await getUser(db, id);
    return { revoked: await revokeUserSessions(db, id) };
  });

  // ── teams ──
  app.get('/v1/teams', { config: { access: ANY_ROLE } }, async (req) => {
    const p = who(req);
    return p.role === 'admin' ? listTeams(db) : listTeams(db, p.teamId);
  });

  app.post('/v1/teams', { config: { access: ADMIN } }, async (req, reply) => {
    const body = parse(CreateTeam, req.body, 'team');
    return reply.code(201).send(await createTeam(db, body.name));
  });

  app.get('/v1/teams/:id', { config: { access: ANY_ROLE } }, async (req) => {
    const id = idOf(req.params);
    assertTeamVisible(who(req), id);
    return getTeam(db, id);
  });

  app.patch('/v1/teams/:id', { config: { access: ADMIN } }, async (req) => {
    const id = idOf(req.params);
    return renameTeam(db, id, parse(UpdateTeam, req.body, 'team change').name);
  });

  app.delete('/v1/teams/:id', { config: { access: ADMIN } }, async (req, reply) => {
    await deleteTeam(db, idOf(req.params));
    return reply.code(204).send();
  });

  app.get('/v1/teams/:id/members', { config: { access: LEADS } }, async (req) => {
    const id = idOf(req.params);
    assertTeamVisible(who(req), id);
    await getTeam(db, id);
    return listUsers(db, id);
  });
}
