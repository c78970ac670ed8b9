// Who may call what. Every route declares `config.access`: 'public' or the roles allowed. A route without
// it fails at startup (fail closed). The role check runs before the handler, for HTTP and WebSocket
// alike; team rules (own team versus another team) need the target and live in the handlers, through the
// helpers below. The auth matrix test calls every route as every role for its own and another team.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role, User } from '../../shared/sync/api';
import { authenticate, type Principal } from '../auth/accounts';
import { bearerToken } from '../auth/tokens';
import type { Queryable } from '../db/db';
import { forbidden, unauthorized } from './errors';

export type Access = 'public' | readonly Role[];

export const ANY_ROLE: readonly Role[] = ['agent', 'supervisor', 'admin'];
export const ADMIN: readonly Role[] = ['admin'];
export const LEADS: readonly Role[] = ['supervisor', 'admin'];

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its access rule (the auth matrix test checks it covers them all). */
    routeTable: RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

export function installAccessControl(app: FastifyInstance, db: Queryable): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (access === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no config.access`);
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    if (access === 'public' || access === undefined) return; // undefined: fastify's own 404 route
    const token = bearerToken(req.headers.authorization);
    if (!token) throw unauthorized();
    const principal = await authenticate(db, token);
    if (!principal) throw unauthorized('the session token is unknown, expired or revoked: sign in again');
    if (!access.includes(principal.role)) throw forbidden(`this needs the role ${access.join(' or ')}; you are ${principal.role}`);
    req.principal = principal;
  });
}

/** The signed-in principal of a route that is not public. */
export function who(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

/** Admins see every team; everyone else only their own. */
export function assertTeamVisible(p: Principal, teamId: number): void {
  if (p.role === 'admin') return;
  if (p.teamId === null || p.teamId !== teamId) throw forbidden('that team is not yours');
}

/** Admins see everyone; supervisors their team's members; everyone themselves. */
export function assertUserVisible(p: Principal, user: Pick<User, 'id' | 'teamId'>): void {
  if (p.role === 'admin' || p.userId === user.id) return;
  if (p.role === 'supervisor' && p.teamId !== null && p.teamId === user.teamId) return;
  throw forbidden(p.role === 'supervisor' ? 'that user is not in your team' : 'you can only see your own account');
}
