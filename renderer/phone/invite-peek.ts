// The number a new call will pop, read from the INVITE's raw bytes before SIP.js parses them, so the
// lookup is already on its way while SIP.js builds the transaction and the session (2–7 ms on a busy
// machine). Best effort and never trusted: it only starts a lookup early (stores/lookup-prefetch.ts),
// which is used if, and only if, the number SIP.js then yields (phone.ts onInvite) is the same string.
// The same rules as phone.ts: P-Asserted-Identity, then From (identity.ts), and a transfer's context
// number first. Every value is hostile text and bounded like there.
import { CONTEXT_HEADER, parseContext } from './context-header';
import { callerIdentity, parseNameAddr } from './identity';

/** Headers beyond this are not read (the identity headers come early; a huge INVITE gets no head start). */
const MAX_HEAD = 16 * 1024;
/** Compact header forms (RFC 3261 §7.3.3) of the headers read here. */
const COMPACT: Record<string, string> = { f: 'from', t: 'to', i: 'call-id' };

/** The pop's number of an initial INVITE (no To tag), or undefined (a re-INVITE, a response, unreadable). */
export function peekInviteNumber(raw: string): string | undefined {
  if (!raw.startsWith('INVITE ')) return undefined;
  const head = raw.slice(0, MAX_HEAD);
  const end = head.search(/\r?\n\r?\n/);
  if (end < 0) return undefined;
  const headers = new Map<string, string>();
  // Unfold continuation lines (RFC 3261 §7.3.1), then one header per line; the first of each name counts.
  const lines = head.slice(0, end).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const full = COMPACT[name] ?? name;
    if (!headers.has(full)) headers.set(full, line.slice(colon + 1).trim());
  }
  const to = headers.get('to');
  const from = headers.get('from');
  if (!from || to === undefined || /;\s*tag=/i.test(to)) return undefined;
  const { name, uri } = parseNameAddr(from);
  const who = callerIdentity({ header: (h) => headers.get(h.toLowerCase()), fromUser: uri, fromDisplayName: name });
  const context = parseContext(headers.get(CONTEXT_HEADER.toLowerCase()));
  return context?.number || who.number || undefined;
}
