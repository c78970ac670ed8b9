// Follow-ups (callbacks and tickets), the wrap-up configuration admins set on the backend, and the
// customer context a screen pop shows ("3rd contact in 7 days", open follow-ups, the last disposition).
//
//   GET  /v1/wrapup/config                  anyone   dispositions, ticket categories, my team's wrap-up limit
//   PUT  /v1/wrapup/dispositions            admin    the whole list (codes are deactivated, never deleted)
//   PUT  /v1/wrapup/categories              admin    the whole list of ticket categories
//   PUT  /v1/teams/:id/wrapup               admin    { seconds } a team's wrap-up limit
//   GET  /v1/followups?scope=mine|team      anyone   open callbacks for me (and my team), due first
//   GET  /v1/customers/:id/context          anyone   contacts in 7 days, last disposition and note, open follow-ups
//   GET  /v1/calls/:id                      anyone   a recorded call with its wrap-up
import { z } from 'zod';
import { CustomerId, LIMITS } from '../domain/customer';
import { Code, CustomerSnapshot, EpochMs, OUTBOX_LIMITS, Priority, Ulid } from './items';

export const Label = z.string().trim().min(1).max(60);

export const CodeLabel = z
  .object({
    code: Code,
    en: Label,
    zh: Label,
    /** Inactive codes are no longer offered, but old records keep showing their label. */
    active: z.boolean(),
  })
  .strict();
export type CodeLabel = z.infer<typeof CodeLabel>;

export const CodeList = z
  .array(CodeLabel)
  .min(1)
  .max(100)
  .refine((l) => new Set(l.map((c) => c.code)).size === l.length, 'codes must be unique')
  .refine((l) => l.some((c) => c.active), 'at least one code must be active');

export const WrapupConfig = z.object({
  dispositions: z.array(CodeLabel),
  categories: z.array(CodeLabel),
  /** The signed-in agent's team's wrap-up limit in seconds (0: no wrap-up time). */
  wrapUpSeconds: z.number().int().min(0).max(3600),
  /** When the server answered (the desktop keeps the last answer for offline use). */
  fetchedAt: z.number().int(),
});
export type WrapupConfig = z.infer<typeof WrapupConfig>;

export const TeamWrapup = z.object({ seconds: z.number().int().min(0).max(3600) }).strict();

/** Dispositions every new backend starts with (admins change them); the phone layer's own codes too. */
export const DEFAULT_DISPOSITIONS: readonly CodeLabel[] = Object.freeze([
  { code: 'resolved', en: 'Resolved', zh: '已解决', active: true },
  { code: 'info', en: 'Information given', zh: '已提供信息', active: true },
  { code: 'callback', en: 'Callback needed', zh: '需要回电', active: true },
  { code: 'escalated', en: 'Escalated', zh: '已升级', active: true },
  { code: 'complaint', en: 'Complaint', zh: '投诉', active: true },
  { code: 'sale', en: 'Sale', zh: '成交', active: true },
  { code: 'wrong_number', en: 'Wrong number', zh: '打错电话', active: true },
]);

export const DEFAULT_CATEGORIES: readonly CodeLabel[] = Object.freeze([
  { code: 'billing', en: 'Billing', zh: '账单', active: true },
  { code: 'technical', en: 'Technical problem', zh: '技术问题', active: true },
  { code: 'delivery', en: 'Delivery', zh: '配送', active: true },
  { code: 'account', en: 'Account change', zh: '账户变更', active: true },
  { code: 'other', en: 'Other', zh: '其他', active: true },
]);

export const FOLLOWUP_STATES = ['open', 'done', 'cancelled'] as const;
export const FollowupState = z.enum(FOLLOWUP_STATES);

export const Followup = z.object({
  id: Ulid,
  kind: z.enum(['callback', 'ticket']),
  state: FollowupState,
  /** null when the customer was deleted (customerSnapshot then says who it was) or never known. */
  customerId: CustomerId.nullable(),
  customerSnapshot: CustomerSnapshot.nullable(),
  interactionId: Ulid.nullable(),
  createdAt: z.number().int(),
  createdBy: z.string().max(LIMITS.name),
  /** Callbacks. */
  dueAt: EpochMs.nullable(),
  number: z.string().max(32).nullable(),
  assignee: z.enum(['me', 'team']).nullable(),
  /** The user or team it is for (callbacks). */
  ownerUserId: z.number().int().nullable(),
  teamId: z.number().int().nullable(),
  note: z.string().max(OUTBOX_LIMITS.callbackNote),
  /** Tickets. */
  category: Code.nullable(),
  priority: Priority.nullable(),
  description: z.string().max(OUTBOX_LIMITS.ticketDescription),
  /** Local only: not yet delivered to the backend (shown from the desktop's outbox). */
  pending: z.boolean().optional(),
});
export type Followup = z.infer<typeof Followup>;

export const FollowupQuery = z.object({ scope: z.enum(['mine', 'team']).default('mine') }).strict();

export const FollowupList = z.object({ followups: z.array(Followup).max(500), fetchedAt: z.number().int() });
export type FollowupList = z.infer<typeof FollowupList>;

export const CONTACT_WINDOW_MS = 7 * 24 * 3_600_000;

export const CustomerContext = z.object({
  /** The customer the answer is about (the survivor when the asked-for one was merged). */
  customerId: CustomerId,
  /** Calls with this customer recorded in the last 7 days (missed ones count). */
  contacts7d: z.number().int().min(0),
  lastDisposition: z.object({ code: z.string().max(32), at: z.number().int() }).nullable(),
  lastNote: z.object({ note: z.string().max(LIMITS.interactionNote), at: z.number().int(), agent: z.string().max(LIMITS.name), interactionId: z.string().max(64) }).nullable(),
  openFollowups: z.array(Followup).max(50),
});
export type CustomerContext = z.infer<typeof CustomerContext>;

/** GET /v1/calls/:id: a recorded call as the backend holds it (the wrap-up included once it arrived). */
export const CallView = z.object({
  id: z.string(),
  agent: z.string(),
  customerId: CustomerId.nullable(),
  direction: z.enum(['inbound', 'outbound']),
  outcome: z.string(),
  remoteNumber: z.string(),
  startedAt: z.number().int(),
  answeredAt: z.number().int().nullable(),
  endedAt: z.number().int(),
  ringMs: z.number().int(),
  talkMs: z.number().int(),
  holdMs: z.number().int(),
  wrapMs: z.number().int().nullable(),
  disposition: z.string().nullable(),
  note: z.string(),
  queue: z.string().nullable(),
  transferredFrom: z.string().nullable(),
});
export type CallView = z.infer<typeof CallView>;
