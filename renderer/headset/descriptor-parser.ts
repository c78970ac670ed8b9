// Raw HID report descriptor bytes → WebHID-shaped `collections`, built by Chromium's rules so tests and
// the diagnostics command see what a renderer on Linux/macOS would see (services/device/public/cpp/hid/
// hid_report_descriptor*.cc, hid_item_state_table.cc, hid_collection.cc, hid_report_item.cc, and Blink's
// hid_device.cc for the JS shape). The rules that matter:
// - a local Usage binds to the Usage Page current when the Usage item is read; 4-byte usages with a page in
//   their high half keep it;
// - global state persists across top-level collections; Push/Pop save and restore it, but the Report ID is
//   outside that stack; a Push or Pop with no global state yet does nothing;
// - a Report ID item outside any collection is ignored;
// - every Input/Output/Feature item lands in its collection and in every ancestor; items outside any
//   collection are dropped;
// - local state resets after every main item; isRange = (usageMinimum != usageMaximum);
// - nesting deeper than 50 is ignored (items go to the deepest kept collection);
// - Blink omits top-level collections with protected usages (FIDO, keyboard, mouse, system control).
// Where Chromium quietly tolerates broken bytes (a truncated item, an End Collection with nothing open, a
// collection never closed), this parser returns a typed error instead: it exists for tests and for admins
// asking "what does this device declare?", and a wrong answer there is worse than a clear "malformed".
// Pure TypeScript (no DOM, no Node): used by the renderer, the CLI and the tests.
import type { HIDCollectionInfo, HIDReportInfo, HIDReportItem } from './webhid';

export type DescriptorErrorCode =
  | 'empty' // zero bytes
  | 'too_long' // longer than a HID descriptor can be (wDescriptorLength is 16 bits)
  | 'truncated_item' // an item's header announces more data bytes than remain
  | 'unbalanced_end_collection' // End Collection with no open collection
  | 'unclosed_collection' // the bytes end inside a collection
  | 'internal'; // a bug in this parser; never expected (the fuzz tests check)

export interface DescriptorError {
  code: DescriptorErrorCode;
  /** Byte offset of the offending item (or the length, for errors found at the end). */
  offset: number;
  message: string;
}

export type ParseResult = { ok: true; collections: HIDCollectionInfo[] } | { ok: false; error: DescriptorError };

export interface ParseOptions {
  /** Keep top-level collections Blink hides from pages (FIDO, keyboard, mouse…). Default false. */
  includeProtected?: boolean;
}

export const MAX_DESCRIPTOR_BYTES = 0xffff;
const MAX_COLLECTION_DEPTH = 50;

// Item types and tags (HID 1.11 §6.2.2): header = tag(4) | type(2) | size(2).
const TYPE_MAIN = 0;
const TYPE_GLOBAL = 1;
const TYPE_LOCAL = 2;
const TYPE_RESERVED = 3;
const MAIN_INPUT = 0x8;
const MAIN_OUTPUT = 0x9;
const MAIN_COLLECTION = 0xa;
const MAIN_FEATURE = 0xb;
const MAIN_END_COLLECTION = 0xc;
const GLOBAL_USAGE_PAGE = 0x0;
const GLOBAL_LOGICAL_MIN = 0x1;
const GLOBAL_LOGICAL_MAX = 0x2;
const GLOBAL_PHYSICAL_MIN = 0x3;
const GLOBAL_PHYSICAL_MAX = 0x4;
const GLOBAL_UNIT_EXPONENT = 0x5;
const GLOBAL_UNIT = 0x6;
const GLOBAL_REPORT_SIZE = 0x7;
const GLOBAL_REPORT_ID = 0x8;
const GLOBAL_REPORT_COUNT = 0x9;
const GLOBAL_PUSH = 0xa;
const GLOBAL_POP = 0xb;
const LOCAL_USAGE = 0x0;
const LOCAL_USAGE_MIN = 0x1;
const LOCAL_USAGE_MAX = 0x2;
const TAG_LONG = 0xf;

interface GlobalState {
  usagePage: number;
  logicalMinimum: number;
  logicalMaximum: number;
  physicalMinimum: number;
  physicalMaximum: number;
  unitExponent: number;
  unit: number;
  reportSize: number;
  reportCount: number;
}

interface LocalState {
  usages: number[];
  usageMinimum: number;
  usageMaximum: number;
}

type ReportKind = 'input' | 'output' | 'feature';

interface Node {
  parent: Node | null;
  usagePage: number;
  usage: number;
  type: number;
  children: Node[];
  reports: Record<ReportKind, Map<number, HIDReportItem[]>>;
}

const defaultGlobal = (): GlobalState => ({
  usagePage: 0,
  logicalMinimum: 0,
  logicalMaximum: 0,
  physicalMinimum: 0,
  physicalMaximum: 0,
  unitExponent: 0,
  unit: 0,
  reportSize: 0,
  reportCount: 0,
});

const emptyLocal = (): LocalState => ({ usages: [], usageMinimum: 0, usageMaximum: 0 });

/** Two's complement of a 0/1/2/4-byte payload (Chromium's Int32FromValueAndSize). */
function signed(value: number, size: number): number {
  if (size === 0) return 0;
  if (size === 1) return (value << 24) >> 24;
  if (size === 2) return (value << 16) >> 16;
  return value | 0;
}

/** Blink's UnitFactorExponentToInt: nibbles 0x9..0xF encode -7..-1 (0x8 stays 8, as in Chromium). */
const nibbleExponent = (n: number): number => (n > 0x8 ? n - 16 : n);

const UNIT_SYSTEMS: Record<number, string> = {
  0x0: 'none',
  0x1: 'si-linear',
  0x2: 'si-rotation',
  0x3: 'english-linear',
  0x4: 'english-rotation',
  0xf: 'vendor-defined',
};

function combineUsage(usage: number, stack: readonly GlobalState[]): number {
  if (usage > 0xffff) return usage >>> 0;
  const top = stack[stack.length - 1];
  if (!top) return usage;
  return (((top.usagePage & 0xffff) << 16) | usage) >>> 0;
}

function reportItem(flags: number, global: GlobalState, local: LocalState): HIDReportItem {
  const isRange = local.usageMinimum !== local.usageMaximum;
  const unit = global.unit >>> 0;
  const item: HIDReportItem = {
    isAbsolute: (flags & 0x04) === 0,
    isArray: (flags & 0x02) === 0,
    isBufferedBytes: (flags & 0x100) !== 0,
    isConstant: (flags & 0x01) !== 0,
    isLinear: (flags & 0x10) === 0,
    isRange,
    isVolatile: (flags & 0x80) !== 0,
    hasNull: (flags & 0x40) !== 0,
    hasPreferredState: (flags & 0x20) === 0,
    wrap: (flags & 0x08) !== 0,
    reportSize: global.reportSize,
    reportCount: global.reportCount,
    unitExponent: nibbleExponent(global.unitExponent & 0x0f),
    unitSystem: UNIT_SYSTEMS[unit & 0x0f] ?? 'reserved',
    unitFactorLengthExponent: nibbleExponent((unit >>> 4) & 0x0f),
    unitFactorMassExponent: nibbleExponent((unit >>> 8) & 0x0f),
    unitFactorTimeExponent: nibbleExponent((unit >>> 12) & 0x0f),
    unitFactorTemperatureExponent: nibbleExponent((unit >>> 16) & 0x0f),
    unitFactorCurrentExponent: nibbleExponent((unit >>> 20) & 0x0f),
    unitFactorLuminousIntensityExponent: nibbleExponent((unit >>> 24) & 0x0f),
    logicalMinimum: global.logicalMinimum,
    logicalMaximum: global.logicalMaximum,
    physicalMinimum: global.physicalMinimum,
    physicalMaximum: global.physicalMaximum,
  };
  if (isRange) {
    item.usageMinimum = local.usageMinimum;
    item.usageMaximum = local.usageMaximum;
  } else {
    item.usages = [...local.usages];
  }
  return item;
}

/** Blink's IsProtected: top-level collections a page never sees. */
export function isProtectedCollection(usagePage: number, usage: number): boolean {
  if (usagePage === 0xf1d0 || usagePage === 0x07) return true; // FIDO, Keyboard/Keypad page
  if (usagePage !== 0x01) return false;
  if (usage === 0x01 || usage === 0x02 || usage === 0x06 || usage === 0x07) return true; // pointer, mouse, keyboard, keypad
  return (usage >= 0x80 && usage <= 0x8f) || (usage >= 0xa0 && usage <= 0xb6); // system control ranges
}

function toInfo(node: Node): HIDCollectionInfo {
  const reports = (kind: ReportKind): HIDReportInfo[] =>
    // Chromium keeps reports in an unordered map; sort by id so output is stable (consumers key by id).
    [...node.reports[kind].entries()].sort(([a], [b]) => a - b).map(([reportId, items]) => ({ reportId, items }));
  return {
    usagePage: node.usagePage,
    usage: node.usage,
    type: node.type,
    children: node.children.map(toInfo),
    inputReports: reports('input'),
    outputReports: reports('output'),
    featureReports: reports('feature'),
  };
}

const fail = (code: DescriptorErrorCode, offset: number, message: string): ParseResult => ({
  ok: false,
  error: { code, offset, message },
});

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

function parse(bytes: Uint8Array, options: ParseOptions): ParseResult {
  if (bytes.length === 0) return fail('empty', 0, 'the report descriptor is empty');
  if (bytes.length > MAX_DESCRIPTOR_BYTES)
    return fail('too_long', MAX_DESCRIPTOR_BYTES, `the report descriptor has ${bytes.length} bytes; at most ${MAX_DESCRIPTOR_BYTES} are possible`);

  const roots: Node[] = [];
  const stack: GlobalState[] = [];
  let local = emptyLocal();
  let current: Node | null = null;
  let depth = 0;
  let reportId = 0;
  let offset = 0;

  const global = (): GlobalState => {
    if (stack.length === 0) stack.push(defaultGlobal());
    return stack[stack.length - 1] as GlobalState;
  };

  while (offset < bytes.length) {
    const header = bytes[offset] as number;
    const type = (header >> 2) & 0x3;
    const tag = (header >> 4) & 0xf;

    if (type === TYPE_RESERVED && tag === TAG_LONG) {
      // A long item (Chromium treats every 0xFC..0xFF header as one): header, size, long tag, data.
      if (offset + 3 > bytes.length)
        return fail('truncated_item', offset, `long item at byte ${offset} is cut off (needs a 3-byte header, ${bytes.length - offset} left)`);
      const size = bytes[offset + 1] as number;
      if (offset + 3 + size > bytes.length)
        return fail('truncated_item', offset, `long item at byte ${offset} announces ${size} data bytes; ${bytes.length - offset - 3} remain`);
      offset += 3 + size;
      continue;
    }

    const sizeCode = header & 0x3;
    const size = sizeCode === 3 ? 4 : sizeCode;
    if (offset + 1 + size > bytes.length)
      return fail('truncated_item', offset, `item ${hex2(header)} at byte ${offset} announces ${size} data bytes; ${bytes.length - offset - 1} remain`);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + (bytes[offset + 1 + i] as number);
    value >>>= 0;

    if (type === TYPE_MAIN) {
      switch (tag) {
        case MAIN_COLLECTION: {
          depth++;
          if (depth <= MAX_COLLECTION_DEPTH) {
            const first = local.usages[0] ?? 0;
            let usagePage = (first >>> 16) & 0xffff;
            const top = stack[stack.length - 1];
            if (usagePage === 0 && top) usagePage = top.usagePage & 0xffff;
            const node: Node = {
              parent: current,
              usagePage,
              usage: first & 0xffff,
              type: value & 0xff,
              children: [],
              reports: { input: new Map(), output: new Map(), feature: new Map() },
            };
            if (current) current.children.push(node);
            else roots.push(node);
            current = node;
          }
          local = emptyLocal();
          break;
        }
        case MAIN_END_COLLECTION:
          if (depth === 0)
            return fail('unbalanced_end_collection', offset, `End Collection at byte ${offset} closes no open collection`);
          if (depth <= MAX_COLLECTION_DEPTH && current) current = current.parent;
          depth--;
          local = emptyLocal();
          break;
        case MAIN_INPUT:
        case MAIN_OUTPUT:
        case MAIN_FEATURE: {
          const kind: ReportKind = tag === MAIN_INPUT ? 'input' : tag === MAIN_OUTPUT ? 'output' : 'feature';
          const top = stack[stack.length - 1] ?? defaultGlobal();
          for (let node = current; node; node = node.parent) {
            const map = node.reports[kind];
            let items = map.get(reportId);
            if (!items) map.set(reportId, (items = []));
            items.push(reportItem(value, top, local));
          }
          local = emptyLocal();
          break;
        }
        default:
          break; // reserved main tags: ignored, as in Chromium
      }
    } else if (type === TYPE_GLOBAL) {
      switch (tag) {
        case GLOBAL_USAGE_PAGE:
          global().usagePage = value;
          break;
        case GLOBAL_LOGICAL_MIN:
          global().logicalMinimum = signed(value, size);
          break;
        case GLOBAL_LOGICAL_MAX:
          global().logicalMaximum = signed(value, size);
          break;
        case GLOBAL_PHYSICAL_MIN:
          global().physicalMinimum = signed(value, size);
          break;
        case GLOBAL_PHYSICAL_MAX:
          global().physicalMaximum = signed(value, size);
          break;
        case GLOBAL_UNIT_EXPONENT:
          global().unitExponent = value;
          break;
        case GLOBAL_UNIT:
          global().unit = value;
          break;
        case GLOBAL_REPORT_SIZE:
          global().reportSize = value;
          break;
        case GLOBAL_REPORT_COUNT:
          global().reportCount = value;
          break;
        case GLOBAL_REPORT_ID:
          if (current) reportId = value & 0xff; // Chromium keys reports by a uint8_t
          break;
        case GLOBAL_PUSH:
          if (stack.length > 0) stack.push({ ...(stack[stack.length - 1] as GlobalState) });
          break;
        case GLOBAL_POP:
          if (stack.length > 0) stack.pop();
          break;
        default:
          break;
      }
    } else if (type === TYPE_LOCAL) {
      if (tag === LOCAL_USAGE) local.usages.push(combineUsage(value, stack));
      else if (tag === LOCAL_USAGE_MIN) local.usageMinimum = combineUsage(value, stack);
      else if (tag === LOCAL_USAGE_MAX) local.usageMaximum = combineUsage(value, stack);
      // designators, strings and delimiters do not reach WebHID's JS objects
    }
    offset += 1 + size;
  }

  if (depth > 0)
    return fail('unclosed_collection', bytes.length, `the descriptor ends with ${depth} collection${depth === 1 ? '' : 's'} still open`);

  const collections = roots
    .filter((n) => options.includeProtected || !isProtectedCollection(n.usagePage, n.usage))
    .map(toInfo);
  return { ok: true, collections };
}

/**
 * Parse a raw report descriptor (as in /sys/class/hidraw/hidrawN/device/report_descriptor). Total: any
 * input gives a result, never an exception.
 */
export function parseReportDescriptor(bytes: Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    if (!(bytes instanceof Uint8Array)) return fail('empty', 0, 'the report descriptor is not a byte array');
    return parse(bytes, options);
  } catch (e) {
    return fail('internal', 0, `descriptor parser bug: ${e instanceof Error ? e.message : String(e)}`);
  }
}
