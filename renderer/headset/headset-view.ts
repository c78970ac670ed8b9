// The seam between the phone and the headset, both ways, as pure functions:
//   phone store → HeadsetCallView: which call the headset shows and acts on, in the machine's terms;
//   HeadsetCommand → Phone: what a button press asks the phone to do.
// The machine (headset-machine.ts) knows nothing of the phone store; the phone knows nothing of HID.
import type { CallSnapshot, PhoneState } from '../stores/phone-store';
import { IDLE_VIEW, type HeadsetCallState, type HeadsetCallView, type HeadsetCommand } from './headset-machine';

/** The phone store's call states in the headset's words; ended calls are no call at all. */
const STATE: Readonly<Record<CallSnapshot['state'], HeadsetCallState>> = {
  ringing: 'ringing',
  // Placing a call or setting up media: the agent is on the line, so the headset is off-hook and its
  // hook switch hangs up (cancels) as it would a talking call.
  dialing: 'active',
  connecting: 'active',
  active: 'active',
  held: 'held',
  ended: 'idle',
};

/**
 * The call the headset is about. The one the agent talks on comes first, so a second call ringing in
 * (call waiting) does not take the Off-Hook LED away from the call in the agent's ear: the app's ringer
 * announces it and the screen answers it. With nobody on the line, the newest ringing call; then a held one.
 */
export function headsetCall(s: Pick<PhoneState, 'calls' | 'order'>): CallSnapshot | undefined {
  const calls = s.order.map((id) => s.calls[id]).filter((c): c is CallSnapshot => !!c && c.state !== 'ended');
  const newest = (pred: (c: CallSnapshot) => boolean) => [...calls].reverse().find(pred);
  return (
    newest((c) => c.state === 'active' || c.state === 'connecting' || c.state === 'dialing') ??
    newest((c) => c.state === 'ringing') ??
    newest((c) => c.state === 'held')
  );
}

/** Select from the phone store what the headset machine follows (compare with `shallow`). */
export function toHeadsetView(s: Pick<PhoneState, 'calls' | 'order'>): HeadsetCallView {
  const call = headsetCall(s);
  if (!call) return { ...IDLE_VIEW };
  return { callId: call.id, state: STATE[call.state], muted: call.muted };
}

/** The phone's actions a headset may take. */
export interface HeadsetPhone {
  answer(id: string): Promise<void>;
  reject(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  setMuted(id: string, muted: boolean): void;
  hold(id: string): Promise<void>;
  resume(id: string): Promise<void>;
}

/** Carry out a headset command. Commands name their call and the state asked for, so a late one cannot flip the wrong way. */
export async function runHeadsetCommand(c: HeadsetCommand, phone: HeadsetPhone): Promise<void> {
  switch (c.kind) {
    case 'answer':
      return phone.answer(c.callId);
    case 'reject':
      return phone.reject(c.callId);
    case 'hangup':
      return phone.hangup(c.callId);
    case 'toggleMute':
      return phone.setMuted(c.callId, c.muted);
    case 'toggleHold':
      return c.held ? phone.hold(c.callId) : phone.resume(c.callId);
  }
}
