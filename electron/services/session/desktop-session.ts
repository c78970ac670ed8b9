// Backend, sign-in and cache sync put together for the composition root (app-services.ts): which
// backend (built-in, remote, off), the session on it, the session's one live socket (open exactly while
// signed in to a backend that is up; the sync engine and the presence service subscribe to it) and the
// sync engine that runs while signed in.
// The IPC handlers of session.* and sync.* are here; app-services spreads them into the router.
import type { SipSettings } from '../../../shared/sync/api';
import type { Handlers, Logger, EventHub } from '../router';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsService } from '../settings/settings-service';
import type { CacheStatusData } from '../db/writer';
import type { WriterClient, WriterScript } from '../db/writer-client';
import { embeddedHost, offHost, remoteHost, type BackendHost } from '../backend-host/backend-host';
import { backoffDelay } from '../sync/backoff';
import { SyncEngine, type SyncEngineDeps } from '../sync/sync-engine';
import { LiveConnection, type LiveConnectionOptions, type LiveFeed } from './live-connection';
import { SessionService } from './session-service';

export interface BackendChoice {
  /** From the environment (LIANLUO_BACKEND): 'off', or a URL that overrides the settings. */
  override?: string;
  /** The built-in backend's built entry (out/main/embedded-backend.js), or its source in tests. */
  embeddedScript?: WriterScript;
  /** Demo customers the built-in backend seeds into its empty database. */
  demoCustomers: number;
}

export interface DesktopSessionDeps {
  dataDir: string;
  settings: SettingsService;
  secrets: SecretStore;
  events: EventHub;
  writer: WriterClient;
  swapCache(): Promise<void>;
  applySip(sip: SipSettings): Promise<void>;
  forgetSip(): Promise<void>;
  log: Logger;
  backend: BackendChoice;
  /**
   * Test knobs of the sync engine (page sizes, retry delays). `live: null`: the engine does not follow the
   * live socket (no nudges; the socket itself still opens, presence needs it).
   */
  sync?: Partial<Pick<SyncEngineDeps, 'pageLimits' | 'retryMinMs' | 'retryMaxMs' | 'idleTimeoutMs' | 'progressEveryMs' | 'cacheImages'>> & { live?: null };
  /** Test knobs of the live socket (heartbeat, reconnect delays). */
  live?: Pick<LiveConnectionOptions, 'heartbeatMs' | 'minDelayMs' | 'maxDelayMs'>;
}

type SessionHandlers = Pick<Handlers, 'session.get' | 'session.signIn' | 'session.signInDemo' | 'session.signOut' | 'sync.status' | 'sync.now'>;

export interface DesktopSession {
  handlers: SessionHandlers;
  /** 'off': no backend; the cache holds what was imported (or the demo set). */
  mode(): BackendHost['mode'];
  /** Restore or start the session (the built-in backend's demo agent on a first start). */
  start(): Promise<void>;
  /** The computer woke up or the network came back. */
  wake(): void;
  /** The session's live socket: subscribe to it (presence does). */
  live: LiveFeed;
  sync: SyncEngine;
  session: SessionService;
  close(): Promise<void>;
}

function hostFor(d: DesktopSessionDeps, url: string | null): BackendHost {
  const override = d.backend.override;
  if (override === 'off') return offHost();
  const chosen = override ?? url;
  if (chosen) return remoteHost(chosen);
  if (!d.backend.embeddedScript) return offHost();
  return embeddedHost({
    script: d.backend.embeddedScript,
    dataDir: d.dataDir,
    demoCustomers: d.backend.demoCustomers,
    plan: d.settings.get().numberPlan,
    log: d.log,
  });
}

export function startDesktopSession(d: DesktopSessionDeps): DesktopSession {
  let host = hostFor(d, d.settings.get().backend.url);
  let reconciling = Promise.resolve();
  let closed = false;

  // The built-in backend stopped (PGlite aborted, the folder was taken by another Lianluo): start it
  // again with growing pauses; once it listens, the session and the sync follow its new address.
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | null = null;
  const watchHost = (h: BackendHost) =>
    h.onChange(() => {
      if (h !== host || closed) return;
      if (h.state() === 'ready') restarts = 0;
      if (h.state() !== 'failed' || restartTimer) return;
      const delay = backoffDelay(restarts++, 5000, 300_000);
      d.log.warn(`the built-in backend is not running; starting it again in ${Math.round(delay / 1000)} s`);
      restartTimer = setTimeout(() => {
        restartTimer = null;
        if (h === host && !closed) h.url().catch(() => undefined);
      }, delay);
      restartTimer.unref?.();
    });
  watchHost(host);

  // One live socket per signed-in desktop: the backend counts the agent online while it is open. A refused
  // token (4401, 401) ends the session here, once, for every subscriber.
  const live = new LiveConnection({ onUnauthorized: () => void session.refused(), log: { warn: (m) => d.log.warn(m) }, ...d.live });

  const { live: syncLive, ...syncKnobs } = d.sync ?? {};
  const sync = new SyncEngine({
    writer: d.writer,
    swapCache: d.swapCache,
    onStatus: (s) => d.events.emit('sync.changed', s),
    onUnauthorized: () => void session.refused(),
    onCacheChanged: (status: CacheStatusData) => d.events.emit('cache.changed', status),
    log: d.log,
    live: syncLive === null ? null : live,
    ...syncKnobs,
  });

  // Sync runs exactly while signed in to a backend that is up.
  const reconcile = () => {
    reconciling = reconciling.then(async () => {
      const conn = closed ? null : session.connection();
      if (conn) await sync.start(conn);
      else await sync.stop();
    });
  };

  const session: SessionService = new SessionService({
    secrets: d.secrets,
    host: () => host,
    switchHost: async (url) => {
      await sync.stop();
      await host.close();
      d.settings.update({ backend: { ...d.settings.get().backend, url } });
      host = hostFor(d, url);
      watchHost(host);
      return host;
    },
    applySip: d.applySip,
    forgetSip: d.forgetSip,
    demoSignIn: () => d.settings.get().backend.demoSignIn,
    setDemoSignIn: (on) => void d.settings.update({ backend: { ...d.settings.get().backend, demoSignIn: on } }),
    onChange: (info) => {
      // Before anyone hears of the change: subscribers relinking now see the socket of this session.
      live.open(closed ? null : session.connection());
      d.events.emit('session.changed', info);
      reconcile();
    },
    log: d.log,
  });

  const handlers: SessionHandlers = {
    'session.get': () => session.info(),
    'session.signIn': (req) => session.signIn(req),
    'session.signInDemo': () => session.signInDemo(),
    'session.signOut': () => session.signOut(),
    'sync.status': () => sync.status(),
    'sync.now': () => {
      sync.syncNow();
      return sync.status();
    },
  };

  return {
    handlers,
    mode: () => host.mode,
    async start() {
      const status = await d.writer.call('status', null);
      sync.setCounts(status);
      await session.restore();
    },
    wake: () => {
      live.wake(); // the engine pulls on its onWake
      if (syncLive === null) sync.syncNow();
      void session.check();
    },
    live,
    sync,
    session,
    async close() {
      closed = true;
      if (restartTimer) clearTimeout(restartTimer);
      live.close();
      session.close();
      await sync.close();
      await reconciling.catch(() => undefined);
      await host.close();
    },
  };
}
