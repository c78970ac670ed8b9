// The composition root of everything the main process does, with no Electron in it: the Electron
// shell (electron/main.ts) and the web host (electron/webhost.ts) both start these same services and
// only differ in how requests reach the router.
import { mkdirSync } from 'node:fs';
import type { SipSettings } from '../../shared/sync/api';
import type { Settings } from '../../shared/domain/settings';
import type { DialLink, IncomingNotification } from '../../shared/ipc';
import { AppError } from '../../shared/result';
import { lookupCaller } from './lookup/lookup-service';
import { openDb, type Db } from './db/open';
import { customerCardById, searchCustomers } from './db/search';
import { startWriter, type WriterClient, type WriterScript } from './db/writer-client';
import { readStatus } from './db/writer';
import { cacheFile, settingsFile } from './paths';
import { consoleLogger, createRouter, EventHub, type Handlers, type Logger, type Router } from './router';
import type { SecretStore } from './secrets/secret-store';
import { SettingsService, type StoredSettings } from './settings/settings-service';
import { startDesktopSession, type BackendChoice, type DesktopSessionDeps } from './session/desktop-session';
import { swapInFile } from './sync/cache-swap';
import { OutboxService, type OutboxServiceOptions } from './outbox/outbox-service';
import { linkFromSession, ownerOf } from './outbox/session-link';
import { PresenceService, type PresenceServiceOptions } from './presence/presence-service';

export const SIP_PASSWORD_KEY = 'sip.password';

export interface ServicesOptions {
  dataDir: string;
  transport: 'electron' | 'web';
  version: string;
  platform: string;
  secrets: SecretStore;
  writerScript: WriterScript;
  log?: Logger;
  /** Demo customers loaded into an empty cache on first start (0: none). */
  demoCustomers?: number;
  /** The desktop shell's part (Electron only): OS links, notifications, keeping the app awake in a call. */
  shell?: ShellPort;
  /** Which backend (issue 3): the built-in one's entry, or an override from the environment. */
  backend?: Omit<BackendChoice, 'demoCustomers'>;
  /** Test knobs of the sync engine. */
  sync?: DesktopSessionDeps['sync'];
  /** Test knobs of the session's live socket. */
  live?: DesktopSessionDeps['live'];
  /** Test knobs of the outbox (retry delays, refresh interval). */
  outbox?: Pick<OutboxServiceOptions, 'pusher' | 'refreshMs' | 'contextTimeoutMs'>;
  /** Test knobs of the presence reporter. */
  presence?: Pick<PresenceServiceOptions, 'coalesceMs' | 'retryMs' | 'refreshMs'>;
}

/** What only a desktop shell can do. The web host has none: its page uses the browser's own APIs. */
export interface ShellPort {
  /** tel:/sip: links received before the page listened; each is returned once. */
  takeLinks(): DialLink[];
  /** Show an incoming-call notification with Answer when the window is hidden; false when not shown. */
  notifyIncoming(n: IncomingNotification): boolean;
  dismissNotification(callId: string): void;
  setInCall(inCall: boolean): void;
}

export interface Services {
  router: Router;
  events: EventHub;
  settings: SettingsService;
  /** After-call work waiting for delivery (issue 4): the shell warns before quitting with items pending. */
  outbox: OutboxService;
  /** Resolves when first-start work (demo data) is done. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_DEMO_CUSTOMERS = 5000;

export async function startServices(o: ServicesOptions): Promise<Services> {
  const log = o.log ?? consoleLogger;
  mkdirSync(o.dataDir, { recursive: true });
  const settings = new SettingsService(settingsFile(o.dataDir), log);
  const events = new EventHub();

  const writer: WriterClient = startWriter(o.writerScript, cacheFile(o.dataDir));
  try {
    await writer.call('migrate', null);
  } catch (e) {
    await writer.close();
    throw e;
  }
  // `let`: a cache rebuilt by sync (initial load, reset) replaces the file, and this connection with it.
  let reader: Db = openDb(cacheFile(o.dataDir), { readonly: true });

  const toSettings = async (s: StoredSettings): Promise<Settings> => ({
    account: s.account,
    hasPassword: (await o.secrets.get(SIP_PASSWORD_KEY)) !== undefined,
    numberPlan: s.numberPlan,
    locale: s.locale,
    phone: s.phone,
    audio: s.audio,
    hotkeys: s.hotkeys,
    headset: s.headset,
  });
  const changed = async (s: StoredSettings) => {
    const out = await toSettings(s);
    events.emit('settings.changed', out);
    return out;
  };

  // Issue 3: the backend, the sign-in and the cache sync (services/session/desktop-session.ts).
  const demo = o.demoCustomers ?? DEFAULT_DEMO_CUSTOMERS;
  const desktop = startDesktopSession({
    dataDir: o.dataDir,
    settings,
    secrets: o.secrets,
    events,
    writer,
    log,
    backend: { ...o.backend, demoCustomers: demo },
    ...(o.sync ? { sync: o.sync } : {}),
    ...(o.live ? { live: o.live } : {}),
    // A rebuilt cache file takes the place of the one serving lookups: every connection closes, the
    // file moves, every connection opens again. Lookups run on this thread, so none sees the gap.
    swapCache: async () => {
      const { from, to } = await writer.call('syncReleaseForSwap', null);
      const t0 = performance.now();
      try {
        reader.close();
        swapInFile(from, to);
      } finally {
        reader = openDb(cacheFile(o.dataDir), { readonly: true });
        log.info(`new cache swapped in (main thread ${Math.round(performance.now() - t0)} ms)`);
        await writer.call('syncReopen', null);
      }
    },
    applySip: async ({ password, ...account }: SipSettings) => {
      await o.secrets.set(SIP_PASSWORD_KEY, password);
      await changed(settings.update({ account }));
    },
    forgetSip: async () => {
      await o.secrets.delete(SIP_PASSWORD_KEY);
      await changed(settings.update({ account: null }));
    },
  });
  events.listen((event, payload) => {
    if (event === 'shell.power' && (payload as { state: string }).state === 'resume') desktop.wake();
  });

  // Issue 4: the outbox (its own file, synchronous=FULL), delivering as the signed-in agent.
  const outbox = new OutboxService({ dataDir: o.dataDir, events, log, plan: () => settings.get().numberPlan, ...o.outbox });
  const relink = () => outbox.setLink(linkFromSession(desktop.session));
  // The backend is reachable again (the sync recovered, the live socket connected): deliver now rather
  // than after the pusher's own backoff.
  let reachable = false;
  events.listen((event, payload) => {
    if (event === 'session.changed') relink();
    if (event === 'shell.power' && (payload as { state: string }).state === 'resume') outbox.pusher.retryNow();
    if (event === 'sync.changed') {
      const s = payload as { state: string; live: boolean; error: { kind: string } | null };
      const now = s.live || s.state === 'idle';
      if (now && !reachable) outbox.pusher.retryNow();
      if (now) outbox.pusher.noteReachable(true);
      else if (s.state === 'error' && s.error?.kind === 'offline') outbox.pusher.noteReachable(false);
      reachable = now;
    }
  });

  // Issue 5: presence, reported as the signed-in user over the session's backend; a lead's team. It follows
  // the session's live socket (which is also what keeps the agent online); wake-ups reconnect that socket.
  const presence = new PresenceService({ dataDir: o.dataDir, events, log, live: desktop.live, ...o.presence });
  const relinkPresence = () => {
    const conn = desktop.session.connection();
    const info = desktop.session.info();
    const owner = ownerOf(info);
    presence.setLink(conn && owner && info.user ? { ...conn, owner, role: info.user.role, unauthorized: () => void desktop.session.refused() } : null);
  };
  events.listen((event) => {
    if (event === 'session.changed') relinkPresence();
  });

  const handlers: Handlers = {
    ...desktop.handlers,
    ...outbox.handlers,
    ...presence.handlers,
    'app.info': () => ({ name: 'Lianluo', version: o.version, transport: o.transport, platform: o.platform }),
    'settings.get': () => toSettings(settings.get()),
    'settings.saveAccount': async ({ password, ...account }) => {
      if (password !== undefined) {
        if (password === '') await o.secrets.delete(SIP_PASSWORD_KEY);
        else await o.secrets.set(SIP_PASSWORD_KEY, password);
      }
      return changed(settings.update({ account }));
    },
    'settings.forgetAccount': async () => {
      await o.secrets.delete(SIP_PASSWORD_KEY);
      return changed(settings.update({ account: null }));
    },
    'settings.update': (patch) =>
      changed(
        settings.update({
          ...(patch.numberPlan ? { numberPlan: patch.numberPlan } : {}),
          ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
          ...(patch.phone ? { phone: { ...settings.get().phone, ...patch.phone } } : {}),
          ...(patch.audio ? { audio: { ...settings.get().audio, ...patch.audio } } : {}),
          ...(patch.hotkeys ? { hotkeys: { ...settings.get().hotkeys, ...patch.hotkeys } } : {}),
          ...(patch.headset ? { headset: { ...settings.get().headset, ...patch.headset } } : {}),
        }),
      ),
    'sip.credentials': async () => {
      if (!settings.get().account) throw new AppError('not_found', 'no SIP account is configured');
      return { password: (await o.secrets.get(SIP_PASSWORD_KEY)) ?? '' };
    },
    'customers.lookup': ({ ani }) => lookupCaller(reader, ani, settings.get().numberPlan),
    'customers.search': ({ query, limit }) => searchCustomers(reader, query, { ...(limit ? { limit } : {}), region: settings.get().numberPlan.defaultRegion }),
    'customers.get': ({ id }) => ({ customer: customerCardById(reader, id) }),
    'cache.status': () => readStatus(reader),
    'shell.takeLinks': () => ({ links: o.shell?.takeLinks() ?? [] }),
    'shell.notifyIncoming': (n) => ({ shown: o.shell?.notifyIncoming(n) ?? false }),
    'shell.dismissNotification': ({ callId }) => {
      o.shell?.dismissNotification(callId);
      return {};
    },
    'shell.setInCall': ({ inCall }) => {
      o.shell?.setInCall(inCall);
      return {};
    },
  };

  const router = createRouter(handlers, log);
  const ready = (async () => {
    // With a backend the cache is filled by sync; without one, the demo set is loaded on first start.
    if (desktop.mode() !== 'off') {
      await desktop.start();
      relink();
      relinkPresence();
      return;
    }
    if (demo <= 0) return;
    const t0 = performance.now();
    const n = await writer.call('seedDemo', { count: demo, plan: settings.get().numberPlan });
    if (n > 0) {
      log.info(`loaded ${n} demo customers in ${Math.round(performance.now() - t0)} ms`);
      events.emit('cache.changed', readStatus(reader));
    }
  })().catch((e: unknown) => log.error('loading demo customers failed', e));

  return {
    router,
    events,
    settings,
    outbox,
    ready,
    async close() {
      await ready;
      presence.close();
      await outbox.close();
      await desktop.close();
      reader.close();
      await writer.close();
    },
  };
}
