// The agent state machine: every transition legal, no flip-flops, wrap-up always ends, "Not Ready after
// this call" honoured, the time in state honest. Scenario tests first, then properties over random event
// sequences (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AGENT_STATES, AWAY_REASON, DEFAULT_NOT_READY_REASONS, type AgentStateName } from '../../../shared/domain/agent-state';
import { NotReadyReason } from '../../../shared/domain/agent-presence';
import {
  acceptsCall,
  agentTransition,
  createAgentStore,
  deriveState,
  initialAgentState,
  LEGAL_TRANSITIONS,
  presenceOf,
  subscribePresence,
  type AgentEvent,
  type AgentMachineState,
} from '../../../renderer/stores/agent-store';
import type { PhoneSummary } from '../../../renderer/stores/phone-store';

const P = (registered: boolean, ringing = false, onCall = false): PhoneSummary => ({ registered, ringing, onCall });
const IDLE = P(true);
const RINGING = P(true, true);
const ON_CALL = P(true, false, true);

function run(events: AgentEvent[], start = initialAgentState(0)): AgentMachineState {
  return events.reduce(agentTransition, start);
}

describe('agent states, scenarios', () => {
  it('is Offline until registered, then Ready', () => {
    const s0 = initialAgentState(1000);
    expect(s0.state).toBe('offline');
    const s1 = agentTransition(s0, { type: 'phone', phone: IDLE, at: 2000 });
    expect(s1).toMatchObject({ state: 'ready', since: 2000 });
  });

  it('rings, goes on call, wraps up for the configured time, then is Ready again', () => {
    const s = run([
      { type: 'configure', wrapUpMs: 30_000, at: 0 },
      { type: 'phone', phone: IDLE, at: 1 },
      { type: 'phone', phone: RINGING, at: 10 },
    ]);
    expect(s.state).toBe('ringing');
    const talking = agentTransition(s, { type: 'phone', phone: ON_CALL, at: 20 });
    expect(talking).toMatchObject({ state: 'on_call', since: 20 });
    const wrap = agentTransition(talking, { type: 'phone', phone: IDLE, at: 100 });
    expect(wrap).toMatchObject({ state: 'wrap_up', wrapUpUntil: 30_100, since: 100 });
    expect(agentTransition(wrap, { type: 'tick', at: 30_099 }).state).toBe('wrap_up');
    const done = agentTransition(wrap, { type: 'tick', at: 30_100 });
    expect(done).toMatchObject({ state: 'ready', wrapUpUntil: null, since: 30_100 });
  });

  it('a missed call (rang, never answered) has no wrap-up', () => {
    const s = run([{ type: 'configure', wrapUpMs: 30_000, at: 0 }, { type: 'phone', phone: IDLE, at: 1 }, { type: 'phone', phone: RINGING, at: 2 }, { type: 'phone', phone: IDLE, at: 3 }]);
    expect(s.state).toBe('ready');
  });

  it('"Not Ready after this call" takes effect when the call ends (after wrap-up, or at once without one)', () => {
    const during = run([{ type: 'phone', phone: ON_CALL, at: 1 }, { type: 'after_call', reason: 'lunch', at: 2 }]);
    expect(during.state).toBe('on_call');
    const after = agentTransition(during, { type: 'phone', phone: IDLE, at: 3 });
    expect(after).toMatchObject({ state: 'not_ready', reason: 'lunch', afterCall: null });

    const withWrap = run([{ type: 'configure', wrapUpMs: 5000, at: 0 }, ...[{ type: 'phone', phone: ON_CALL, at: 1 } as const], { type: 'after_call', reason: 'lunch', at: 2 }, { type: 'phone', phone: IDLE, at: 3 }]);
    expect(withWrap.state).toBe('wrap_up');
    expect(agentTransition(withWrap, { type: 'tick', at: 5003 })).toMatchObject({ state: 'not_ready', reason: 'lunch' });
  });

  it('unticking "Not Ready after this call" keeps the agent Ready', () => {
    const s = run([{ type: 'phone', phone: ON_CALL, at: 1 }, { type: 'after_call', reason: 'lunch', at: 2 }, { type: 'after_call', reason: null, at: 3 }, { type: 'phone', phone: IDLE, at: 4 }]);
    expect(s.state).toBe('ready');
  });

  it('Ready now ends wrap-up early; choosing Not Ready during wrap-up too', () => {
    const wrap = run([{ type: 'configure', wrapUpMs: 60_000, at: 0 }, { type: 'phone', phone: ON_CALL, at: 1 }, { type: 'phone', phone: IDLE, at: 2 }]);
    expect(wrap.state).toBe('wrap_up');
    expect(agentTransition(wrap, { type: 'set_ready', at: 10 })).toMatchObject({ state: 'ready', wrapUpUntil: null, since: 10 });
    expect(agentTransition(wrap, { type: 'set_not_ready', reason: 'break', at: 10 })).toMatchObject({ state: 'not_ready', reason: 'break', wrapUpUntil: null });
  });

  it('a new call during wrap-up cancels the rest of it', () => {
    const wrap = run([{ type: 'configure', wrapUpMs: 60_000, at: 0 }, { type: 'phone', phone: ON_CALL, at: 1 }, { type: 'phone', phone: IDLE, at: 2 }]);
    const again = agentTransition(wrap, { type: 'phone', phone: ON_CALL, at: 5 }); // e.g. a callback dialled by the agent
    expect(again).toMatchObject({ state: 'on_call', wrapUpUntil: null });
    expect(agentTransition(again, { type: 'phone', phone: IDLE, at: 7 })).toMatchObject({ state: 'wrap_up', wrapUpUntil: 60_007 });
  });

  it('losing registration shows Offline whatever else is going on, and comes back to what it was', () => {
    const nr = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'set_not_ready', reason: 'meeting', at: 2 }]);
    const off = agentTransition(nr, { type: 'phone', phone: P(false), at: 3 });
    expect(off.state).toBe('offline');
    expect(agentTransition(off, { type: 'phone', phone: IDLE, at: 4 })).toMatchObject({ state: 'not_ready', reason: 'meeting' });
    // on a call whose signalling dropped: Offline while unregistered, On call once registered again
    const call = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'phone', phone: ON_CALL, at: 2 }, { type: 'phone', phone: P(false, false, true), at: 3 }]);
    expect(call.state).toBe('offline');
    expect(agentTransition(call, { type: 'phone', phone: ON_CALL, at: 4 }).state).toBe('on_call');
  });

  it('after the computer slept, a Ready agent comes back Not Ready (away); a Not Ready one keeps their reason', () => {
    const ready = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'suspend', at: 2 }, { type: 'phone', phone: P(false), at: 3 }, { type: 'phone', phone: IDLE, at: 4 }]);
    expect(ready).toMatchObject({ state: 'not_ready', reason: AWAY_REASON });
    const lunch = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'set_not_ready', reason: 'lunch', at: 2 }, { type: 'suspend', at: 3 }]);
    expect(lunch).toMatchObject({ state: 'not_ready', reason: 'lunch' });
  });

  it('changing the Not Ready reason restarts the time in state; choosing the same one does not', () => {
    const s = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'set_not_ready', reason: 'break', at: 10 }]);
    expect(s.since).toBe(10);
    expect(agentTransition(s, { type: 'set_not_ready', reason: 'break', at: 20 })).toBe(s);
    expect(agentTransition(s, { type: 'set_not_ready', reason: 'lunch', at: 30 }).since).toBe(30);
  });

  it('call waiting: a second call ringing while on a call keeps the agent On call; when the first ends, Ringing', () => {
    const s = run([{ type: 'phone', phone: IDLE, at: 1 }, { type: 'phone', phone: ON_CALL, at: 2 }, { type: 'phone', phone: P(true, true, true), at: 3 }]);
    expect(s.state).toBe('on_call');
    expect(agentTransition(s, { type: 'phone', phone: RINGING, at: 4 }).state).toBe('ringing');
  });

  it('calls arriving while not available are declined (policy busy), or ring (policy ring)', () => {
    expect(acceptsCall('ready', 'busy')).toBe(true);
    expect(acceptsCall('on_call', 'busy')).toBe(true); // call waiting
    expect(acceptsCall('ringing', 'busy')).toBe(true);
    expect(acceptsCall('not_ready', 'busy')).toBe(false);
    expect(acceptsCall('wrap_up', 'busy')).toBe(false);
    expect(acceptsCall('offline', 'ring')).toBe(false);
    expect(acceptsCall('not_ready', 'ring')).toBe(true);
    expect(acceptsCall('wrap_up', 'ring')).toBe(true);
  });

  it('reasons are valid data with both labels', () => {
    for (const r of DEFAULT_NOT_READY_REASONS) expect(NotReadyReason.parse(r)).toEqual(r);
    expect(new Set(DEFAULT_NOT_READY_REASONS.map((r) => r.id)).size).toBe(DEFAULT_NOT_READY_REASONS.length);
  });
});

describe('agent store and the presence subscription point', () => {
  it('tells a presence subscriber the state now and each change, never repeats', () => {
    let now = 1000;
    const store = createAgentStore(() => now);
    const seen: string[] = [];
    const off = subscribePresence(store, (p) => seen.push(`${p.state}:${p.reasonId ?? ''}@${p.since}`));
    now = 2000;
    store.getState().dispatch({ type: 'phone', phone: IDLE, at: now });
    store.getState().dispatch({ type: 'phone', phone: IDLE, at: 2500 }); // same input: nothing
    store.getState().dispatch({ type: 'tick', at: 2600 });
    store.getState().dispatch({ type: 'set_not_ready', reason: 'lunch', at: 3000 });
    off();
    store.getState().dispatch({ type: 'set_ready', at: 4000 });
    expect(seen).toEqual(['offline:@1000', 'ready:@2000', 'not_ready:lunch@3000']);
    expect(presenceOf(store.getState())).toEqual({ state: 'ready', reasonId: null, since: 4000, wrapUpUntil: null });
  });
});

// ---------------------------------------------------------------- properties

const reasonArb = fc.constantFrom(...DEFAULT_NOT_READY_REASONS.map((r) => r.id));
const phoneArb = fc.record({ registered: fc.boolean(), ringing: fc.boolean(), onCall: fc.boolean() });
/** Events with time deltas; times are made increasing when the sequence is built. */
const stepArb: fc.Arbitrary<(at: number) => AgentEvent> = fc.oneof(
  { weight: 5, arbitrary: phoneArb.map((phone) => (at: number): AgentEvent => ({ type: 'phone', phone, at })) },
  { weight: 1, arbitrary: fc.constant((at: number): AgentEvent => ({ type: 'set_ready', at })) },
  { weight: 1, arbitrary: reasonArb.map((reason) => (at: number): AgentEvent => ({ type: 'set_not_ready', reason, at })) },
  { weight: 1, arbitrary: fc.option(reasonArb, { nil: null }).map((reason) => (at: number): AgentEvent => ({ type: 'after_call', reason, at })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 120_000 }).map((ms) => (at: number): AgentEvent => ({ type: 'configure', wrapUpMs: ms, at })) },
  { weight: 1, arbitrary: fc.constant((at: number): AgentEvent => ({ type: 'suspend', at })) },
  { weight: 3, arbitrary: fc.constant((at: number): AgentEvent => ({ type: 'tick', at })) },
);
const sequenceArb = fc.array(fc.tuple(stepArb, fc.integer({ min: 0, max: 40_000 })), { minLength: 1, maxLength: 120 }).map((steps) => {
  let at = 0;
  return steps.map(([make, dt]) => make((at += dt)));
});

describe('agent states, properties', () => {
  it('every change of state is a legal transition, and the state is always what the inputs call for', () => {
    fc.assert(
      fc.property(sequenceArb, (events) => {
        let s = initialAgentState(0);
        for (const e of events) {
          const next = agentTransition(s, e);
          if (next.state !== s.state) expect(LEGAL_TRANSITIONS[s.state], `${s.state} → ${next.state} on ${e.type}`).toContain(next.state);
          expect(next.state).toBe(deriveState(next, e.at).state);
          expect(AGENT_STATES).toContain(next.state);
          // Offline exactly when unregistered; On call exactly when registered and a call is engaged.
          expect(next.state === 'offline').toBe(!next.phone.registered);
          expect(next.state === 'on_call').toBe(next.phone.registered && next.phone.onCall);
          // A reason only with Not Ready.
          expect(next.reason !== null).toBe(next.state === 'not_ready');
          s = next;
        }
      }),
      { numRuns: 400 },
    );
  });

  it('no flip-flops: repeating any event changes nothing', () => {
    fc.assert(
      fc.property(sequenceArb, (events) => {
        let s = initialAgentState(0);
        for (const e of events) {
          s = agentTransition(s, e);
          const again = agentTransition(s, e);
          expect(again.state).toBe(s.state);
          expect(again.reason).toBe(s.reason);
          expect(again.since).toBe(s.since);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no flip-flops: with the inputs unchanged, time alone changes the state at most once (wrap-up ending)', () => {
    fc.assert(
      fc.property(sequenceArb, fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 30 }), (events, gaps) => {
        let s = run(events);
        let at = events[events.length - 1]?.at ?? 0;
        const states: AgentStateName[] = [s.state];
        for (const g of gaps) {
          s = agentTransition(s, { type: 'tick', at: (at += g) });
          if (s.state !== states[states.length - 1]) states.push(s.state);
        }
        expect(states.length).toBeLessThanOrEqual(2);
        if (states.length === 2) expect(states[0]).toBe('wrap_up');
      }),
      { numRuns: 300 },
    );
  });

  it('wrap-up always ends by itself, to the agent’s choice', () => {
    fc.assert(
      fc.property(sequenceArb, (events) => {
        const s = run(events);
        const last = events[events.length - 1]?.at ?? 0;
        const later = agentTransition(s, { type: 'tick', at: last + 120_001 });
        expect(later.state).not.toBe('wrap_up');
        if (later.phone.registered && !later.phone.onCall && !later.phone.ringing) expect(later.state).toBe(later.availability.kind);
      }),
      { numRuns: 300 },
    );
  });

  it('the time in state never goes backwards and changes only with the state or the reason', () => {
    fc.assert(
      fc.property(sequenceArb, (events) => {
        let s = initialAgentState(0);
        for (const e of events) {
          const next = agentTransition(s, e);
          expect(next.since).toBeGreaterThanOrEqual(s.since);
          if (next.state === s.state && next.reason === s.reason) expect(next.since).toBe(s.since);
          else expect(next.since).toBe(e.at);
          s = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});
