// WebHID `collections` → where each call-control lives: input report id + bit for the buttons, output report
// id + bit for the LEDs. Positions come from bit arithmetic over each report's items (report size × count,
// padding and arrays included), never from an item's index or the order of reports: Windows rebuilds
// collections from preparsed data, splitting and merging items, and Chromium keeps reports in an unordered
// map (../shared/research/headset-hid.md §4.2). `bit` counts from the first bit after the report-id byte,
// i.e. bit N is `data.getUint8(N >> 3) >> (N & 7)` in an `inputreport` event's DataView.
// Every exported function is total: odd or hostile collections give nulls, never an exception.
import { KNOWN_REJECT_USAGES } from './quirks';
import { usageOf, type HIDCollectionInfoLike, type HIDReportInfoLike, type HIDReportItemLike } from './webhid';

export const PAGE_LED = 0x08;
export const PAGE_BUTTON = 0x09;
export const PAGE_TELEPHONY = 0x0b;
export const PAGE_CONSUMER = 0x0c;

/** Standard input usages (HUT: Telephony and Consumer pages). */
export const INPUT_USAGES = {
  hookSwitch: usageOf(PAGE_TELEPHONY, 0x20),
  phoneMute: usageOf(PAGE_TELEPHONY, 0x2f),
  flash: usageOf(PAGE_TELEPHONY, 0x21),
  redial: usageOf(PAGE_TELEPHONY, 0x24),
  drop: usageOf(PAGE_TELEPHONY, 0x26),
  volumeUp: usageOf(PAGE_CONSUMER, 0xe9),
  volumeDown: usageOf(PAGE_CONSUMER, 0xea),
} as const;

/**
 * The "Programmable Button" bit most headsets put in the telephony report (`09 07 05 09 [09 01]`): WebHID
 * names it 000B:0007 or, where the page is bound later, 0009:0001 / 0009:0007. Teams treats it as
 * "Delete" (reject); research §1.6.
 */
export const PROGRAMMABLE_BUTTON_USAGES: readonly number[] = [
  usageOf(PAGE_TELEPHONY, 0x07),
  usageOf(PAGE_BUTTON, 0x01),
  usageOf(PAGE_BUTTON, 0x07),
];

/** LED page outputs. */
export const OUTPUT_USAGES = {
  offHook: usageOf(PAGE_LED, 0x17),
  ring: usageOf(PAGE_LED, 0x18),
  mute: usageOf(PAGE_LED, 0x09),
  hold: usageOf(PAGE_LED, 0x20),
  microphone: usageOf(PAGE_LED, 0x21),
} as const;

export type StandardInputName = keyof typeof INPUT_USAGES;
export type InputName = StandardInputName | 'reject' | 'programmableButton';
export type OutputName = keyof typeof OUTPUT_USAGES;
export const INPUT_NAMES: readonly InputName[] = [...(Object.keys(INPUT_USAGES) as StandardInputName[]), 'reject', 'programmableButton'];
export const OUTPUT_NAMES = Object.keys(OUTPUT_USAGES) as OutputName[];

export interface InputControl {
  reportId: number;
  /** First bit of the field after the report-id byte. */
  bit: number;
  /** Field width in bits (1 for every button seen on real headsets). */
  size: number;
  usage: number;
  /** WebHID isAbsolute: a level the device holds (hook switch) rather than a change (toggle button). */
  isAbsolute: boolean;
  hasPreferredState: boolean;
  logicalMinimum: number;
}

export interface OutputControl {
  reportId: number;
  bit: number;
  size: number;
  usage: number;
  /** Length of the whole output report in bytes, without the id (macOS wants it exact). */
  reportBytes: number;
}

export interface ControlMap {
  /** The device has a Telephony-page (0x0B) top-level collection. */
  telephony: boolean;
  inputs: Record<InputName, InputControl | null>;
  outputs: Record<OutputName, OutputControl | null>;
}

export interface ControlMapOptions {
  /** Vendor usages that mean "reject the ringing call", searched in every collection (vendor mirrors). */
  rejectUsages?: readonly number[];
}

interface Field {
  reportId: number;
  bit: number;
  size: number;
  usage: number;
  item: HIDReportItemLike;
}

const MAX_REPORT_BITS = 0xffff * 8;

const uint = (v: unknown, max = 0xffffffff): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : null;

/**
 * The data fields of one report at their bit offsets, limited to the usages asked for. Walks items in
 * the report's own order (that is the bit layout), summing size × count for every item, padding too.
 */
function fieldsOf(report: HIDReportInfoLike, wanted: ReadonlySet<number>, out: Field[]): void {
  const reportId = uint(report.reportId, 0xff);
  if (reportId === null || !Array.isArray(report.items)) return;
  let cursor = 0;
  for (const item of report.items as readonly HIDReportItemLike[]) {
    if (!item || typeof item !== 'object') return;
    const size = uint(item.reportSize);
    const count = uint(item.reportCount);
    if (size === null || count === null) return; // cannot place anything after an item of unknown size
    const width = size * count;
    if (width > MAX_REPORT_BITS || cursor + width > MAX_REPORT_BITS) return;
    if (!item.isConstant && size > 0 && count > 0) {
      if (item.isArray) {
        // A one-bit array with one slot is a flag in all but name (EPOS's Programmable Button `81 40`):
        // take its first usage. Other arrays (keypads) carry indices, not controls we map.
        const first = Array.isArray(item.usages) ? item.usages[0] : undefined;
        if (size === 1 && count === 1 && typeof first === 'number' && wanted.has(first))
          out.push({ reportId, bit: cursor, size, usage: first, item });
      } else if (item.isRange) {
        const min = uint(item.usageMinimum);
        const max = uint(item.usageMaximum);
        if (min !== null && max !== null && max >= min) {
          for (const usage of wanted) {
            const i = usage - min;
            if (usage <= max && i >= 0 && i < count) out.push({ reportId, bit: cursor + i * size, size, usage, item });
          }
        }
      } else if (Array.isArray(item.usages)) {
        // Field i carries usages[i]; when count > usages, the last usage repeats (its first field is i = len-1).
        const n = Math.min(count, item.usages.length);
        for (let i = 0; i < n; i++) {
          const usage = item.usages[i];
          if (typeof usage === 'number' && wanted.has(usage)) out.push({ reportId, bit: cursor + i * size, size, usage, item });
        }
      }
    }
    cursor += width;
  }
}

function reportBits(report: HIDReportInfoLike): number | null {
  if (!Array.isArray(report.items)) return null;
  let bits = 0;
  for (const item of report.items as readonly HIDReportItemLike[]) {
    const size = uint(item?.reportSize);
    const count = uint(item?.reportCount);
    if (size === null || count === null) return null;
    bits += size * count;
    if (bits > MAX_REPORT_BITS) return null;
  }
  return bits;
}

const reportsOf = (c: HIDCollectionInfoLike, kind: 'inputReports' | 'outputReports'): readonly HIDReportInfoLike[] =>
  Array.isArray(c[kind]) ? (c[kind] as readonly HIDReportInfoLike[]).filter((r) => !!r && typeof r === 'object') : [];

/** First field per usage by (reportId, bit): independent of the order reports and items are listed in. */
function firstByUsage(fields: readonly Field[]): Map<number, Field> {
  const sorted = [...fields].sort((a, b) => a.reportId - b.reportId || a.bit - b.bit);
  const byUsage = new Map<number, Field>();
  for (const f of sorted) if (!byUsage.has(f.usage)) byUsage.set(f.usage, f);
  return byUsage;
}

const inputControl = (f: Field | undefined): InputControl | null =>
  f
    ? {
        reportId: f.reportId,
        bit: f.bit,
        size: f.size,
        usage: f.usage,
        isAbsolute: f.item.isAbsolute !== false,
        hasPreferredState: f.item.hasPreferredState !== false,
        logicalMinimum: typeof f.item.logicalMinimum === 'number' ? f.item.logicalMinimum : 0,
      }
    : null;

export function emptyControlMap(telephony = false): ControlMap {
  const inputs = Object.fromEntries(INPUT_NAMES.map((n) => [n, null])) as Record<InputName, null>;
  const outputs = Object.fromEntries(OUTPUT_NAMES.map((n) => [n, null])) as Record<OutputName, null>;
  return { telephony, inputs, outputs };
}

const isTelephony = (c: HIDCollectionInfoLike) => c.usagePage === PAGE_TELEPHONY;
const isConsumer = (c: HIDCollectionInfoLike) => c.usagePage === PAGE_CONSUMER;

function collectionControls(c: HIDCollectionInfoLike) {
  const inWanted = new Set<number>([...Object.values(INPUT_USAGES), ...PROGRAMMABLE_BUTTON_USAGES]);
  const outWanted = new Set<number>(Object.values(OUTPUT_USAGES));
  const inFields: Field[] = [];
  const outFields: Field[] = [];
  for (const r of reportsOf(c, 'inputReports')) fieldsOf(r, inWanted, inFields);
  const outBytes = new Map<number, number>();
  for (const r of reportsOf(c, 'outputReports')) {
    const before = outFields.length;
    fieldsOf(r, outWanted, outFields);
    const bits = reportBits(r);
    if (outFields.length > before && bits !== null) outBytes.set(r.reportId as number, Math.ceil(bits / 8));
  }
  return { inputs: firstByUsage(inFields), outputs: firstByUsage(outFields), outBytes };
}

/**
 * The control map of a device. The telephony controls and LEDs come from one Telephony top-level
 * collection (the one declaring a Hook Switch and the most controls, if several), so report ids never mix
 * collections; volume falls back to the Consumer collection; reject is searched in every collection,
 * because vendors put it in their mirror collections (Jabra/Yealink 0xFF30:0xFFFD in report 0x04).
 */
export function buildControlMap(collections: readonly HIDCollectionInfoLike[], options: ControlMapOptions = {}): ControlMap {
  try {
    return build(Array.isArray(collections) ? collections.filter((c) => !!c && typeof c === 'object') : [], options);
  } catch {
    return emptyControlMap(false); // unreachable by design; the fuzz tests check it stays that way
  }
}

function build(collections: readonly HIDCollectionInfoLike[], options: ControlMapOptions): ControlMap {
  const map = emptyControlMap(collections.some(isTelephony));
  if (!map.telephony) return map;

  const candidates = collections.filter(isTelephony).map(collectionControls);
  const score = (c: (typeof candidates)[number]) =>
    (c.inputs.has(INPUT_USAGES.hookSwitch) ? 1000 : 0) + c.inputs.size + c.outputs.size;
  let best = candidates[0];
  for (const c of candidates) if (best && score(c) > score(best)) best = c;
  if (!best) return map;

  for (const name of Object.keys(INPUT_USAGES) as StandardInputName[]) {
    map.inputs[name] = inputControl(best.inputs.get(INPUT_USAGES[name]));
  }
  map.inputs.programmableButton = inputControl(
    PROGRAMMABLE_BUTTON_USAGES.map((u) => best.inputs.get(u)).find((f) => f !== undefined),
  );
  for (const name of OUTPUT_NAMES) {
    const f = best.outputs.get(OUTPUT_USAGES[name]);
    const reportBytes = f ? best.outBytes.get(f.reportId) : undefined;
    map.outputs[name] = f && reportBytes !== undefined ? { reportId: f.reportId, bit: f.bit, size: f.size, usage: f.usage, reportBytes } : null;
  }

  if (!map.inputs.volumeUp || !map.inputs.volumeDown) {
    const consumer = collections.filter(isConsumer).map(collectionControls)[0];
    if (consumer) {
      map.inputs.volumeUp ??= inputControl(consumer.inputs.get(INPUT_USAGES.volumeUp));
      map.inputs.volumeDown ??= inputControl(consumer.inputs.get(INPUT_USAGES.volumeDown));
    }
  }

  const rejectUsages = new Set(options.rejectUsages ?? KNOWN_REJECT_USAGES);
  if (rejectUsages.size > 0) {
    const fields: Field[] = [];
    for (const c of collections) for (const r of reportsOf(c, 'inputReports')) fieldsOf(r, rejectUsages, fields);
    map.inputs.reject = inputControl(firstByUsage(fields).values().next().value);
  }
  return map;
}

/**
 * The value of a control in an input report, or null when the report is another one or too short.
 * Fields are little-endian bit strings (HID 1.11 §5.8); signed when the logical minimum is negative.
 */
export function readControl(control: InputControl | null, reportId: number, data: DataView): number | null {
  if (!control || reportId !== control.reportId || !(data instanceof DataView)) return null;
  const { bit, size } = control;
  if (size < 1 || size > 32 || bit + size > data.byteLength * 8) return null;
  let value = 0;
  for (let i = size - 1; i >= 0; i--) {
    const b = bit + i;
    value = value * 2 + ((data.getUint8(b >> 3) >> (b & 7)) & 1);
  }
  if (control.logicalMinimum < 0 && size < 32 && value >= 2 ** (size - 1)) value -= 2 ** size;
  return value;
}

export type LedState = Record<OutputName, boolean>;

export const LEDS_OFF: Readonly<LedState> = Object.freeze({ offHook: false, ring: false, mute: false, hold: false, microphone: false });

export interface OutputReport {
  reportId: number;
  data: Uint8Array<ArrayBuffer>;
}

/**
 * One full output report per report id that carries a mapped LED, every mapped LED in it set from `leds`.
 * LEDs are absolute states, so a report must always carry all of them: writing one bit alone would switch
 * its neighbours off (Jitsi's bug, research §1.3). Bits this app does not map (Ringer, On-Line, Speaker)
 * are written as 0. Sorted by report id.
 */
export function buildOutputReports(map: ControlMap, leds: Readonly<LedState>): OutputReport[] {
  const reports = new Map<number, Uint8Array<ArrayBuffer>>();
  for (const name of OUTPUT_NAMES) {
    const c = map.outputs[name];
    if (!c || c.bit + c.size > c.reportBytes * 8) continue;
    let data = reports.get(c.reportId);
    if (!data) reports.set(c.reportId, (data = new Uint8Array(c.reportBytes)));
    if (leds[name] && c.size >= 1) data[c.bit >> 3] = (data[c.bit >> 3] as number) | (1 << (c.bit & 7));
  }
  return [...reports.entries()].sort(([a], [b]) => a - b).map(([reportId, data]) => ({ reportId, data }));
}

/** The JSON shape of the diagnostics command: {reportId, bit} per control, null where absent. */
export function controlSummary(map: ControlMap) {
  const pick = (c: { reportId: number; bit: number } | null) => (c ? { reportId: c.reportId, bit: c.bit } : null);
  return {
    telephony: map.telephony,
    inputs: {
      hookSwitch: pick(map.inputs.hookSwitch),
      phoneMute: pick(map.inputs.phoneMute),
      flash: pick(map.inputs.flash),
      redial: pick(map.inputs.redial),
    },
    outputs: {
      offHook: pick(map.outputs.offHook),
      ring: pick(map.outputs.ring),
      mute: pick(map.outputs.mute),
      hold: pick(map.outputs.hold),
      microphone: pick(map.outputs.microphone),
    },
  };
}
