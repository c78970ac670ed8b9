// The desktop's sign-in to a backend and the state of its customer cache sync, as the renderer sees
// them (IPC responses and events). Messages meant for people are codes the renderer translates; the
// `detail` strings are for the curious and for support, shown below the plain sentence.
import { z } from 'zod';

/** Where the desktop's backend is: the one built into the app, one at a URL, or none (PBX-only, tests). */
export const BACKEND_MODES = ['embedded', 'remote', 'off'] as const;
export const BackendMode = z.enum(BACKEND_MODES);
export type BackendMode = z.infer<typeof BackendMode>;

/** An http(s) origin with an optional path prefix, e.g. https://lianluo.example.com or http://10.0.0.5:8787. */
export const BackendUrl = z
  .string()
  .trim()
  .max(512)
  .regex(/^https?:\/\/[A-Za-z0-9.[\]:_-]+(:\d{1,5})?(\/[^\s?#]*)?$/, 'must be an http:// or https:// address, e.g. https://lianluo.example.com');

export const SIGN_IN_ERRORS = [
  'wrong_password', // 401 at login: wrong username or password, or the account is disabled
  'rate_limited', // too many failed sign-ins
  'unreachable', // no answer from the backend (address, network, server down)
  'not_lianluo', // something answered that is not a Lianluo backend
  'server', // the backend answered with an error
  'backend_failed', // the built-in backend could not start
] as const;
export const SignInError = z.enum(SIGN_IN_ERRORS);
export type SignInError = z.infer<typeof SignInError>;

export const SessionInfo = z.object({
  status: z.enum(['signed_out', 'signing_in', 'signed_in']),
  backend: z.object({
    mode: BackendMode,
    /** The remote backend's address; for the built-in one, where it listens once started. */
    url: z.string().max(512).nullable(),
    /** The built-in backend: starting (first start seeds demo data), ready, or failed. Remote/off: ready/off. */
    state: z.enum(['starting', 'ready', 'failed', 'off']),
  }),
  user: z
    .object({
      username: z.string().max(64),
      displayName: z.string().max(80),
      role: z.enum(['agent', 'supervisor', 'admin']),
      team: z.string().max(80).nullable(),
    })
    .nullable(),
  expiresAt: z.number().int().nullable(),
  /** Why the agent is signed out when they did not ask for it: the session expired or was revoked. */
  ended: z.enum(['expired', 'revoked']).nullable(),
  /** The last sign-in attempt failed (or the built-in backend did not start). */
  error: z.object({ code: SignInError, detail: z.string().max(500) }).nullable(),
  /** The built-in backend's demo agent, offered on the sign-in form (its password is filled in by the app). */
  demoUser: z.string().max(64).nullable(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SignInRequest = z
  .object({
    /** null: the built-in backend. */
    backendUrl: BackendUrl.nullable(),
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(1024),
  })
  .strict();
export type SignInRequest = z.infer<typeof SignInRequest>;

/** Sign in as the built-in backend's demo agent (its password never leaves the main process). */
export const DemoSignInRequest = z.object({}).strict();

export const SYNC_ERRORS = [
  'offline', // the backend cannot be reached
  'server', // the backend answered 5xx or something unexpected
  'protocol', // a page broke the sync protocol (bad line, wrong types, oversized field, sequence gap, cut short)
  'storage', // the local cache could not be written (disk full, file locked)
] as const;
export const SyncErrorKind = z.enum(SYNC_ERRORS);
export type SyncErrorKind = z.infer<typeof SyncErrorKind>;

export const SyncStatus = z.object({
  /**
   * off: no backend or not signed in. syncing: pulling pages. idle: caught up (live updates on when
   * `live`). error: the last pull failed; retried at `retryAt` with backoff.
   */
  state: z.enum(['off', 'syncing', 'idle', 'error']),
  /** initial: the first full load (a progress bar); rebuild: the server asked for a fresh copy; update: changes only. */
  phase: z.enum(['initial', 'rebuild', 'update']).nullable(),
  /** When the cache last caught up with the backend (ms since epoch). */
  lastSyncedAt: z.number().int().nullable(),
  /** Rows in the cache that serves lookups. */
  customers: z.number().int(),
  interactions: z.number().int(),
  /** During an initial load or rebuild: how far it is (0…1, from the server's high-water mark) and rows so far. */
  progress: z
    .object({
      fraction: z.number().min(0).max(1),
      rows: z.number().int(),
      /** While the server's ready-made cache file (a cache image) is downloaded: bytes so far and in all. */
      download: z.object({ received: z.number().int().min(0), total: z.number().int().min(0) }).optional(),
    })
    .nullable(),
  error: z.object({ kind: SyncErrorKind, detail: z.string().max(500) }).nullable(),
  retryAt: z.number().int().nullable(),
  /** The live socket is connected: changes arrive within moments. */
  live: z.boolean(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;
