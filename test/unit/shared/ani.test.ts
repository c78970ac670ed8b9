// Caller number (ANI) normalisation: a table of what PBXs and carriers really send, and properties over
// every spelling of valid Chinese numbers and over arbitrary hostile strings.
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';
import type { NumberPlan } from '../../../shared/domain/settings';
import { MAX_ANI_LENGTH, normaliseAni, reversedDigits, suffixLength } from '../../../shared/phone/ani';

const CN: NumberPlan = DEFAULT_NUMBER_PLAN;
const BEIJING: NumberPlan = { ...CN, localAreaCode: '10' };
const OUTSIDE_9: NumberPlan = { ...CN, outsideLinePrefix: '9' };
const US: NumberPlan = { defaultRegion: 'US', localAreaCode: '', outsideLinePrefix: '' };

const MOBILE = '+8613800138000';
const BJ_LANDLINE = '+861065528899';

type Row = [input: string, plan: NumberPlan, e164: string | null, kind: 'valid' | 'short' | 'withheld' | 'invalid', display?: string];

const TABLE: Row[] = [
  // country code spellings
  ['+8613800138000', CN, MOBILE, 'valid', '138 0013 8000'],
  ['008613800138000', CN, MOBILE, 'valid'],
  ['8613800138000', CN, MOBILE, 'valid'],
  ['13800138000', CN, MOBILE, 'valid'],
  // trunk 0 before mobiles and landlines
  ['013800138000', CN, MOBILE, 'valid'],
  ['01065528899', CN, BJ_LANDLINE, 'valid', '010 6552 8899'],
  ['+861065528899', CN, BJ_LANDLINE, 'valid'],
  ['861065528899', CN, BJ_LANDLINE, 'valid'],
  ['00861065528899', CN, BJ_LANDLINE, 'valid'],
  ['075512345678', CN, '+8675512345678', 'valid'],
  // IP-dial carrier prefixes, before mobiles and before the trunk 0 of landlines and mobiles
  ['1795113800138000', CN, MOBILE, 'valid'],
  ['1259313800138000', CN, MOBILE, 'valid'],
  ['1791113800138000', CN, MOBILE, 'valid'],
  ['17951013800138000', CN, MOBILE, 'valid'],
  ['1795101065528899', CN, BJ_LANDLINE, 'valid'],
  ['12593 010 6552 8899', CN, BJ_LANDLINE, 'valid'],
  ['17911-0755-12345678', CN, '+8675512345678', 'valid'],
  // 400 / 800 service numbers are real numbers a customer may call from a company line
  ['4008101234', CN, '+864008101234', 'valid', '400 810 1234'],
  ['400-810-1234', CN, '+864008101234', 'valid'],
  ['+864008101234', CN, '+864008101234', 'valid'],
  ['8008101234', CN, '+868008101234', 'valid'],
  // a local number sent without its area code: only valid with the site's configured area code
  ['88886666', BEIJING, '+861088886666', 'valid', '010 8888 6666'],
  ['8888 6666', BEIJING, '+861088886666', 'valid'],
  ['88886666', CN, null, 'invalid'],
  ['010 8888 6666', BEIJING, '+861088886666', 'valid'],
  ['13800138000', BEIJING, MOBILE, 'valid'],
  ['20950000', BEIJING, '+861020950000', 'valid'], // local first, not Guangzhou's 020-950000
  ['65528899', { ...CN, localAreaCode: '21' }, '+862165528899', 'valid'],
  ['10086', BEIJING, null, 'short'], // service codes stay services where an area code is configured
  ['95588', BEIJING, null, 'short'],
  ['12345', BEIJING, null, 'short'],
  // the PBX's outside-line prefix
  ['913800138000', OUTSIDE_9, MOBILE, 'valid'],
  ['9013800138000', OUTSIDE_9, MOBILE, 'valid'],
  ['901065528899', OUTSIDE_9, BJ_LANDLINE, 'valid'],
  ['+8613800138000', OUTSIDE_9, MOBILE, 'valid'],
  // withheld
  ['anonymous', CN, null, 'withheld'],
  ['Anonymous', CN, null, 'withheld'],
  ['Restricted', CN, null, 'withheld'],
  ['unavailable', CN, null, 'withheld'],
  ['', CN, null, 'withheld'],
  ['   ', CN, null, 'withheld'],
  ['sip:anonymous@anonymous.invalid', CN, null, 'withheld'],
  ['"Anonymous" <sip:anonymous@anonymous.invalid>', CN, null, 'withheld'],
  // short codes and extensions: services, not customers
  ['10086', CN, null, 'short'],
  ['95588', CN, null, 'short'],
  ['110', CN, null, 'short'],
  ['1001', CN, null, 'short'],
  ['sip:1001@pbx.local', CN, null, 'short'],
  // SIP and tel URIs
  ['sip:+8613800138000@pbx.example.com;user=phone', CN, MOBILE, 'valid'],
  ['<sip:013800138000@10.0.0.1:5060>', CN, MOBILE, 'valid'],
  ['sips:13800138000@pbx', CN, MOBILE, 'valid'],
  ['tel:+86-138-0013-8000', CN, MOBILE, 'valid'],
  ['TEL:+8613800138000;phone-context=+86', CN, MOBILE, 'valid'],
  ['sip:%2B8613800138000@pbx', CN, MOBILE, 'valid'],
  // full-width digits and plus (Chinese input methods), separators of every kind
  ['１３８００１３８０００', CN, MOBILE, 'valid'],
  ['＋８６ １３８ ００１３ ８０００', CN, MOBILE, 'valid'],
  ['138-0013-8000', CN, MOBILE, 'valid'],
  ['138.0013.8000', CN, MOBILE, 'valid'],
  ['(010) 6552 8899', CN, BJ_LANDLINE, 'valid'],
  ['138\u30000013\u30008000', CN, MOBILE, 'valid'],
  ['138\u00A00013\u20138000', CN, MOBILE, 'valid'],
  ['138/0013/8000', CN, MOBILE, 'valid'],
  // international, with + or the IDD 00
  ['+14155552671', CN, '+14155552671', 'valid', '+1 415 555 2671'],
  ['0014155552671', CN, '+14155552671', 'valid'],
  ['+44 20 7946 0018', CN, '+442079460018', 'valid'],
  ['00442079460018', CN, '+442079460018', 'valid'],
  ['0085251234567', CN, '+85251234567', 'valid'],
  ['+8613800138000', US, MOBILE, 'valid', '+86 138 0013 8000'],
  ['4155552671', US, '+14155552671', 'valid', '(415) 555-2671'],
  // not numbers
  ['hello', CN, null, 'invalid'],
  ['1380013800', CN, null, 'invalid'],
  ['138001380001234', CN, null, 'invalid'],
  ['<img src=x onerror=alert(1)>', CN, null, 'invalid'],
  ['12345678901234567890123', CN, null, 'invalid'],
];

describe('normaliseAni: what PBXs and carriers send', () => {
  it.each(TABLE)('%j (%o) → %s', (input, plan, e164, kind, display) => {
    const a = normaliseAni(input, plan);
    expect(a.e164).toBe(e164);
    if (kind === 'valid') {
      expect(a.valid).toBe(true);
      expect(a.nsn).toBe(e164?.startsWith('+86') ? e164.slice(3) : a.nsn);
      expect(e164?.endsWith(a.nsn)).toBe(true);
    } else {
      expect(a.valid).toBe(false);
      expect(a.kind).toBe(kind);
    }
    if (display !== undefined) expect(a.display).toBe(display);
    expect(a.raw).toBe(input);
  });

  it('keeps the input bounded', () => {
    const long = '1'.repeat(10_000);
    const a = normaliseAni(long, CN);
    expect(a.raw).toHaveLength(MAX_ANI_LENGTH);
    expect(a.valid).toBe(false);
  });

  it('does not treat a short outside-line-prefixed code as a number', () => {
    // 9 + 10086 is the service code dialled from the PBX, not 0086…
    expect(normaliseAni('910086', OUTSIDE_9).valid).toBe(false);
  });
});

// ---------- properties ----------

/** Prefixes of valid Chinese mobile ranges (checked against libphonenumber by the first property). */
const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '147', '150', '151', '152', '153', '155', '156', '157', '158', '159', '166', '173', '176', '177', '178', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '191', '198', '199'];
const cnMobile = fc.tuple(fc.constantFrom(...MOBILE_PREFIXES), fc.stringMatching(/^\d{8}$/)).map(([p, r]) => p + r);
const toFullWidth = (s: string) => s.replace(/[0-9+]/g, (c) => (c === '+' ? '\uFF0B' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));
const grouped = (n: string, sep: string) => `${n.slice(0, 3)}${sep}${n.slice(3, 7)}${sep}${n.slice(7)}`;

const MOBILE_SPELLINGS: ((n: string) => [string, NumberPlan])[] = [
  (n) => [n, CN],
  (n) => [`+86${n}`, CN],
  (n) => [`+86 ${grouped(n, ' ')}`, CN],
  (n) => [`0086${n}`, CN],
  (n) => [`86${n}`, CN],
  (n) => [`0${n}`, CN],
  (n) => [`17951${n}`, CN],
  (n) => [`12593${n}`, CN],
  (n) => [`17911${n}`, CN],
  (n) => [`17951 0${n}`, CN],
  (n) => [grouped(n, '-'), CN],
  (n) => [toFullWidth(`+86${n}`), CN],
  (n) => [`sip:+86${n}@pbx.example.com;user=phone`, CN],
  (n) => [`<sip:0${n}@10.1.2.3>`, CN],
  (n) => [`tel:+86-${grouped(n, '-')}`, CN],
  (n) => [`9${n}`, OUTSIDE_9],
  (n) => [`90${n}`, OUTSIDE_9],
  (n) => [n, BEIJING],
];

const AREAS = ['10', '20', '21', '22', '23', '25', '27', '28', '29', '755', '571', '512'];
const cnLandline = fc.tuple(fc.constantFrom(...AREAS), fc.stringMatching(/^[2-8]\d{7}$/));

describe('normaliseAni properties', () => {
  it('every valid CN mobile, in any accepted spelling, normalises to the same E.164', () => {
    fc.assert(
      fc.property(cnMobile, fc.constantFrom(...MOBILE_SPELLINGS), (n, spell) => {
        const [input, plan] = spell(n);
        const a = normaliseAni(input, plan);
        expect(a.valid, input).toBe(true);
        expect(a.e164, input).toBe(`+86${n}`);
        expect(a.nsn).toBe(n);
      }),
      { numRuns: 600 },
    );
  });

  it('every CN landline, with or without trunk, country code, carrier code or (configured) area code, is the same E.164', () => {
    fc.assert(
      fc.property(cnLandline, fc.integer({ min: 0, max: 6 }), ([area, local], way) => {
        const e164 = `+86${area}${local}`;
        // Not every random subscriber number is in an assigned range (010 8000 0000 is not).
        fc.pre(parsePhoneNumberFromString(e164)?.isValid() === true);
        const [input, plan]: [string, NumberPlan] = [
          [`0${area}${local}`, CN],
          [`0${area}-${local.slice(0, 4)} ${local.slice(4)}`, CN],
          [`+86${area}${local}`, CN],
          [`0086${area}${local}`, CN],
          [`17951 0${area} ${local}`, CN],
          [local, { ...CN, localAreaCode: area }],
          [`9${local}`, { ...CN, localAreaCode: area, outsideLinePrefix: '9' }],
        ][way] as [string, NumberPlan];
        const a = normaliseAni(input, plan);
        expect(a.e164, input).toBe(e164);
      }),
      { numRuns: 400 },
    );
  });

  it('never invents an area code when none is configured', () => {
    // Some 8-digit strings are complete national numbers on their own (20960000 is 020-960000): those
    // may be valid, but only as themselves, never as a number in some guessed area.
    fc.assert(
      fc.property(fc.stringMatching(/^[2-8]\d{7}$/), (local) => {
        const a = normaliseAni(local, CN);
        if (a.valid) expect(a.e164).toBe(`+86${local}`);
      }),
      { numRuns: 500 },
    );
  });

  it('is a fixed point on its own output', () => {
    fc.assert(
      fc.property(cnMobile, fc.constantFrom(...MOBILE_SPELLINGS), (n, spell) => {
        const [input, plan] = spell(n);
        const once = normaliseAni(input, plan);
        expect(normaliseAni(once.e164 ?? '', plan).e164).toBe(once.e164);
      }),
    );
  });

  it('never throws on arbitrary input and keeps every output bounded and well-formed', () => {
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 600 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.stringMatching(/^[+\d\s\-().]{0,40}$/),
      fc.tuple(fc.constantFrom('sip:', 'tel:', '<sip:', 'sips:', ''), fc.string({ maxLength: 60 }), fc.constantFrom('@h', '@h>', ';x', '')).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(anything, fc.constantFrom(CN, BEIJING, OUTSIDE_9, US), (input, plan) => {
        const a = normaliseAni(input, plan);
        expect(a.raw.length).toBeLessThanOrEqual(MAX_ANI_LENGTH);
        expect(a.display.length).toBeLessThanOrEqual(64);
        expect(a.digits).toMatch(/^\d{0,20}$/);
        expect(a.nsn.length).toBeLessThanOrEqual(20);
        if (a.valid) expect(a.e164).toMatch(/^\+[1-9]\d{4,15}$/);
        else expect(a.e164).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('reversedDigits: reversing twice gives the digits back; suffixes become prefixes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const digits = s.replace(/\D/g, '');
        expect(reversedDigits(reversedDigits(s))).toBe(digits);
        expect(reversedDigits(s)).toHaveLength(digits.length);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,16}$/), fc.stringMatching(/^\d{0,16}$/), (a, b) => {
        expect(reversedDigits(a).startsWith(reversedDigits(b))).toBe(a.endsWith(b));
      }),
    );
    expect(reversedDigits('+86 138-0013-8000')).toBe('0008310083168');
  });

  it('suffixLength never asks for more digits than there are, nor more than 11', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{0,20}$/), (nsn) => {
        const n = suffixLength(nsn);
        expect(n).toBeLessThanOrEqual(Math.min(11, nsn.length));
        expect(n).toBe(Math.min(11, nsn.length));
      }),
    );
  });
});
