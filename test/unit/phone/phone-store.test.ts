// The phone store's additions for issue 5: lines, the phone summary the agent machine reads, the last
// quality sample kept after the call ends, retry times.
import { describe, expect, it } from 'vitest';
import { createPhoneStore, focusCall, phoneSummary, type CallSnapshot } from '../../../renderer/stores/phone-store';

const call = (id: string, patch: Partial<CallSnapshot> = {}): CallSnapshot => ({ id, direction: 'inbound', number: '1', displayName: '', state: 'ringing', inviteAt: 0, startedAt: 0, muted: false, ...patch });
const Q = { at: 1, jitterMs: 1, lossPct: 0, rttMs: 1, mos: 4.4, rating: 'good' as const };

describe('phone store, issue 5', () => {
  it('summarises for the agent machine: dialling and held calls count as engaged, ringing does not', () => {
    const s = createPhoneStore();
    s.getState().setRegistration('registered');
    expect(phoneSummary(s.getState())).toEqual({ registered: true, ringing: false, onCall: false });
    s.getState().addCall(call('a', { state: 'dialing', direction: 'outbound' }));
    expect(phoneSummary(s.getState()).onCall).toBe(true);
    s.getState().updateCall('a', { state: 'held' });
    s.getState().addCall(call('b'));
    expect(phoneSummary(s.getState())).toEqual({ registered: true, ringing: true, onCall: true });
  });

  it('focus: a ringing call first, then the call being talked on, before a held one', () => {
    const s = createPhoneStore();
    s.getState().addCall(call('held', { state: 'held' }));
    s.getState().addCall(call('consult', { state: 'active', consultFor: 'held' }));
    expect(focusCall(s.getState())?.id).toBe('consult');
    s.getState().updateCall('consult', { state: 'ended' });
    expect(focusCall(s.getState())?.id).toBe('held');
  });

  it('an ended call still takes its last quality sample (for the interaction record), nothing else', () => {
    const s = createPhoneStore();
    s.getState().addCall(call('a', { state: 'active' }));
    s.getState().updateCall('a', { state: 'ended', endReason: 'hangup_local' });
    s.getState().updateCall('a', { quality: Q });
    s.getState().updateCall('a', { quality: Q, state: 'active' });
    expect(s.getState().calls.a).toMatchObject({ state: 'ended', quality: Q });
  });

  it('remembers since when registration is lost, and the next retry', () => {
    const s = createPhoneStore();
    s.getState().setRegistration('registered');
    s.getState().setRegistration('unregistered', 'connection_lost');
    const since = s.getState().downSince;
    expect(since).toBeTypeOf('number');
    s.getState().setRegistration('unregistered', 'network_offline');
    expect(s.getState().downSince).toBe(since);
    s.getState().setRetryAt(123);
    expect(s.getState().retryAt).toBe(123);
    s.getState().setRegistration('registered');
    expect(s.getState().downSince).toBeUndefined();
  });
});
