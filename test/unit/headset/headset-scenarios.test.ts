// Whole calls per vendor: the real service, machine, control map and parser, driving a fake HIDDevice built
// from each real descriptor. Input reports are built from the hand-written positions in
// fixture-expectations.ts, and LED state is read back from the written reports at those positions, so a
// wrong bit anywhere in the chain fails here. The fake device behaves like Jabra documents: its hook switch
// follows the Off-Hook LED the host writes, and it reports the new state (an echo) 20 ms later.
import { afterEach, describe, expect, it } from 'vitest';
import { HeadsetService, headsetDeviceId, type HeadsetStatus } from '../../../renderer/headset/headset-service';
import type { HeadsetCallView, HeadsetCommand } from '../../../renderer/headset/headset-machine';
import type { HIDCollectionInfo } from '../../../renderer/headset/webhid';
import { FakeHid, FakeHidDevice, ManualClock, fixtureCollections, fixtureFiles } from './fake-hid-device';
import { FIXTURES, type FixtureExpectation, type Pos } from './fixture-expectations';

type Led = 'offHook' | 'ring' | 'mute' | 'hold' | 'microphone';
type Control = keyof FixtureExpectation['inputs'];

/** Vendor behaviour the scenarios expect, stated here independently of renderer/headset/quirks.ts. */
const VENDOR = {
  0x0b0e: { name: 'Jabra', holdKeepsOffHook: true, rejectWith: 'reject' },
  0x6993: { name: 'Yealink', holdKeepsOffHook: false, rejectWith: 'reject' },
  0x047f: { name: 'Poly', holdKeepsOffHook: false, rejectWith: 'programmableButton' },
  0x1395: { name: 'EPOS', holdKeepsOffHook: true, rejectWith: 'programmableButton' },
} as const satisfies Record<number, { name: string; holdKeepsOffHook: boolean; rejectWith: Control }>;

function reportBytes(collections: HIDCollectionInfo[], reportId: number): number {
  for (const c of collections) {
    const r = c.inputReports.find((x) => x.reportId === reportId);
    if (r) return Math.ceil(r.items.reduce((n, i) => n + i.reportSize * i.reportCount, 0) / 8);
  }
  throw new Error(`no input report ${reportId}`);
}

class Rig {
  readonly clock = new ManualClock();
  readonly hid = new FakeHid();
  readonly commands: HeadsetCommand[] = [];
  readonly statuses: HeadsetStatus[] = [];
  readonly service: HeadsetService;
  /** The device's own idea of its hook switch (follows the user and the Off-Hook LED). */
  hook = 0;
  echo = true;

  constructor(preferredDeviceId: string | null = null) {
    this.service = new HeadsetService({
      hid: this.hid,
      clock: this.clock,
      preferredDeviceId,
      onCommand: (c) => this.commands.push(c),
      onStatus: (s) => this.statuses.push(s),
    });
  }

  device(file: string, vendorId?: number, extra: Partial<ConstructorParameters<typeof FakeHidDevice>[0]> = {}): FakeHidDevice {
    const spec = FIXTURES[file] as FixtureExpectation;
    let offHookLed = false;
    const device: FakeHidDevice = new FakeHidDevice({
      vendorId: vendorId ?? spec.vendorId,
      productId: spec.productId,
      productName: spec.device,
      collections: fixtureCollections(file),
      now: this.clock.now,
      onOutput: (d, reportId, bytes) => {
        const at = spec.outputs.offHook;
        if (!at || at.reportId !== reportId) return;
        const led = (((bytes[at.bit >> 3] ?? 0) >> (at.bit & 7)) & 1) === 1;
        if (led === offHookLed) return;
        offHookLed = led;
        if (!this.echo) return;
        this.clock.setTimeout(() => {
          this.hook = led ? 1 : 0;
          this.send(d, spec, {});
        }, 20);
      },
      ...extra,
    });
    return device;
  }

  /** Send the telephony report (or another report) with the hook level and the given controls set. */
  send(device: FakeHidDevice, spec: FixtureExpectation, set: Partial<Record<Control, number>>): void {
    const names = Object.keys(set) as Control[];
    const hook = spec.inputs.hookSwitch as Pos;
    const reportId = names.length ? (spec.inputs[names[0] as Control] as Pos).reportId : hook.reportId;
    const data = new Array<number>(reportBytes(device.collections, reportId)).fill(0);
    const put = (p: Pos, v: number) => {
      if (v) data[p.bit >> 3] = (data[p.bit >> 3] as number) | (1 << (p.bit & 7));
    };
    if (reportId === hook.reportId) put(hook, this.hook);
    for (const n of names) {
      const p = spec.inputs[n] as Pos;
      expect(p.reportId, `${n} shares report ${reportId}`).toBe(reportId);
      put(p, set[n] as number);
    }
    device.input(reportId, data);
  }

  /** A button press: down, then up 120 ms later. */
  async press(device: FakeHidDevice, spec: FixtureExpectation, control: Control): Promise<void> {
    this.send(device, spec, { [control]: 1 });
    await this.clock.advance(120);
    this.send(device, spec, { [control]: 0 });
    await this.clock.advance(200);
  }

  /** The user moves the hook switch (answer / hang up button). */
  async hookTo(device: FakeHidDevice, spec: FixtureExpectation, value: 0 | 1): Promise<void> {
    this.hook = value;
    this.send(device, spec, {});
    await this.clock.advance(200);
  }

  async app(view: HeadsetCallView): Promise<void> {
    this.service.setCallView(view);
    await this.clock.advance(100);
  }

  /** The LEDs as the device sees them after every report written so far. */
  leds(device: FakeHidDevice, spec: FixtureExpectation): Record<Led, boolean | null> {
    const out = {} as Record<Led, boolean | null>;
    for (const led of ['offHook', 'ring', 'mute', 'hold', 'microphone'] as Led[]) {
      const p = spec.outputs[led];
      const last = p ? device.last(p.reportId) : undefined;
      out[led] = p ? (((last?.[p.bit >> 3] ?? 0) >> (p.bit & 7)) & 1) === 1 : null;
    }
    return out;
  }

  takeCommands(): HeadsetCommand[] {
    return this.commands.splice(0);
  }
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.service.stop();
});

async function started(file: string, vendorId?: number) {
  const rig = new Rig();
  rigs.push(rig);
  const device = rig.device(file, vendorId);
  rig.hid.devices.push(device);
  await rig.service.start();
  await rig.clock.advance(100);
  const spec = FIXTURES[file] as FixtureExpectation;
  const expectLeds = (want: Partial<Record<Led, boolean>>) => {
    const got = rig.leds(device, spec);
    const all: Record<Led, boolean> = { offHook: false, ring: false, mute: false, hold: false, microphone: false, ...want };
    for (const led of Object.keys(all) as Led[]) if (got[led] !== null) expect(got[led], led).toBe(all[led]);
  };
  return { rig, device, spec, expectLeds };
}

const ringing = (callId: string): HeadsetCallView => ({ callId, state: 'ringing', muted: false });
const active = (callId: string, muted = false): HeadsetCallView => ({ callId, state: 'active', muted });
const held = (callId: string, muted = false): HeadsetCallView => ({ callId, state: 'held', muted });
const IDLE: HeadsetCallView = { callId: null, state: 'idle', muted: false };

// Every telephony fixture present, plus Yealink: its WH66 descriptor is not among the fixtures, but its
// standard telephony collection is byte-for-byte the Evolve Link's (research §2.3), so the Evolve Link's
// bytes stand in with Yealink's vendor id (the reject bit then sits where Jabra's mirror has it).
const CASES: { file: string; vendorId: number }[] = [
  ...fixtureFiles()
    .filter((f) => FIXTURES[f]?.telephony)
    .map((file) => ({ file, vendorId: (FIXTURES[file] as FixtureExpectation).vendorId })),
  { file: '0b0e-0307.bin', vendorId: 0x6993 },
];

describe.each(CASES)('headset scenarios: $file as vendor $vendorId', ({ file, vendorId }) => {
  const vendor = VENDOR[vendorId as keyof typeof VENDOR];
  const micFollows = (muted: boolean) => ({ mute: muted, microphone: muted });

  it(`${vendor.name}: ring → answer by hook → mute → unmute → hold → resume → hang up by hook`, async () => {
    const { rig, device, spec, expectLeds } = await started(file, vendorId);
    expect(rig.service.getStatus()).toMatchObject({ state: 'ready', device: { vendorId, vendor: vendor.name } });
    // Reset on connect: every LED report written, all off.
    for (const led of ['offHook', 'ring', 'mute', 'hold'] as Led[]) {
      const p = spec.outputs[led] as Pos;
      expect(device.sentFor(p.reportId).length, led).toBeGreaterThan(0);
    }
    expectLeds({});

    await rig.app(ringing('c1'));
    expectLeds({ ring: true });

    await rig.hookTo(device, spec, 1);
    expect(rig.takeCommands()).toEqual([{ kind: 'answer', callId: 'c1' }]);
    expectLeds({ offHook: true }); // acknowledged at once, before the app confirms
    await rig.app(active('c1'));
    await rig.clock.advance(3000);
    expectLeds({ offHook: true });

    await rig.press(device, spec, 'phoneMute');
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleMute', callId: 'c1', muted: true }]);
    expectLeds({ offHook: true, ...micFollows(true) });
    await rig.app(active('c1', true));

    await rig.clock.advance(1000);
    await rig.press(device, spec, 'phoneMute');
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleMute', callId: 'c1', muted: false }]);
    expectLeds({ offHook: true });
    await rig.app(active('c1', false));

    await rig.clock.advance(1000);
    await rig.press(device, spec, 'flash');
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleHold', callId: 'c1', held: true }]);
    await rig.app(held('c1'));
    await rig.clock.advance(600); // the device has echoed whatever Off-Hook it was given
    expectLeds({ hold: true, offHook: vendor.holdKeepsOffHook });
    expect(rig.hook).toBe(vendor.holdKeepsOffHook ? 1 : 0);
    expect(rig.takeCommands()).toEqual([]); // the hook=0 echo of a cleared Off-Hook is not a hang-up

    await rig.clock.advance(1000);
    await rig.press(device, spec, 'flash');
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleHold', callId: 'c1', held: false }]);
    await rig.app(active('c1'));
    await rig.clock.advance(600);
    expectLeds({ offHook: true });
    expect(rig.takeCommands()).toEqual([]);

    await rig.clock.advance(1000);
    await rig.hookTo(device, spec, 0);
    expect(rig.takeCommands()).toEqual([{ kind: 'hangup', callId: 'c1' }]);
    expectLeds({});
    await rig.app(IDLE);
    await rig.clock.advance(3000);
    expectLeds({});
    expect(rig.takeCommands()).toEqual([]);
    expect(rig.service.getStatus().lastEvent).toMatchObject({ control: 'hookSwitch', action: 'hangup' });
  });

  it(`${vendor.name}: reject while ringing`, async () => {
    const { rig, device, spec, expectLeds } = await started(file, vendorId);
    // Not ringing: the reject key means nothing.
    await rig.press(device, spec, vendor.rejectWith);
    expect(rig.takeCommands()).toEqual([]);

    await rig.app(ringing('c2'));
    expectLeds({ ring: true });
    await rig.press(device, spec, vendor.rejectWith);
    expect(rig.takeCommands()).toEqual([{ kind: 'reject', callId: 'c2' }]);
    expectLeds({});
    await rig.app(IDLE);
    await rig.clock.advance(3000);
    expectLeds({});
    expect(rig.takeCommands()).toEqual([]);
  });

  it(`${vendor.name}: the hook echo after the app sets Off-Hook is not a press`, async () => {
    const { rig, device, spec, expectLeds } = await started(file, vendorId);
    await rig.app(ringing('c3'));
    // Answered in the app: Off-Hook goes on; the device echoes hook=1 20 ms later.
    await rig.app(active('c3'));
    expect(rig.hook).toBe(1);
    expect(rig.takeCommands()).toEqual([]);
    expectLeds({ offHook: true });

    // A report the device sent just before it saw the change (hook still 0) is not a hang-up either.
    await rig.app(IDLE);
    await rig.app(ringing('c4'));
    await rig.clock.advance(3000); // so the report below is no duplicate of the last echo
    rig.echo = false;
    await rig.app(active('c4'));
    rig.hook = 0;
    rig.send(device, spec, {});
    await rig.clock.advance(100);
    expect(rig.takeCommands()).toEqual([]);
    expectLeds({ offHook: true });

    // The app hangs up: Off-Hook off, the echo hook=0 is no press.
    rig.echo = true;
    rig.hook = 1;
    await rig.app(IDLE);
    expect(rig.hook).toBe(0);
    expect(rig.takeCommands()).toEqual([]);
  });

  it(`${vendor.name}: two identical reports 2 s apart are one press`, async () => {
    const { rig, device, spec } = await started(file, vendorId);
    await rig.app(ringing('c5'));
    rig.echo = false;
    rig.hook = 1;
    rig.send(device, spec, {});
    await rig.clock.advance(2000);
    rig.send(device, spec, {});
    await rig.clock.advance(100);
    expect(rig.takeCommands()).toEqual([{ kind: 'answer', callId: 'c5' }]);
    await rig.app(active('c5'));

    rig.send(device, spec, { phoneMute: 1 });
    await rig.clock.advance(2000);
    rig.send(device, spec, { phoneMute: 1 });
    await rig.clock.advance(100);
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleMute', callId: 'c5', muted: true }]);
    await rig.app(active('c5', true));
    // A press that was never released counts again once the window is over (devices that send no release).
    await rig.clock.advance(1000);
    rig.send(device, spec, { phoneMute: 1 });
    await rig.clock.advance(100);
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleMute', callId: 'c5', muted: false }]);
  });
});

describe('headset scenarios: exact bytes', () => {
  it('Jabra writes one 2-byte report with every LED (Off-Hook+Mute+Microphone = 13 00)', async () => {
    const { rig, device, spec } = await started('0b0e-0307.bin');
    expect(device.sentFor(2)).toEqual([[0x00, 0x00]]);
    await rig.app(ringing('c1'));
    await rig.hookTo(device, spec, 1);
    await rig.app(active('c1'));
    await rig.press(device, spec, 'phoneMute');
    await rig.app(active('c1', true));
    await rig.clock.advance(1000);
    await rig.press(device, spec, 'flash');
    await rig.app(held('c1', true));
    expect(device.sentFor(2)).toEqual([
      [0x00, 0x00], // reset on connect
      [0x04, 0x00], // ring
      [0x01, 0x00], // off-hook (answer acknowledged)
      [0x13, 0x00], // off-hook + mute + microphone
      [0x1b, 0x00], // + hold, off-hook kept
    ]);
  });

  it('Poly C5220 writes only the per-LED reports that change', async () => {
    const { rig, device, spec } = await started('047f-c053.bin');
    const writes = () => device.sent.map((s) => [s.reportId, ...s.bytes]);
    expect(writes()).toEqual([
      [0x09, 0],
      [0x17, 0],
      [0x18, 0],
      [0x20, 0],
    ]);
    device.sent.length = 0;
    await rig.app(ringing('c1'));
    await rig.hookTo(device, spec, 1);
    await rig.app(active('c1'));
    await rig.press(device, spec, 'phoneMute');
    expect(writes()).toEqual([
      [0x18, 1], // ring on
      [0x17, 1], // answer: off-hook on …
      [0x18, 0], // … and ring off
      [0x09, 1], // mute
    ]);
  });
});

describe('headset service: devices and hot-plug', () => {
  function rigWith(preferred: string | null = null) {
    const rig = new Rig(preferred);
    rigs.push(rig);
    return rig;
  }

  it('starts with no headset and picks one up when it is plugged in, in the middle of a call', async () => {
    const rig = rigWith();
    await rig.service.start();
    expect(rig.service.getStatus()).toMatchObject({ state: 'no_device', device: null });
    rig.service.setCallView(active('c1', true));

    const jabra = rig.device('0b0e-2453.bin');
    rig.hid.plug(jabra);
    await rig.clock.advance(100);
    expect(rig.service.getStatus()).toMatchObject({ state: 'ready', device: { vendor: 'Jabra', productName: 'Jabra BIZ 2400 II' } });
    // Reset on connect writes the current call state: off-hook, mute, microphone.
    expect(jabra.sentFor(2)).toEqual([[0x13, 0x00]]);

    rig.hid.unplug(jabra);
    await rig.clock.advance(100);
    expect(rig.service.getStatus()).toMatchObject({ state: 'no_device', device: null });
    expect(jabra.listenerCount).toBe(0);
  });

  it('never picks a headset without a telephony collection (Logitech G535)', async () => {
    const rig = rigWith();
    const g535 = rig.device('046d-0ac4.bin');
    rig.hid.devices.push(g535);
    await rig.service.start();
    await rig.clock.advance(1500);
    expect(rig.service.getStatus()).toMatchObject({ state: 'no_device', available: [] });
    expect(g535.openCalls).toBe(0);
  });

  it('looks again after connect when the collections were not all listed yet (Windows)', async () => {
    const rig = rigWith();
    await rig.service.start();
    const epos = rig.device('1395-00a2.bin');
    const full = [...epos.collections];
    epos.collections.length = 0;
    rig.hid.plug(epos);
    await rig.clock.advance(100);
    expect(rig.service.getStatus().state).toBe('no_device');
    epos.collections.push(...full);
    await rig.clock.advance(1000);
    expect(rig.service.getStatus()).toMatchObject({ state: 'ready', device: { vendor: 'EPOS' } });
  });

  it('prefers the remembered headset, and switches when the choice changes', async () => {
    const rig0 = new Rig();
    const jabraId = headsetDeviceId(rig0.device('0b0e-0307.bin'));
    const rig = rigWith(jabraId);
    const poly = rig.device('047f-02ec.bin');
    const jabra = rig.device('0b0e-0307.bin');
    rig.hid.devices.push(poly, jabra);
    rig.service.setCallView(ringing('c1'));
    await rig.service.start();
    await rig.clock.advance(100);
    expect(rig.service.getStatus()).toMatchObject({ state: 'ready', device: { id: jabraId } });
    expect(rig.service.getStatus().available.map((d) => d.vendor)).toEqual(['Poly', 'Jabra']);
    expect(poly.openCalls).toBe(0);
    expect(jabra.last(2)).toEqual([0x04, 0x00]);

    await rig.service.setPreferredDevice(headsetDeviceId(poly));
    await rig.clock.advance(100);
    expect(rig.service.getStatus().device?.vendor).toBe('Poly');
    expect(jabra.last(2)).toEqual([0x00, 0x00]); // the old headset is left dark…
    expect(jabra.opened).toBe(false);
    expect(poly.last(1)).toEqual([0x01]); // …and the new one rings (Voyager: Ring is output report 1)
  });

  it('follows the remembered headset when it is plugged in after another one', async () => {
    const rig0 = new Rig();
    const eposId = headsetDeviceId(rig0.device('1395-0082.bin'));
    const rig = rigWith(eposId);
    const jabra = rig.device('0b0e-2456.bin');
    rig.hid.devices.push(jabra);
    await rig.service.start();
    await rig.clock.advance(100);
    expect(rig.service.getStatus().device?.vendor).toBe('Jabra');
    const sc660 = rig.device('1395-0082.bin');
    rig.hid.plug(sc660);
    await rig.clock.advance(100);
    expect(rig.service.getStatus().device?.id).toBe(eposId);
    rig.hid.unplug(sc660);
    await rig.clock.advance(100);
    expect(rig.service.getStatus().device?.vendor).toBe('Jabra');
  });

  it('retries writes a freshly plugged device refuses, then writes the latest state', async () => {
    const rig = rigWith();
    await rig.service.start();
    const jabra = rig.device('0b0e-0307.bin', undefined, { failSends: 3 });
    rig.hid.plug(jabra);
    await rig.clock.advance(10);
    rig.service.setCallView(ringing('c1'));
    await rig.clock.advance(10);
    expect(jabra.sent).toEqual([]);
    expect(rig.service.getStatus().state).toBe('ready');
    await rig.clock.advance(250 + 500 + 1000);
    expect(jabra.sentFor(2)).toEqual([[0x04, 0x00]]);
    expect(rig.service.getStatus().problem).toBeUndefined();
  });

  it('reports a device that cannot be opened (Linux without the udev rule)', async () => {
    const rig = rigWith();
    rig.hid.devices.push(rig.device('0b0e-0307.bin', undefined, { failOpen: true }));
    await rig.service.start();
    expect(rig.service.getStatus()).toMatchObject({ state: 'failed', problem: 'open_failed', device: { vendor: 'Jabra' } });
  });

  it('falls back to the app’s state when a press is not confirmed', async () => {
    const { rig, device, spec, expectLeds } = await started('1395-0082.bin');
    await rig.app(active('c1'));
    await rig.press(device, spec, 'phoneMute');
    expect(rig.takeCommands()).toEqual([{ kind: 'toggleMute', callId: 'c1', muted: true }]);
    expectLeds({ offHook: true, mute: true, microphone: true });
    await rig.clock.advance(3000); // the phone never muted
    expectLeds({ offHook: true });
  });

  it('stop switches the LEDs off, closes the device and removes every listener', async () => {
    const { rig, device, spec, expectLeds } = await started('1395-00a9.bin');
    await rig.app(active('c1'));
    expectLeds({ offHook: true });
    await rig.service.stop();
    expectLeds({});
    expect(device.opened).toBe(false);
    expect(device.listenerCount).toBe(0);
    expect(rig.hid.listenerCount).toBe(0);
    rig.send(device, spec, { phoneMute: 1 }); // nothing listens any more
    expect(rig.takeCommands()).toEqual([]);
  });
});
