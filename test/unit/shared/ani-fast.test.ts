// The ANI fast path must never disagree with libphonenumber: wherever it answers, a full parse of the
// same digits in the same region is valid and gives the same number. And it must actually answer for the
// shapes PBXs send most, or the screen pop pays for the full parse on every call.
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../../shared/phone/ani-fast';
import { normaliseAni } from '../../../shared/phone/ani';
import type { NumberPlan } from '../../../shared/domain/settings';

const REGIONS = ['CN', 'HK', 'TW', 'SG', 'JP', 'KR', 'DE', 'FR', 'IN', 'AU', 'BR', 'GB', 'US', 'RU', 'IT', 'MX', 'AR', 'ZA'] as const;

/** Digit strings in the shapes PBXs deliver, with random digits and the prefixes that make parsing hard. */
const digitsLike = fc
  .tuple(
    fc.constantFrom('', '', '0', '00', '000', '86', '0086', '001', '011', '852', '17951', '12593', '1791', '179510', '1', '8', '44', '81', '91', '6', '9'),
    fc.stringMatching(/^\d{0,15}$/),
  )
  .map(([p, r]) => (p + r).slice(0, 20));

/** libphonenumber's answer: the E.164 and the region, or undefined when not valid. */
function full(digits: string, plus: boolean, region: string): string | undefined {
  const n = parsePhoneNumberFromString(plus ? `+${digits}` : digits, region as CountryCode);
  return n?.isValid() ? `${n.number} ${n.country}` : undefined;
}
const answer = (f: { callingCode: string; nationalNumber: string; region: string }) => `+${f.callingCode}${f.nationalNumber} ${f.region}`;

describe('ANI fast path', () => {
  it('agrees with libphonenumber wherever it answers (random digits, prefixes and regions)', () => {
    fc.assert(
      fc.property(digitsLike, fc.boolean(), fc.constantFrom(...REGIONS), (digits, plus, region) => {
        const fast = fastParse(digits, plus, region);
        if (fast) expect(answer(fast), `${region} ${plus ? '+' : ''}${digits}`).toBe(full(digits, plus, region));
      }),
      { numRuns: 200_000 },
    );
  });

  it('agrees with libphonenumber on every spelling (+CC, IDD CC, CC, trunk, bare) of random national numbers', () => {
    let answered = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.constantFrom('CN', 'HK', 'SG', 'JP', 'DE', 'FR', 'IN', 'KR'), fc.stringMatching(/^[1-9]\d{5,11}$/), (region, nsn) => {
        const cc = getCountryCallingCode(region as CountryCode);
        for (const [s, plus] of [
          [`${cc}${nsn}`, true],
          [`00${cc}${nsn}`, false],
          [`${cc}${nsn}`, false],
          [`0${nsn}`, false],
          [nsn, false],
        ] as const) {
          const fast = fastParse(s, plus, region);
          total++;
          if (!fast) continue;
          answered++;
          expect(answer(fast), `${region} ${plus ? '+' : ''}${s}`).toBe(full(s, plus, region));
        }
      }),
      { numRuns: 50_000 },
    );
    expect(answered).toBeGreaterThan(total / 20);
    expect(answered).toBeLessThan(total);
  });

  it('answers for every valid CN mobile and landline in the common spellings', () => {
    const mobile = fc.tuple(fc.constantFrom('130', '138', '139', '150', '158', '166', '177', '186', '189', '199'), fc.stringMatching(/^\d{8}$/)).map(([p, r]) => p + r);
    const landline = fc.tuple(fc.constantFrom('10', '21', '20', '755', '571', '28', '27', '591'), fc.stringMatching(/^[2-8]\d{7}$/)).map(([a, l]) => a + l);
    fc.assert(
      fc.property(fc.oneof(mobile, landline), (nsn) => {
        if (!full(nsn.startsWith('1') ? nsn : `0${nsn}`, false, 'CN')) return; // not every random landline is assigned
        for (const [s, plus] of [
          [`86${nsn}`, true],
          [`0086${nsn}`, false],
          [`86${nsn}`, false],
          [`0${nsn}`, false],
          [`17951${nsn}`, false],
        ] as const) {
          if (s.startsWith('17951') && !nsn.startsWith('1')) continue; // carrier code, trunk 0, landline: the full parse
          expect(fastParse(s, plus, 'CN'), `${plus ? '+' : ''}${s}`).toEqual({ callingCode: '86', nationalNumber: nsn, region: 'CN' });
        }
        if (nsn.startsWith('1')) expect(fastParse(nsn, false, 'CN')).toEqual({ callingCode: '86', nationalNumber: nsn, region: 'CN' });
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes a carrier code before a mobile; leaves carrier and trunk, foreign numbers and shared calling codes to the full parse', () => {
    expect(fastParse('1795113800138000', false, 'CN')).toEqual({ callingCode: '86', nationalNumber: '13800138000', region: 'CN' });
    expect(fastParse('1259301065528899', false, 'CN')).toBeUndefined();
    expect(fastParse('0044207946000', false, 'CN')).toBeUndefined(); // one digit short: not valid
    expect(fastParse('2125550123', false, 'US')).toBeUndefined(); // +1 is shared by 25 regions
    expect(fastParse('13800138000', false, 'ZZ')).toBeUndefined();
    expect(fastParse('', false, 'CN')).toBeUndefined();
  });

  it('agrees with libphonenumber on international numbers of every region, shared calling codes included', () => {
    const regions = getCountries();
    let answered = 0;
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.stringMatching(/^\d{4,12}$/), fc.constantFrom('CN', 'US', 'GB', 'HK'), fc.boolean(), (region, nsn, home, plus) => {
        const cc = getCountryCallingCode(region);
        const digits = plus ? `${cc}${nsn}` : `00${cc}${nsn}`;
        const fast = fastParse(digits, plus, home);
        if (home === 'US' && !plus) return; // 00 is not the US IDD
        if (!fast) return;
        answered++;
        expect(answer(fast), `${home} ${plus ? '+' : ''}${digits}`).toBe(full(digits, plus, home));
      }),
      { numRuns: 100_000 },
    );
    expect(answered).toBeGreaterThan(1000);
    // Examples of shared calling codes: the region comes from the number, as libphonenumber decides it.
    for (const [e164, region] of [
      ['12125550123', 'US'],
      ['14165550123', 'CA'],
      ['442079460000', 'GB'],
      ['85291234567', 'HK'],
    ] as const) {
      const f = fastParse(e164, true, 'CN');
      if (f) expect(answer(f)).toBe(full(e164, true, 'CN'));
      expect(full(e164, true, 'CN')?.endsWith(region) ?? true).toBe(true);
    }
    expect(fastParse('85291234567', true, 'CN')).toEqual({ callingCode: '852', nationalNumber: '91234567', region: 'HK' });
  });

  it('normaliseAni gives the same answer through the fast path as through the full parse', () => {
    // The full parse alone: a region the fast path does not serve would not test CN, so compare against
    // libphonenumber directly for each spelling the fast path takes.
    const CN: NumberPlan = { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' };
    const BJ: NumberPlan = { ...CN, localAreaCode: '10' };
    for (const [input, plan, e164, display] of [
      ['+86 138 0013 8000', CN, '+8613800138000', '138 0013 8000'],
      ['sip:008613800138000@pbx;user=phone', CN, '+8613800138000', '138 0013 8000'],
      ['010-6552-8899', CN, '+861065528899', '010 6552 8899'],
      ['65528899', BJ, '+861065528899', '010 6552 8899'],
      ['8613800138000', CN, '+8613800138000', '138 0013 8000'],
    ] as const) {
      const a = normaliseAni(input, plan);
      expect(a, input).toMatchObject({ e164, valid: true, kind: 'number', display, nsn: e164.slice(3) });
    }
  });
});
