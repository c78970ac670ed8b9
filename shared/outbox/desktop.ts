// The outbox as the renderer sees it (IPC requests, responses and events), and the checks a wrap-up form
// runs before anything is saved: the same function runs in the form (instant errors under each field)
// and in the main process before the commit (nothing that fails it is ever half-saved).
import { z } from 'zod';
import { CustomerId } from '../domain/customer';
import { CustomerContext, Followup, WrapupConfig } from './followups';
import { dueProblem, FollowupUpdate, ItemError, NewCustomer, Notice, OutboxKind, PAYLOADS, WrapUp, CallRecord, type FieldIssue } from './items';

export const OutboxStatus = z.object({
  /** A backend session exists: items can be delivered (when it is reachable). */
  signedIn: z.boolean(),
  /** The backend answered the last request (null: not asked yet). */
  online: z.boolean().nullable(),
  /** Items waiting for delivery for the signed-in agent (and items saved while nobody was signed in). */
  pending: z.number().int().min(0),
  /** Items of other agents who used this desktop: delivered when they sign in again. */
  waitingForOthers: z.number().int().min(0),
  /** created_at of the oldest pending item. */
  oldestAt: z.number().int().nullable(),
  /** Items the backend refused: the agent fixes and resends them. */
  needsAttention: z.number().int().min(0),
  /** Things the backend did differently than asked (re-linked to a merged customer …), not yet seen. */
  notices: z.number().int().min(0),
  lastError: z.object({ message: z.string().max(500), at: z.number().int() }).nullable(),
  /** The next delivery attempt, while backing off. */
  retryAt: z.number().int().nullable(),
  lastDeliveredAt: z.number().int().nullable(),
  /** A delivery is under way. */
  sending: z.boolean(),
});
export type OutboxStatus = z.infer<typeof OutboxStatus>;

export const OutboxEntry = z.object({
  seq: z.number().int(),
  key: z.string(),
  kind: OutboxKind,
  createdAt: z.number().int(),
  state: z.enum(['pending', 'rejected', 'done']),
  attempts: z.number().int(),
  lastError: z.string().max(500).nullable(),
  /** Why the backend refused it (rejected items). */
  error: ItemError.nullable(),
  notices: z.array(Notice),
  customerId: CustomerId.nullable(),
  /** The saved payload (validated by kind when it is used). */
  payload: z.unknown(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const OutboxList = z.object({
  attention: z.array(OutboxEntry).max(500),
  pending: z.array(OutboxEntry).max(500),
  /** Delivered items with notices the agent has not acknowledged. */
  notices: z.array(OutboxEntry).max(200),
});
export type OutboxList = z.infer<typeof OutboxList>;

export const SaveResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), key: z.string(), seq: z.number().int() }),
  z.object({ ok: z.literal(false), issues: z.array(z.object({ field: z.string().max(100), message: z.string().max(500) })).max(50) }),
]);
export type SaveResult = z.infer<typeof SaveResult>;

/** Fix and resend a refused item: its payload as the agent corrected it (validated by its kind). */
export const ResendRequest = z.object({ seq: z.number().int().min(1), payload: z.union([CallRecord, WrapUp, NewCustomer, FollowupUpdate]) }).strict();

export const CallbackList = z.object({
  followups: z.array(Followup).max(600),
  /** When the backend last answered (null: never; the list then holds only this desktop's own). */
  fetchedAt: z.number().int().nullable(),
});
export type CallbackList = z.infer<typeof CallbackList>;

export const ContextAnswer = z.object({
  context: CustomerContext.nullable(),
  /** server: the backend answered now; cache: from what this desktop holds (offline). */
  source: z.enum(['server', 'local']),
  /** Items of this desktop about the customer, not yet delivered (counted in the context). */
  pendingContacts: z.number().int().min(0),
});
export type ContextAnswer = z.infer<typeof ContextAnswer>;

const Empty = z.object({}).strict();

/** The outbox.* channels of the IPC contract (spread into shared/ipc.ts; names in ipc-channels.ts). */
export const outboxContract = {
  'outbox.status': { request: Empty, response: OutboxStatus },
  /** What waits, what needs attention, what the backend did differently (notices). */
  'outbox.list': { request: Empty, response: OutboxList },
  /** The phone layer's record of a call that ended (every call, answered or not). */
  'outbox.recordCall': { request: CallRecord, response: SaveResult },
  /** The wrap-up form: checked again (checkWrapUp: codes, times), then saved; `ok: false` lists what to fix, nothing is saved. */
  'outbox.submitWrapUp': { request: z.object({ wrapUp: WrapUp }).strict(), response: SaveResult },
  /** Save an unmatched caller as a new customer (delivered like any item). */
  'outbox.createCustomer': { request: z.object({ customer: NewCustomer }).strict(), response: SaveResult },
  /** Close or reopen a callback (from "my callbacks"). */
  'outbox.updateFollowup': { request: FollowupUpdate, response: SaveResult },
  /** Fix and resend an item the backend refused. */
  'outbox.resend': { request: ResendRequest, response: SaveResult },
  /** Deliver now instead of waiting for the backoff. */
  'outbox.pushNow': { request: Empty, response: OutboxStatus },
  'outbox.ackNotices': { request: z.object({ seqs: z.array(z.number().int()).max(500) }).strict(), response: OutboxStatus },
  /** Dispositions, ticket categories and my team's wrap-up limit (the last answer when offline; null: never fetched). */
  'outbox.config': { request: z.object({ refresh: z.boolean().optional() }).strict(), response: z.object({ config: WrapupConfig.nullable() }) },
  'outbox.callbacks': { request: z.object({ refresh: z.boolean().optional() }).strict(), response: CallbackList },
  /** The screen pop's context: contacts in 7 days, last disposition and note, open follow-ups. */
  'outbox.context': { request: z.object({ customerId: CustomerId }).strict(), response: ContextAnswer },
} as const;

export const outboxEvents = {
  'outbox.changed': OutboxStatus,
  'outbox.callbacks': CallbackList,
} as const;

// ---------------------------------------------------------------- checks before saving

/** One message per field (the first), in the order found: what a form shows under each field. */
function issuesOf(error: z.ZodError): FieldIssue[] {
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const i of error.issues) {
    const field = i.path.map(String).join('.');
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: i.message });
    if (out.length === 20) break;
  }
  return out;
}

/** Everything wrong with a wrap-up as the agent filled it in, all at once (empty: it may be saved). */
export function checkWrapUp(input: unknown, cfg: Pick<WrapupConfig, 'dispositions' | 'categories'> | null, savedAt: number): FieldIssue[] {
  const r = WrapUp.safeParse(input);
  const issues = r.success ? [] : issuesOf(r.error);
  const has = (field: string) => issues.some((i) => i.field === field);
  // The checks against the configuration and the clock run on whatever parts are well-formed.
  const raw = (typeof input === 'object' && input !== null ? input : {}) as { disposition?: unknown; followups?: unknown };
  if (cfg && typeof raw.disposition === 'string' && !has('disposition') && !cfg.dispositions.some((d) => d.active && d.code === raw.disposition)) {
    issues.push({ field: 'disposition', message: 'choose a disposition from the list' });
  }
  if (Array.isArray(raw.followups)) {
    raw.followups.slice(0, 20).forEach((f: unknown, i) => {
      if (typeof f !== 'object' || f === null) return;
      const x = f as { kind?: unknown; dueAt?: unknown; category?: unknown };
      if (x.kind === 'callback' && typeof x.dueAt === 'number' && Number.isFinite(x.dueAt) && !has(`followups.${i}.dueAt`)) {
        const problem = dueProblem(x.dueAt, savedAt);
        if (problem) issues.push({ field: `followups.${i}.dueAt`, message: problem });
      } else if (x.kind === 'ticket' && typeof x.category === 'string' && cfg && !has(`followups.${i}.category`) && !cfg.categories.some((c) => c.active && c.code === x.category)) {
        issues.push({ field: `followups.${i}.category`, message: 'choose a category from the list' });
      }
    });
  }
  return issues;
}

export function checkNewCustomer(input: unknown): FieldIssue[] {
  const r = NewCustomer.safeParse(input);
  return r.success ? [] : issuesOf(r.error);
}

/** The schema check of any kind's payload. */
export function checkPayload(kind: OutboxKind, input: unknown): FieldIssue[] {
  const r = PAYLOADS[kind].safeParse(input);
  return r.success ? [] : issuesOf(r.error);
}
