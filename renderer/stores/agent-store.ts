// Agent states: Offline, Ready, Not Ready (with a reason), Ringing, On call, Wrap-up.
//
// The machine is pure (time is passed in) and built so that it cannot flip-flop: the state shown is a
// function of three inputs, never of its own history —
//   1. what the phone reports (registered? something ringing? a call engaged?),
//   2. what the agent chose for when they are free (Ready, or Not Ready with a reason), and
//   3. a wrap-up deadline, set when a call ends;
// so the same inputs always give the same state, repeating an event changes nothing, and the only
// change without an input is the one end of wrap-up. Precedence: Offline > On call > Ringing >
// Wrap-up > the agent's choice. "Not Ready after this call" is applied when the call ends.
// The store wraps the machine for the app; presence reporters subscribe with subscribePresence().
import { createStore } from 'zustand/vanilla';
import { subscribeWithSelector } from 'zustand/middleware';
import { AWAY_REASON, type AgentPresence, type AgentStateName } from '../../shared/domain/agent-state';
import type { PhoneSummary } from './phone-store';

export type Availability = { kind: 'ready' } | { kind: 'not_ready'; reason: string };

export interface AgentMachineState {
  state: AgentStateName;
  /** Set when state is not_ready. */
  reason: string | null;
  /** Epoch ms when `state` (or the Not Ready reason) last changed. */
  since: number;
  /** What the agent chose for when no call needs them. */
  availability: Availability;
  /** "Not Ready after this call": the reason to switch to when the current call ends; null: not chosen. */
  afterCall: string | null;
  /** End of wrap-up (epoch ms); null when not in wrap-up. */
  wrapUpUntil: number | null;
  wrapUpMs: number;
  phone: PhoneSummary;
}

export type AgentEvent =
  | { type: 'phone'; phone: PhoneSummary; at: number }
  | { type: 'set_ready'; at: number }
  | { type: 'set_not_ready'; reason: string; at: number }
  | { type: 'after_call'; reason: string | null; at: number }
  | { type: 'configure'; wrapUpMs: number; at: number }
  /** The computer went to sleep: nobody may be at the desk when it wakes, so Ready becomes Not Ready (away). */
  | { type: 'suspend'; at: number }
  | { type: 'tick'; at: number };

export const OFFLINE_PHONE: PhoneSummary = Object.freeze({ registered: false, ringing: false, onCall: false });

export function initialAgentState(at: number, wrapUpMs = 0): AgentMachineState {
  return { state: 'offline', reason: null, since: at, availability: { kind: 'ready' }, afterCall: null, wrapUpUntil: null, wrapUpMs, phone: OFFLINE_PHONE };
}

/** The state the inputs call for (no history involved). */
export function deriveState(s: Pick<AgentMachineState, 'phone' | 'wrapUpUntil' | 'availability'>, at: number): { state: AgentStateName; reason: string | null } {
  if (!s.phone.registered) return { state: 'offline', reason: null };
  if (s.phone.onCall) return { state: 'on_call', reason: null };
  if (s.phone.ringing) return { state: 'ringing', reason: null };
  if (s.wrapUpUntil !== null && at < s.wrapUpUntil) return { state: 'wrap_up', reason: null };
  return s.availability.kind === 'ready' ? { state: 'ready', reason: null } : { state: 'not_ready', reason: s.availability.reason };
}

/** Every change of state the machine may make (from → to). Anything else is a bug. */
export const LEGAL_TRANSITIONS: Readonly<Record<AgentStateName, readonly AgentStateName[]>> = Object.freeze({
  offline: ['ready', 'not_ready', 'ringing', 'on_call', 'wrap_up'],
  ready: ['offline', 'not_ready', 'ringing', 'on_call'],
  not_ready: ['offline', 'ready', 'ringing', 'on_call'],
  ringing: ['offline', 'ready', 'not_ready', 'on_call', 'wrap_up'],
  on_call: ['offline', 'ready', 'not_ready', 'ringing', 'wrap_up'],
  wrap_up: ['offline', 'ready', 'not_ready', 'ringing', 'on_call'],
});

const sameAvailability = (a: Availability, b: Availability) => a.kind === b.kind && (a.kind === 'ready' || (b.kind === 'not_ready' && a.reason === b.reason));

export function agentTransition(s: AgentMachineState, e: AgentEvent): AgentMachineState {
  let { availability, afterCall, wrapUpUntil, wrapUpMs, phone } = s;
  switch (e.type) {
    case 'phone': {
      const next = e.phone;
      if (next.registered === phone.registered && next.ringing === phone.ringing && next.onCall === phone.onCall) break;
      // A call ended: wrap-up starts, and "Not Ready after this call" becomes the agent's choice.
      if (phone.onCall && !next.onCall) {
        wrapUpUntil = wrapUpMs > 0 ? e.at + wrapUpMs : null;
        if (afterCall !== null) {
          availability = { kind: 'not_ready', reason: afterCall };
          afterCall = null;
        }
      }
      // A new call cancels what is left of the previous wrap-up.
      if (next.onCall && !phone.onCall) wrapUpUntil = null;
      phone = { registered: next.registered, ringing: next.ringing, onCall: next.onCall };
      break;
    }
    case 'set_ready':
      availability = { kind: 'ready' };
      afterCall = null;
      wrapUpUntil = null; // "I'm done": ends wrap-up early
      break;
    case 'set_not_ready': {
      const n: Availability = { kind: 'not_ready', reason: e.reason };
      if (!sameAvailability(availability, n) || wrapUpUntil !== null) {
        availability = n;
        wrapUpUntil = null;
      }
      break;
    }
    case 'after_call':
      afterCall = e.reason;
      break;
    case 'configure':
      wrapUpMs = Math.max(0, Math.floor(e.wrapUpMs));
      break;
    case 'suspend':
      if (availability.kind === 'ready') availability = { kind: 'not_ready', reason: AWAY_REASON };
      break;
    case 'tick':
      break;
  }
  // A deadline that has passed is forgotten, so a later clock reading can never bring wrap-up back.
  if (wrapUpUntil !== null && e.at >= wrapUpUntil) wrapUpUntil = null;
  const d = deriveState({ phone, wrapUpUntil, availability }, e.at);
  const changed = d.state !== s.state || d.reason !== s.reason;
  const next: AgentMachineState = {
    state: d.state,
    reason: d.reason,
    since: changed ? Math.max(e.at, s.since) : s.since,
    availability,
    afterCall,
    wrapUpUntil,
    wrapUpMs,
    phone,
  };
  const same =
    !changed &&
    sameAvailability(availability, s.availability) &&
    afterCall === s.afterCall &&
    wrapUpUntil === s.wrapUpUntil &&
    wrapUpMs === s.wrapUpMs &&
    phone === s.phone;
  return same ? s : next;
}

/** Whether a call arriving now should ring, or be declined with 486 Busy Here (policy 'busy'). */
export function acceptsCall(state: AgentStateName, whenNotReady: 'busy' | 'ring'): boolean {
  switch (state) {
    case 'ready':
    case 'ringing':
    case 'on_call': // call waiting
      return true;
    case 'not_ready':
    case 'wrap_up':
      return whenNotReady === 'ring';
    case 'offline':
      return false;
  }
}

export function presenceOf(s: Pick<AgentMachineState, 'state' | 'reason' | 'since' | 'wrapUpUntil'>): AgentPresence {
  return { state: s.state, reasonId: s.state === 'not_ready' ? s.reason : null, since: s.since, wrapUpUntil: s.state === 'wrap_up' ? s.wrapUpUntil : null };
}

// ---------------------------------------------------------------- the store

export interface AgentStoreState extends AgentMachineState {
  dispatch(e: AgentEvent): void;
}

export function createAgentStore(now: () => number = Date.now, wrapUpMs = 0) {
  return createStore<AgentStoreState>()(
    subscribeWithSelector((set) => ({
      ...initialAgentState(now(), wrapUpMs),
      dispatch: (e) =>
        set((cur) => {
          const next = agentTransition(cur, e);
          return next === cur ? cur : { ...next };
        }),
    })),
  );
}

export type AgentStore = ReturnType<typeof createAgentStore>;

/**
 * The subscription point for presence: called with the agent's presence now and on every change of state
 * or reason. The backend's presence reporter (a later issue) subscribes here; nothing else is needed.
 */
export function subscribePresence(store: AgentStore, listener: (p: AgentPresence) => void): () => void {
  listener(presenceOf(store.getState()));
  return store.subscribe(
    (s) => `${s.state}|${s.reason ?? ''}|${s.since}|${s.wrapUpUntil ?? ''}`,
    () => listener(presenceOf(store.getState())),
  );
}
