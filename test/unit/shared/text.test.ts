// cleanText: hostile text made inert and bounded, for every input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../shared/text';

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Strings rich in what cleanText must handle: emoji (surrogate pairs), bidi controls, zero-width, CJK, controls. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', '王', '😀', '👩‍👩‍👧', '\u202E', '\u2066', '\u200B', '\u200F', '\uFEFF', '\u0000', '\u0085', '\uD83D', '\uDE00', 'e\u0301'), maxLength: 300 }),
);

describe('cleanText', () => {
  it('examples', () => {
    expect(cleanText('  Wang \n\t Fang  ', { max: 50 })).toBe('Wang Fang');
    expect(cleanText('line 1\r\nline 2\n\n\n\nline 3', { max: 50, multiline: true })).toBe('line 1\nline 2\n\nline 3');
    expect(cleanText('abcdef', { max: 4 })).toBe('abc…');
    expect(cleanText('ab😀cd', { max: 4 })).toBe('ab…');
    expect(cleanText(42, { max: 4 })).toBe('');
    expect(cleanText(undefined, { max: 4 })).toBe('');
    expect(cleanText('e\u0301', { max: 4 })).toBe('é');
  });

  it('is never longer than max', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 200 }), fc.boolean(), (s, max, multiline) => {
        expect(cleanText(s, { max, multiline }).length).toBeLessThanOrEqual(max);
      }),
      { numRuns: 1500 },
    );
  });

  it('never contains bidi controls, zero-width characters or control characters', () => {
    fc.assert(
      fc.property(hostile, fc.boolean(), (s, multiline) => {
        const out = cleanText(s, { max: 1000, multiline });
        expect(out).not.toMatch(BIDI);
        expect(out).not.toMatch(/[\u200B-\u200D\u2060\uFEFF]/);
        expect(out).not.toMatch(CONTROLS);
        if (!multiline) expect(out).not.toMatch(/[\n\r\t]/);
      }),
      { numRuns: 1500 },
    );
  });

  it('never splits a surrogate pair, even when it truncates', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 60 }), (s, max) => {
        expect(cleanText(s, { max })).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: 1500 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 1, max: 100 }), fc.boolean(), (s, max, multiline) => {
        const once = cleanText(s, { max, multiline });
        expect(cleanText(once, { max, multiline })).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('costs the same for a 10 MB string as for a short one (bounded work)', () => {
    const out = cleanText('x'.repeat(10_000_000), { max: 80 });
    expect(out).toBe(`${'x'.repeat(79)}…`);
  });
});
