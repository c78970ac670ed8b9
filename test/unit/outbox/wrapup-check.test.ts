// The checks a wrap-up passes before it is saved (the form and the main process run the same ones):
// oversized notes, invalid or out-of-range dates, unknown dispositions and categories, bad numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNewCustomer, checkWrapUp } from '../../../shared/outbox/desktop';
import { DEFAULT_CATEGORIES, DEFAULT_DISPOSITIONS } from '../../../shared/outbox/followups';
import { OUTBOX_LIMITS, type WrapUp } from '../../../shared/outbox/items';

const NOW = 1_800_000_000_000;
const CFG = { dispositions: [...DEFAULT_DISPOSITIONS, { code: 'retired', en: 'Retired', zh: '停用', active: false }], categories: [...DEFAULT_CATEGORIES] };
const ID = '01J9Z3V6K6T4Q0W8S2E5H7M1NB';
const FID = '01J9Z3V6K6T4Q0W8S2E5H7M1NC';
const base: WrapUp = { interactionId: ID, customerId: 'C-STORY-1', customerSnapshot: null, disposition: 'resolved', note: '', wrapMs: 0, followups: [] };
const cb = (over: Record<string, unknown> = {}) => ({ id: FID, kind: 'callback', dueAt: NOW + 3_600_000, number: '138 0013 8000', assignee: 'me', note: '', ...over });
const fields = (w: unknown) => checkWrapUp(w, CFG, NOW).map((i) => i.field);

describe('checkWrapUp', () => {
  it('accepts a complete wrap-up with a callback and a ticket', () => {
    expect(checkWrapUp({ ...base, note: '好', followups: [cb(), { id: FID, kind: 'ticket', category: 'billing', priority: 'high', description: 'x' }] }, CFG, NOW)).toEqual([]);
  });

  it('refuses an oversized note, saying how long it may be', () => {
    expect(checkWrapUp({ ...base, note: 'x'.repeat(OUTBOX_LIMITS.note) }, CFG, NOW)).toEqual([]);
    const issues = checkWrapUp({ ...base, note: '长'.repeat(OUTBOX_LIMITS.note + 1) }, CFG, NOW);
    expect(issues).toEqual([{ field: 'note', message: `the note is longer than ${OUTBOX_LIMITS.note} characters` }]);
  });

  it('refuses unknown and retired dispositions, and unknown ticket categories', () => {
    expect(fields({ ...base, disposition: 'made_up' })).toEqual(['disposition']);
    expect(fields({ ...base, disposition: 'retired' })).toEqual(['disposition']);
    expect(fields({ ...base, disposition: 'Not A Code' })).toEqual(['disposition']);
    expect(fields({ ...base, followups: [{ id: FID, kind: 'ticket', category: 'nope', priority: 'low', description: 'x' }] })).toEqual(['followups.0.category']);
    // Without a configuration (never fetched), the code is left to the backend to judge.
    expect(checkWrapUp({ ...base, disposition: 'made_up' }, null, NOW)).toEqual([]);
  });

  it('refuses callback times that are not dates, in the past, or more than a year ahead', () => {
    expect(fields({ ...base, followups: [cb({ dueAt: NaN })] })).toEqual(['followups.0.dueAt']);
    expect(fields({ ...base, followups: [cb({ dueAt: 'tomorrow' })] })).toEqual(['followups.0.dueAt']);
    expect(fields({ ...base, followups: [cb({ dueAt: 12 })] })).toEqual(['followups.0.dueAt']);
    expect(fields({ ...base, followups: [cb({ dueAt: NOW - 3_600_000 })] })).toEqual(['followups.0.dueAt']);
    expect(fields({ ...base, followups: [cb({ dueAt: NOW + 400 * 86_400_000 })] })).toEqual(['followups.0.dueAt']);
    expect(fields({ ...base, followups: [cb({ dueAt: NOW - 60_000 })] })).toEqual([]); // a slow form is fine
  });

  it('refuses callback numbers that are not phone numbers, and empty ticket descriptions', () => {
    expect(fields({ ...base, followups: [cb({ number: 'call me' })] })).toEqual(['followups.0.number']);
    expect(fields({ ...base, followups: [cb({ number: '12' })] })).toEqual(['followups.0.number']);
    expect(fields({ ...base, followups: [{ id: FID, kind: 'ticket', category: 'billing', priority: 'low', description: '   ' }] })).toEqual(['followups.0.description']);
    expect(fields({ ...base, followups: Array.from({ length: OUTBOX_LIMITS.followups + 1 }, () => cb()) })).toEqual(['followups']);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = checkWrapUp(x, CFG, NOW);
        return Array.isArray(r) && r.length > 0;
      }),
    );
  });
});

describe('checkNewCustomer', () => {
  it('needs a name and a number, and the desktop’s id form', () => {
    const ok = { id: `N-${ID}`, name: '新客户', company: '', notes: '', phones: [{ number: '13911112222', label: '' }], interactionId: ID };
    expect(checkNewCustomer(ok)).toEqual([]);
    expect(checkNewCustomer({ ...ok, name: '  ' }).map((i) => i.field)).toEqual(['name']);
    expect(checkNewCustomer({ ...ok, phones: [] }).map((i) => i.field)).toEqual(['phones']);
    expect(checkNewCustomer({ ...ok, id: 'C123' }).map((i) => i.field)).toEqual(['id']);
  });
});
