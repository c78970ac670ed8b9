// Wire schemas for agent states (the presence reporter and admin-configured reasons arrive with the
// backend's presence issue; these pin the shape now). The types they produce equal agent-state.ts.
import { z } from 'zod';
import { AGENT_STATES, type AgentPresence as AgentPresenceType, type NotReadyReason as NotReadyReasonType } from './agent-state';

export const AgentStateName = z.enum(AGENT_STATES);

export const NotReadyReason = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/),
  label: z.object({ en: z.string().min(1).max(40), 'zh-CN': z.string().min(1).max(40) }),
  automatic: z.boolean().optional(),
}) satisfies z.ZodType<NotReadyReasonType>;

export const AgentPresence = z.object({
  state: AgentStateName,
  reasonId: z.string().max(32).nullable(),
  since: z.number().int(),
  wrapUpUntil: z.number().int().nullable(),
}) satisfies z.ZodType<AgentPresenceType>;
