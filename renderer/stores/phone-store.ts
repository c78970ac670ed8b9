// The phone's state as data: registration and calls. Written only by renderer/phone (the SIP.js side),
// read by views through selectors. SIP.js objects never enter this store.
import { createStore } from 'zustand/vanilla';
import { subscribeWithSelector } from 'zustand/middleware';

export type RegistrationState = 'unconfigured' | 'connecting' | 'registered' | 'unregistered' | 'failed';

/** Why the phone cannot take calls, in terms the UI can explain in plain words. */
export type PhoneProblem =
  | 'wrong_password' // 401/403 after our credentials were sent
  | 'server_unreachable' // the WebSocket did not open
  | 'connection_lost' // it was open and dropped; we are retrying
  | 'rejected' // the registrar refused for another reason (status in detail)
  | 'no_microphone' // none plugged in
  | 'microphone_blocked' // permission denied / in use by another app
  | 'no_password'; // the account needs a password and none is stored

export type CallState = 'ringing' | 'connecting' | 'active' | 'ended';
export type EndReason = 'hangup_local' | 'hangup_remote' | 'rejected' | 'missed' | 'cancelled' | 'failed';

export interface CallSnapshot {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The caller's number as delivered (PAI, then From), cleaned and bounded; used for the screen pop. */
  number: string;
  /** The caller's display name, cleaned and bounded; shown as text only. */
  displayName: string;
  state: CallState;
  /** performance.now() when the INVITE reached this renderer (the pop latency starts here). */
  inviteAt: number;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  endReason?: EndReason;
}

export interface PhoneState {
  registration: RegistrationState;
  problem?: PhoneProblem;
  /** Extra detail for admins (status line, error name); never the only explanation. */
  problemDetail?: string;
  microphone: 'unknown' | 'ok' | PhoneProblem;
  calls: Record<string, CallSnapshot>;
  /** Call ids, oldest first. */
  order: string[];

  setRegistration(registration: RegistrationState, problem?: PhoneProblem, problemDetail?: string): void;
  setMicrophone(m: PhoneState['microphone']): void;
  addCall(call: CallSnapshot): void;
  updateCall(id: string, patch: Partial<Omit<CallSnapshot, 'id'>>): void;
  /** Forget ended calls (the UI keeps the last one until the next call or a dismiss). */
  clearEnded(): void;
}

export function createPhoneStore() {
  return createStore<PhoneState>()(
    subscribeWithSelector((set) => ({
      registration: 'unconfigured',
      microphone: 'unknown',
      calls: {},
      order: [],
      setRegistration: (registration, problem, problemDetail) =>
        set({ registration, problem, problemDetail }),
      setMicrophone: (microphone) => set({ microphone }),
      // A new call replaces the ended ones still on screen, so the store never grows with the shift.
      addCall: (call) =>
        set((s) => {
          const live = s.order.filter((id) => id !== call.id && s.calls[id]?.state !== 'ended');
          const calls: Record<string, CallSnapshot> = { [call.id]: call };
          for (const id of live) calls[id] = s.calls[id] as CallSnapshot;
          return { calls, order: [...live, call.id] };
        }),
      updateCall: (id, patch) =>
        set((s) => {
          const cur = s.calls[id];
          if (!cur || cur.state === 'ended') return s;
          return { calls: { ...s.calls, [id]: { ...cur, ...patch } } };
        }),
      clearEnded: () =>
        set((s) => {
          const keep = s.order.filter((id) => s.calls[id]?.state !== 'ended');
          return { order: keep, calls: Object.fromEntries(keep.map((id) => [id, s.calls[id] as CallSnapshot])) };
        }),
    })),
  );
}

export type PhoneStore = ReturnType<typeof createPhoneStore>;

/** What the agent is doing, derived from the phone (issue 5 adds Not Ready and Wrap-up). */
export type AgentStatus = 'offline' | 'ready' | 'ringing' | 'on_call';

export function agentStatus(s: Pick<PhoneState, 'registration' | 'calls' | 'order'>): AgentStatus {
  const live = s.order.map((id) => s.calls[id]).filter((c): c is CallSnapshot => !!c && c.state !== 'ended');
  if (live.some((c) => c.state === 'active' || c.state === 'connecting')) return 'on_call';
  if (live.some((c) => c.state === 'ringing')) return 'ringing';
  return s.registration === 'registered' ? 'ready' : 'offline';
}

/** The call the screen is about: a live one (newest ringing first), else the last ended one. */
export function focusCall(s: Pick<PhoneState, 'calls' | 'order'>): CallSnapshot | undefined {
  const calls = s.order.map((id) => s.calls[id]).filter((c): c is CallSnapshot => !!c);
  return (
    [...calls].reverse().find((c) => c.state === 'ringing') ??
    [...calls].reverse().find((c) => c.state !== 'ended') ??
    calls[calls.length - 1]
  );
}
