// X-Lianluo-Context: what a transfer carries, and what a receiving desktop accepts from the network.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { formatContext, isInteractionId, parseContext, MAX_REASON } from '../../../renderer/phone/context-header';

const ID = '01J9Z3V6K6T4Q0W8S2E5H7M1NB';

describe('X-Lianluo-Context', () => {
  it('round-trips the interaction id, the caller number, the customer, the reason and who transferred', () => {
    const header = formatContext({ interactionId: ID, number: '+8613800138000', customerId: 'C-STORY-1', reason: '续约折扣; 请回电 = urgent', by: 'Li Na' });
    expect(header).toMatch(/^01J9Z3V6K6T4Q0W8S2E5H7M1NB;ani=%2B8613800138000;customer=C-STORY-1;reason=[^;]+;by=Li%20Na$/);
    expect(/^[\x20-\x7e]+$/.test(header)).toBe(true); // one ASCII header line
    expect(parseContext(header)).toEqual({ interactionId: ID, number: '+8613800138000', customerId: 'C-STORY-1', reason: '续约折扣; 请回电 = urgent', by: 'Li Na' });
  });

  it('accepts a bare interaction id (another system may send only that)', () => {
    expect(parseContext(ID)).toEqual({ interactionId: ID, number: '' });
    expect(parseContext(` ${ID} ;ani=13800138000`)).toEqual({ interactionId: ID, number: '13800138000' });
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not a ULID', 'hello;ani=1'],
    ['a lower-case id', ID.toLowerCase()],
    ['an id with I, L, O, U', '01J9Z3V6K6T4Q0W8S2E5H7M1NI'],
    ['too long', `${ID};reason=${'x'.repeat(2000)}`],
  ])('ignores a header that is %s', (_what, v) => {
    expect(parseContext(v)).toBeUndefined();
  });

  it('drops parameters that do not pass their pattern, keeps the rest', () => {
    const c = parseContext(`${ID};ani=<script>;customer=../../etc;reason=%E0%A4%A;by=%3Cb%3EBoss%3C%2Fb%3E;ani2=1`);
    expect(c).toEqual({ interactionId: ID, number: '', by: '<b>Boss</b>' }); // shown as text only
  });

  it('cleans reasons: bidi overrides and controls removed, length bounded', () => {
    const c = parseContext(`${ID};reason=${encodeURIComponent(`\u202Egnp.exe\u0007 ${'x'.repeat(500)}`)}`);
    expect(c?.reason).not.toContain('\u202E');
    expect(c?.reason).not.toContain(String.fromCharCode(7));
    expect(c?.reason?.length).toBeLessThanOrEqual(MAX_REASON);
  });

  it('refuses to format without a valid interaction id', () => {
    expect(() => formatContext({ interactionId: 'nope', number: '1' })).toThrow();
  });

  it('property: whatever the fields, the header is one ASCII line that parses back to the cleaned fields', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 120 }), fc.stringMatching(/^\+?[0-9]{1,20}$/), (reason, by, number) => {
        const id = ulid();
        const h = formatContext({ interactionId: id, number, reason, by });
        expect(/^[\x20-\x7e]+$/.test(h)).toBe(true);
        expect(h).not.toMatch(/[\r\n]/);
        const back = parseContext(h);
        expect(back?.interactionId).toBe(id);
        expect(back?.number).toBe(number);
        expect(isInteractionId(id)).toBe(true);
      }),
    );
  });

  it('property: parsing arbitrary input never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (s) => void parseContext(s)));
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (s) => void parseContext(`${ID};${s}`)));
  });
});
