// The IPC contract: one table, channel → request and response schemas, and event → payload schema.
// Types are inferred from it; nothing is written twice. Every request is validated by the router in
// the main process (electron/services/router.ts) whichever transport carried it.
import { z } from 'zod';
import type { Channel, EventName } from './ipc-channels';
import { LookupResult } from './domain/customer';
import { Locale, NumberPlan, Settings, SipAccount } from './domain/settings';
import type { WireResult } from './result';

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

export const contract = {
  'app.info': { request: Empty, response: AppInfo },
  'settings.get': { request: Empty, response: Settings },
  'settings.saveAccount': { request: SaveAccountRequest, response: Settings },
  'settings.forgetAccount': { request: Empty, response: Settings },
  'settings.update': {
    request: z.object({ numberPlan: NumberPlan.optional(), locale: Locale.nullable().optional() }).strict(),
    response: Settings,
  },
  'sip.credentials': { request: Empty, response: z.object({ password: z.string() }) },
  'customers.lookup': { request: z.object({ ani: z.string().max(256) }).strict(), response: LookupResult },
  'cache.status': { request: Empty, response: CacheStatus },
} as const satisfies Record<Channel, { request: z.ZodType; response: z.ZodType }>;

export const events = {
  'settings.changed': Settings,
  'cache.changed': CacheStatus,
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

