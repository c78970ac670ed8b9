// X-Lianluo-Context: the interaction a transferred or consulted call belongs to, so the receiving
// desktop pops the same customer before answering. Format (one header line, ASCII only):
//
//   X-Lianluo-Context: 01J9Z3V6K6T4Q0W8S2E5H7M1NB;ani=%2B8613800138000;customer=C-STORY-1;reason=Billing%20question;by=Li%20Na
//
// The first token is the interaction id (a ULID); parameters are percent-encoded UTF-8. Everything in
// it arrived over the network and is hostile: bounded, checked against narrow patterns, cleaned, shown
// as text only. A PBX should strip X-Lianluo-* from calls that come in from outside (a trunk), because
// anyone can put a header in an INVITE (docs/ARCHITECTURE.md, Phone).
// The first agent's notes are not in the header: the receiving desktop fetches them from the backend
// by interaction id (the outbox issue adds that; see TransferContext.interactionId).
import { cleanText } from '../../shared/text';

export const CONTEXT_HEADER = 'X-Lianluo-Context';

export interface TransferContext {
  /** The interaction (ULID) the customer's call belongs to, from the first agent. */
  interactionId: string;
  /** The customer's number as the first agent's desktop had it; the receiving desktop pops by it. */
  number: string;
  /** The customer the first agent had on screen (when they had picked one). */
  customerId?: string;
  /** Why the call is being transferred, typed by the first agent. */
  reason?: string;
  /** Who transferred it (the first agent's display name or SIP user). */
  by?: string;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const NUMBER = /^\+?[0-9*#]{1,32}$/;
const CUSTOMER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const MAX_REASON = 200;
export const MAX_BY = 80;
/** Longest header value accepted at all (anything longer is ignored, not truncated into meaning). */
const MAX_HEADER = 1024;

export function isInteractionId(s: string): boolean {
  return ULID.test(s);
}

const enc = (s: string) => encodeURIComponent(s);

export function formatContext(c: TransferContext): string {
  if (!ULID.test(c.interactionId)) throw new Error(`not an interaction id: ${c.interactionId}`);
  const parts = [c.interactionId];
  if (NUMBER.test(c.number)) parts.push(`ani=${enc(c.number)}`);
  if (c.customerId && CUSTOMER_ID.test(c.customerId)) parts.push(`customer=${enc(c.customerId)}`);
  const reason = cleanText(c.reason, { max: MAX_REASON });
  if (reason) parts.push(`reason=${enc(reason)}`);
  const by = cleanText(c.by, { max: MAX_BY });
  if (by) parts.push(`by=${enc(by)}`);
  return parts.join(';');
}

function decode(v: string): string | undefined {
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

/** Parse a received header value; undefined when it is absent or not ours. Never throws. */
export function parseContext(value: string | undefined): TransferContext | undefined {
  if (!value || value.length > MAX_HEADER) return undefined;
  const [id, ...params] = value.trim().split(';');
  if (!id || !ULID.test(id.trim())) return undefined;
  const out: TransferContext = { interactionId: id.trim(), number: '' };
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const raw = decode(p.slice(eq + 1).trim());
    if (raw === undefined) continue;
    if (key === 'ani' && NUMBER.test(raw)) out.number = raw;
    else if (key === 'customer' && CUSTOMER_ID.test(raw)) out.customerId = raw;
    else if (key === 'reason') {
      const r = cleanText(raw, { max: MAX_REASON });
      if (r) out.reason = r;
    } else if (key === 'by') {
      const b = cleanText(raw, { max: MAX_BY });
      if (b) out.by = b;
    }
  }
  return out;
}
