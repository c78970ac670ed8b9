// Two machine rules added with the wiring (issue 6): the test ring, and the end of the stale-report window
// once the device has echoed the Off-Hook change. Jabra EVOLVE LINK MS: report 2 = hook bit 0, mute bit 2;
// LEDs in report 2: Off-Hook bit 0, Mute 1, Ring 2.
import { describe, expect, it } from 'vitest';
import { buildControlMap } from '../../../renderer/headset/control-map';
import { IDLE_VIEW, initialMachineState, stepHeadset, type HeadsetCallView, type HeadsetMachineState, type MachineInput, type MachineStep } from '../../../renderer/headset/headset-machine';
import { quirksFor } from '../../../renderer/headset/quirks';
import { fixtureCollections } from './fake-hid-device';

const JABRA = buildControlMap(fixtureCollections('0b0e-0307.bin'));
const HOOK = 1 << 0;
const MUTE = 1 << 2;
const RING_LED = 1 << 2;
const OFFHOOK_LED = 1 << 0;

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

class M {
  state: HeadsetMachineState = initialMachineState(JABRA, quirksFor(0x0b0e));
  t = 0;
  step(input: WithoutAt<MachineInput>, after = 100): MachineStep {
    this.t += after;
    const out = stepHeadset(this.state, { ...input, at: this.t } as MachineInput);
    this.state = out.state;
    return out;
  }
  report(byte: number, after = 100) {
    return this.step({ type: 'report', reportId: 2, data: new Uint8Array([byte, 0]) }, after);
  }
  /** LED byte of report 2 after a step, or undefined when nothing was written. */
  static led(out: MachineStep): number | undefined {
    return out.reports.find((r) => r.reportId === 2)?.data[0];
  }
}

const ringing = (id: string): HeadsetCallView => ({ callId: id, state: 'ringing', muted: false });
const active = (id: string): HeadsetCallView => ({ callId: id, state: 'active', muted: false });

describe('test ring', () => {
  it('lights only the Ring LED while idle, and goes off when asked', () => {
    const m = new M();
    m.step({ type: 'connected' });
    expect(M.led(m.step({ type: 'testRing', on: true }))).toBe(RING_LED);
    expect(m.state.testRing).toBe(true);
    expect(M.led(m.step({ type: 'testRing', on: false }))).toBe(0);
  });

  it('is not possible before the device is connected', () => {
    const m = new M();
    expect(m.step({ type: 'testRing', on: true }).reports).toEqual([]);
    expect(m.state.testRing).toBe(false);
  });

  it('ends at a button press, which commands nothing', () => {
    const m = new M();
    m.step({ type: 'connected' });
    m.step({ type: 'testRing', on: true });
    const press = m.report(MUTE);
    expect(press.commands).toEqual([]);
    expect(M.led(press)).toBe(0);
    expect(m.state.testRing).toBe(false);
  });

  it('gives way to a real call, and does not come back after it', () => {
    const m = new M();
    m.step({ type: 'connected' });
    m.step({ type: 'testRing', on: true });
    expect(M.led(m.step({ type: 'call', view: active('c1') }))).toBe(OFFHOOK_LED);
    expect(m.state.testRing).toBe(false);
    expect(M.led(m.step({ type: 'call', view: IDLE_VIEW }))).toBe(0);
  });

  it('a reconnect clears it', () => {
    const m = new M();
    m.step({ type: 'connected' });
    m.step({ type: 'testRing', on: true });
    expect(M.led(m.step({ type: 'connected' }))).toBe(0);
  });
});

describe('stale hook reports', () => {
  const endedThenRinging = () => {
    const m = new M();
    m.step({ type: 'connected' });
    m.step({ type: 'call', view: ringing('c1') });
    m.report(HOOK); // answered on the headset
    m.step({ type: 'call', view: active('c1') });
    m.step({ type: 'call', view: IDLE_VIEW }, 3000); // the caller hangs up: Off-Hook cleared
    return m;
  };

  it('a hook report still showing off-hook right after Off-Hook was cleared is not a press', () => {
    const m = endedThenRinging();
    m.step({ type: 'call', view: ringing('c2') }, 100);
    const late = m.report(HOOK, 100); // 200 ms after Off-Hook was cleared: sent before the device saw it
    expect(late.commands).toEqual([]);
  });

  it('once the device echoed on-hook, a quick press on the next call answers it', () => {
    const m = endedThenRinging();
    expect(m.report(0, 20).events).toEqual([expect.objectContaining({ control: 'hookSwitch', action: 'echo' })]);
    m.step({ type: 'call', view: ringing('c2') }, 100);
    expect(m.report(HOOK, 150).commands).toEqual([{ kind: 'answer', callId: 'c2' }]);
  });
});
