// Agent states as data shared by the desktop (renderer/stores/agent-store.ts) and, later, the backend's
// presence (DESIGN §7). Not Ready reasons are data here, with their labels, until admins configure them
// on the backend; the desktop then receives the same shape. Free of zod: the renderer imports it
// (schemas for the wire are in agent-presence.ts).

export const AGENT_STATES = ['offline', 'ready', 'not_ready', 'ringing', 'on_call', 'wrap_up'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

export interface NotReadyReason {
  /** Stable id, [a-z][a-z0-9_]{0,31}. */
  id: string;
  label: { en: string; 'zh-CN': string };
  /** Only the app sets it (e.g. after the computer slept); the agent does not pick it from the list. */
  automatic?: boolean;
}

export const DEFAULT_NOT_READY_REASONS: readonly NotReadyReason[] = Object.freeze([
  { id: 'break', label: { en: 'Break', 'zh-CN': '小休' } },
  { id: 'lunch', label: { en: 'Lunch', 'zh-CN': '午餐' } },
  { id: 'meeting', label: { en: 'Meeting', 'zh-CN': '会议' } },
  { id: 'training', label: { en: 'Training', 'zh-CN': '培训' } },
  { id: 'follow_up', label: { en: 'Follow-up work', 'zh-CN': '跟进处理' } },
  { id: 'away', label: { en: 'Away (computer slept)', 'zh-CN': '离开（电脑休眠）' }, automatic: true },
]);

/** The reason the app uses when the computer went to sleep: nobody may be at the desk when it wakes. */
export const AWAY_REASON = 'away';
/** The reason preselected for "Not Ready after this call". */
export const AFTER_CALL_REASON = 'follow_up';

/** What a presence reporter sends (and a supervisor view shows): one agent's state, since when. */
export interface AgentPresence {
  state: AgentStateName;
  /** Set when state is not_ready. */
  reasonId: string | null;
  /** Epoch ms when this state (or reason) began. */
  since: number;
  /** Epoch ms when wrap-up ends, while in wrap_up. */
  wrapUpUntil: number | null;
}
