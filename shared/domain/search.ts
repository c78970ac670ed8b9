import { z } from 'zod';
import { CustomerCard, CustomerId, LIMITS, PhoneEntry, Tier } from './customer';

// Search as you type over the local cache (electron/services/db/search.ts): name, company and numbers.

/** Results the search box asks for: enough to scroll through, few enough to answer in a frame. */
export const SEARCH_LIMIT = 200;
export const SEARCH_MAX_LIMIT = 500;
/** Longer input is refused by the contract; the query parser also only reads the first 64 characters. */
export const SEARCH_MAX_INPUT = 256;

export const SearchRequest = z
  .object({
    query: z.string().max(SEARCH_MAX_INPUT),
    limit: z.number().int().min(1).max(SEARCH_MAX_LIMIT).optional(),
  })
  .strict();
export type SearchRequest = z.infer<typeof SearchRequest>;

/** One row of the results list: what the row shows, not the whole card (customers.get fetches that). */
export const SearchHit = z.object({
  id: CustomerId,
  name: z.string().max(LIMITS.name),
  company: z.string().max(LIMITS.company),
  tier: Tier,
  lastContactAt: z.number().int().nullable(),
  /** The number that matched the query, else the customer's first number. */
  phone: PhoneEntry.nullable(),
  phoneMatched: z.boolean(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({
  /** The query as asked, so a caller can drop answers to older keystrokes. */
  query: z.string().max(SEARCH_MAX_INPUT),
  /** Best first: the name equals the query, starts with it, contains it; then most recently contacted. */
  hits: z.array(SearchHit).max(SEARCH_MAX_LIMIT),
  /** More customers match than were returned: typing more narrows the list. */
  more: z.boolean(),
  tookMs: z.number(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const GetCustomerRequest = z.object({ id: CustomerId }).strict();
export const GetCustomerResponse = z.object({ customer: CustomerCard.nullable() });
export type GetCustomerResponse = z.infer<typeof GetCustomerResponse>;
