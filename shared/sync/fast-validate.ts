// Hand-written checks that accept exactly what the zod schemas of protocol.ts accept, for the hot path of
// an initial sync (a million lines: zod costs ~3 µs a line, these well under 1 µs). The zod schemas stay
// the specification: PageReader runs them whenever a fast check says no, to explain what is wrong, and a
// property test (backend/test/unit/fast-validate.test.ts) holds the two to the same verdicts.
// Unknown keys are accepted and ignored, as zod does; unlike zod, the object is returned as it came.
import { LIMITS, TIERS } from '../domain/customer';
import type { CustomerChange, InteractionChange, SyncCustomer, SyncInteraction } from './protocol';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const E164 = /^\+[1-9]\d{4,15}$/;
const TIER_SET: ReadonlySet<unknown> = new Set(TIERS);
const DIRECTIONS: ReadonlySet<unknown> = new Set(['inbound', 'outbound']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** String length as zod 4 measures it: in Unicode code points. */
function len(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
/** A string of at least min and at most max code points (cheap when it is short in UTF-16 units). */
const str = (v: unknown, max: number, min = 0): v is string =>
  typeof v === 'string' && (v.length <= max ? v.length >= min : len(v) <= max) && (min === 0 || len(v) >= min);
const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const seq = (v: unknown): v is number => int(v) && v >= 0;
const customerId = (v: unknown): v is string => str(v, LIMITS.id, 1) && ID.test(v);

function phone(v: unknown): boolean {
  return isObj(v) && typeof v.e164 === 'string' && E164.test(v.e164) && str(v.display, LIMITS.rawPhone + 8) && str(v.label, LIMITS.phoneLabel);
}

export function isSyncCustomer(v: unknown): v is SyncCustomer {
  if (!isObj(v)) return false;
  if (!customerId(v.id) || !str(v.name, LIMITS.name, 1) || !str(v.company, LIMITS.company) || !TIER_SET.has(v.tier) || !str(v.notes, LIMITS.notes) || !int(v.updatedAt)) return false;
  const tags = v.tags;
  if (!Array.isArray(tags) || tags.length > LIMITS.tags) return false;
  for (const t of tags) if (!str(t, LIMITS.tag)) return false;
  const phones = v.phones;
  if (!Array.isArray(phones) || phones.length < 1 || phones.length > LIMITS.phones) return false;
  for (const p of phones) if (!phone(p)) return false;
  return true;
}

export function isSyncInteraction(v: unknown): v is SyncInteraction {
  return (
    isObj(v) &&
    str(v.id, 64, 1) &&
    customerId(v.customerId) &&
    int(v.at) &&
    DIRECTIONS.has(v.direction) &&
    str(v.channel, 16) &&
    str(v.agent, LIMITS.name) &&
    str(v.disposition, 64) &&
    str(v.note, LIMITS.interactionNote) &&
    int(v.durationS) &&
    v.durationS >= 0
  );
}

export function isCustomerChange(v: unknown): v is CustomerChange {
  if (!isObj(v) || !seq(v.seq)) return false;
  if (v.type === 'upsert') return isSyncCustomer(v.customer);
  if (v.type === 'tombstone') return customerId(v.id) && (v.mergedInto === null || customerId(v.mergedInto));
  return false;
}

export function isInteractionChange(v: unknown): v is InteractionChange {
  if (!isObj(v) || !seq(v.seq)) return false;
  if (v.type === 'upsert') return isSyncInteraction(v.interaction);
  if (v.type === 'tombstone') return str(v.id, 64, 1);
  return false;
}
