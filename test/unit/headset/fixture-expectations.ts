// What each real descriptor in ../shared/fixtures/hid declares, written out by hand from the fixture README
// and the decodes in ../shared/research/headset-hid.md §3.2 (report ids, bit offsets after the report-id
// byte). The control map must reproduce these; the scenario tests build their input reports from these
// numbers, not from the module under test.

export interface Pos {
  reportId: number;
  bit: number;
}

export interface FixtureExpectation {
  device: string;
  vendorId: number;
  productId: number;
  telephony: boolean;
  inputs: {
    hookSwitch: Pos | null;
    phoneMute: Pos | null;
    flash: Pos | null;
    redial: Pos | null;
    drop: Pos | null;
    reject: Pos | null;
    programmableButton: Pos | null;
    volumeUp: Pos | null;
    volumeDown: Pos | null;
  };
  outputs: {
    offHook: Pos | null;
    ring: Pos | null;
    mute: Pos | null;
    hold: Pos | null;
    microphone: Pos | null;
  };
  /** Byte length (without the id) of each output report carrying LEDs. */
  outputBytes: Record<number, number>;
  /** Top-level collections as usagePage:usage. */
  topLevel: string[];
}

const p = (reportId: number, bit: number): Pos => ({ reportId, bit });
const none = null;

// Jabra's and Yealink's standard telephony collection (report 0x02, identical bytes on all four devices).
const JABRA_STD_OUT = { offHook: p(2, 0), mute: p(2, 1), ring: p(2, 2), hold: p(2, 3), microphone: p(2, 4) };

export const FIXTURES: Record<string, FixtureExpectation> = {
  '0b0e-0307.bin': {
    device: 'Jabra EVOLVE LINK MS',
    vendorId: 0x0b0e,
    productId: 0x0307,
    telephony: true,
    inputs: {
      hookSwitch: p(2, 0),
      phoneMute: p(2, 2),
      flash: p(2, 3),
      redial: p(2, 4),
      drop: none,
      reject: p(4, 5),
      programmableButton: p(2, 6),
      volumeUp: p(1, 1),
      volumeDown: p(1, 0),
    },
    outputs: JABRA_STD_OUT,
    outputBytes: { 2: 2 },
    topLevel: ['000B:0005', 'FF00:0005', '000C:0001'],
  },
  '0b0e-2453.bin': {
    device: 'Jabra BIZ 2400 II',
    vendorId: 0x0b0e,
    productId: 0x2453,
    telephony: true,
    inputs: {
      hookSwitch: p(2, 0),
      phoneMute: p(2, 2),
      flash: p(2, 3),
      redial: p(2, 4),
      drop: none,
      reject: p(4, 5),
      programmableButton: p(2, 11),
      volumeUp: p(1, 1),
      volumeDown: p(1, 0),
    },
    outputs: JABRA_STD_OUT,
    outputBytes: { 2: 2 },
    topLevel: ['000B:0005', 'FF00:0001', '000C:0001'],
  },
  '0b0e-2456.bin': {
    device: 'Jabra SPEAK 810',
    vendorId: 0x0b0e,
    productId: 0x2456,
    telephony: true,
    inputs: {
      hookSwitch: p(2, 0),
      phoneMute: p(2, 2),
      flash: p(2, 3),
      redial: none,
      drop: none,
      reject: p(4, 4),
      programmableButton: p(2, 4),
      volumeUp: p(1, 1),
      volumeDown: p(1, 0),
    },
    outputs: JABRA_STD_OUT,
    outputBytes: { 2: 2 },
    topLevel: ['000B:0005', 'FF00:0001', '000C:0001'],
  },
  '047f-c053.bin': {
    device: 'Poly Blackwire C5220',
    vendorId: 0x047f,
    productId: 0xc053,
    telephony: true,
    inputs: {
      hookSwitch: p(8, 1),
      phoneMute: p(8, 0),
      flash: p(8, 2),
      redial: p(8, 3),
      drop: none,
      reject: none,
      programmableButton: p(8, 4),
      volumeUp: p(2, 0),
      volumeDown: p(2, 1),
    },
    outputs: { mute: p(0x09, 0), offHook: p(0x17, 0), ring: p(0x18, 0), hold: p(0x20, 0), microphone: none },
    outputBytes: { 0x09: 1, 0x17: 1, 0x18: 1, 0x20: 1 },
    topLevel: ['000C:0001', 'FF99:0001', '000B:0005', 'FFA2:0003', 'FFA0:0003'],
  },
  '047f-02e6.bin': {
    device: 'Poly BT700',
    vendorId: 0x047f,
    productId: 0x02e6,
    telephony: true,
    inputs: {
      hookSwitch: p(0x20, 0),
      phoneMute: p(0x20, 1),
      flash: p(0x20, 2),
      redial: p(0x20, 3),
      drop: none,
      reject: none,
      programmableButton: p(0x20, 4),
      volumeUp: p(0xff, 0),
      volumeDown: p(0xff, 1),
    },
    outputs: { ring: p(0x21, 0), mute: p(0x23, 0), offHook: p(0x24, 0), hold: p(0x25, 0), microphone: none },
    outputBytes: { 0x21: 1, 0x23: 1, 0x24: 1, 0x25: 1 },
    topLevel: ['FFA0:0003', 'FFA2:0003', '000C:0001', 'FF99:0001', '000B:0005'],
  },
  '047f-02ec.bin': {
    device: 'Poly Voyager Base CD',
    vendorId: 0x047f,
    productId: 0x02ec,
    telephony: true,
    inputs: {
      hookSwitch: p(1, 0),
      phoneMute: p(1, 1),
      flash: p(1, 2),
      redial: p(1, 3),
      drop: none,
      reject: none,
      programmableButton: p(1, 4),
      volumeUp: p(0x1f, 1),
      volumeDown: p(0x1f, 2),
    },
    outputs: { ring: p(1, 0), mute: p(3, 0), offHook: p(4, 0), hold: p(5, 0), microphone: none },
    outputBytes: { 1: 1, 3: 1, 4: 1, 5: 1 },
    topLevel: ['000C:0001', '000B:0005', 'FFA2:0003', 'FFA0:0003'],
  },
  '1395-0082.bin': {
    device: 'Sennheiser SC 660 ANC USB',
    vendorId: 0x1395,
    productId: 0x0082,
    telephony: true,
    inputs: {
      hookSwitch: p(8, 1),
      phoneMute: p(8, 0),
      flash: p(8, 3),
      redial: p(8, 2),
      drop: p(8, 4),
      reject: none,
      programmableButton: p(8, 5),
      volumeUp: p(0x19, 0),
      volumeDown: p(0x19, 1),
    },
    outputs: { mute: p(9, 0), offHook: p(9, 1), ring: p(9, 2), microphone: p(9, 3), hold: p(9, 5) },
    outputBytes: { 9: 1 },
    topLevel: ['000C:0001', '000B:0005', 'FFFF:0001'],
  },
  '1395-009c.bin': {
    device: 'EPOS IMPACT D1',
    vendorId: 0x1395,
    productId: 0x009c,
    telephony: true,
    inputs: {
      hookSwitch: p(2, 0),
      phoneMute: p(2, 3),
      flash: p(2, 1),
      redial: p(2, 2),
      drop: p(2, 4),
      reject: none,
      programmableButton: p(2, 5),
      volumeUp: p(1, 0),
      volumeDown: p(1, 1),
    },
    outputs: { offHook: p(3, 0), microphone: p(3, 1), ring: p(3, 2), mute: p(3, 3), hold: p(3, 5) },
    outputBytes: { 3: 1 },
    topLevel: ['000B:0005', '000C:0001', 'FF58:0001', 'FFFF:0001', 'FFE9:0001', 'FF99:0002'],
  },
  '1395-00a2.bin': {
    device: 'EPOS IMPACT DW',
    vendorId: 0x1395,
    productId: 0x00a2,
    telephony: true,
    inputs: {
      // Consumer volume bits sit inside the telephony report, before the hook.
      volumeDown: p(2, 0),
      volumeUp: p(2, 1),
      hookSwitch: p(2, 2),
      flash: p(2, 3),
      redial: p(2, 4),
      phoneMute: p(2, 5),
      drop: p(2, 6),
      programmableButton: p(2, 7),
      reject: none,
    },
    outputs: { offHook: p(3, 1), microphone: p(3, 2), ring: p(3, 3), mute: p(3, 4), hold: p(3, 6) },
    outputBytes: { 3: 1 },
    topLevel: ['000B:0005', '000C:0001', 'FF58:0001', 'FFFF:0001'],
  },
  '6993-b02b.bin': {
    device: 'Yealink WH66',
    vendorId: 0x6993,
    productId: 0xb02b,
    telephony: true,
    inputs: {
      hookSwitch: p(2, 0),
      phoneMute: p(2, 2),
      flash: p(2, 3),
      redial: p(2, 4),
      drop: none,
      reject: p(4, 6),
      programmableButton: p(2, 6),
      volumeUp: p(1, 0),
      volumeDown: p(1, 1),
    },
    outputs: JABRA_STD_OUT,
    outputBytes: { 2: 2 },
    topLevel: ['000B:0005', '000C:0001', 'FF30:0005', 'FF99:0001', 'FF00:0000', 'FF99:0001'],
  },
  '046d-0ac4.bin': {
    device: 'Logitech G535 (no telephony collection)',
    vendorId: 0x046d,
    productId: 0x0ac4,
    telephony: false,
    inputs: {
      hookSwitch: none,
      phoneMute: none,
      flash: none,
      redial: none,
      drop: none,
      reject: none,
      programmableButton: none,
      volumeUp: none,
      volumeDown: none,
    },
    outputs: { offHook: none, ring: none, mute: none, hold: none, microphone: none },
    outputBytes: {},
    topLevel: ['000C:0001', 'FF43:0202'],
  },
};

// 1395-00a9 (EPOS IMPACT D) is byte-identical to the IMPACT DW.
FIXTURES['1395-00a9.bin'] = { ...(FIXTURES['1395-00a2.bin'] as FixtureExpectation), device: 'EPOS IMPACT D', productId: 0x00a9 };
