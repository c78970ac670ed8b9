// The phone's state as data: registration and calls. Written only by renderer/phone (the SIP.js side),
// read by views through selectors. SIP.js objects never enter this store.
import { createStore } from 'zustand/vanilla';
import { subscribeWithSelector } from 'zustand/middleware';
import type { TransferContext } from '../phone/context-header';
import type { CallQuality } from '../phone/quality';

export type RegistrationState = 'unconfigured' | 'connecting' | 'registered' | 'unregistered' | 'failed';

/** Why the phone cannot take calls, in terms the UI can explain in plain words. */
export type PhoneProblem =
  | 'wrong_password' // 401/403 after our credentials were sent
  | 'server_unreachable' // the WebSocket did not open
  | 'connection_lost' // it was open and dropped; we are retrying
  | 'network_offline' // the computer has no network (the OS / browser says so)
  | 'suspended' // the computer slept; reconnecting after wake-up
  | 'rejected' // the registrar refused for another reason (status in detail)
  | 'no_microphone' // none plugged in
  | 'microphone_blocked' // permission denied / in use by another app
  | 'no_password'; // the account needs a password and none is stored

/**
 * ringing: inbound, not answered · dialing: outbound, not answered (progress says how far) ·
 * connecting: answered here, media being set up · active: talking · held: on hold (by us) · ended.
 */
export type CallState = 'ringing' | 'dialing' | 'connecting' | 'active' | 'held' | 'ended';
export type EndReason =
  | 'hangup_local'
  | 'hangup_remote'
  | 'rejected' // we rejected a ringing call
  | 'busy' // declined automatically (486) because the agent was not available
  | 'missed'
  | 'cancelled' // we cancelled an outbound call before it was answered
  | 'unanswered' // the far end refused or did not answer our outbound call
  | 'transferred' // handed to someone else (blind or attended)
  | 'connection_lost' // the signalling died while the call was being set up
  | 'failed';

export interface CallSnapshot {
  /** Our id for the call: the interaction id (a ULID), stable even when the SIP session behind it is replaced. */
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
  /** What the far end or the browser said, for admins (e.g. "486 Busy Here"); never the only explanation. */
  endDetail?: string;
  /** Microphone muted on this call. */
  muted: boolean;
  /** The far end put us on hold (its re-INVITE was sendonly/inactive). */
  remoteHold?: boolean;
  /** Outbound progress: 'trying' until the far end rings (180/183), then 'ringing'. */
  progress?: 'trying' | 'ringing';
  /** This call is the consultation leg of an attended transfer of that call. */
  consultFor?: string;
  /** Received with the call (X-Lianluo-Context): the interaction it continues. */
  context?: TransferContext;
  /** Transfer in progress or failed for this call. */
  transfer?: { kind: 'blind' | 'attended'; target: string; state: 'trying' | 'failed'; detail?: string };
  /** The last quality sample (kept after the call ends, for the interaction record). */
  quality?: CallQuality;
  /** The SIP Call-ID (a call forked to two desktops of one agent has the same one on both): for the interaction record. */
  sipCallId?: string;
  /** Inbound, not answered here: the PBX cancelled it because another device of this agent answered (RFC 3326 Reason cause=200). */
  elsewhere?: boolean;
  /** DTMF digits sent on this call, in order (shown on the keypad; bounded). */
  dtmf?: string;
  /** A hold / resume / transfer request is under way: the buttons wait for it. */
  pending?: 'hold' | 'resume' | 'transfer';
}

export interface PhoneState {
  registration: RegistrationState;
  problem?: PhoneProblem;
  /** Extra detail for admins (status line, error name); never the only explanation. */
  problemDetail?: string;
  /** When registration was last lost (epoch ms); cleared when registered. */
  downSince?: number;
  /** When the next reconnection attempt is due (epoch ms), while one is scheduled. */
  retryAt?: number;
  /** When the registrar last accepted our REGISTER (epoch ms). */
  registeredAt?: number;
  /** When the PBX last answered us (REGISTER or heartbeat), so a silently dead socket shows (epoch ms). */
  lastSeenAt?: number;
  microphone: 'unknown' | 'ok' | PhoneProblem;
  calls: Record<string, CallSnapshot>;
  /** Call ids, oldest first. */
  order: string[];

  setRegistration(registration: RegistrationState, problem?: PhoneProblem, problemDetail?: string): void;
  setMicrophone(m: PhoneState['microphone']): void;
  setRetryAt(at: number | undefined): void;
  /** The PBX answered (a heartbeat or a REGISTER). */
  seen(at: number, registered?: boolean): void;
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
        set((s) => ({
          registration,
          problem,
          problemDetail,
          downSince: registration === 'registered' || registration === 'unconfigured' ? undefined : (s.downSince ?? Date.now()),
        })),
      setMicrophone: (microphone) => set({ microphone }),
      setRetryAt: (retryAt) => set({ retryAt }),
      seen: (at, registered) => set(registered ? { lastSeenAt: at, registeredAt: at } : { lastSeenAt: at }),
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
          if (!cur) return s;
          // An ended call only takes its last quality sample (stored with the interaction record).
          if (cur.state === 'ended') return patch.quality && Object.keys(patch).length === 1 ? { calls: { ...s.calls, [id]: { ...cur, quality: patch.quality } } } : s;
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

export const isLive = (c: CallSnapshot | undefined): c is CallSnapshot => !!c && c.state !== 'ended';
/** A call the agent is busy with: answered or being placed (not merely ringing in). */
export const isEngaged = (c: CallSnapshot): boolean => c.state === 'dialing' || c.state === 'connecting' || c.state === 'active' || c.state === 'held';

export function liveCalls(s: Pick<PhoneState, 'calls' | 'order'>): CallSnapshot[] {
  return s.order.map((id) => s.calls[id]).filter(isLive);
}

/** What the phone tells the agent state machine: registered, something ringing in, something engaged. */
export interface PhoneSummary {
  registered: boolean;
  ringing: boolean;
  onCall: boolean;
}

export function phoneSummary(s: Pick<PhoneState, 'registration' | 'calls' | 'order'>): PhoneSummary {
  const live = liveCalls(s);
  return { registered: s.registration === 'registered', ringing: live.some((c) => c.state === 'ringing'), onCall: live.some(isEngaged) };
}

/** What the agent is doing, as the phone alone sees it (the agent store adds Not Ready and Wrap-up). */
export type AgentStatus = 'offline' | 'ready' | 'ringing' | 'on_call';

export function agentStatus(s: Pick<PhoneState, 'registration' | 'calls' | 'order'>): AgentStatus {
  const p = phoneSummary(s);
  if (p.onCall) return 'on_call';
  if (p.ringing) return 'ringing';
  return p.registered ? 'ready' : 'offline';
}

/** The call the screen is about: the newest ringing one, else the one we talk on, else a held one, else the last ended one. */
export function focusCall(s: Pick<PhoneState, 'calls' | 'order'>): CallSnapshot | undefined {
  const calls = s.order.map((id) => s.calls[id]).filter((c): c is CallSnapshot => !!c);
  const newest = (pred: (c: CallSnapshot) => boolean) => [...calls].reverse().find(pred);
  return (
    newest((c) => c.state === 'ringing') ??
    newest((c) => c.state === 'active' || c.state === 'connecting' || c.state === 'dialing') ??
    newest((c) => c.state !== 'ended') ??
    calls[calls.length - 1]
  );
}
