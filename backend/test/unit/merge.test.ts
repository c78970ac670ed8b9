import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../../../shared/domain/customer-input';
import { mergedRecord } from '../../customers/store';
import { HttpError } from '../../http/errors';

const rec = (over: Partial<CustomerRecord>): CustomerRecord => ({
  id: 'X',
  name: 'N',
  company: '',
  tier: 'standard',
  tags: [],
  notes: '',
  phones: [{ e164: '+8613800000000', display: '', label: '' }],
  updatedAt: 1,
  ...over,
});

describe('mergedRecord', () => {
  it('keeps the survivor and adds what only the other one had', () => {
    const m = mergedRecord(
      rec({ id: 'A', name: 'Old', company: 'Acme', tier: 'gold', tags: ['x', 'y'], notes: 'a', phones: [{ e164: '+8613800000001', display: '', label: 'm' }] }),
      rec({ id: 'B', name: 'New', tags: ['y'], notes: '' }),
      5,
    );
    expect(m).toEqual({
      id: 'B',
      name: 'New',
      company: 'Acme',
      tier: 'gold',
      tags: ['y', 'x'],
      notes: 'a',
      phones: [
        { e164: '+8613800000000', display: '', label: '' },
        { e164: '+8613800000001', display: '', label: 'm' },
      ],
      updatedAt: 5,
    });
    expect(mergedRecord(rec({ notes: 'same' }), rec({ notes: 'same' })).notes).toBe('same');
    expect(mergedRecord(rec({ tier: 'silver' }), rec({ tier: 'platinum' })).tier).toBe('platinum');
  });

  it('refuses rather than drop data over the limits', () => {
    const phones = (from: number) => Array.from({ length: 6 }, (_, i) => ({ e164: `+86138000000${from + i}`, display: '', label: '' }));
    expect(() => mergedRecord(rec({ phones: phones(10) }), rec({ phones: phones(20) }))).toThrow(HttpError);
    const tags = (p: string) => Array.from({ length: 15 }, (_, i) => `${p}${i}`);
    expect(() => mergedRecord(rec({ tags: tags('a') }), rec({ tags: tags('b') }))).toThrow(/tags/);
    expect(() => mergedRecord(rec({ notes: 'a'.repeat(3000) }), rec({ notes: 'b'.repeat(3000) }))).toThrow(/notes/);
  });
});
