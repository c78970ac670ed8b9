// The live socket: GET /v1/live (WebSocket, `Authorization: Bearer <token>`). The server nudges, the
// client pulls: a message says a stream has changes up to `seq`; the client asks /v1/sync/<stream> until
// its cursor reaches it. Nudges are coalesced, so a client must never count on seeing every seq.
import { z } from 'zod';
import { PresenceChanged } from '../presence/api';
import { Seq } from './protocol';

export const LIVE_PATH = '/v1/live';

/** Close codes (4000–4999 are the application's). */
export const LIVE_CLOSE = {
  /** The session expired or was revoked: sign in again, do not reconnect with this token. */
  unauthorized: 4401,
  /** The client sent something that is not a LiveClientMessage. */
  badMessage: 4400,
  /** The server is shutting down: reconnect with backoff. */
  goingAway: 1001,
} as const;

export const LiveServerMessage = z.discriminatedUnion('type', [
  /** First message after connecting: the newest committed seq, so a client knows whether to pull. */
  z.object({ type: z.literal('hello'), seq: Seq, serverTime: z.number().int() }),
  z.object({ type: z.literal('customers.changed'), seq: Seq }),
  z.object({ type: z.literal('interactions.changed'), seq: Seq }),
  z.object({ type: z.literal('pong'), id: z.string().max(64) }),
  /** To supervisors of that team and admins only: a member's presence changed (shared/presence/api.ts). */
  PresenceChanged,
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;

/** Application-level heartbeat for clients that cannot see WebSocket ping frames. */
export const LiveClientMessage = z.discriminatedUnion('type', [z.object({ type: z.literal('ping'), id: z.string().max(64) }).strict()]);
export type LiveClientMessage = z.infer<typeof LiveClientMessage>;
