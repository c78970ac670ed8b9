// The screen pop's fast path for the common caller numbers: plain digits in one of the shapes a PBX
// delivers for a home-region number (+CC NSN, IDD CC NSN, CC NSN without the plus, trunk prefix or
// carrier code then NSN, bare NSN), and international numbers (+CC NSN, IDD CC NSN) of any region. A full libphonenumber parse and isValid() cost ~13 µs; this costs ~1 µs and is
// built from the same metadata, so it answers only where it is certain to agree with libphonenumber and
// returns undefined otherwise (the caller then takes the full parse). The property test
// test/unit/phone/ani-fast.test.ts holds the two to the same answers over millions of shapes.
import { Metadata } from 'libphonenumber-js/max';

interface TypeRule {
  pattern: RegExp;
  lengths: readonly number[] | undefined;
}

interface FastPlan {
  /** Country calling code, e.g. '86'. */
  cc: string;
  /** International dialling prefix, anchored (CN: 00, or a carrier code then 00). */
  idd: RegExp;
  /** National prefix for parsing, anchored (CN: a carrier code, or the trunk 0). */
  npfp: RegExp | null;
  general: RegExp;
  maxLength: number;
  /** libphonenumber's number types in its own order; a number is valid when one of them matches. */
  types: TypeRule[];
  /** Other regions share this calling code (+1, +44, +7 …): the region is chosen by the number. */
  shared: boolean;
  /** Where a shared calling code's region is told by its leading digits (anchored), else null. */
  leadingDigits: RegExp | null;
  /** The region has a national prefix transform rule (the fast path does not apply it). */
  transforms: boolean;
}

// The order of libphonenumber's getNumberType(); only whether one matches matters here.
const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

const plans = new Map<string, FastPlan | null>();

/**
 * The parts of libphonenumber-js's Metadata this module reads. They are its runtime API (the one its own
 * parser uses) but not in its published typings; if an upgrade changed them, compile() returns null, every
 * number takes the full parse, and the unit test that requires the fast path to answer fails.
 */
interface MetadataRuntime {
  hasCountry(region: string): boolean;
  selectNumberingPlan(region: string): void;
  getCountryCodesForCallingCode(cc: string): string[] | undefined;
  countryCallingCodes(): Record<string, string[]>;
  numberingPlan?: {
    leadingDigits(): string | undefined;
    callingCode(): string;
    IDDPrefix(): string;
    nationalPrefixForParsing(): string | undefined;
    nationalPrefixTransformRule(): string | undefined;
    nationalNumberPattern(): string;
    possibleLengths(): number[] | undefined;
    hasTypes(): boolean;
    type(t: string): { pattern(): string | undefined; possibleLengths(): number[] | undefined } | undefined;
  };
}

function compile(region: string): FastPlan | null {
  try {
    const m = new Metadata() as unknown as MetadataRuntime;
    if (!m.hasCountry(region)) return null;
    m.selectNumberingPlan(region);
    const p = m.numberingPlan;
    if (!p) return null;
    const cc = p.callingCode();
    // Without types, validity is the general pattern alone: leave such regions to libphonenumber.
    if (!p.hasTypes()) return null;
    const leading = p.leadingDigits();
    const general = p.nationalNumberPattern();
    const lengths = p.possibleLengths();
    if (!general || !lengths?.length) return null;
    const npfp = p.nationalPrefixForParsing();
    const types: TypeRule[] = [];
    for (const t of TYPES) {
      const def = p.type(t);
      const pattern = def?.pattern();
      if (def && pattern) types.push({ pattern: new RegExp(`^(?:${pattern})$`), lengths: def.possibleLengths() });
    }
    return {
      cc,
      idd: new RegExp(`^(?:${p.IDDPrefix()})`),
      npfp: npfp ? new RegExp(`^(?:${npfp})`) : null,
      general: new RegExp(`^(?:${general})$`),
      maxLength: lengths[lengths.length - 1] as number,
      types,
      shared: (m.getCountryCodesForCallingCode(cc) ?? []).length !== 1,
      leadingDigits: leading ? new RegExp(leading) : null,
      transforms: !!p.nationalPrefixTransformRule(),
    };
  } catch {
    return null;
  }
}

function planFor(region: string): FastPlan | null {
  let p = plans.get(region);
  if (p === undefined) {
    p = compile(region);
    plans.set(region, p);
  }
  return p;
}

let callingCodes: Record<string, string[]> | null | undefined;

/** Calling code → its regions, main region first (libphonenumber's own order). */
function regionsFor(cc: string): readonly string[] | undefined {
  if (callingCodes === undefined) {
    try {
      callingCodes = (new Metadata() as unknown as MetadataRuntime).countryCallingCodes();
    } catch {
      callingCodes = null;
    }
  }
  return callingCodes?.[cc];
}

/**
 * libphonenumber's choice of region for a shared calling code: the first region (in its order) whose
 * leading digits start the number or, for a region without them, for which the number is valid.
 * Undefined when any region on the way cannot be judged here.
 */
function regionOf(regions: readonly string[], nsn: string): string | undefined {
  if (regions.length === 1) return regions[0];
  for (const r of regions) {
    const p = planFor(r);
    if (!p) return undefined;
    if (p.leadingDigits) {
      if (nsn.search(p.leadingDigits) === 0) return r;
    } else if (isValidNsn(p, nsn)) return r;
  }
  return undefined;
}

function isValidNsn(f: FastPlan, nsn: string): boolean {
  if (!f.general.test(nsn)) return false;
  for (const t of f.types) {
    if (t.lengths && !t.lengths.includes(nsn.length)) continue;
    if (t.pattern.test(nsn)) return true;
  }
  return false;
}

/** True when libphonenumber would strip something (a trunk prefix or a carrier code) from these digits. */
function npfpMatches(f: FastPlan, digits: string): boolean {
  return f.npfp !== null && f.npfp.test(digits);
}

export interface FastParse {
  callingCode: string;
  nationalNumber: string;
  /** The number's region (the home region for the home shapes). */
  region: string;
}

/** +CC NSN (or IDD CC NSN, the IDD already removed), any region. */
function international(digits: string): FastParse | undefined {
  for (let len = 1; len <= 3 && len < digits.length; len++) {
    const cc = digits.slice(0, len);
    const regions = regionsFor(cc);
    if (!regions?.length) continue;
    const nsn = digits.slice(len);
    // libphonenumber strips a national prefix by the calling code's main region's rule: leave that to it.
    const main = planFor(regions[0] as string);
    if (!main || npfpMatches(main, nsn)) return undefined;
    const region = regionOf(regions, nsn);
    const plan = region ? planFor(region) : null;
    if (!region || !plan || !isValidNsn(plan, nsn)) return undefined;
    return { callingCode: cc, nationalNumber: nsn, region };
  }
  return undefined;
}

/**
 * The valid number in `digits` (separators and any `+` already removed) as libphonenumber would parse it
 * with `region` as the default, or undefined when that is not certain: then the full parse decides.
 */
export function fastParse(digits: string, plus: boolean, region: string): FastParse | undefined {
  if (plus) return international(digits);
  const f = planFor(region);
  if (!f) return undefined;
  const idd = f.idd.exec(digits);
  if (idd) return international(digits.slice(idd[0].length));
  // The home shapes: where several regions share the home calling code, or the home region transforms
  // its national prefix, the full parse decides.
  if (f.shared || f.transforms) return undefined;
  let nsn: string;
  if (digits.startsWith(f.cc)) {
    // libphonenumber's rule for a calling code sent without the plus: drop it when the whole does not
    // fit the national pattern but the rest does, or when the whole is too long.
    const shorter = digits.slice(f.cc.length);
    if (npfpMatches(f, digits) || npfpMatches(f, shorter)) return undefined;
    nsn = (!f.general.test(digits) && f.general.test(shorter)) || digits.length > f.maxLength ? shorter : digits;
  } else if (f.npfp) {
    // A trunk prefix or a carrier code (CN: 0, or 17951 …): libphonenumber strips what the national
    // prefix rule matches when the rest is a valid number, which is all the fast path accepts below.
    const m = f.npfp.exec(digits);
    nsn = m ? digits.slice(m[0].length) : digits;
  } else {
    nsn = digits;
  }
  if (nsn === '' || npfpMatches(f, nsn) || !isValidNsn(f, nsn)) return undefined;
  return { callingCode: f.cc, nationalNumber: nsn, region };
}
