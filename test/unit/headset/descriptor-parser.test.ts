import { describe, expect, it } from 'vitest';
import { parseReportDescriptor, type ParseResult } from '../../../renderer/headset/descriptor-parser';
import { formatUsage, type HIDCollectionInfo, type HIDReportItem } from '../../../renderer/headset/webhid';
import { fixtureBytes, fixtureCollections, fixtureFiles } from './fake-hid-device';
import { FIXTURES } from './fixture-expectations';

const bytes = (hex: string) => new Uint8Array(hex.trim().split(/\s+/).map((h) => parseInt(h, 16)));

function collections(hex: string, includeProtected = false): HIDCollectionInfo[] {
  const r = parseReportDescriptor(bytes(hex), { includeProtected });
  if (!r.ok) throw new Error(r.error.message);
  return r.collections;
}

function error(r: ParseResult) {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

const items = (c: HIDCollectionInfo, kind: 'inputReports' | 'outputReports' | 'featureReports', reportId: number): HIDReportItem[] => {
  const report = c[kind].find((r) => r.reportId === reportId);
  if (!report) throw new Error(`no ${kind} ${reportId}`);
  return report.items;
};

describe('descriptor parser on the real fixtures', () => {
  it('has an expectation for every fixture file present', () => {
    expect(fixtureFiles().length).toBeGreaterThan(0);
    for (const f of fixtureFiles()) expect(FIXTURES[f], f).toBeDefined();
  });

  for (const file of fixtureFiles()) {
    it(`${file}: top-level collections as decoded in the research`, () => {
      const cs = fixtureCollections(file);
      expect(cs.map((c) => `${formatUsage((c.usagePage << 16) | c.usage)}`)).toEqual(FIXTURES[file]?.topLevel);
      for (const c of cs) expect(c.type).toBe(1); // Application
    });
  }

  it('binds a Usage to the page current when the Usage is read (Programmable Button idiom)', () => {
    const jabra = fixtureCollections('0b0e-0307.bin')[0] as HIDCollectionInfo;
    // bit 6 of report 2: `09 07 05 09 75 01 95 01 81 02`
    const prog = items(jabra, 'inputReports', 2).find((i) => i.usages?.includes(0x000b0007));
    expect(prog?.usages).toEqual([0x000b0007]);

    const poly = fixtureCollections('047f-c053.bin').find((c) => c.usagePage === 0x0b) as HIDCollectionInfo;
    const polyProg = items(poly, 'inputReports', 8).find((i) => i.usages?.includes(0x000b0007));
    expect(polyProg?.usages).toEqual([0x000b0007, 0x00090001]);
    expect(polyProg?.reportCount).toBe(1);
  });

  it('combines a 2-byte vendor usage with the vendor page (Jabra reject 0xFF30:0xFFFD)', () => {
    const vendor = fixtureCollections('0b0e-0307.bin')[1] as HIDCollectionInfo;
    const all = items(vendor, 'inputReports', 4).flatMap((i) => i.usages ?? []);
    expect(all).toContain(0xff30fffd);
  });

  it('reports a usage range as isRange with minimum/maximum and no usages (keypad)', () => {
    const jabra = fixtureCollections('0b0e-0307.bin')[0] as HIDCollectionInfo;
    const keypad = items(jabra, 'inputReports', 2).find((i) => i.isRange);
    expect(keypad).toMatchObject({ isRange: true, isArray: true, usageMinimum: 0x000b00b0, usageMaximum: 0x000b00bb, reportSize: 4, reportCount: 1, logicalMaximum: 11 });
    expect(keypad?.usages).toBeUndefined();
    // The keypad sits in a nested Logical collection; its items also reach the child.
    const child = jabra.children[0] as HIDCollectionInfo;
    expect(child).toMatchObject({ usagePage: 0x0b, usage: 0x06, type: 2 });
    expect(items(child, 'inputReports', 2)).toHaveLength(1);
  });

  it('gives padding items an empty usage list and isConstant', () => {
    const jabra = fixtureCollections('0b0e-0307.bin')[0] as HIDCollectionInfo;
    const pad = items(jabra, 'inputReports', 2).at(-1);
    expect(pad).toMatchObject({ isConstant: true, usages: [], reportSize: 1, reportCount: 5 });
  });

  it('decodes main item flags as Blink does (hook Abs+NoPref, mute Rel+Pref)', () => {
    const jabra = fixtureCollections('0b0e-0307.bin')[0] as HIDCollectionInfo;
    const [hookBusy, buttons] = items(jabra, 'inputReports', 2);
    expect(hookBusy).toMatchObject({ usages: [0x000b0020, 0x000b0097], isAbsolute: true, hasPreferredState: false, isArray: false, isConstant: false, reportCount: 2 });
    expect(buttons).toMatchObject({ usages: [0x000b002f, 0x000b0021, 0x000b0024, 0x000b0050], isAbsolute: false, hasPreferredState: true });
    const leds = items(jabra, 'outputReports', 2)[0];
    expect(leds).toMatchObject({ usages: [0x00080017, 0x00080009, 0x00080018, 0x00080020, 0x00080021], isAbsolute: true, hasPreferredState: false });
  });

  it('keeps global state across top-level collections (Poly C5220 telephony never sets Report Size)', () => {
    const poly = fixtureCollections('047f-c053.bin').find((c) => c.usagePage === 0x0b) as HIDCollectionInfo;
    const mute = items(poly, 'inputReports', 8)[0];
    expect(mute).toMatchObject({ usages: [0x000b002f], reportSize: 1, reportCount: 1, logicalMinimum: 0, logicalMaximum: 1 });
  });

  it('propagates a nested Application collection’s feature reports to the telephony collection (EPOS)', () => {
    const epos = fixtureCollections('1395-00a2.bin')[0] as HIDCollectionInfo;
    expect(epos.featureReports.map((r) => r.reportId)).toEqual([0x40, 0x41, 0x42, 0x43, 0x44, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55]);
    const nested = epos.children[0] as HIDCollectionInfo;
    // No Usage before `A1 01`: usage 0, and Chromium takes the page from the global state (LED, 0x08,
    // set just before), where the research's throw-away decoder printed 0000.
    expect(nested).toMatchObject({ usagePage: 0x08, usage: 0, type: 1 });
    expect(nested.featureReports).toHaveLength(11);
    expect(items(epos, 'featureReports', 0x40)[0]).toMatchObject({ usages: [0xff40ff40], reportSize: 16, reportCount: 4, logicalMaximum: 65535 });
  });

  it('reads buffered-bytes items with 2-byte main data (Jabra report 0x05)', () => {
    const vendor = fixtureCollections('0b0e-0307.bin')[1] as HIDCollectionInfo;
    expect(items(vendor, 'outputReports', 5)[0]).toMatchObject({ isBufferedBytes: true, reportSize: 8, reportCount: 32 });
  });
});

describe('descriptor parser rules on synthetic descriptors', () => {
  it('Push/Pop restore global state but not the Report ID', () => {
    // page 0B, size 1, count 1, 0..1; push; page 08, size 8, report id 5, output Off-Hook; pop; input Hook.
    const [c] = collections(`05 0B 09 05 A1 01 85 01 75 01 95 01 15 00 25 01
      A4 05 08 75 08 85 05 09 17 91 02 B4
      09 20 81 02 C0`);
    expect(c?.outputReports).toEqual([{ reportId: 5, items: [expect.objectContaining({ usages: [0x00080017], reportSize: 8 })] }]);
    expect(c?.inputReports).toEqual([{ reportId: 5, items: [expect.objectContaining({ usages: [0x000b0020], reportSize: 1 })] }]);
  });

  it('ignores Push and Pop with no global state, and a Pop to empty leaves later usages without a page', () => {
    const [c] = collections(`B4 A4 09 05 A1 01 75 01 95 01 B4 09 20 81 02 C0`);
    // The collection usage had no page; after Pop emptied the stack, Hook (0x20) stays page-less and the
    // item's global state is all zero.
    expect(c).toMatchObject({ usagePage: 0, usage: 5 });
    expect(items(c as HIDCollectionInfo, 'inputReports', 0)[0]).toMatchObject({ usages: [0x20], reportSize: 0, reportCount: 0 });
  });

  it('keeps the page of a 4-byte extended usage', () => {
    const [c] = collections(`05 0C 09 01 A1 01 75 01 95 02 0B 20 00 0B 00 09 E9 81 02 C0`);
    expect(items(c as HIDCollectionInfo, 'inputReports', 0)[0]?.usages).toEqual([0x000b0020, 0x000c00e9]);
  });

  it('takes a collection’s page from its extended usage', () => {
    const [c] = collections(`05 0C 0B 05 00 0B 00 A1 01 C0`);
    expect(c).toMatchObject({ usagePage: 0x0b, usage: 0x05 });
  });

  it('ignores a Report ID outside any collection', () => {
    const [c] = collections(`85 07 05 0B 09 05 A1 01 75 01 95 01 09 20 81 02 C0`);
    expect(c?.inputReports.map((r) => r.reportId)).toEqual([0]);
  });

  it('drops main items outside any collection', () => {
    const cs = collections(`05 0B 75 01 95 01 09 20 81 02 09 05 A1 01 09 2F 81 06 C0`);
    expect(cs).toHaveLength(1);
    expect(cs[0]?.inputReports[0]?.items.map((i) => i.usages)).toEqual([[0x000b002f]]);
  });

  it('sign-extends logical and physical limits by payload size', () => {
    const [c] = collections(`05 01 09 04 A1 01 15 FF 25 01 35 00 46 00 80 75 02 95 01 09 30 81 02
      16 00 80 26 FF 7F 75 10 09 31 81 02 17 00 00 00 80 27 FF FF FF 7F 75 20 09 32 81 02 C0`);
    const [x, y, z] = items(c as HIDCollectionInfo, 'inputReports', 0);
    expect(x).toMatchObject({ logicalMinimum: -1, logicalMaximum: 1, physicalMinimum: 0, physicalMaximum: -32768 });
    expect(y).toMatchObject({ logicalMinimum: -32768, logicalMaximum: 32767 });
    expect(z).toMatchObject({ logicalMinimum: -2147483648, logicalMaximum: 2147483647, reportSize: 32 });
  });

  it('unpacks unit and unit exponent like Blink', () => {
    // Unit 0x00F011 (SI linear, length^1, time^-1 = cm/s) and exponent 0x0E (-2).
    const [c] = collections(`05 01 09 04 A1 01 67 11 F0 00 00 55 0E 75 08 95 01 09 30 81 02 C0`);
    expect(items(c as HIDCollectionInfo, 'inputReports', 0)[0]).toMatchObject({
      unitSystem: 'si-linear',
      unitFactorLengthExponent: 1,
      unitFactorTimeExponent: -1,
      unitFactorMassExponent: 0,
      unitExponent: -2,
    });
  });

  it('treats a range whose minimum equals its maximum as no range', () => {
    const [c] = collections(`05 0B 09 05 A1 01 19 20 29 20 75 01 95 01 81 02 C0`);
    const item = items(c as HIDCollectionInfo, 'inputReports', 0)[0];
    expect(item).toMatchObject({ isRange: false, usages: [] });
    expect(item?.usageMinimum).toBeUndefined();
  });

  it('skips long items', () => {
    const [c] = collections(`05 0B 09 05 A1 01 FE 02 10 AA BB 75 01 95 01 09 20 81 02 C0`);
    expect(items(c as HIDCollectionInfo, 'inputReports', 0)[0]?.usages).toEqual([0x000b0020]);
  });

  it('hides protected top-level collections (keyboard) unless asked for them', () => {
    const hex = `05 01 09 06 A1 01 05 07 19 E0 29 E7 75 01 95 08 81 02 C0 05 0B 09 05 A1 01 C0`;
    expect(collections(hex).map((c) => c.usagePage)).toEqual([0x0b]);
    expect(collections(hex, true).map((c) => c.usagePage)).toEqual([0x01, 0x0b]);
  });

  it('ignores nesting deeper than 50 levels, giving deeper items to the 50th', () => {
    const open = 'A1 02 '.repeat(52);
    const close = 'C0 '.repeat(52);
    const [c] = collections(`05 0B 09 05 ${open} 75 01 95 01 09 20 81 02 ${close}`);
    let depth = 0;
    let node = c;
    while (node && node.children.length > 0) {
      node = node.children[0];
      depth++;
    }
    expect(depth).toBe(49); // 50 collections in all
    expect(node?.inputReports[0]?.items[0]?.usages).toEqual([0x000b0020]);
  });

  it('truncates the collection type to an octet and report ids to a byte', () => {
    const [c] = collections(`05 0B 09 05 A2 01 01 86 05 01 75 01 95 01 09 20 81 02 C0`);
    expect(c?.type).toBe(1);
    expect(c?.inputReports[0]?.reportId).toBe(5);
  });
});

describe('descriptor parser errors', () => {
  it('reports an empty descriptor', () => {
    expect(error(parseReportDescriptor(new Uint8Array()))).toMatchObject({ code: 'empty' });
  });

  it('reports a truncated item with its offset', () => {
    const jabra = fixtureBytes('0b0e-0307.bin');
    // The file ends `… 81 01 C0`; cut inside a 2-byte item instead: `26 FF 00` → `26 FF`.
    const cut = bytes('05 0B 09 05 A1 01 26 FF');
    expect(error(parseReportDescriptor(cut))).toMatchObject({ code: 'truncated_item', offset: 6 });
    expect(error(parseReportDescriptor(jabra.subarray(0, 5)))).toMatchObject({ code: 'truncated_item', offset: 4 });
    expect(error(parseReportDescriptor(bytes('05 0B FE 05 00 01 02')))).toMatchObject({ code: 'truncated_item', offset: 2 });
    expect(error(parseReportDescriptor(bytes('05 0B FE')))).toMatchObject({ code: 'truncated_item', offset: 2 });
  });

  it('reports unbalanced collections', () => {
    expect(error(parseReportDescriptor(bytes('05 0B 09 05 C0')))).toMatchObject({ code: 'unbalanced_end_collection', offset: 4 });
    expect(error(parseReportDescriptor(bytes('05 0B 09 05 A1 01 A1 02 C0')))).toMatchObject({ code: 'unclosed_collection' });
    // A real descriptor missing its last End Collection.
    const jabra = fixtureBytes('0b0e-0307.bin');
    expect(error(parseReportDescriptor(jabra.subarray(0, jabra.length - 1)))).toMatchObject({ code: 'unclosed_collection' });
  });

  it('reports input that is no byte array or too long', () => {
    expect(error(parseReportDescriptor('05 0B' as unknown as Uint8Array))).toMatchObject({ code: 'empty' });
    expect(error(parseReportDescriptor(new Uint8Array(0x10000)))).toMatchObject({ code: 'too_long' });
  });
});
