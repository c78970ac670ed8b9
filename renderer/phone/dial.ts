// What to dial: the agent's typed input, a number from a customer record (E.164), or a tel:/sip: link
// from the OS, turned into a SIP request URI for the account's domain. Records and links are converted
// to what a PBX dials from the site (national digits at home, the IDD prefix abroad, the outside-line
// prefix in front); typed input is dialled as typed, because agents know their PBX's habits.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { NumberPlan } from '../../shared/domain/settings';

export interface DialTarget {
  /** Request URI, e.g. sip:013800138000@pbx.example.com or sip:1002@pbx.example.com */
  uri: string;
  /** The number as the screen pop and the call panel should see it. */
  number: string;
}

export type DialError = 'empty' | 'invalid';

export class DialInputError extends Error {
  constructor(
    readonly code: DialError,
    input: string,
  ) {
    super(`cannot dial ${JSON.stringify(input.slice(0, 80))}: ${code}`);
  }
}

const SEPARATORS = /[\s\-.()/\u00A0\u3000\uFF0D\u2010-\u2015]/g;
const FULLWIDTH = /[\uFF10-\uFF19\uFF0B]/g;
const DIALABLE = /^\+?[0-9*#]{1,32}$/;
/** A SIP user that is not a number (an extension name, a queue): unreserved characters, at least one letter. */
const SIP_USER = /^(?=.*[A-Za-z])[A-Za-z0-9._~-]{1,64}$/;
const SIP_URI = /^sips?:([^@\s<>"';?]{1,64})@([A-Za-z0-9.[\]:-]{1,253})$/i;
export const MAX_DIAL_INPUT = 512;

const halfwidth = (s: string) => s.replace(FULLWIDTH, (c) => (c === '\uFF0B' ? '+' : String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48)));

/** Digits a PBX dials for an international-format number, from the site's region (national at home, IDD abroad). */
export function dialDigits(number: string, plan: NumberPlan): string {
  const n = halfwidth(number).replace(SEPARATORS, '');
  if (!n.startsWith('+')) return n;
  const parsed = parsePhoneNumberFromString(n);
  if (!parsed?.isValid()) return n; // let the PBX try E.164 as it is
  const digits = parsed.format('IDD', { fromCountry: plan.defaultRegion as CountryCode }).replace(/\D/g, '');
  return digits ? plan.outsideLinePrefix + digits : n;
}

function uriFor(user: string, domain: string): string {
  return `sip:${user}@${domain}`;
}

/**
 * Turn input into a dial target.
 *   source 'typed'  : what the agent typed in the dial pad (digits, + * #, separators, or a SIP user / URI)
 *   source 'record' : a number from a customer record (E.164)
 *   source 'link'   : a tel:, callto:, sip: or sips: link handed over by the OS
 */
export function dialTarget(input: string, source: 'typed' | 'record' | 'link', plan: NumberPlan, domain: string): DialTarget {
  const raw = input.trim();
  if (!raw) throw new DialInputError('empty', input);
  if (raw.length > MAX_DIAL_INPUT) throw new DialInputError('invalid', input);
  const sip = SIP_URI.exec(raw);
  if (sip) {
    const user = decodeUser(sip[1] ?? '');
    if (!user) throw new DialInputError('invalid', input);
    return { uri: `${raw.slice(0, raw.indexOf(':')).toLowerCase()}:${sip[1]}@${sip[2]}`, number: user };
  }
  if (/^sips?:/i.test(raw)) throw new DialInputError('invalid', input);
  let value = raw;
  if (/^(tel|callto):/i.test(value)) {
    value = value.replace(/^(tel|callto):(\/\/)?/i, '');
    value = value.split(';')[0] ?? ''; // drop ;phone-context=… and other parameters
    value = decodeUser(value) ?? '';
    source = 'link';
  }
  const compact = halfwidth(value).replace(SEPARATORS, '');
  if (!compact) throw new DialInputError('empty', input);
  if (DIALABLE.test(compact)) {
    const digits = source === 'typed' ? compact : dialDigits(compact, plan);
    return { uri: uriFor(escapeDigits(digits), domain), number: compact };
  }
  const user = value.trim();
  if (source === 'typed' && SIP_USER.test(user)) return { uri: uriFor(user, domain), number: user };
  throw new DialInputError('invalid', input);
}

/** '#' is not allowed unescaped in a SIP URI user part. */
function escapeDigits(d: string): string {
  return d.replace(/#/g, '%23');
}

function decodeUser(u: string): string | undefined {
  try {
    return decodeURIComponent(u);
  } catch {
    return undefined;
  }
}
