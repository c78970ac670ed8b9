// The pull-sync protocol between the backend and every desktop cache (DESIGN.md §4, research
// sync-anchors.md §2). One contract, used by the server that writes pages and the client that applies them.
//
//   GET /v1/sync/<stream>?after=SEQ&limit=N[&epoch=E]      stream ∈ customers | interactions
//
// 200 application/x-ndjson, one JSON object per line, in this order:
//   {"type":"begin","stream":"customers","protocol":1,"epoch":"…","after":SEQ,"highWater":H}
//   {"type":"upsert","seq":…,"customer":{…}}               zero or more changes, seq strictly increasing,
//   {"type":"tombstone","seq":…,"id":"…","mergedInto":…}   every seq in (after, next]
//   {"type":"end","next":SEQ2,"count":N,"more":true|false}
// A page without its end line is truncated: apply nothing of it, retry. Apply a complete page and store
// `next` and `epoch` in the same local transaction; ask again with after=next while `more` is true.
// `more: false` means the client holds everything committed up to `next`; `next` then reaches the
// server's high-water mark, so "cursor >= seq of the last live nudge" is the test for being caught up.
//
// Every change of every stream takes its seq from one server-wide sequence, so seqs of one stream have
// gaps (a customer changed twice appears once, at its newest seq). Gaps between lines are normal; the
// checks that matter are listed in page-reader.ts.
//
// 410 with a ResetRequired body: the cursor cannot be continued (history compacted past it, the server's
// dataset or this stream's shape changed, or the cursor is ahead of the server). Rebuild from after=0.
import { z } from 'zod';
import { CustomerId, InteractionSummary, LIMITS, PhoneEntry, Tier } from '../domain/customer';

export const SYNC_PROTOCOL = 1;

export const SYNC_STREAMS = ['customers', 'interactions'] as const;
export const SyncStream = z.enum(SYNC_STREAMS);
export type SyncStream = z.infer<typeof SyncStream>;

/**
 * The shape version of each stream's rows. The server bumps one when its lines change in a way an
 * existing cache cannot absorb; every cursor of that stream then gets 410 schema_changed.
 */
export const STREAM_VERSIONS: Readonly<Record<SyncStream, number>> = { customers: 1, interactions: 1 };

export const SYNC_PAGE_DEFAULT = 10_000;
export const SYNC_PAGE_MAX = 100_000;

/** The interactions stream carries the newest this-many interactions of each live customer. */
export const INTERACTION_WINDOW = 10;

export const NDJSON_TYPE = 'application/x-ndjson';

export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** `after` as it appears in a query string: plain decimal digits, no sign, no exponent, no leading zeros. */
export const SeqParam = z
  .string()
  .regex(/^(0|[1-9]\d{0,15})$/, 'must be a non-negative integer without sign or leading zeros')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'is too large');

/**
 * Identifies what a cursor is valid against: `<dataset id>.<stream shape version>.<compaction mark>`.
 * Opaque to clients: store the epoch of the last applied page with its cursor and send it back. It
 * changes when the server's dataset is replaced, when the stream's row shape changes, and when history
 * is compacted (a cursor below the new mark then gets 410; one at or above it simply continues).
 */
export const Epoch = z.string().regex(/^[A-Za-z0-9-]{1,64}\.\d{1,6}\.\d{1,16}$/, 'is not an epoch returned by the server');

export const SyncQuery = z
  .object({
    after: SeqParam,
    limit: z
      .string()
      .regex(/^[1-9]\d{0,6}$/, 'must be a positive integer')
      .transform(Number)
      .refine((n) => n <= SYNC_PAGE_MAX, `must be at most ${SYNC_PAGE_MAX}`)
      .optional(),
    epoch: Epoch.optional(),
  })
  .strict();
export type SyncQuery = z.infer<typeof SyncQuery>;

/** A customer as it travels: CustomerRecord of shared/domain/customer-input.ts, already validated and cleaned. */
export const SyncCustomer = z.object({
  id: CustomerId,
  name: z.string().min(1).max(LIMITS.name),
  company: z.string().max(LIMITS.company),
  tier: Tier,
  tags: z.array(z.string().max(LIMITS.tag)).max(LIMITS.tags),
  notes: z.string().max(LIMITS.notes),
  phones: z.array(PhoneEntry).min(1).max(LIMITS.phones),
  updatedAt: z.number().int(),
});
export type SyncCustomer = z.infer<typeof SyncCustomer>;

// A card's history entry (InteractionSummary) plus whose it is; its id may not be empty on the wire.
export const SyncInteraction = InteractionSummary.extend({
  id: z.string().min(1).max(64),
  customerId: CustomerId,
});
export type SyncInteraction = z.infer<typeof SyncInteraction>;

export const PageBegin = z.object({
  type: z.literal('begin'),
  stream: SyncStream,
  protocol: z.literal(SYNC_PROTOCOL),
  epoch: Epoch,
  /** Echo of the request's cursor. */
  after: Seq,
  /** The newest committed seq of the whole server when the page started (for progress bars). */
  highWater: Seq,
});
export type PageBegin = z.infer<typeof PageBegin>;

export const PageEnd = z.object({
  type: z.literal('end'),
  next: Seq,
  /** Number of change lines in this page. */
  count: z.number().int().min(0),
  more: z.boolean(),
});
export type PageEnd = z.infer<typeof PageEnd>;

export const CustomerUpsert = z.object({ type: z.literal('upsert'), seq: Seq, customer: SyncCustomer });
export const CustomerTombstone = z.object({
  type: z.literal('tombstone'),
  seq: Seq,
  id: CustomerId,
  /** Set when the customer was merged into another one: callers of the old id should open this one. */
  mergedInto: CustomerId.nullable(),
});
export const CustomerChange = z.discriminatedUnion('type', [CustomerUpsert, CustomerTombstone]);
export type CustomerChange = z.infer<typeof CustomerChange>;

export const InteractionUpsert = z.object({ type: z.literal('upsert'), seq: Seq, interaction: SyncInteraction });
/** The interaction left the window (older than the newest INTERACTION_WINDOW, or its customer is gone). */
export const InteractionTombstone = z.object({ type: z.literal('tombstone'), seq: Seq, id: z.string().min(1).max(64) });
export const InteractionChange = z.discriminatedUnion('type', [InteractionUpsert, InteractionTombstone]);
export type InteractionChange = z.infer<typeof InteractionChange>;

export const CHANGE_SCHEMAS = { customers: CustomerChange, interactions: InteractionChange } as const;
export type ChangeOf<S extends SyncStream> = S extends 'customers' ? CustomerChange : InteractionChange;

export const RESET_REASONS = [
  'compacted', // tombstones older than the cursor were dropped: the client may have missed deletes
  'epoch_changed', // the server's dataset was replaced (a new database, a restore into a new dataset)
  'schema_changed', // this stream's row shape changed on the server
  'ahead', // the cursor is newer than anything the server has (restored from an older backup)
] as const;
export const ResetReason = z.enum(RESET_REASONS);
export type ResetReason = z.infer<typeof ResetReason>;

/** The 410 body. */
export const ResetRequired = z.object({
  error: z.object({ code: z.literal('reset_required'), message: z.string(), reason: ResetReason }),
  stream: SyncStream,
  /** The epoch a rebuilt cache will carry. */
  epoch: Epoch,
});
export type ResetRequired = z.infer<typeof ResetRequired>;

export function epochOf(datasetId: string, stream: SyncStream, compactedThrough: number): string {
  return `${datasetId}.${STREAM_VERSIONS[stream]}.${compactedThrough}`;
}

export function parseEpoch(epoch: string): { datasetId: string; version: number; compactedThrough: number } | null {
  const m = /^([A-Za-z0-9-]{1,64})\.(\d{1,6})\.(\d{1,16})$/.exec(epoch);
  return m ? { datasetId: m[1] as string, version: Number(m[2]), compactedThrough: Number(m[3]) } : null;
}
