// Presence as the renderer sees it (IPC requests, responses and events): the agent store reports its
// presence, the state control offers the team's Not Ready reasons, and a team lead's "My team" panel
// follows the team live. The main process talks to the backend (electron/services/presence/).
import { z } from 'zod';
import { AgentPresence, NotReadyReason } from '../domain/agent-presence';
import { EntityId } from '../sync/api';
import { TeamPresence } from './api';

export const ReasonsView = z.object({
  reasons: z.array(NotReadyReason).max(50),
  /** server: the backend answered now; cache: its last answer (offline); default: never reached (built-in list). */
  source: z.enum(['server', 'cache', 'default']),
});
export type ReasonsView = z.infer<typeof ReasonsView>;

export const TeamView = z.object({
  /** The team shown (null: not a team lead, or not loaded yet). */
  team: TeamPresence.nullable(),
  /** Teams the user may watch (a supervisor: their own; an admin: all). */
  teams: z.array(z.object({ id: EntityId, name: z.string().max(80) })).max(500),
  /** serverTime - this computer's clock when the team was read: time in state = now + offset - since. */
  clockOffsetMs: z.number().int(),
  /** Changes arrive live. */
  live: z.boolean(),
  error: z.string().max(500).nullable(),
});
export type TeamView = z.infer<typeof TeamView>;

const Empty = z.object({}).strict();

/** The presence.* channels of the IPC contract (spread into shared/ipc.ts; names in ipc-channels.ts). */
export const presenceContract = {
  /** The agent store's presence, now and on every change; sent to the backend while signed in (coalesced). */
  'presence.report': {
    request: AgentPresence.extend({ since: z.number().int().nonnegative(), wrapUpUntil: z.number().int().nonnegative().nullable() }).strict(),
    response: Empty,
  },
  /** The Not Ready reasons of my team (the last answer when offline). */
  'presence.reasons': { request: z.object({ refresh: z.boolean().optional() }).strict(), response: ReasonsView },
  /** A team lead's view of a team (teamId: which one, for admins; omitted: the one shown, or the first). */
  'presence.team': { request: z.object({ teamId: EntityId.optional() }).strict(), response: TeamView },
} as const;

export const presenceEvents = {
  'presence.reasons': ReasonsView,
  'presence.team': TeamView,
} as const;
