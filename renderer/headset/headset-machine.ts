// The headset state machine: pure (no I/O, no timers, time passed in). It follows the app's call state
// (HeadsetCallView, fed by the phone store) and the device's input reports, and answers with commands for
// the phone and full LED output reports for the device. Rules (../shared/DESIGN.md §6, research §2):
// - LEDs tell the truth: Ring while ringing, Off-Hook during a call, Mute with the mute state, Hold while
//   held (Off-Hook kept where the vendor needs it); everything off when idle. Each report carries the full
//   state of its LEDs and is written only when it changes.
// - Hook Switch is usually a level: a report equal to the Off-Hook state the app asked for is the device's
//   echo; only a different value is the user. A report still showing the previous state shortly after the
//   app changed it was sent before the device saw the change, and is not a press either.
// - Toggles (Phone Mute, Flash, Redial, Drop, reject) act on the 0→1 edge. A press is acknowledged at once
//   (Mute/Hold/Off-Hook LED set optimistically, as the device demands) and confirmed by the app's next call
//   state; without confirmation in `confirmTimeoutMs` the LEDs fall back to the app's state.
// - An input report identical to the previous one of its id within `duplicateWindowMs` is dropped.
// - Connect resets: device memory cleared, every LED report written from the current call state.
// - Test ring (the agent checks which headset is which): the Ring LED while no call is there; a call or
//   any button press ends it.
// Vendor differences come from HeadsetQuirks only.
import {
  LEDS_OFF,
  buildOutputReports,
  readControl,
  type ControlMap,
  type InputControl,
  type InputName,
  type LedState,
  type OutputReport,
} from './control-map';
import type { ControlReading, HeadsetQuirks } from './quirks';

export type HeadsetCallState = 'idle' | 'ringing' | 'active' | 'held';

/** What the headset shows and controls: one call (the phone store's focus call) or none. */
export interface HeadsetCallView {
  /** The call the headset acts on; null when idle. */
  callId: string | null;
  state: HeadsetCallState;
  muted: boolean;
}

export const IDLE_VIEW: Readonly<HeadsetCallView> = Object.freeze({ callId: null, state: 'idle', muted: false });

/** What the headset asks the phone to do. `muted`/`held` carry the state asked for, so a late or repeated command cannot flip the wrong way. */
export type HeadsetCommand =
  | { kind: 'answer'; callId: string }
  | { kind: 'hangup'; callId: string }
  | { kind: 'reject'; callId: string }
  | { kind: 'toggleMute'; callId: string; muted: boolean }
  | { kind: 'toggleHold'; callId: string; held: boolean };

export type HeadsetAction =
  | 'answer'
  | 'hangup'
  | 'reject'
  | 'mute'
  | 'unmute'
  | 'hold'
  | 'resume'
  | 'redial'
  | 'volumeUp'
  | 'volumeDown'
  | 'echo' // the device confirmed what the app asked for
  | 'ignored'; // a press that means nothing in this state (reason says why)

export interface HeadsetEvent {
  at: number;
  control: InputName;
  action: HeadsetAction;
  reason?: 'no_call' | 'not_ringing' | 'stale_report' | 'held_on_hook' | 'internal';
}

export type MachineInput =
  | { type: 'connected'; at: number }
  | { type: 'disconnected'; at: number }
  | { type: 'call'; view: HeadsetCallView; at: number }
  | { type: 'report'; reportId: number; data: Uint8Array | DataView; at: number }
  | { type: 'testRing'; on: boolean; at: number }
  | { type: 'tick'; at: number };

interface Expectation<T> {
  callId: string;
  value: T;
  until: number;
}

export interface HeadsetMachineState {
  readonly controls: ControlMap;
  readonly quirks: HeadsetQuirks;
  readonly connected: boolean;
  /** The app's call state as last reported. */
  readonly view: HeadsetCallView;
  /** Optimistic acknowledgements waiting for the app to confirm them. */
  readonly expect: {
    readonly call?: Expectation<'active' | 'idle'>;
    readonly mute?: Expectation<boolean>;
    readonly hold?: Expectation<boolean>;
  };
  /** Last accepted input report per id (hex) and when it came. */
  readonly lastReports: Readonly<Record<number, { hex: string; at: number }>>;
  /** Last value per input control and when it last changed or counted as a press. */
  readonly values: Readonly<Partial<Record<InputName, { value: number; at: number }>>>;
  /** The LED state currently asked of the device. */
  readonly leds: Readonly<LedState>;
  /** Last bytes written per output report id (hex). */
  readonly sent: Readonly<Record<number, string>>;
  /** When the asked Off-Hook state last changed, and what it was before; null once the device echoed it. */
  readonly offHookChange: { readonly at: number; readonly previous: boolean } | null;
  /** A test ring is on (only ever while the app has no call). */
  readonly testRing: boolean;
}

export interface MachineStep {
  state: HeadsetMachineState;
  commands: HeadsetCommand[];
  reports: OutputReport[];
  events: HeadsetEvent[];
}

const CALL_STATES: readonly HeadsetCallState[] = ['idle', 'ringing', 'active', 'held'];

/** A view from outside, checked: anything odd is idle. */
function cleanView(v: HeadsetCallView | undefined): HeadsetCallView {
  if (!v || typeof v !== 'object' || !CALL_STATES.includes(v.state)) return { ...IDLE_VIEW };
  if (v.state === 'idle' || typeof v.callId !== 'string' || v.callId === '') return { ...IDLE_VIEW };
  return { callId: v.callId, state: v.state, muted: v.muted === true };
}

export function initialMachineState(controls: ControlMap, quirks: HeadsetQuirks, view: HeadsetCallView = IDLE_VIEW): HeadsetMachineState {
  return {
    controls,
    quirks,
    connected: false,
    view: cleanView(view),
    expect: {},
    lastReports: {},
    values: {},
    leds: { ...LEDS_OFF },
    sent: {},
    offHookChange: null,
    testRing: false,
  };
}

/** The call state the headset should show: the app's, with unconfirmed acknowledgements applied. */
export function effectiveView(s: HeadsetMachineState): HeadsetCallView {
  const v = s.view;
  if (v.callId === null) return v;
  let state = v.state;
  let muted = v.muted;
  const { call, hold, mute } = s.expect;
  if (call?.callId === v.callId) {
    if (call.value === 'idle') return { ...IDLE_VIEW };
    if (state === 'ringing') state = 'active';
  }
  if (hold?.callId === v.callId && (state === 'active' || state === 'held')) state = hold.value ? 'held' : 'active';
  if (mute?.callId === v.callId) muted = mute.value;
  return { callId: v.callId, state, muted };
}

export function ledsFor(view: HeadsetCallView, quirks: HeadsetQuirks): LedState {
  const muted = view.muted && (view.state === 'active' || view.state === 'held');
  switch (view.state) {
    case 'ringing':
      return { ...LEDS_OFF, ring: true };
    case 'active':
      return { ...LEDS_OFF, offHook: true, mute: muted, microphone: muted && quirks.microphoneLedFollowsMute };
    case 'held':
      return { ...LEDS_OFF, offHook: quirks.holdKeepsOffHook, hold: true, mute: muted, microphone: muted && quirks.microphoneLedFollowsMute };
    default:
      return { ...LEDS_OFF };
  }
}

/** The earliest time a `tick` can change something (an acknowledgement expiring), or null. */
export function nextDeadline(s: HeadsetMachineState): number | null {
  const times = [s.expect.call?.until, s.expect.mute?.until, s.expect.hold?.until].filter((t): t is number => typeof t === 'number');
  return times.length ? Math.min(...times) : null;
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function resolveReading(reading: ControlReading, control: InputControl): 'level' | 'toggle' {
  if (reading !== 'descriptor') return reading;
  return control.isAbsolute ? 'level' : 'toggle';
}

// A mutable working copy for one step.
interface Work {
  s: {
    -readonly [K in keyof HeadsetMachineState]: HeadsetMachineState[K];
  };
  expect: { call?: Expectation<'active' | 'idle'>; mute?: Expectation<boolean>; hold?: Expectation<boolean> };
  commands: HeadsetCommand[];
  events: HeadsetEvent[];
  forceSend: boolean;
  at: number;
}

/** Drop acknowledgements that expired, belong to another call, or that the app's state now confirms. */
function settleExpectations(w: Work): void {
  const v = w.s.view;
  const e = w.expect;
  const stale = (x: Expectation<unknown> | undefined) => !!x && (x.until <= w.at || x.callId !== v.callId);
  if (stale(e.call) || (e.call && ((e.call.value === 'active' && v.state !== 'ringing') || (e.call.value === 'idle' && v.state === 'idle'))))
    delete e.call;
  if (stale(e.mute) || (e.mute && e.mute.value === v.muted)) delete e.mute;
  if (stale(e.hold) || (e.hold && e.hold.value === (v.state === 'held'))) delete e.hold;
}

function current(w: Work): HeadsetCallView {
  return effectiveView({ ...w.s, expect: w.expect });
}

function act(w: Work, control: InputName, action: HeadsetAction, command?: HeadsetCommand): void {
  w.events.push({ at: w.at, control, action });
  if (command) w.commands.push(command);
}

function ignore(w: Work, control: InputName, reason: NonNullable<HeadsetEvent['reason']>): void {
  w.events.push({ at: w.at, control, action: 'ignored', reason });
}

function answer(w: Work, control: InputName, callId: string): void {
  w.expect.call = { callId, value: 'active', until: w.at + w.s.quirks.confirmTimeoutMs };
  act(w, control, 'answer', { kind: 'answer', callId });
}

function endCall(w: Work, control: InputName, view: HeadsetCallView, kind: 'hangup' | 'reject'): void {
  const callId = view.callId as string;
  w.expect.call = { callId, value: 'idle', until: w.at + w.s.quirks.confirmTimeoutMs };
  delete w.expect.mute;
  delete w.expect.hold;
  act(w, control, kind, { kind, callId });
}

function onHookLevel(w: Work, offHook: boolean): void {
  const view = current(w);
  const asked = ledsFor(view, w.s.quirks).offHook;
  if (offHook === asked) {
    w.events.push({ at: w.at, control: 'hookSwitch', action: 'echo' });
    // The device has shown the new state: whatever it reports after this, it sent knowing it, so the
    // stale-report window below no longer applies (a quick answer to the next call is a press).
    w.s.offHookChange = null;
    return;
  }
  const change = w.s.offHookChange;
  if (change && w.at - change.at < w.s.quirks.echoSettleMs && offHook === change.previous) {
    ignore(w, 'hookSwitch', 'stale_report');
    return;
  }
  if (view.state === 'ringing' && offHook) return answer(w, 'hookSwitch', view.callId as string);
  if ((view.state === 'active' || view.state === 'held') && !offHook) return endCall(w, 'hookSwitch', view, 'hangup');
  // Off-hook with no call, or picked up while held on a device whose Off-Hook is cleared on hold: say no
  // by writing the state again, so the device goes back to what the app shows.
  ignore(w, 'hookSwitch', view.state === 'held' ? 'held_on_hook' : 'no_call');
  w.forceSend = true;
}

function onHookPress(w: Work): void {
  const view = current(w);
  if (view.state === 'ringing') return answer(w, 'hookSwitch', view.callId as string);
  if (view.state === 'active' || view.state === 'held') return endCall(w, 'hookSwitch', view, 'hangup');
  ignore(w, 'hookSwitch', 'no_call');
}

function setMute(w: Work, control: InputName, muted: boolean): void {
  const view = current(w);
  if (view.state !== 'active' && view.state !== 'held') return ignore(w, control, 'no_call');
  if (muted === view.muted) {
    w.events.push({ at: w.at, control, action: 'echo' });
    return;
  }
  const callId = view.callId as string;
  w.expect.mute = { callId, value: muted, until: w.at + w.s.quirks.confirmTimeoutMs };
  act(w, control, muted ? 'mute' : 'unmute', { kind: 'toggleMute', callId, muted });
}

function onFlash(w: Work): void {
  const view = current(w);
  if (view.state !== 'active' && view.state !== 'held') return ignore(w, 'flash', 'no_call');
  const held = view.state !== 'held';
  const callId = view.callId as string;
  w.expect.hold = { callId, value: held, until: w.at + w.s.quirks.confirmTimeoutMs };
  act(w, 'flash', held ? 'hold' : 'resume', { kind: 'toggleHold', callId, held });
}

function onReject(w: Work, control: InputName): void {
  const view = current(w);
  if (view.state !== 'ringing') return ignore(w, control, 'not_ringing');
  endCall(w, control, view, 'reject');
}

function onDrop(w: Work): void {
  const view = current(w);
  if (view.state === 'ringing') return endCall(w, 'drop', view, 'reject');
  if (view.state === 'active' || view.state === 'held') return endCall(w, 'drop', view, 'hangup');
  ignore(w, 'drop', 'no_call');
}

/** Order in which the controls of one report are looked at: ending a call before anything acting on it. */
const INPUT_ORDER: readonly InputName[] = ['reject', 'programmableButton', 'drop', 'hookSwitch', 'flash', 'phoneMute', 'redial', 'volumeUp', 'volumeDown'];

function onReport(w: Work, reportId: number, raw: Uint8Array | DataView): void {
  if (!w.s.connected) return;
  if (!Number.isInteger(reportId) || reportId < 0 || reportId > 0xff) return;
  const bytes =
    raw instanceof Uint8Array
      ? raw
      : raw instanceof DataView
        ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
        : null;
  if (!bytes) return;
  const hex = toHex(bytes);
  const q = w.s.quirks;
  const prev = w.s.lastReports[reportId];
  if (prev && prev.hex === hex && w.at - prev.at < q.duplicateWindowMs) return; // the same report again
  w.s.lastReports = { ...w.s.lastReports, [reportId]: { hex, at: w.at } };

  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = { ...w.s.values };
  for (const name of INPUT_ORDER) {
    const control = w.s.controls.inputs[name];
    const value = readControl(control, reportId, data);
    if (control === null || value === null) continue;
    const before = values[name];
    // A press: the value rises from 0, or stays up past the duplicate window (devices that never send the release).
    const edge = value !== 0 && (!before || before.value === 0 || w.at - before.at >= q.duplicateWindowMs);
    if (!before || before.value !== value || edge) values[name] = { value, at: w.at };

    switch (name) {
      case 'hookSwitch':
        if (resolveReading(q.hookSwitch, control) === 'level') onHookLevel(w, value !== 0);
        else if (edge) onHookPress(w);
        break;
      case 'phoneMute':
        if (resolveReading(q.phoneMute, control) === 'level') {
          if (!before || before.value !== value) setMute(w, name, value !== 0);
        } else if (edge) {
          setMute(w, name, !current(w).muted);
        }
        break;
      case 'flash':
        if (edge) onFlash(w);
        break;
      case 'reject':
        if (edge) onReject(w, name);
        break;
      case 'programmableButton':
        if (edge && q.programmableButtonRejects) onReject(w, name);
        break;
      case 'drop':
        if (edge && q.dropEndsCall) onDrop(w);
        break;
      case 'redial':
      case 'volumeUp':
      case 'volumeDown':
        // Informational: redial is the app's business, and the OS already applies volume keys.
        if (edge) act(w, name, name);
        break;
    }
  }
  w.s.values = values;
}

/** Recompute LEDs and the output reports that changed (all of them when forced). */
function flush(w: Work, force: boolean): OutputReport[] {
  w.s.expect = { ...w.expect };
  const view = current(w);
  if (view.state !== 'idle') w.s.testRing = false; // a call takes over the headset
  const leds = view.state === 'idle' && w.s.testRing ? { ...LEDS_OFF, ring: true } : ledsFor(view, w.s.quirks);
  if (leds.offHook !== w.s.leds.offHook) w.s.offHookChange = { at: w.at, previous: w.s.leds.offHook };
  w.s.leds = leds;
  if (!w.s.connected) return [];
  const out: OutputReport[] = [];
  const sent = { ...w.s.sent };
  for (const r of buildOutputReports(w.s.controls, leds)) {
    const hex = toHex(r.data);
    if (force || sent[r.reportId] !== hex) {
      out.push(r);
      sent[r.reportId] = hex;
    }
  }
  w.s.sent = sent;
  return out;
}

/** One step of the machine. Total: whatever comes in, a step comes out. */
export function stepHeadset(state: HeadsetMachineState, input: MachineInput): MachineStep {
  const at = typeof input?.at === 'number' && Number.isFinite(input.at) ? input.at : 0;
  const w: Work = { s: { ...state }, expect: { ...state.expect }, commands: [], events: [], forceSend: false, at };
  try {
    let force = false;
    switch (input?.type) {
      case 'connected':
        w.s.connected = true;
        w.s.lastReports = {};
        w.s.values = {};
        w.s.sent = {};
        w.s.offHookChange = null;
        w.s.testRing = false;
        w.expect = {};
        force = true;
        break;
      case 'disconnected':
        w.s.connected = false;
        w.s.testRing = false;
        w.s.lastReports = {};
        w.s.values = {};
        w.s.sent = {};
        w.expect = {};
        break;
      case 'call':
        w.s.view = cleanView(input.view);
        break;
      case 'report': {
        const before = w.events.length;
        onReport(w, input.reportId, input.data);
        // A button pressed during a test ring answers it: the agent found the headset.
        if (w.s.testRing && w.events.slice(before).some((e) => e.action !== 'echo')) w.s.testRing = false;
        break;
      }
      case 'testRing':
        w.s.testRing = input.on === true && w.s.connected;
        break;
      case 'tick':
        break;
      default:
        return { state, commands: [], reports: [], events: [] };
    }
    settleExpectations(w);
    const reports = flush(w, force || w.forceSend);
    return { state: w.s, commands: w.commands, reports, events: w.events };
  } catch {
    // Unreachable by design (the fuzz tests feed random reports and views); keep the old state if it happens.
    return { state, commands: [], reports: [], events: [{ at, control: 'hookSwitch', action: 'ignored', reason: 'internal' }] };
  }
}
