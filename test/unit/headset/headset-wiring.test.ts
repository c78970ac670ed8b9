// The headset wired into the app: the real phone store drives the LEDs of a fake HIDDevice built from a
// real descriptor, its buttons reach the phone's actions, its status reaches the headset store, the
// chosen headset is saved and followed, and a test ring lights the Ring LED. The phone here is a small
// stand-in that records what it is asked and updates the store as the SIP.js phone does (the real phone
// is driven by the end-to-end tests, test/e2e/headset.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_MARK, wireHeadset, type HeadsetWiring } from '../../../renderer/headset/headset-wiring';
import { headsetCall, runHeadsetCommand, toHeadsetView, type HeadsetPhone } from '../../../renderer/headset/headset-view';
import { headsetDeviceId, TEST_RING_MS } from '../../../renderer/headset/headset-service';
import type { HeadsetCommand } from '../../../renderer/headset/headset-machine';
import type { HIDDeviceLike } from '../../../renderer/headset/webhid';
import { createHeadsetStore } from '../../../renderer/stores/headset-store';
import { createPhoneStore, type CallSnapshot, type CallState, type PhoneStore } from '../../../renderer/stores/phone-store';
import { createSettingsStore } from '../../../renderer/stores/settings-store';
import { DEFAULT_AUDIO_PREFS, DEFAULT_HOTKEYS, DEFAULT_NUMBER_PLAN, DEFAULT_PHONE_PREFS } from '../../../shared/domain/defaults';
import type { Settings } from '../../../shared/domain/settings';
import { FakeHid, FakeHidDevice, ManualClock, fixtureCollections } from './fake-hid-device';
import { FIXTURES, type FixtureExpectation, type Pos } from './fixture-expectations';

const JABRA = '0b0e-0307.bin';
const POLY = '047f-c053.bin';
const spec = (file: string) => FIXTURES[file] as FixtureExpectation;

function snapshot(id: string, state: CallState, extra: Partial<CallSnapshot> = {}): CallSnapshot {
  return { id, direction: 'inbound', number: '13800138000', displayName: '', state, inviteAt: 0, startedAt: 0, muted: false, ...extra };
}

/** Does what the SIP.js phone does to the store when asked; records every action. */
class StandInPhone implements HeadsetPhone {
  readonly asked: string[] = [];
  fail: Error | null = null;
  constructor(private readonly store: PhoneStore) {}
  private act(what: string, fn: () => void) {
    this.asked.push(what);
    if (this.fail) return Promise.reject(this.fail);
    fn();
    return Promise.resolve();
  }
  answer = (id: string) => this.act(`answer ${id}`, () => this.store.getState().updateCall(id, { state: 'active' }));
  reject = (id: string) => this.act(`reject ${id}`, () => this.store.getState().updateCall(id, { state: 'ended', endReason: 'rejected' }));
  hangup = (id: string) => this.act(`hangup ${id}`, () => this.store.getState().updateCall(id, { state: 'ended', endReason: 'hangup_local' }));
  hold = (id: string) => this.act(`hold ${id}`, () => this.store.getState().updateCall(id, { state: 'held' }));
  resume = (id: string) => this.act(`resume ${id}`, () => this.store.getState().updateCall(id, { state: 'active' }));
  setMuted = (id: string, muted: boolean) => {
    this.asked.push(`mute ${id} ${muted}`);
    this.store.getState().updateCall(id, { muted });
  };
}

function settings(deviceId: string | null): Settings {
  return {
    account: null,
    hasPassword: false,
    numberPlan: DEFAULT_NUMBER_PLAN,
    locale: 'en',
    phone: DEFAULT_PHONE_PREFS,
    audio: DEFAULT_AUDIO_PREFS,
    hotkeys: DEFAULT_HOTKEYS,
    headset: { deviceId },
  };
}

class HidWithChooser extends FakeHid {
  pending: FakeHidDevice[] = [];
  requests: unknown[] = [];
  refuse: Error | null = null;
  async requestDevice(options: unknown): Promise<HIDDeviceLike[]> {
    this.requests.push(options);
    if (this.refuse) throw this.refuse;
    const granted = this.pending.splice(0);
    this.devices.push(...granted);
    return granted;
  }
}

class App {
  readonly clock = new ManualClock();
  readonly hid = new HidWithChooser();
  readonly phoneStore = createPhoneStore();
  readonly headsetStore = createHeadsetStore();
  readonly settingsStore = createSettingsStore();
  readonly phone = new StandInPhone(this.phoneStore);
  readonly saved: (string | null)[] = [];
  readonly failed: { command: HeadsetCommand; detail: string }[] = [];
  saveFails = false;
  wiring!: HeadsetWiring;

  constructor(preferred: string | null = null) {
    this.settingsStore.getState().set({ settings: settings(preferred) });
  }

  device(file: string): FakeHidDevice {
    const s = spec(file);
    return new FakeHidDevice({ vendorId: s.vendorId, productId: s.productId, productName: s.device, collections: fixtureCollections(file), now: this.clock.now });
  }

  async start(o: { noWebHid?: boolean; offerConnect?: boolean } = {}): Promise<void> {
    this.wiring = wireHeadset({
      hid: o.noWebHid ? undefined : this.hid,
      offerConnect: o.offerConnect ?? true,
      phone: this.phone,
      phoneStore: this.phoneStore,
      headsetStore: this.headsetStore,
      settingsStore: this.settingsStore,
      clock: this.clock,
      save: async (id) => {
        if (this.saveFails) throw new Error('disk full');
        this.saved.push(id);
      },
      onCommandFailed: (command, detail) => this.failed.push({ command, detail }),
    });
    await this.clock.advance(50);
  }

  ring(id: string): void {
    this.phoneStore.getState().addCall(snapshot(id, 'ringing'));
  }

  /** Press a button: the report with it set, then released. */
  async press(device: FakeHidDevice, file: string, control: keyof FixtureExpectation['inputs'], hook: 0 | 1): Promise<void> {
    this.send(device, file, { [control]: 1 }, hook);
    await this.clock.advance(100);
    this.send(device, file, {}, hook);
    await this.clock.advance(100);
  }

  send(device: FakeHidDevice, file: string, set: Partial<Record<keyof FixtureExpectation['inputs'], number>>, hook: 0 | 1): void {
    const s = spec(file);
    const hookAt = s.inputs.hookSwitch as Pos;
    const names = Object.keys(set) as (keyof FixtureExpectation['inputs'])[];
    const reportId = names.length ? (s.inputs[names[0]!] as Pos).reportId : hookAt.reportId;
    const data = new Array<number>(2).fill(0);
    const put = (p: Pos | null) => {
      if (p && p.reportId === reportId) data[p.bit >> 3] = (data[p.bit >> 3] as number) | (1 << (p.bit & 7));
    };
    if (hook) put(hookAt);
    for (const n of names) if (set[n]) put(s.inputs[n]);
    device.input(reportId, data);
  }

  led(device: FakeHidDevice, file: string, name: keyof FixtureExpectation['outputs']): boolean {
    const p = spec(file).outputs[name] as Pos;
    const last = device.last(p.reportId) ?? [];
    return (((last[p.bit >> 3] ?? 0) >> (p.bit & 7)) & 1) === 1;
  }
}

const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.wiring?.stop();
});
function app(preferred: string | null = null): App {
  const a = new App(preferred);
  apps.push(a);
  return a;
}

describe('phone store → headset view', () => {
  const store = (calls: CallSnapshot[]) => ({ calls: Object.fromEntries(calls.map((c) => [c.id, c])), order: calls.map((c) => c.id) });

  it('shows no call when there is none, or only ended ones', () => {
    expect(toHeadsetView(store([]))).toEqual({ callId: null, state: 'idle', muted: false });
    expect(toHeadsetView(store([snapshot('a', 'ended')]))).toEqual({ callId: null, state: 'idle', muted: false });
  });

  it('maps every call state', () => {
    expect(toHeadsetView(store([snapshot('a', 'ringing')]))).toEqual({ callId: 'a', state: 'ringing', muted: false });
    for (const s of ['dialing', 'connecting', 'active'] as const) expect(toHeadsetView(store([snapshot('a', s, { muted: true })]))).toEqual({ callId: 'a', state: 'active', muted: true });
    expect(toHeadsetView(store([snapshot('a', 'held')]))).toEqual({ callId: 'a', state: 'held', muted: false });
  });

  it('keeps the call in the agent’s ear when another one rings in (call waiting)', () => {
    expect(headsetCall(store([snapshot('a', 'active'), snapshot('b', 'ringing')]))?.id).toBe('a');
    expect(headsetCall(store([snapshot('a', 'held'), snapshot('b', 'ringing')]))?.id).toBe('b');
    expect(headsetCall(store([snapshot('a', 'held'), snapshot('b', 'held')]))?.id).toBe('b');
    expect(headsetCall(store([snapshot('a', 'ringing'), snapshot('b', 'ringing')]))?.id).toBe('b');
  });

  it('sends every command to the phone action it names', async () => {
    const a = app();
    const cases: [HeadsetCommand, string][] = [
      [{ kind: 'answer', callId: 'x' }, 'answer x'],
      [{ kind: 'reject', callId: 'x' }, 'reject x'],
      [{ kind: 'hangup', callId: 'x' }, 'hangup x'],
      [{ kind: 'toggleMute', callId: 'x', muted: true }, 'mute x true'],
      [{ kind: 'toggleMute', callId: 'x', muted: false }, 'mute x false'],
      [{ kind: 'toggleHold', callId: 'x', held: true }, 'hold x'],
      [{ kind: 'toggleHold', callId: 'x', held: false }, 'resume x'],
    ];
    for (const [c, want] of cases) {
      await runHeadsetCommand(c, a.phone);
      expect(a.phone.asked.pop()).toBe(want);
    }
  });
});

describe('wireHeadset', () => {
  it('lights the LEDs from the phone store and drives the phone from the buttons, a whole call', async () => {
    const a = app();
    const d = a.device(JABRA);
    a.hid.devices.push(d);
    await a.start();
    expect(a.headsetStore.getState()).toMatchObject({ supported: true, canRequest: true, status: { state: 'ready', device: { productName: 'Jabra EVOLVE LINK MS', vendor: 'Jabra' } } });

    a.ring('c1');
    await a.clock.advance(50);
    expect(a.led(d, JABRA, 'ring')).toBe(true);

    a.send(d, JABRA, {}, 1); // the agent presses the call button
    await a.clock.advance(50);
    expect(a.phone.asked).toEqual(['answer c1']);
    expect(a.phoneStore.getState().calls.c1?.state).toBe('active');
    expect(a.led(d, JABRA, 'offHook')).toBe(true);
    expect(a.led(d, JABRA, 'ring')).toBe(false);
    expect(performance.getEntriesByName(COMMAND_MARK).at(-1)).toMatchObject({ detail: { kind: 'answer', callId: 'c1' } });
    expect(a.headsetStore.getState().status.lastEvent).toMatchObject({ control: 'hookSwitch', action: 'answer' });

    await a.press(d, JABRA, 'phoneMute', 1);
    expect(a.phone.asked.at(-1)).toBe('mute c1 true');
    expect(a.led(d, JABRA, 'mute')).toBe(true);
    await a.clock.advance(3000);
    expect(a.led(d, JABRA, 'mute')).toBe(true); // the app confirmed: it stays

    // Muted from the screen: the LED follows.
    a.phoneStore.getState().updateCall('c1', { muted: false });
    await a.clock.advance(50);
    expect(a.led(d, JABRA, 'mute')).toBe(false);

    await a.press(d, JABRA, 'flash', 1);
    expect(a.phone.asked.at(-1)).toBe('hold c1');
    expect(a.led(d, JABRA, 'hold')).toBe(true);
    expect(a.led(d, JABRA, 'offHook')).toBe(true); // Jabra: Off-Hook kept on hold
    await a.clock.advance(3000);
    await a.press(d, JABRA, 'flash', 1);
    expect(a.phone.asked.at(-1)).toBe('resume c1');
    expect(a.led(d, JABRA, 'hold')).toBe(false);

    a.send(d, JABRA, {}, 0); // back on the hook
    await a.clock.advance(50);
    expect(a.phone.asked.at(-1)).toBe('hangup c1');
    expect(a.phoneStore.getState().calls.c1?.state).toBe('ended');
    for (const led of ['offHook', 'ring', 'mute', 'hold'] as const) expect(a.led(d, JABRA, led), led).toBe(false);
    expect(a.phone.asked).toEqual(['answer c1', 'mute c1 true', 'hold c1', 'resume c1', 'hangup c1']);
  });

  it('rejects a ringing call from the reject button, and a call answered on screen is not answered twice by the echo', async () => {
    const a = app();
    const d = a.device(JABRA);
    a.hid.devices.push(d);
    await a.start();
    a.ring('c1');
    await a.clock.advance(50);
    await a.press(d, JABRA, 'reject', 0);
    expect(a.phone.asked).toEqual(['reject c1']);
    expect(a.led(d, JABRA, 'ring')).toBe(false);

    await a.clock.advance(3000);
    a.ring('c2');
    await a.clock.advance(50);
    a.phoneStore.getState().updateCall('c2', { state: 'active' }); // Answer clicked
    await a.clock.advance(20);
    a.send(d, JABRA, {}, 1); // the device acknowledges Off-Hook
    await a.clock.advance(50);
    expect(a.phone.asked).toEqual(['reject c1']);
    expect(a.phoneStore.getState().calls.c2?.state).toBe('active');
  });

  it('tells the agent when the phone could not do what the headset asked', async () => {
    const a = app();
    const d = a.device(JABRA);
    a.hid.devices.push(d);
    await a.start();
    a.ring('c1');
    await a.clock.advance(50);
    a.phone.fail = new Error('the caller hung up first');
    a.send(d, JABRA, {}, 1);
    await a.clock.advance(50);
    expect(a.failed).toEqual([{ command: { kind: 'answer', callId: 'c1' }, detail: 'the caller hung up first' }]);
  });

  it('follows the headset chosen in settings, saves a choice, and keeps the old one when saving fails', async () => {
    const poly = app().device(POLY);
    const a = app(headsetDeviceId(poly));
    const jabra = a.device(JABRA);
    a.hid.devices.push(jabra, poly);
    await a.start();
    expect(a.headsetStore.getState().status.device?.id).toBe(headsetDeviceId(poly));
    expect(a.headsetStore.getState().status.available.map((x) => x.productName)).toEqual([spec(JABRA).device, spec(POLY).device]);

    await a.wiring.actions.choose(headsetDeviceId(jabra));
    expect(a.saved).toEqual([headsetDeviceId(jabra)]);
    expect(a.headsetStore.getState().status.device?.id).toBe(headsetDeviceId(jabra));
    expect(poly.opened).toBe(false);

    a.saveFails = true;
    await expect(a.wiring.actions.choose(headsetDeviceId(poly))).rejects.toThrow('disk full');
    expect(a.headsetStore.getState()).toMatchObject({ error: 'disk full', status: { device: { id: headsetDeviceId(jabra) } } });

    // Chosen in another window: the settings event brings it here.
    a.settingsStore.getState().set({ settings: settings(headsetDeviceId(poly)) });
    await a.clock.advance(50);
    expect(a.headsetStore.getState().status.device?.id).toBe(headsetDeviceId(poly));
  });

  it('test ring: the Ring LED for a while, ended by a button, refused during a call', async () => {
    const a = app();
    const d = a.device(JABRA);
    a.hid.devices.push(d);
    await a.start();
    expect(a.wiring.actions.testRing()).toBe(true);
    await a.clock.advance(10);
    expect(a.led(d, JABRA, 'ring')).toBe(true);
    expect(a.headsetStore.getState().status.testRinging).toBe(true);
    await a.clock.advance(TEST_RING_MS);
    expect(a.led(d, JABRA, 'ring')).toBe(false);
    expect(a.headsetStore.getState().status.testRinging).toBe(false);

    a.wiring.actions.testRing();
    await a.clock.advance(500);
    await a.press(d, JABRA, 'phoneMute', 0); // the agent found the headset
    expect(a.led(d, JABRA, 'ring')).toBe(false);
    expect(a.headsetStore.getState().status.testRinging).toBe(false);
    expect(a.phone.asked).toEqual([]);

    a.wiring.actions.testRing();
    a.ring('c1'); // a real call takes over; it rings on
    await a.clock.advance(TEST_RING_MS + 100);
    expect(a.led(d, JABRA, 'ring')).toBe(true);
    expect(a.wiring.actions.testRing()).toBe(false);
  });

  it('in a plain browser the agent connects a headset through the chooser', async () => {
    const a = app();
    await a.start();
    expect(a.headsetStore.getState().status.state).toBe('no_device');
    a.hid.pending.push(a.device(JABRA));
    expect(await a.wiring.actions.connect()).toBe(true);
    expect(a.hid.requests).toEqual([{ filters: [{ usagePage: 0x0b }] }]);
    expect(a.headsetStore.getState().status).toMatchObject({ state: 'ready', device: { productName: 'Jabra EVOLVE LINK MS' } });

    a.hid.refuse = Object.assign(new Error('No device selected.'), { name: 'NotFoundError' });
    expect(await a.wiring.actions.connect()).toBe(false);
    expect(a.headsetStore.getState().error).toBeUndefined(); // closing the chooser is not an error
    a.hid.refuse = Object.assign(new Error('Must be handling a user gesture to show a permission request.'), { name: 'SecurityError' });
    expect(await a.wiring.actions.connect()).toBe(false);
    expect(a.headsetStore.getState().error).toMatch(/user gesture/);
  });

  it('under Electron no connect button is offered (the main process grants headsets)', async () => {
    const a = app();
    await a.start({ offerConnect: false });
    expect(a.headsetStore.getState()).toMatchObject({ supported: true, canRequest: false });
  });

  it('without WebHID the app says so and the actions do nothing', async () => {
    const a = app();
    await a.start({ noWebHid: true });
    expect(a.headsetStore.getState()).toMatchObject({ supported: false, canRequest: false });
    expect(a.wiring.service).toBeNull();
    expect(a.wiring.actions.testRing()).toBe(false);
    expect(await a.wiring.actions.connect()).toBe(false);
  });

  it('stop switches the LEDs off and lets the device go', async () => {
    const a = app();
    const d = a.device(JABRA);
    a.hid.devices.push(d);
    await a.start();
    a.ring('c1');
    await a.clock.advance(50);
    await a.wiring.stop();
    expect(a.led(d, JABRA, 'ring')).toBe(false);
    expect(d.opened).toBe(false);
    expect(a.hid.listenerCount).toBe(0);
    const written = d.sent.length;
    a.phoneStore.getState().updateCall('c1', { state: 'active' });
    await a.clock.advance(50);
    expect(d.sent.length).toBe(written); // the phone store no longer reaches the device
  });
});
