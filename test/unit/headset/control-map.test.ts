import { describe, expect, it } from 'vitest';
import {
  INPUT_NAMES,
  LEDS_OFF,
  OUTPUT_NAMES,
  buildControlMap,
  buildOutputReports,
  controlSummary,
  readControl,
  type ControlMap,
  type InputControl,
} from '../../../renderer/headset/control-map';
import type { HIDCollectionInfo, HIDReportInfo, HIDReportItem } from '../../../renderer/headset/webhid';
import { fixtureCollections, fixtureFiles } from './fake-hid-device';
import { FIXTURES, type Pos } from './fixture-expectations';

const pos = (c: { reportId: number; bit: number } | null): Pos | null => (c ? { reportId: c.reportId, bit: c.bit } : null);

function positions(map: ControlMap) {
  return {
    inputs: Object.fromEntries(INPUT_NAMES.map((n) => [n, pos(map.inputs[n])])),
    outputs: Object.fromEntries(OUTPUT_NAMES.map((n) => [n, pos(map.outputs[n])])),
  };
}

/**
 * The same bits in the shape Chromium builds on Windows from preparsed data: one usage per item, padding
 * merged and appended to fill each report to the collection's longest of its kind, reports and collections
 * listed in another order.
 */
function windowsShape(collections: readonly HIDCollectionInfo[]): HIDCollectionInfo[] {
  const bits = (r: HIDReportInfo) => r.items.reduce((n, i) => n + i.reportSize * i.reportCount, 0);
  const pad = (size: number): HIDReportItem => ({
    ...(collections[0]?.inputReports[0]?.items[0] as HIDReportItem),
    isConstant: true,
    isArray: false,
    isRange: false,
    usages: [],
    reportSize: 1,
    reportCount: size,
  });
  const reshapeReport = (r: HIDReportInfo, longest: number): HIDReportInfo => {
    const out: HIDReportItem[] = [];
    for (const item of r.items) {
      const last = out[out.length - 1];
      if (item.isConstant) {
        const size = item.reportSize * item.reportCount;
        if (last?.isConstant && last.reportSize === 1) last.reportCount += size;
        else out.push(pad(size));
      } else if (!item.isArray && !item.isRange && item.usages && item.usages.length > 1 && item.reportCount >= item.usages.length) {
        item.usages.forEach((u, i) => {
          const rest = i === item.usages!.length - 1 ? item.reportCount - i : 1;
          out.push({ ...item, usages: [u], reportCount: rest });
        });
      } else {
        out.push({ ...item });
      }
    }
    const missing = longest - bits(r);
    if (missing > 0) out.push(pad(missing));
    return { reportId: r.reportId, items: out };
  };
  const reshape = (c: HIDCollectionInfo): HIDCollectionInfo => {
    const kinds = ['inputReports', 'outputReports', 'featureReports'] as const;
    const next = { ...c, children: c.children.map(reshape) };
    for (const k of kinds) {
      const longest = Math.max(0, ...c[k].map(bits));
      next[k] = c[k].map((r) => reshapeReport(r, longest)).reverse();
    }
    return next;
  };
  return collections.map(reshape).reverse();
}

describe('control map from the real fixtures', () => {
  for (const file of fixtureFiles()) {
    const want = FIXTURES[file];
    it(`${file} (${want?.device}): controls as the README and research decode them`, () => {
      expect(want).toBeDefined();
      const map = buildControlMap(fixtureCollections(file));
      expect(map.telephony).toBe(want?.telephony);
      expect(positions(map)).toEqual({ inputs: want?.inputs, outputs: want?.outputs });
      for (const name of OUTPUT_NAMES) {
        const o = map.outputs[name];
        if (o) expect(o.reportBytes, name).toBe(want?.outputBytes[o.reportId]);
      }
    });

    it(`${file}: the same controls from the Windows-shaped collections`, () => {
      const linuxShape = fixtureCollections(file);
      const winShape = windowsShape(linuxShape);
      const shape = (cs: HIDCollectionInfo[]) =>
        cs.flatMap((c) => [...c.inputReports, ...c.outputReports]).map((r) => r.items.map((i) => `${i.reportSize}x${i.reportCount}`).join(','));
      expect(shape(winShape).sort()).not.toEqual(shape(linuxShape).sort()); // the item boundaries really moved
      expect(positions(buildControlMap(winShape))).toEqual(positions(buildControlMap(linuxShape)));
    });
  }

  it('reads the hook as a level and mute as a toggle, as every fixture declares them', () => {
    for (const file of fixtureFiles()) {
      const map = buildControlMap(fixtureCollections(file));
      if (!map.telephony) continue;
      expect(map.inputs.hookSwitch?.isAbsolute, file).toBe(true);
      expect(map.inputs.phoneMute?.isAbsolute, file).toBe(false);
    }
  });

  it('summarises as the diagnostics command prints it', () => {
    expect(controlSummary(buildControlMap(fixtureCollections('1395-00a2.bin')))).toEqual({
      telephony: true,
      inputs: { hookSwitch: { reportId: 2, bit: 2 }, phoneMute: { reportId: 2, bit: 5 }, flash: { reportId: 2, bit: 3 }, redial: { reportId: 2, bit: 4 } },
      outputs: {
        offHook: { reportId: 3, bit: 1 },
        ring: { reportId: 3, bit: 3 },
        mute: { reportId: 3, bit: 4 },
        hold: { reportId: 3, bit: 6 },
        microphone: { reportId: 3, bit: 2 },
      },
    });
  });

  it('finds the reject usage only where asked to look for one', () => {
    const cs = fixtureCollections('0b0e-0307.bin');
    expect(buildControlMap(cs, { rejectUsages: [] }).inputs.reject).toBeNull();
    expect(pos(buildControlMap(cs, { rejectUsages: [0xff30fffd] }).inputs.reject)).toEqual({ reportId: 4, bit: 5 });
  });
});

describe('reading inputs and building LED reports', () => {
  const jabra = buildControlMap(fixtureCollections('0b0e-0307.bin'));
  const poly = buildControlMap(fixtureCollections('047f-c053.bin'));
  const epos = buildControlMap(fixtureCollections('1395-00a2.bin'));
  const view = (...b: number[]) => new DataView(new Uint8Array(b).buffer);

  it('reads a control by its bit, only from its own report', () => {
    expect(readControl(epos.inputs.hookSwitch, 2, view(0b0000_0100))).toBe(1);
    expect(readControl(epos.inputs.hookSwitch, 2, view(0b1111_1011))).toBe(0);
    expect(readControl(epos.inputs.hookSwitch, 3, view(0xff))).toBeNull();
    expect(readControl(jabra.inputs.programmableButton, 2, view(0x40, 0x00))).toBe(1);
    expect(readControl(jabra.inputs.reject, 4, view(0x20, 0x00))).toBe(1);
  });

  it('reads multi-bit fields little-endian and signed when the logical minimum is negative', () => {
    const wide: InputControl = { reportId: 1, bit: 4, size: 8, usage: 0, isAbsolute: true, hasPreferredState: false, logicalMinimum: 0 };
    expect(readControl(wide, 1, view(0x50, 0x0a))).toBe(0xa5);
    expect(readControl({ ...wide, logicalMinimum: -128 }, 1, view(0xf0, 0x0f))).toBe(-1);
  });

  it('returns null instead of reading past a short report', () => {
    expect(readControl(jabra.inputs.programmableButton, 2, view())).toBeNull();
    expect(readControl({ ...(jabra.inputs.hookSwitch as InputControl), bit: 9 }, 2, view(0xff))).toBeNull();
    expect(readControl(null, 2, view(1))).toBeNull();
  });

  it('writes all LEDs of a shared report at once (Jabra: Off-Hook + Mute → 03 00)', () => {
    const reports = buildOutputReports(jabra, { ...LEDS_OFF, offHook: true, mute: true });
    expect(reports.map((r) => [r.reportId, [...r.data]])).toEqual([[2, [0x03, 0x00]]]);
    expect(buildOutputReports(jabra, { ...LEDS_OFF, ring: true, hold: true, microphone: true }).map((r) => [...r.data])).toEqual([[0x1c, 0x00]]);
  });

  it('writes one report per LED where the device has one per LED (Poly C5220)', () => {
    const reports = buildOutputReports(poly, { ...LEDS_OFF, offHook: true, mute: true });
    expect(reports.map((r) => [r.reportId, [...r.data]])).toEqual([
      [0x09, [0x01]],
      [0x17, [0x01]],
      [0x18, [0x00]],
      [0x20, [0x00]],
    ]);
  });

  it('leaves bits it does not own at 0 (EPOS: Ringer bit 0, On-Line bit 5)', () => {
    const all = { offHook: true, ring: true, mute: true, hold: true, microphone: true };
    expect(buildOutputReports(epos, all).map((r) => [r.reportId, [...r.data]])).toEqual([[3, [0b0101_1110]]]);
  });

  it('gives an empty map and no reports for a device without telephony (Logitech G535)', () => {
    const g535 = buildControlMap(fixtureCollections('046d-0ac4.bin'));
    expect(g535.telephony).toBe(false);
    expect(Object.values(g535.inputs).every((c) => c === null)).toBe(true);
    expect(buildOutputReports(g535, { offHook: true, ring: true, mute: true, hold: true, microphone: true })).toEqual([]);
  });

  it('does not trip on hostile collection objects', () => {
    const weird = [
      null,
      { usagePage: 0x0b, inputReports: [{ reportId: 2, items: [{ reportSize: -1, reportCount: 3, usages: [0x000b0020] }] }] },
      { usagePage: 0x0b, inputReports: [{ reportId: 300, items: [] }], outputReports: 'x' },
      {
        usagePage: 0x0b,
        inputReports: [
          // A report longer than any HID report can be: nothing in it can be placed.
          { reportId: 1, items: [{ reportSize: 1, reportCount: 2 ** 31, usages: [0x000b0021] }, { reportSize: 1, reportCount: 1, usages: [0x000b002f] }] },
          { reportId: 2, items: [{ reportSize: 1, reportCount: 1, usages: [0x000b0020] }] },
        ],
      },
    ] as unknown as HIDCollectionInfo[];
    const map = buildControlMap(weird);
    expect(map.telephony).toBe(true);
    expect(map.inputs.flash).toBeNull();
    expect(map.inputs.phoneMute).toBeNull();
    expect(pos(map.inputs.hookSwitch)).toEqual({ reportId: 2, bit: 0 });
  });
});
