// Caller number (ANI) → E.164, once, at the edge. PBXs and carriers deliver the same Chinese number as
// +8613800138000, 008613800138000, 8613800138000, 013800138000, 1795113800138000 (IP-dial carrier prefix)
// or, for a local landline, 88886666 with the area code dropped. libphonenumber-js (full metadata, so
// validity is real, not length-only) does most of it; this module adds what it cannot know: the site's
// outside-line prefix and its local area code. Research: ../shared/research/sync-anchors.md §3.
import { parsePhoneNumberFromString, PhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import type { NumberPlan } from '../domain/settings';
import { fastParse, type FastParse } from './ani-fast';
import { userPartOf } from './sip-user';

export { userPartOf };

/**
 * number: a valid phone number; short: a service code or extension (10086, 95588, 1001);
 * withheld: anonymous / restricted / empty; invalid: digits that make no valid number, or not digits at all.
 * (Mobile vs landline is available from libphonenumber's getType() where a feature needs it; the screen pop
 * does not, and it costs a few microseconds on the hottest path.)
 */
export type AniKind = 'number' | 'short' | 'withheld' | 'invalid';

export interface Ani {
  /** The input, bounded, as received. */
  raw: string;
  /** Digits only, after separators, IDD and configured prefixes were handled ('' when none). */
  digits: string;
  /** Canonical number when the parse is valid; null otherwise. */
  e164: string | null;
  /** National significant number digits (no country code, no trunk prefix); best effort even when invalid. */
  nsn: string;
  valid: boolean;
  kind: AniKind;
  /** Human-readable: national format for the home region, international otherwise. */
  display: string;
}

const WITHHELD = /^(anonymous|unknown|unavailable|restricted|private|withheld|anonymous\.invalid)$/i;
const SEPARATORS = /[\s\-.()/\u00A0\u3000\uFF0D\u2010-\u2015]/g;
const FULLWIDTH_DIGITS = /[\uFF10-\uFF19\uFF0B]/g;
export const MAX_ANI_LENGTH = 256;
const LOCAL_SUBSCRIBER = /^[2-9]\d{6,7}$/;
/** 17951, 17911, 12593 …: the carrier codes of libphonenumber's CN national prefix rule, then a trunk 0. */
const CN_CARRIER_THEN_TRUNK = /^1(?:[12]\d|79)\d\d0[1-9]/;

export function normaliseAni(input: string, plan: NumberPlan): Ani {
  const raw = (typeof input === 'string' ? input : '').slice(0, MAX_ANI_LENGTH);
  const user = userPartOf(raw);
  const blank: Omit<Ani, 'kind'> = { raw, digits: '', e164: null, nsn: '', valid: false, display: '' };
  if (user === '' || WITHHELD.test(user)) return { ...blank, kind: 'withheld' };

  let s = user
    .replace(FULLWIDTH_DIGITS, (c) => (c === '\uFF0B' ? '+' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)))
    .replace(SEPARATORS, '');
  const plus = s.startsWith('+');
  if (plus) s = s.slice(1);
  if (!/^\d{1,20}$/.test(s)) return { ...blank, display: user.slice(0, 64), kind: 'invalid' };

  if (!plus && plan.outsideLinePrefix && s.startsWith(plan.outsideLinePrefix) && s.length - plan.outsideLinePrefix.length >= 7) {
    s = s.slice(plan.outsideLinePrefix.length);
  }
  const region = plan.defaultRegion as CountryCode;
  const local = !plus && plan.localAreaCode !== '' && LOCAL_SUBSCRIBER.test(s);
  // Most calls are a plain number in a common shape: the fast path answers those exactly as the full
  // parse below would (ani-fast.ts), in a fraction of the time; anything else takes the full parse.
  const fast = local ? fastParse(plan.localAreaCode + s, false, region) : fastParse(s, plus, region);
  if (fast) return fastNumber(raw, s, fast, region);

  // A local number sent without its area code (88886666 in Beijing): where the site has an area code, a
  // subscriber number (7-8 digits, not starting with 0 or 1) is local first, even if it also happens to
  // parse as some other area's short number (20950000 is not 020-950000 for a Beijing PBX). Service
  // codes (10086, 95588) stay short codes.
  let parsed = local ? parsePhoneNumberFromString(plan.localAreaCode + s, region) : undefined;
  if (!parsed?.isValid()) parsed = parsePhoneNumberFromString(plus ? `+${s}` : s, region);

  // An IP-dial carrier code before the trunk 0 of a landline (17951 010 6552 8899): libphonenumber strips
  // a carrier code or the trunk 0, not both.
  if ((!parsed || !parsed.isValid()) && !plus && region === 'CN' && CN_CARRIER_THEN_TRUNK.test(s)) {
    const withoutCarrier = parsePhoneNumberFromString(s.slice(5), region);
    if (withoutCarrier?.isValid()) parsed = withoutCarrier;
  }

  if (parsed?.isValid()) {
    const number = parsed;
    return {
      raw,
      digits: s,
      e164: number.number,
      nsn: number.nationalNumber,
      valid: true,
      kind: 'number',
      // Formatting costs several µs and the screen pop usually shows the matched customer's own stored
      // display instead, so it is done only when read.
      get display() {
        return number.country === region ? number.formatNational() : number.formatInternational();
      },
    };
  }
  const nsn = parsed?.nationalNumber ?? s;
  // Short codes (10086, 95588, extensions) are services or internal calls, not customers.
  const kind: AniKind = nsn.length < 7 ? 'short' : 'invalid';
  return { raw, digits: s, e164: null, nsn, valid: false, kind, display: (plus ? '+' : '') + s };
}

function fastNumber(raw: string, digits: string, n: FastParse, home: CountryCode): Ani {
  const e164 = `+${n.callingCode}${n.nationalNumber}`;
  return {
    raw,
    digits,
    e164,
    nsn: n.nationalNumber,
    valid: true,
    kind: 'number',
    // National format for a home-region number, international otherwise, as the full parse gives it
    // (from the E.164 directly, no second parse). Formatting is only done when read.
    get display() {
      const number = new PhoneNumber(e164 as `+${string}`);
      return n.region === home ? number.formatNational() : number.formatInternational();
    },
  };
}

/** How many trailing digits must agree for a suffix match: enough to be specific, never more than we have. */
export function suffixLength(nsn: string): number {
  return Math.min(nsn.length, 11);
}

/** The digits of an E.164 number reversed, for the one index that serves suffix matches of any length. */
export function reversedDigits(e164OrDigits: string): string {
  let out = '';
  for (let i = e164OrDigits.length - 1; i >= 0; i--) {
    const c = e164OrDigits.charCodeAt(i);
    if (c >= 48 && c <= 57) out += e164OrDigits[i];
  }
  return out;
}
