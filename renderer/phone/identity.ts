// Who is calling: P-Asserted-Identity (set by the trusted network), then the From header's user part,
// then its display name. Every value is hostile text: bounded before parsing, cleaned after, and only
// ever rendered as text.
import { cleanText } from '../../shared/text';
import { userPartOf } from '../../shared/phone/sip-user';

export const MAX_NUMBER = 64;
export const MAX_DISPLAY_NAME = 80;
const MAX_HEADER = 2048;

export interface CallerIdentity {
  /** Phone number or SIP user for the lookup ('' when withheld). */
  number: string;
  displayName: string;
  source: 'pai' | 'from';
}

export interface InviteHeaders {
  header(name: string): string | undefined;
  fromUser: string | undefined;
  fromDisplayName: string | undefined;
}

/** The first entry of a name-addr list: `"Name" <sip:user@host>, <tel:+86…>` → name and URI. */
export function parseNameAddr(value: string): { name: string; uri: string } {
  const v = value.slice(0, MAX_HEADER);
  let i = 0;
  let name = '';
  let uri: string;
  // display name: quoted string or tokens up to '<'
  while (i < v.length && v[i] === ' ') i++;
  if (v[i] === '"') {
    i++;
    while (i < v.length && v[i] !== '"') {
      if (v[i] === '\\' && i + 1 < v.length) i++;
      name += v[i];
      i++;
    }
    i++;
  }
  const lt = v.indexOf('<', i);
  const comma = v.indexOf(',', i);
  if (lt >= 0 && (comma < 0 || lt < comma)) {
    if (!name) name = v.slice(i, lt).trim();
    const gt = v.indexOf('>', lt);
    uri = v.slice(lt + 1, gt < 0 ? undefined : gt);
  } else {
    uri = v.slice(i, comma < 0 ? undefined : comma).trim();
  }
  return { name, uri };
}

export function callerIdentity(h: InviteHeaders): CallerIdentity {
  const pai = h.header('P-Asserted-Identity');
  if (pai) {
    const { name, uri } = parseNameAddr(pai);
    const number = cleanText(userPartOf(uri), { max: MAX_NUMBER });
    if (number) {
      return {
        number,
        displayName: cleanText(name || h.fromDisplayName, { max: MAX_DISPLAY_NAME }),
        source: 'pai',
      };
    }
  }
  return {
    number: cleanText(h.fromUser ? userPartOf(h.fromUser) : '', { max: MAX_NUMBER }),
    displayName: cleanText(h.fromDisplayName, { max: MAX_DISPLAY_NAME }),
    source: 'from',
  };
}
