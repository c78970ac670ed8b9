// The IPC contract: one table, channel → request and response schemas, and event → payload schema.
// Types are inferred from it; nothing is written twice. Every request is validated by the router in
// the main process (electron/services/router.ts) whichever transport carried it.
import { z } from 'zod';
import type { Channel, EventName } from './ipc-channels';
import { LookupResult } from './domain/customer';
import { GetCustomerRequest, GetCustomerResponse, SearchRequest, SearchResult } from './domain/search';
import { DemoSignInRequest, SessionInfo, SignInRequest, SyncStatus } from './domain/session';
import { AudioPrefs, HeadsetPrefs, Hotkeys, HOTKEY_ACTIONS, Locale, NumberPlan, PhonePrefs, Settings, SipAccount } from './domain/settings';
import type { WireResult } from './result';
import { outboxContract, outboxEvents } from './outbox/desktop';
import { presenceContract, presenceEvents } from './presence/desktop';

const Empty = z.object({}).strict();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  transport: z.enum(['electron', 'web']),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const CacheStatus = z.object({
  customers: z.number().int(),
  phones: z.number().int(),
  interactions: z.number().int(),
  schemaVersion: z.number().int(),
  /** Where the cached customers came from so far. */
  source: z.enum(['empty', 'demo', 'import', 'sync']),
});
export type CacheStatus = z.infer<typeof CacheStatus>;

export const SaveAccountRequest = SipAccount.extend({
  /** Omitted: keep the stored password. Empty string: none (a PBX that authenticates by IP). */
  password: z.string().max(256).optional(),
}).strict();
export type SaveAccountRequest = z.infer<typeof SaveAccountRequest>;

// ---- the desktop shell (issue 5): OS links, power events, global hotkeys, notifications ----

/** A tel:/sip:/sips:/callto: link the OS handed to the app, e.g. from a CRM page. Dialled only after the agent confirms. */
export const DialLink = z.object({ url: z.string().max(512).regex(/^(tel|sip|sips|callto):/i, 'must be a tel:, sip:, sips: or callto: link') });
export type DialLink = z.infer<typeof DialLink>;

/** Power and session events of the OS (Electron powerMonitor). The web host derives its own from the page. */
export const PowerEvent = z.object({ state: z.enum(['suspend', 'resume', 'lock-screen', 'unlock-screen']) });
export type PowerEvent = z.infer<typeof PowerEvent>;

/** A call command from outside the page: a global hotkey, or Answer on the desktop notification. */
export const ShellCommand = z.object({ command: z.enum(HOTKEY_ACTIONS), callId: z.string().max(64).optional() });
export type ShellCommand = z.infer<typeof ShellCommand>;

export const IncomingNotification = z
  .object({
    callId: z.string().min(1).max(64),
    title: z.string().max(200),
    body: z.string().max(400),
    /** The Answer button's label, in the agent's language. */
    answerLabel: z.string().min(1).max(40),
  })
  .strict();
export type IncomingNotification = z.infer<typeof IncomingNotification>;

export const contract = {
  'app.info': { request: Empty, response: AppInfo },
  'settings.get': { request: Empty, response: Settings },
  'settings.saveAccount': { request: SaveAccountRequest, response: Settings },
  'settings.forgetAccount': { request: Empty, response: Settings },
  'settings.update': {
    request: z
      .object({
        numberPlan: NumberPlan.optional(),
        locale: Locale.nullable().optional(),
        phone: PhonePrefs.partial().strict().optional(),
        audio: AudioPrefs.partial().strict().optional(),
        hotkeys: Hotkeys.partial().strict().optional(),
        headset: HeadsetPrefs.partial().strict().optional(),
      })
      .strict(),
    response: Settings,
  },
  'sip.credentials': { request: Empty, response: z.object({ password: z.string() }) },
  'customers.lookup': { request: z.object({ ani: z.string().max(256) }).strict(), response: LookupResult },
  /** Search as you type over name, company and numbers (electron/services/db/search.ts). */
  'customers.search': { request: SearchRequest, response: SearchResult },
  /** One customer's whole card by id (a search result opened), null when it is no longer cached. */
  'customers.get': { request: GetCustomerRequest, response: GetCustomerResponse },
  'cache.status': { request: Empty, response: CacheStatus },
  /** Links that arrived before the page could listen (e.g. the app was started by a tel: link). */
  'shell.takeLinks': { request: Empty, response: z.object({ links: z.array(DialLink).max(20) }) },
  /** Electron shows a desktop notification with Answer when its window is hidden; the web host cannot (shown: false). */
  'shell.notifyIncoming': { request: IncomingNotification, response: z.object({ shown: z.boolean() }) },
  'shell.dismissNotification': { request: z.object({ callId: z.string().min(1).max(64) }).strict(), response: z.object({}) },
  /** While a call is live the app is kept from being suspended by the OS (App Nap, background suspension). */
  'shell.setInCall': { request: z.object({ inCall: z.boolean() }).strict(), response: z.object({}) },
  // ---- backend sign-in and cache sync (issue 3) ----
  'session.get': { request: Empty, response: SessionInfo },
  /** Wrong password, unreachable backend…: answered as a SessionInfo with `error`, not as an IPC failure. */
  'session.signIn': { request: SignInRequest, response: SessionInfo },
  'session.signInDemo': { request: DemoSignInRequest, response: SessionInfo },
  'session.signOut': { request: Empty, response: SessionInfo },
  'sync.status': { request: Empty, response: SyncStatus },
  /** Pull now (the agent pressed Retry, or wants to be sure), instead of waiting for the backoff. */
  'sync.now': { request: Empty, response: SyncStatus },
  // ---- the outbox: after-call work, follow-ups, the pop's customer context (issue 4) ----
  ...outboxContract,
  // ---- presence: reporting, the Not Ready reasons, a team lead's team (issue 5) ----
  ...presenceContract,
} as const satisfies Record<Channel, { request: z.ZodType; response: z.ZodType }>;

export const events = {
  'settings.changed': Settings,
  'cache.changed': CacheStatus,
  'shell.link': DialLink,
  'shell.power': PowerEvent,
  'shell.command': ShellCommand,
  'session.changed': SessionInfo,
  'sync.changed': SyncStatus,
  ...outboxEvents,
  ...presenceEvents,
} as const satisfies Record<EventName, z.ZodType>;

export type Contract = typeof contract;
export type Request<C extends Channel> = z.input<Contract[C]['request']>;
export type Response<C extends Channel> = z.output<Contract[C]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

type Namespace = Channel extends `${infer NS}.${string}` ? NS : never;
type MethodsOf<NS extends string> = {
  [C in Channel as C extends `${NS}.${infer M}` ? M : never]: (
    ...args: Record<never, never> extends Request<C> ? [request?: Request<C>] : [request: Request<C>]
  ) => Promise<WireResult<Response<C>>>;
};

/** `window.lianluo`: named methods grouped by namespace, plus a typed event subscription. */
export type LianluoBridge = { [NS in Namespace]: MethodsOf<NS> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

