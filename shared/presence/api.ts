// Presence on the backend (issue 5), as the server and the desktop exchange it: a desktop reports its
// agent's state (PUT /v1/presence/me), team leads read their team (GET /v1/presence/team/:teamId) and
// get every change live on the /v1/live socket (`presence.changed`, shared/sync/live.ts), and admins
// configure the Not Ready reasons (global, or per team). The states and reasons themselves are
// shared/domain/agent-state.ts; their wire schemas shared/domain/agent-presence.ts.
import { z } from 'zod';
import { AgentPresence, NotReadyReason } from '../domain/agent-presence';
import { AWAY_REASON } from '../domain/agent-state';
import { EntityId, Role } from '../sync/api';

export const PRESENCE_ME_PATH = '/v1/presence/me';
export const PRESENCE_REASONS_PATH = '/v1/presence/reasons';

/** What a desktop sends: the presence on its clock, and its clock when sending (the server takes the offset out). */
export const PresenceReport = z.object({ presence: AgentPresence.strict(), sentAt: z.number().int().positive() }).strict();
export type PresenceReport = z.infer<typeof PresenceReport>;

/** The server's answer to a report: the presence as stored, on the server's clock. */
export const PresenceAck = z.object({ presence: AgentPresence, serverTime: z.number().int() });
export type PresenceAck = z.infer<typeof PresenceAck>;

/**
 * A list of Not Ready reasons as an admin sets it: ids unique, and the automatic "away" reason kept
 * (the desktop sets it by itself after the computer slept, so a list without it would refuse that state).
 */
export const ReasonList = z
  .array(NotReadyReason.strict())
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of list.entries()) {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `the reason id "${r.id}" appears twice` });
      seen.add(r.id);
    }
    if (list.length > 0 && !list.some((r) => r.id === AWAY_REASON && r.automatic === true)) {
      ctx.addIssue({ code: 'custom', path: [], message: `the list must keep the automatic reason "${AWAY_REASON}" (set by the app after the computer slept)` });
    }
    if (list.length > 0 && !list.some((r) => !r.automatic)) ctx.addIssue({ code: 'custom', path: [], message: 'the list needs at least one reason an agent can pick' });
  });
export type ReasonList = z.infer<typeof ReasonList>;

/** GET /v1/presence/reasons: the caller's team's list (its own, or the global one). */
export const ReasonsAnswer = z.object({
  reasons: z.array(NotReadyReason).max(50),
  /** team: the team's own list; global: the list of every team without one. */
  scope: z.enum(['team', 'global']),
  fetchedAt: z.number().int(),
});
export type ReasonsAnswer = z.infer<typeof ReasonsAnswer>;

/** One member of a team with their latest presence (null: never reported since the server knew them). */
export const MemberPresence = z.object({
  userId: EntityId,
  username: z.string().max(64),
  displayName: z.string().max(80),
  role: Role,
  presence: AgentPresence.nullable(),
});
export type MemberPresence = z.infer<typeof MemberPresence>;

/** GET /v1/presence/team/:teamId. Time in state = serverTime - presence.since. */
export const TeamPresence = z.object({
  teamId: EntityId,
  teamName: z.string().max(80),
  members: z.array(MemberPresence).max(2000),
  /** Every reason a member's state may name, inactive ones included (for their labels). */
  reasons: z.array(NotReadyReason.extend({ active: z.boolean() })).max(200),
  serverTime: z.number().int(),
});
export type TeamPresence = z.infer<typeof TeamPresence>;

/** The live message a team lead's socket gets when a member's presence changes (also the cross-instance event). */
export const PresenceChanged = z.object({ type: z.literal('presence.changed'), teamId: EntityId.nullable(), member: MemberPresence, serverTime: z.number().int() });
export type PresenceChanged = z.infer<typeof PresenceChanged>;
