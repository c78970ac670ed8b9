// What an agent writes after (and about) a call, as it travels from the desktop's outbox to the backend
// (DESIGN §4, research sync-anchors.md §2.3). One schema for both ends: the wrap-up form validates with
// it before anything is saved, the desktop's outbox stores it, the server validates it again and applies
// it exactly once.
//
//   POST /v1/outbox   { clientId, items: [{ key, seq, kind, createdAt, payload }] }   (items in seq order)
//   200               { results: [{ key, status: applied | duplicate | rejected, … }] }  (one per item, same order)
//
// `key` is a client ULID, made in the same local transaction that saved the item: the idempotency key.
// The server records it under a unique constraint in the transaction that applies the item, so a resend
// (lost answer, crash, timeout) is answered `duplicate` with the first answer, never applied twice. A
// permanent problem with one item (an unknown disposition code, a date out of range) is answered
// `rejected` for that item alone and consumed: the queue never wedges, and the desktop lists the item
// under "needs attention" for the agent to fix and send again (as a new item with a new key).
import { z } from 'zod';
import { CustomerId, Direction, LIMITS } from '../domain/customer';

export const OUTBOX_PROTOCOL = 1;

/** A ULID (Crockford base32, 26 characters): outbox keys, interaction ids, follow-up ids, client ids. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID');

/** Every time on the wire: ms since the epoch, between 2001 and 2286. */
export const EpochMs = z.number().int().min(1_000_000_000_000).max(9_999_999_999_999);
/** A duration in ms, at most a week. */
export const DurationMs = z.number().int().min(0).max(7 * 24 * 3_600_000);

export const OUTBOX_LIMITS = {
  /** The wrap-up note (it becomes the interaction's note in the customer's history). */
  note: LIMITS.interactionNote,
  callbackNote: 500,
  ticketDescription: 4000,
  followups: 5,
  /** A callback may be due at most this far ahead of the moment the wrap-up was saved. */
  dueAheadMs: 366 * 24 * 3_600_000,
  /** …and may not be due more than this much before it (a slow form is fine, yesterday is not). */
  dueBehindMs: 10 * 60_000,
  /** Items per push request. */
  batch: 500,
} as const;

/** Disposition and ticket category codes, as admins configure them on the backend. */
export const Code = z.string().regex(/^[a-z0-9][a-z0-9_]{0,31}$/, 'must be a code of lowercase letters, digits and _');

/** A number to call back: what an agent may type (digits, +, spaces, dashes, brackets), 3–20 digits. */
export const CallbackNumber = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[0-9 ()-]+$/, 'must be a phone number (digits, +, spaces, dashes)')
  .refine((s) => {
    const digits = s.replace(/\D/g, '').length;
    return digits >= 3 && digits <= 20;
  }, 'must have 3 to 20 digits');

// ---------------------------------------------------------------- call records

export const CALL_OUTCOMES = [
  'answered', // talked (also when it ended in a transfer)
  'missed', // rang here, the caller gave up or it timed out
  'rejected', // the agent (or policy: Not Ready) refused it
  'elsewhere', // forked to several desktops of this agent and answered on another one
  'unanswered', // outbound, the far end did not answer or refused
  'cancelled', // outbound, the agent gave up before an answer
  'failed', // could not be set up (media, network)
] as const;
export const CallOutcome = z.enum(CALL_OUTCOMES);
export type CallOutcome = z.infer<typeof CallOutcome>;

export const CallQualitySummary = z
  .object({
    mos: z.number().min(1).max(5),
    jitterMs: z.number().min(0).max(60_000),
    lossPct: z.number().min(0).max(100),
    rttMs: z.number().min(0).max(60_000).nullable(),
    rating: z.enum(['good', 'fair', 'poor']),
  })
  .strict();
export type CallQualitySummary = z.infer<typeof CallQualitySummary>;

/** Written by the phone layer for every call, answered or not, when it ends. */
export const CallRecord = z
  .object({
    interactionId: Ulid,
    direction: Direction,
    outcome: CallOutcome,
    /** The phone's reason (hangup_local, hangup_remote, missed, transferred, …), for reports. */
    endReason: z.string().regex(/^[a-z_]{1,32}$/),
    /** The other party's number as delivered or dialled, and the name the network gave. */
    remoteNumber: z.string().max(64),
    remoteName: z.string().max(LIMITS.name),
    /** The customer on screen when the call ended (null: unknown caller, or none picked). */
    customerId: CustomerId.nullable(),
    queue: z.string().max(64).nullable(),
    startedAt: EpochMs,
    answeredAt: EpochMs.nullable(),
    endedAt: EpochMs,
    ringMs: DurationMs,
    talkMs: DurationMs,
    holdMs: DurationMs,
    /** The interaction this call continues (a transfer carried X-Lianluo-Context). */
    transferredFrom: Ulid.nullable(),
    /** The SIP Call-ID: a call forked to two desktops of one agent has the same one on both. */
    sipCallId: z.string().max(256).nullable(),
    quality: CallQualitySummary.nullable(),
  })
  .strict()
  .refine((r) => r.endedAt >= r.startedAt, { message: 'the call ends before it starts', path: ['endedAt'] })
  .refine((r) => (r.outcome === 'answered') === (r.answeredAt !== null), { message: 'only an answered call has an answer time', path: ['answeredAt'] });
export type CallRecord = z.infer<typeof CallRecord>;

// ---------------------------------------------------------------- follow-ups

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const NewCallback = z
  .object({
    id: Ulid,
    kind: z.literal('callback'),
    dueAt: EpochMs,
    number: CallbackNumber,
    /** For me, or for anyone in my team. */
    assignee: z.enum(['me', 'team']),
    note: z.string().max(OUTBOX_LIMITS.callbackNote),
  })
  .strict();
export type NewCallback = z.infer<typeof NewCallback>;

export const NewTicket = z
  .object({
    id: Ulid,
    kind: z.literal('ticket'),
    category: Code,
    priority: Priority,
    description: z.string().trim().min(1, 'describe the problem').max(OUTBOX_LIMITS.ticketDescription),
  })
  .strict();
export type NewTicket = z.infer<typeof NewTicket>;

export const NewFollowup = z.discriminatedUnion('kind', [NewCallback, NewTicket]);
export type NewFollowup = z.infer<typeof NewFollowup>;

/** The customer as the agent saw it: kept with a follow-up whose customer is deleted before it arrives. */
export const CustomerSnapshot = z
  .object({
    name: z.string().max(LIMITS.name),
    company: z.string().max(LIMITS.company),
    number: z.string().max(64),
  })
  .strict();
export type CustomerSnapshot = z.infer<typeof CustomerSnapshot>;

// ---------------------------------------------------------------- the wrap-up

export const WrapUp = z
  .object({
    interactionId: Ulid,
    customerId: CustomerId.nullable(),
    customerSnapshot: CustomerSnapshot.nullable(),
    disposition: Code,
    note: z.string().max(OUTBOX_LIMITS.note, `the note is longer than ${OUTBOX_LIMITS.note} characters`),
    /** After-call work: from the end of the call to saving this. */
    wrapMs: DurationMs,
    followups: z.array(NewFollowup).max(OUTBOX_LIMITS.followups),
  })
  .strict();
export type WrapUp = z.infer<typeof WrapUp>;

/** The checks that need the moment of saving (every follow-up is checked against it, on both ends). */
export function dueProblem(dueAt: number, savedAt: number): string | null {
  if (dueAt < savedAt - OUTBOX_LIMITS.dueBehindMs) return 'the callback time is in the past';
  if (dueAt > savedAt + OUTBOX_LIMITS.dueAheadMs) return 'the callback time is more than a year ahead';
  return null;
}

// ---------------------------------------------------------------- a new customer from the card

export const NewCustomer = z
  .object({
    /** Made by the desktop ("N-" + a ULID), kept by the server: later items can refer to it at once. */
    id: CustomerId.refine((s) => /^N-[0-9A-HJKMNP-TV-Z]{26}$/.test(s), 'must be N- and a ULID'),
    name: z.string().trim().min(1, 'a name is needed').max(LIMITS.name),
    company: z.string().max(LIMITS.company),
    notes: z.string().max(LIMITS.notes),
    phones: z
      .array(z.object({ number: z.string().min(1).max(LIMITS.rawPhone), label: z.string().max(LIMITS.phoneLabel) }).strict())
      .min(1)
      .max(LIMITS.phones),
    /** The call it came from, if any (the record is linked to the new customer). */
    interactionId: Ulid.nullable(),
  })
  .strict();
export type NewCustomer = z.infer<typeof NewCustomer>;

// ---------------------------------------------------------------- a follow-up changes

export const FollowupUpdate = z
  .object({
    followupId: Ulid,
    state: z.enum(['done', 'cancelled', 'open']),
    note: z.string().max(OUTBOX_LIMITS.callbackNote),
  })
  .strict();
export type FollowupUpdate = z.infer<typeof FollowupUpdate>;

// ---------------------------------------------------------------- items and results

export const PAYLOADS = {
  'call.record': CallRecord,
  'wrapup.submit': WrapUp,
  'customer.create': NewCustomer,
  'followup.update': FollowupUpdate,
} as const;
export const OutboxKind = z.enum(['call.record', 'wrapup.submit', 'customer.create', 'followup.update']);
export type OutboxKind = z.infer<typeof OutboxKind>;
export type PayloadOf<K extends OutboxKind> = z.infer<(typeof PAYLOADS)[K]>;

export type OutboxPayload = { [K in OutboxKind]: { kind: K; payload: PayloadOf<K> } }[OutboxKind];

/** Validate a payload of a kind; the result says what is wrong in words and where. */
export function parsePayload(kind: OutboxKind, payload: unknown): { ok: true; value: OutboxPayload } | { ok: false; issues: FieldIssue[] } {
  const r = PAYLOADS[kind].safeParse(payload);
  if (r.success) return { ok: true, value: { kind, payload: r.data } as OutboxPayload };
  return { ok: false, issues: r.error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.'), message: i.message })) };
}

export interface FieldIssue {
  /** Dotted path in the payload ("note", "followups.0.dueAt"); empty for the whole item. */
  field: string;
  message: string;
}

export const WireItem = z
  .object({
    key: Ulid,
    /** The desktop's order of items (per client and user); informative, the key is what dedups. */
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    kind: z.string().max(40),
    createdAt: EpochMs,
    /** Validated per item by kind, so one bad item is rejected alone. */
    payload: z.unknown(),
  })
  .strict();
export type WireItem = z.infer<typeof WireItem>;

export const PushRequest = z
  .object({
    protocol: z.literal(OUTBOX_PROTOCOL),
    /** The desktop installation (a ULID kept in outbox.sqlite). */
    clientId: Ulid,
    items: z.array(WireItem).min(1).max(OUTBOX_LIMITS.batch),
  })
  .strict();
export type PushRequest = z.infer<typeof PushRequest>;

export const REJECT_CODES = [
  'invalid', // the payload failed its schema (see field)
  'unknown_kind', // this server does not know the item kind (an older backend)
  'unknown_disposition', // the disposition code is not (or no longer) configured
  'unknown_category', // the ticket category is not (or no longer) configured
  'invalid_due', // the callback time is out of range
  'call_missing', // a wrap-up for a call the server has no record of
  'followup_missing', // an update of a follow-up that does not exist or is not yours
  'customer_missing', // a customer that never existed
  'conflict', // the key or an id is already used by something else
  'forbidden', // not allowed for this user
  'internal', // the server could not apply it; the details are in its log
] as const;
export const RejectCode = z.enum(REJECT_CODES);
export type RejectCode = z.infer<typeof RejectCode>;

/** Something the agent should know although the item was applied. */
export const Notice = z.discriminatedUnion('code', [
  /** The customer was merged into another one meanwhile: everything went to the survivor. */
  z.object({ code: z.literal('customer_merged'), from: CustomerId, to: CustomerId }),
  /** The customer was deleted meanwhile: the record and follow-ups were kept with the snapshot. */
  z.object({ code: z.literal('customer_deleted'), customerId: CustomerId }),
  /** The customer id was never known to the server: the item was kept without a customer. */
  z.object({ code: z.literal('customer_unknown'), customerId: CustomerId }),
  /** The same call reached this agent on two desktops: this record was kept as "answered elsewhere". */
  z.object({ code: z.literal('answered_elsewhere'), interactionId: Ulid }),
]);
export type Notice = z.infer<typeof Notice>;

export const ItemError = z.object({ code: RejectCode, message: z.string().max(500), field: z.string().max(100).optional() });
export type ItemError = z.infer<typeof ItemError>;

export const ItemResult = z.object({
  key: Ulid,
  /** duplicate: this key was seen before; `original` and the rest repeat the first answer. */
  status: z.enum(['applied', 'duplicate', 'rejected']),
  original: z.enum(['applied', 'rejected']).optional(),
  error: ItemError.optional(),
  notices: z.array(Notice).max(10),
  /** The customer the item ended up on (after following merges), when it concerns one. */
  customerId: CustomerId.nullable().optional(),
});
export type ItemResult = z.infer<typeof ItemResult>;

export const PushResponse = z.object({ results: z.array(ItemResult) });
export type PushResponse = z.infer<typeof PushResponse>;
