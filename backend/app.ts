// The backend as a Fastify instance over a Db (PostgreSQL or PGlite). The caller owns the database:
// migrate it before, close it after app.close(). main.ts (standalone) and embedded.ts (inside the
// desktop) are the two callers.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import { DEFAULT_NUMBER_PLAN } from '../shared/domain/defaults';
import type { NumberPlan } from '../shared/domain/settings';
import { DEFAULT_COST, type ScryptCost } from './auth/passwords';
import type { SecretBox } from './auth/secret-box';
import { LoginThrottle, type ThrottleOptions } from './auth/throttle';
import type { Db } from './db/db';
import { dropStaleImports } from './customers/import-csv';
import { installAccessControl } from './http/access';
import { errorHandler } from './http/errors';
import { LiveHub } from './live/hub';
import type { RouteContext } from './routes/context';
import { authRoutes } from './routes/auth';
import { customerRoutes } from './routes/customers';
import { followupRoutes } from './routes/followups';
import { healthRoutes } from './routes/health';
import { outboxRoutes } from './routes/outbox';
import { presenceRoutes } from './routes/presence';
import { PresenceTracker, type PresenceTiming } from './presence/tracker';
import { syncRoutes } from './routes/sync';
import type { CacheImages } from './sync/cache-image/job';
import { userRoutes } from './routes/users';

export interface BackendOptions {
  db: Db;
  /** Seals SIP passwords at rest. */
  box: SecretBox;
  /** How customer phone numbers are normalised (default region CN). */
  plan?: NumberPlan;
  /** Session lifetime (default 12 h: a shift). */
  sessionTtlMs?: number;
  passwordCost?: ScryptCost;
  throttle?: ThrottleOptions;
  /** Largest CSV import (default 1 GiB). */
  maxImportBytes?: number;
  /** Live socket heartbeat (default 30 s). */
  heartbeatMs?: number;
  /** Presence: grace after the last live socket closed, refresh and lease of socket rows (tests shorten them). */
  presence?: PresenceTiming;
  /** Rows per sync batch query (tests make it small to cross batch boundaries). */
  syncBatchRows?: number;
  /** Cache images for desktops' first sync (sync/cache-image/job.ts); the caller starts and closes it. */
  cacheImages?: CacheImages;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(opts: BackendOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024, forceCloseConnections: true, exposeHeadRoutes: false });
  const log = { warn: (obj: object, msg: string) => app.log.warn(obj, msg) };
  const hub = new LiveHub(opts.db, log, opts.heartbeatMs, new PresenceTracker(opts.db, log, opts.presence));
  const ctx: RouteContext = {
    db: opts.db,
    accounts: { box: opts.box, cost: opts.passwordCost ?? DEFAULT_COST, sessionTtlMs: opts.sessionTtlMs ?? 12 * 3_600_000 },
    plan: opts.plan ?? DEFAULT_NUMBER_PLAN,
    maxImportBytes: opts.maxImportBytes ?? 1024 ** 3,
    throttle: new LoginThrottle(opts.throttle),
    hub,
    ...(opts.syncBatchRows ? { syncBatchRows: opts.syncBatchRows } : {}),
    ...(opts.cacheImages ? { cacheImages: opts.cacheImages } : {}),
  };

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  // CSV imports are streamed: the handler gets the raw body stream and enforces its own size limit.
  app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  installAccessControl(app, opts.db);
  healthRoutes(app, ctx);
  authRoutes(app, ctx);
  userRoutes(app, ctx);
  customerRoutes(app, ctx);
  syncRoutes(app, ctx);
  outboxRoutes(app, ctx);
  followupRoutes(app, ctx);
  presenceRoutes(app, ctx);

  await dropStaleImports(opts.db);
  await hub.start();
  app.addHook('preClose', async () => {
    await hub.close();
  });
  return app;
}
