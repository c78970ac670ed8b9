// Property tests: whatever bytes, collections, reports or call states come in, the headset modules answer
// with a result (typed errors for bad descriptors), never an exception, and never take the "this is a bug"
// exits (`internal`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OUTPUT_NAMES,
  buildControlMap,
  buildOutputReports,
  readControl,
  type ControlMap,
} from '../../../renderer/headset/control-map';
import { parseReportDescriptor, type ParseResult } from '../../../renderer/headset/descriptor-parser';
import { IDLE_VIEW, initialMachineState, stepHeadset, type HeadsetCallView, type MachineInput } from '../../../renderer/headset/headset-machine';
import { quirksFor } from '../../../renderer/headset/quirks';
import type { HIDCollectionInfoLike } from '../../../renderer/headset/webhid';
import { fixtureBytes, fixtureCollections, fixtureFiles } from './fake-hid-device';
import { FIXTURES } from './fixture-expectations';

const ERROR_CODES = ['empty', 'too_long', 'truncated_item', 'unbalanced_end_collection', 'unclosed_collection'];
const RUNS = { numRuns: 400 };

function checkParse(r: ParseResult): void {
  if (!r.ok) {
    expect(ERROR_CODES).toContain(r.error.code);
    expect(r.error.message.length).toBeGreaterThan(0);
    return;
  }
  // Whatever parsed also maps and renders without trouble.
  const map = buildControlMap(r.collections);
  checkMap(map);
}

function checkMap(map: ControlMap): void {
  for (const name of OUTPUT_NAMES) {
    const o = map.outputs[name];
    if (o) expect(o.bit + o.size).toBeLessThanOrEqual(o.reportBytes * 8);
  }
  const all = { offHook: true, ring: true, mute: true, hold: true, microphone: true };
  for (const r of buildOutputReports(map, all)) expect(r.data.length).toBeGreaterThan(0);
}

/** Well-formed short items (any tag, 0–4 data bytes), so the parser gets past the first byte often. */
const shortItem = fc
  .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 1, 2, 4), fc.uint8Array({ minLength: 4, maxLength: 4 }))
  .map(([tag, type, size, data]) => [(tag << 4) | (type << 2) | (size === 4 ? 3 : size), ...data.subarray(0, size)]);
/** Collection/End Collection and the usual telephony items, to build deep and plausible trees. */
const structuredItem = fc.oneof(
  shortItem,
  fc.constantFrom([0xa1, 0x01], [0xa1, 0x02], [0xc0], [0x05, 0x0b], [0x05, 0x08], [0x09, 0x05], [0x09, 0x20], [0x09, 0x2f], [0x09, 0x17], [0x75, 0x01], [0x95, 0x02], [0x25, 0x01], [0x81, 0x22], [0x81, 0x06], [0x91, 0x22], [0x85, 0x02], [0xa4], [0xb4]),
);
const structuredDescriptor = fc.array(structuredItem, { maxLength: 120 }).map((items) => new Uint8Array(items.flat()));

describe('fuzzing the descriptor parser', () => {
  it('random bytes give a descriptor or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => checkParse(parseReportDescriptor(bytes))),
      RUNS,
    );
  });

  it('random item sequences give a descriptor or a typed error', () => {
    fc.assert(
      fc.property(structuredDescriptor, (bytes) => checkParse(parseReportDescriptor(bytes, { includeProtected: true }))),
      RUNS,
    );
  });

  it('every truncation of every real descriptor gives a descriptor or a typed error', () => {
    for (const file of fixtureFiles()) {
      const full = fixtureBytes(file);
      for (let n = 0; n <= full.length; n++) checkParse(parseReportDescriptor(full.subarray(0, n)));
      // A cut inside the last item or before the last End Collection is reported, not half-parsed.
      expect(parseReportDescriptor(full.subarray(0, full.length - 1)).ok, file).toBe(false);
    }
  });

  it('real descriptors with random bytes changed give a descriptor or a typed error', () => {
    const files = fixtureFiles();
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (file, edits) => {
          const bytes = new Uint8Array(fixtureBytes(file));
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          checkParse(parseReportDescriptor(bytes));
        },
      ),
      RUNS,
    );
  });
});

describe('fuzzing the control map', () => {
  it('any value passed as collections gives a control map', () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        checkMap(buildControlMap(junk as HIDCollectionInfoLike[]));
        checkMap(buildControlMap([junk] as HIDCollectionInfoLike[]));
      }),
      RUNS,
    );
  });

  it('collection-shaped objects with wild numbers give a control map', () => {
    const num = fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 32), fc.constant(-1), fc.constant(Number.NaN));
    const item = fc.record(
      {
        reportSize: num,
        reportCount: num,
        isArray: fc.boolean(),
        isRange: fc.boolean(),
        isConstant: fc.boolean(),
        usages: fc.array(fc.oneof(num, fc.constantFrom(0x000b0020, 0x000b002f, 0x00080017, 0xff30fffd))),
        usageMinimum: num,
        usageMaximum: num,
      },
      { requiredKeys: [] },
    );
    const report = fc.record({ reportId: num, items: fc.array(item, { maxLength: 6 }) }, { requiredKeys: [] });
    const collection = fc.record(
      { usagePage: fc.constantFrom(0x0b, 0x0c, 0xff00), inputReports: fc.array(report, { maxLength: 3 }), outputReports: fc.array(report, { maxLength: 3 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(collection, { maxLength: 4 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 70 }), (cs, id, data) => {
        const map = buildControlMap(cs as HIDCollectionInfoLike[]);
        checkMap(map);
        for (const c of Object.values(map.inputs)) {
          const v = readControl(c, id, new DataView(data.buffer));
          expect(v === null || Number.isInteger(v)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('fuzzing the headset machine', () => {
  const cases = fixtureFiles()
    .filter((f) => FIXTURES[f]?.telephony)
    .map((f) => ({ map: buildControlMap(fixtureCollections(f)), quirks: quirksFor(FIXTURES[f]?.vendorId ?? 0) }));

  const view: fc.Arbitrary<HeadsetCallView> = fc.oneof(
    fc.constant(IDLE_VIEW),
    fc.record({ callId: fc.constantFrom('a', 'b'), state: fc.constantFrom('idle', 'ringing', 'active', 'held'), muted: fc.boolean() }) as fc.Arbitrary<HeadsetCallView>,
    fc.anything() as fc.Arbitrary<HeadsetCallView>,
  );
  const input = fc.oneof(
    { weight: 6, arbitrary: fc.record({ type: fc.constant('report'), reportId: fc.oneof(fc.constantFrom(1, 2, 4, 8), fc.integer({ min: -2, max: 300 })), data: fc.uint8Array({ maxLength: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('call'), view }) },
    { weight: 1, arbitrary: fc.constantFrom({ type: 'tick' }, { type: 'connected' }, { type: 'disconnected' }) },
  );

  it('random reports and call states never throw, and commands name the call the app showed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cases.length - 1 }), fc.array(fc.tuple(input, fc.integer({ min: 0, max: 3000 })), { maxLength: 60 }), (which, steps) => {
        const { map, quirks } = cases[which] as (typeof cases)[number];
        let state = initialMachineState(map, quirks);
        state = stepHeadset(state, { type: 'connected', at: 0 }).state;
        let at = 0;
        const outputIds = new Set(Object.values(map.outputs).flatMap((o) => (o ? [o.reportId] : [])));
        for (const [inp, dt] of steps) {
          at += dt;
          const shown = state.view.callId;
          const out = stepHeadset(state, { ...inp, at } as MachineInput);
          expect(out.events.some((e) => e.reason === 'internal')).toBe(false);
          for (const c of out.commands) expect(c.callId).toBe(shown);
          for (const r of out.reports) expect(outputIds.has(r.reportId)).toBe(true);
          state = out.state;
        }
      }),
      RUNS,
    );
  });
});
