// Sign in, sign out, who am I, my SIP account, my password.
import type { FastifyInstance } from 'fastify';
import { ChangeOwnPassword, LoginRequest, type Me, type Session } from '../../shared/sync/api';
import { changeOwnPassword, getSip, getTeam, getUser, login, revokeSession } from '../auth/accounts';
import { ANY_ROLE, who } from '../http/access';
import { HttpError, notFound, parse, unauthorized } from '../http/errors';
import type { RouteContext } from './context';

export function authRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, accounts } = ctx;

  app.post('/v1/auth/login', { config: { access: 'public' } }, async (req, reply): Promise<Session> => {
    const body = parse(LoginRequest, req.body, 'login');
    const wait = ctx.throttle.retryAfter(body.username, req.ip);
    if (wait > 0) {
      void reply.header('retry-after', String(wait));
      throw new HttpError('rate_limited', `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)`);
    }
    const ok = await login(db, accounts, body.username, body.password, String(req.headers['user-agent'] ?? ''));
    if (!ok) {
      ctx.throttle.failed(body.username, req.ip);
      throw unauthorized('wrong username or password, or the account is disabled');
    }
    ctx.throttle.succeeded(body.username);
    return {
      token: ok.token,
      expiresAt: ok.expiresAt,
      user: ok.user,
      team: ok.user.teamId === null ? null : await getTeam(db, ok.user.teamId),
      sip: await getSip(db, accounts.box, ok.user.id),
    };
  });

  app.post('/v1/auth/logout', { config: { access: ANY_ROLE } }, async (req, reply) => {
    await revokeSession(db, who(req));
    return reply.code(204).send();
  });

  app.get('/v1/auth/me', { config: { access: ANY_ROLE } }, async (req): Promise<Me> => {
    const p = who(req);
    const user = await getUser(db, p.userId);
    return { user, team: user.teamId === null ? null : await getTeam(db, user.teamId), expiresAt: p.expiresAt };
  });

  app.get('/v1/auth/sip', { config: { access: ANY_ROLE } }, async (req) => {
    const sip = await getSip(db, accounts.box, who(req).userId);
    if (!sip) throw notFound('no SIP account is set for you: ask an admin to add one');
    return sip;
  });

  app.put('/v1/auth/password', { config: { access: ANY_ROLE } }, async (req, reply) => {
    const body = parse(ChangeOwnPassword, req.body, 'password change');
    await changeOwnPassword(db, accounts, who(req), body.current, body.next);
    return reply.code(204).send();
  });
}
