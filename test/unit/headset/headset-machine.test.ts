// The machine's rules one by one, without a device: reports in, commands and LED reports out.
import { describe, expect, it } from 'vitest';
import { buildControlMap, type ControlMap } from '../../../renderer/headset/control-map';
import {
  IDLE_VIEW,
  initialMachineState,
  ledsFor,
  nextDeadline,
  stepHeadset,
  type HeadsetCallView,
  type HeadsetMachineState,
  type MachineInput,
  type MachineStep,
} from '../../../renderer/headset/headset-machine';
import { DEFAULT_QUIRKS, quirksFor, type HeadsetQuirks } from '../../../renderer/headset/quirks';
import { fixtureCollections } from './fake-hid-device';

// EPOS IMPACT DW: report 2 = volDown0 volUp1 hook2 flash3 redial4 mute5 drop6 button7; LEDs in report 3.
const EPOS = buildControlMap(fixtureCollections('1395-00a2.bin'));
const HOOK = 1 << 2;
const FLASH = 1 << 3;
const REDIAL = 1 << 4;
const MUTE = 1 << 5;
const DROP = 1 << 6;
const VOLUP = 1 << 1;

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

class M {
  state: HeadsetMachineState;
  t = 0;
  last!: MachineStep;
  constructor(controls: ControlMap = EPOS, quirks: HeadsetQuirks = quirksFor(0x1395), view: HeadsetCallView = IDLE_VIEW) {
    this.state = initialMachineState(controls, quirks, view);
  }
  step(input: WithoutAt<MachineInput> & { at?: number }): MachineStep {
    this.t = input.at ?? this.t + 100;
    this.last = stepHeadset(this.state, { ...input, at: this.t } as MachineInput);
    this.state = this.last.state;
    return this.last;
  }
  connect() {
    return this.step({ type: 'connected' });
  }
  call(view: HeadsetCallView) {
    return this.step({ type: 'call', view });
  }
  report(byte: number, reportId = 2) {
    return this.step({ type: 'report', reportId, data: new Uint8Array([byte]) });
  }
  press(bit: number, hold = 0) {
    const down = this.report(bit | hold);
    const up = this.report(hold);
    return { commands: [...down.commands, ...up.commands], events: [...down.events, ...up.events] };
  }
}

const active = (muted = false): HeadsetCallView => ({ callId: 'c', state: 'active', muted });

describe('headset machine', () => {
  it('writes every LED report on connect and nothing before', () => {
    const m = new M(EPOS, quirksFor(0x1395), active(true));
    expect(m.report(HOOK).events).toEqual([]); // not connected: reports are not even looked at
    expect(m.call(active(true)).reports).toEqual([]);
    const r = m.connect().reports;
    expect(r.map((x) => [x.reportId, [...x.data]])).toEqual([[3, [0b0001_0110]]]); // off-hook1 mic2 mute4
    expect(m.call(active(true)).reports).toEqual([]); // unchanged: nothing written
    expect(m.connect().reports).toHaveLength(1); // a reconnect writes again
  });

  it('ignores presses with no call, and says why', () => {
    const m = new M();
    m.connect();
    expect(m.press(MUTE).events.filter((e) => e.action !== 'echo')).toEqual([
      expect.objectContaining({ control: 'phoneMute', action: 'ignored', reason: 'no_call' }),
    ]);
    const hook = m.report(HOOK);
    expect(hook.commands).toEqual([]);
    expect(hook.events).toEqual([expect.objectContaining({ action: 'ignored', reason: 'no_call' })]);
    expect(hook.reports).toHaveLength(1); // the idle state is written again so the device goes back on-hook
    expect(m.press(FLASH, HOOK).commands).toEqual([]);
  });

  it('does not take mute or flash as answering a ringing call', () => {
    const m = new M();
    m.connect();
    m.call({ callId: 'c', state: 'ringing', muted: false });
    expect(m.press(MUTE).commands).toEqual([]);
    expect(m.press(FLASH).commands).toEqual([]);
  });

  it('ends a call with Drop (hang up when active, reject when ringing)', () => {
    const m = new M();
    m.connect();
    m.call({ callId: 'a', state: 'ringing', muted: false });
    expect(m.press(DROP).commands).toEqual([{ kind: 'reject', callId: 'a' }]);
    m.call({ callId: 'b', state: 'active', muted: false });
    expect(m.press(DROP, HOOK).commands).toEqual([{ kind: 'hangup', callId: 'b' }]);
    const noDrop = new M(EPOS, { ...quirksFor(0x1395), dropEndsCall: false }, active());
    noDrop.connect();
    expect(noDrop.press(DROP, HOOK).commands).toEqual([]);
  });

  it('reports redial and volume keys without acting on them', () => {
    const m = new M(EPOS, quirksFor(0x1395), active());
    m.connect();
    const { commands, events } = m.press(REDIAL | VOLUP, HOOK);
    expect(commands).toEqual([]);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['redial', 'volumeUp']));
  });

  it('reads a hook switch declared relative as a toggle when the quirk says so', () => {
    const m = new M(EPOS, { ...quirksFor(0x1395), hookSwitch: 'toggle' });
    m.connect();
    m.call({ callId: 'c', state: 'ringing', muted: false });
    expect(m.press(HOOK).commands).toEqual([{ kind: 'answer', callId: 'c' }]);
    m.call(active());
    expect(m.press(HOOK).commands).toEqual([{ kind: 'hangup', callId: 'c' }]);
  });

  it('reads mute as a level (device-held state) when the quirk says so', () => {
    const m = new M(EPOS, { ...quirksFor(0x1395), phoneMute: 'level' }, active());
    m.connect();
    expect(m.report(HOOK | MUTE).commands).toEqual([{ kind: 'toggleMute', callId: 'c', muted: true }]);
    m.call(active(true));
    expect(m.report(HOOK | MUTE | FLASH).commands).toEqual([{ kind: 'toggleHold', callId: 'c', held: true }]); // mute unchanged
    expect(m.report(HOOK).commands).toEqual([{ kind: 'toggleMute', callId: 'c', muted: false }]);
  });

  it('acknowledges a mute press at once and waits for the app to confirm it', () => {
    const m = new M(EPOS, quirksFor(0x1395), active());
    m.connect();
    const down = m.report(HOOK | MUTE);
    expect(down.reports.map((r) => [...r.data])).toEqual([[0b0001_0110]]);
    expect(nextDeadline(m.state)).toBe(m.t + DEFAULT_QUIRKS.confirmTimeoutMs);
    m.report(HOOK);
    m.call(active(true)); // confirmed
    expect(nextDeadline(m.state)).toBeNull();
    expect(m.step({ type: 'tick', at: m.t + 10_000 }).reports).toEqual([]);
  });

  it('mutes only on Microphone too where the quirk says so', () => {
    expect(ledsFor(active(true), { ...DEFAULT_QUIRKS, microphoneLedFollowsMute: false })).toMatchObject({ mute: true, microphone: false });
    expect(ledsFor({ callId: 'c', state: 'held', muted: false }, { ...DEFAULT_QUIRKS, holdKeepsOffHook: false })).toMatchObject({ hold: true, offHook: false });
    expect(ledsFor({ callId: 'c', state: 'ringing', muted: true }, DEFAULT_QUIRKS)).toEqual({ offHook: false, ring: true, mute: false, hold: false, microphone: false });
  });

  it('starts every call unmuted on the headset, whatever the last one was', () => {
    const m = new M(EPOS, quirksFor(0x1395), active(true));
    m.connect();
    m.call(IDLE_VIEW);
    const next = m.call({ callId: 'd', state: 'ringing', muted: false });
    expect(next.reports.map((r) => [...r.data])).toEqual([[0b0000_1000]]); // ring only
  });

  it('forgets an acknowledgement that belongs to a call which is gone', () => {
    const m = new M();
    m.connect();
    m.call({ callId: 'a', state: 'ringing', muted: false });
    expect(m.report(HOOK).commands).toEqual([{ kind: 'answer', callId: 'a' }]);
    const next = m.call({ callId: 'b', state: 'ringing', muted: false }); // 'a' was cancelled, 'b' rings
    expect(next.reports.map((r) => [...r.data])).toEqual([[0b0000_1000]]);
    expect(nextDeadline(m.state)).toBeNull();
  });

  it('treats odd views as idle and unknown inputs as nothing', () => {
    const m = new M();
    m.connect();
    m.call({ callId: 'c', state: 'active', muted: false });
    for (const v of [null, { callId: '', state: 'active', muted: true }, { callId: 'x', state: 'on_fire', muted: 1 }] as unknown as HeadsetCallView[]) {
      m.call(active());
      expect(m.call(v).reports.map((r) => [...r.data])).toEqual([[0]]);
    }
    const before = m.state;
    expect(stepHeadset(before, { type: 'nonsense', at: 1 } as unknown as MachineInput)).toEqual({ state: before, commands: [], reports: [], events: [] });
  });
});
