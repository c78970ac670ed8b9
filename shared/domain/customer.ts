import { z } from 'zod';

// A customer as the agent sees it on the screen pop card. Limits are the product's, enforced on every
// path that writes customers (CSV import, sync) and relied upon by the UI layout.
export const LIMITS = {
  id: 64,
  name: 120,
  company: 160,
  tag: 40,
  tags: 20,
  notes: 4000,
  phones: 10,
  phoneLabel: 24,
  rawPhone: 40,
  interactionNote: 2000,
} as const;

export const TIERS = ['platinum', 'gold', 'silver', 'standard'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export const CustomerId = z.string().min(1).max(LIMITS.id).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

export const PhoneEntry = z.object({
  e164: z.string().regex(/^\+[1-9]\d{4,15}$/),
  /** How people read it, e.g. "138 0013 8000" or "010 8888 6666". */
  display: z.string().max(LIMITS.rawPhone + 8),
  label: z.string().max(LIMITS.phoneLabel),
});
export type PhoneEntry = z.infer<typeof PhoneEntry>;

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const Direction = z.enum(DIRECTIONS);

export const InteractionSummary = z.object({
  id: z.string().max(64),
  at: z.number().int(),
  direction: Direction,
  channel: z.string().max(16),
  agent: z.string().max(LIMITS.name),
  disposition: z.string().max(64),
  note: z.string().max(LIMITS.interactionNote),
  durationS: z.number().int().min(0),
});
export type InteractionSummary = z.infer<typeof InteractionSummary>;

export const CustomerCard = z.object({
  id: CustomerId,
  name: z.string().max(LIMITS.name),
  company: z.string().max(LIMITS.company),
  tier: Tier,
  tags: z.array(z.string().max(LIMITS.tag)).max(LIMITS.tags),
  notes: z.string().max(LIMITS.notes),
  phones: z.array(PhoneEntry).max(LIMITS.phones),
  lastContactAt: z.number().int().nullable(),
  /** Newest first, at most LOOKUP_HISTORY of them. */
  interactions: z.array(InteractionSummary),
});
export type CustomerCard = z.infer<typeof CustomerCard>;

export const LOOKUP_HISTORY = 5;
export const LOOKUP_MAX_MATCHES = 20;

export const MATCH_KINDS = [
  'exact', // the caller's number normalised to E.164 equals one of the customer's numbers
  'suffix', // no exact hit; the trailing digits match (PBX sent a shortened or oddly prefixed number)
  'none', // a real number that no cached customer has: offer a new-customer card
  'withheld', // anonymous / restricted / empty caller id
  'service', // a short code (10086, 95588) or something that is not a phone number
] as const;
export const MatchKind = z.enum(MATCH_KINDS);
export type MatchKind = z.infer<typeof MatchKind>;

export const CallerNumber = z.object({
  raw: z.string().max(256),
  e164: z.string().nullable(),
  display: z.string().max(64),
  valid: z.boolean(),
});
export type CallerNumber = z.infer<typeof CallerNumber>;

export const LookupResult = z.object({
  number: CallerNumber,
  match: MatchKind,
  /** Ordered by most recent contact first. Empty for none/withheld/service. */
  customers: z.array(CustomerCard).max(LOOKUP_MAX_MATCHES),
  /** More customers matched than were returned. */
  truncated: z.boolean(),
  tookMs: z.number(),
});
export type LookupResult = z.infer<typeof LookupResult>;
