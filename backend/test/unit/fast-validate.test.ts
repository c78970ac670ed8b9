// The fast line checks must give the zod schemas' verdict on every input, including the edges: lengths
// at and around each limit (in code points, as zod counts), surrogate pairs, wrong types, extra keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/domain/customer';
import { isCustomerChange, isInteractionChange } from '../../../shared/sync/fast-validate';
import { CustomerChange, InteractionChange } from '../../../shared/sync/protocol';

const EMOJI = '😀';
/** Strings around a limit: ASCII and astral characters (two UTF-16 units each), at, below and above it. */
function around(max: number, min = 0): fc.Arbitrary<unknown> {
  const sizes = [...new Set([0, 1, min, Math.max(0, max - 1), max, max + 1, Math.ceil(max / 2), Math.ceil(max / 2) + 1])];
  return fc.oneof(
    fc.constantFrom(...sizes).map((n) => 'a'.repeat(n)),
    fc.constantFrom(...sizes).map((n) => EMOJI.repeat(n)),
    fc.constantFrom(...sizes).map((n) => 'a'.repeat(Math.max(0, n - 1)) + EMOJI),
    fc.constantFrom(...sizes).map((n) => '\uD800'.repeat(n)), // lone surrogates count one each
    fc.string({ maxLength: 8 }),
    fc.constantFrom(null, 7, undefined, ['a'], {}),
  );
}
const ids = fc.oneof(around(LIMITS.id, 1), fc.constantFrom('C-1', 'a.b:c_d-e', '-x', 'x y', '王', 'C/1', 'Ab09'));
const ints = fc.oneof(fc.integer(), fc.constantFrom(0, -0, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), Infinity, NaN, '3', null));
const e164s = fc.oneof(fc.constantFrom('+8613800138000', '+12025550123', '+0123456', '+1234', '+12345', '+1234567890123456', '+12345678901234567', '8613800138000', '+86 138', ''), fc.string({ maxLength: 6 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 8 });

// Valid values, including those exactly at a limit, so that most generated lines are valid and a
// single mutated field decides the verdict.
const atMost = (max: number, min = 0) => fc.constantFrom(...new Set(['x'.repeat(Math.max(min, 1)), 'a'.repeat(max), EMOJI.repeat(max), 'é'.repeat(max), ...(min === 0 ? [''] : [])]));
const validPhone = fc.record({ e164: fc.constantFrom('+8613800138000', '+12025550123', '+12345', '+1234567890123456'), display: atMost(LIMITS.rawPhone + 8), label: atMost(LIMITS.phoneLabel) });
const validCustomer = fc.record({
  id: fc.constantFrom('C-1', 'a.b:c_d-e', 'Ab09', 'x'.repeat(LIMITS.id)),
  name: atMost(LIMITS.name, 1),
  company: atMost(LIMITS.company),
  tier: fc.constantFrom('platinum', 'gold', 'silver', 'standard'),
  tags: fc.array(atMost(LIMITS.tag), { maxLength: LIMITS.tags }),
  notes: atMost(LIMITS.notes),
  phones: fc.array(validPhone, { minLength: 1, maxLength: LIMITS.phones }),
  updatedAt: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53 - 1, -(2 ** 53) + 1, 0)),
});
const validInteraction = fc.record({
  id: atMost(64, 1),
  customerId: fc.constantFrom('C-1', 'x'.repeat(LIMITS.id)),
  at: fc.integer(),
  direction: fc.constantFrom('inbound', 'outbound'),
  channel: atMost(16),
  agent: atMost(LIMITS.name),
  disposition: atMost(64),
  note: atMost(LIMITS.interactionNote),
  durationS: fc.nat(),
});

const phone = fc.oneof(validPhone, fc.record({ e164: e164s, display: around(LIMITS.rawPhone + 8), label: around(LIMITS.phoneLabel), extra: maybe(fc.string()) }, { requiredKeys: ['e164', 'display', 'label'] }));
const badFields: Record<string, fc.Arbitrary<unknown>> = {
  id: ids,
  name: around(LIMITS.name, 1),
  company: around(LIMITS.company),
  tier: fc.constantFrom('diamond', '', 1, 'Gold'),
  tags: fc.oneof(fc.array(around(LIMITS.tag), { maxLength: 3 }), fc.constantFrom(Array(LIMITS.tags + 1).fill('t'), 'tags', null)),
  notes: around(LIMITS.notes),
  phones: fc.oneof(fc.array(phone, { minLength: 0, maxLength: 3 }), fc.constant(Array(LIMITS.phones + 1).fill({ e164: '+8613800138000', display: '', label: '' })), fc.constant(null)),
  updatedAt: ints,
  unknownKey: fc.string(),
};
/** A valid object, or one with a single field replaced by something near or past its edge (or removed). */
function mutated<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>, bad: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const keys = Object.keys(bad);
  return fc.oneof(
    valid,
    fc.tuple(valid, fc.constantFrom(...keys), fc.boolean()).chain(([v, key, remove]) =>
      remove ? fc.constant(Object.fromEntries(Object.entries(v).filter(([k]) => k !== key))) : bad[key]!.map((x) => ({ ...v, [key]: x })),
    ),
  );
}
const customer = mutated(validCustomer, badFields);
const interaction = mutated(validInteraction, {
  id: around(64, 1),
  customerId: ids,
  at: ints,
  direction: fc.constantFrom('sideways', null),
  channel: around(16),
  agent: around(LIMITS.name),
  disposition: around(64),
  note: around(LIMITS.interactionNote),
  durationS: ints,
});
const seqs = fc.oneof(fc.nat(), ints);

/** Only keys that are present: a missing key and an undefined one differ in JSON. */
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (Number.isNaN(x) || x === Infinity ? x : x))) as unknown;

describe('fast line checks agree with the zod schemas', () => {
  it('on customer changes', () => {
    const change = fc.oneof(
      fc.record({ type: fc.constant('upsert'), seq: seqs, customer }),
      fc.record({ type: fc.constantFrom('tombstone', 'delete'), seq: seqs, id: ids, mergedInto: fc.oneof(fc.constant(null), ids) }),
    );
    fc.assert(
      fc.property(change, (raw) => {
        for (const v of [raw, viaJson(raw)]) expect(isCustomerChange(v), JSON.stringify(v).slice(0, 300)).toBe(CustomerChange.safeParse(v).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('on interaction changes', () => {
    const change = fc.oneof(fc.record({ type: fc.constant('upsert'), seq: seqs, interaction }), fc.record({ type: fc.constantFrom('tombstone', 'x'), seq: seqs, id: around(64, 1) }));
    fc.assert(
      fc.property(change, (raw) => {
        for (const v of [raw, viaJson(raw)]) expect(isInteractionChange(v), JSON.stringify(v).slice(0, 300)).toBe(InteractionChange.safeParse(v).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('sees both verdicts often (the generators are not one-sided)', () => {
    const verdicts = { customers: [0, 0], interactions: [0, 0] };
    fc.assert(
      fc.property(customer, interaction, (c, i) => {
        verdicts.customers[CustomerChange.safeParse({ type: 'upsert', seq: 1, customer: c }).success ? 1 : 0]!++;
        verdicts.interactions[InteractionChange.safeParse({ type: 'upsert', seq: 1, interaction: i }).success ? 1 : 0]!++;
      }),
      { numRuns: 3000 },
    );
    for (const [no, yes] of Object.values(verdicts)) {
      expect(yes).toBeGreaterThan(600);
      expect(no).toBeGreaterThan(600);
    }
    expect(isCustomerChange({ type: 'upsert', seq: 1, customer: { id: 'C-1', name: '王芳', company: '', tier: 'gold', tags: [], notes: '', phones: [{ e164: '+8613800138000', display: '138', label: '' }], updatedAt: 1 } })).toBe(true);
  });
});
