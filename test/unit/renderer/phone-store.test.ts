// The phone store: registration and calls as data, the agent status derived from them, the call the
// screen is about. A fresh store per test.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { agentStatus, createPhoneStore, focusCall, type CallSnapshot, type PhoneStore } from '../../../renderer/stores/phone-store';

let store: PhoneStore;
beforeEach(() => {
  store = createPhoneStore();
});

let t = 0;
const call = (id: string, patch: Partial<CallSnapshot> = {}): CallSnapshot => ({
  id,
  direction: 'inbound',
  number: '13800138000',
  displayName: '',
  state: 'ringing',
  inviteAt: ++t,
  startedAt: t,
  muted: false,
  ...patch,
});
const s = () => store.getState();

describe('agentStatus', () => {
  it('is offline until registered, then ready', () => {
    expect(agentStatus(s())).toBe('offline');
    s().setRegistration('connecting');
    expect(agentStatus(s())).toBe('offline');
    s().setRegistration('registered');
    expect(agentStatus(s())).toBe('ready');
    s().setRegistration('failed', 'wrong_password', '403 Forbidden');
    expect(agentStatus(s())).toBe('offline');
  });

  it('follows the calls: ringing, on call (connecting or active), back to ready when they end', () => {
    s().setRegistration('registered');
    s().addCall(call('a'));
    expect(agentStatus(s())).toBe('ringing');
    s().updateCall('a', { state: 'connecting' });
    expect(agentStatus(s())).toBe('on_call');
    s().updateCall('a', { state: 'active', answeredAt: 5 });
    expect(agentStatus(s())).toBe('on_call');
    s().addCall(call('b')); // call waiting while on a call
    expect(agentStatus(s())).toBe('on_call');
    s().updateCall('a', { state: 'ended', endReason: 'hangup_local' });
    expect(agentStatus(s())).toBe('ringing');
    s().updateCall('b', { state: 'ended', endReason: 'missed' });
    expect(agentStatus(s())).toBe('ready');
  });

  it('a ringing call while unregistered still rings', () => {
    s().addCall(call('a'));
    expect(agentStatus(s())).toBe('ringing');
  });
});

describe('calls', () => {
  it('ignores updates to an ended call and to unknown calls', () => {
    s().addCall(call('a'));
    s().updateCall('a', { state: 'ended', endReason: 'hangup_remote', endedAt: 10 });
    const before = s().calls;
    s().updateCall('a', { state: 'active' });
    s().updateCall('nope', { state: 'active' });
    expect(s().calls).toBe(before);
    expect(s().calls.a).toMatchObject({ state: 'ended', endReason: 'hangup_remote', endedAt: 10 });
    expect(s().calls.nope).toBeUndefined();
  });

  it('clearEnded forgets ended calls only, keeping the order of the others', () => {
    s().addCall(call('a'));
    s().addCall(call('b'));
    s().addCall(call('c'));
    s().updateCall('b', { state: 'ended' });
    s().clearEnded();
    expect(s().order).toEqual(['a', 'c']);
    expect(Object.keys(s().calls).sort()).toEqual(['a', 'c']);
  });

  it('adding a call with a known id replaces it and moves it last', () => {
    s().addCall(call('a'));
    s().addCall(call('b'));
    s().addCall(call('a', { displayName: 'again' }));
    expect(s().order).toEqual(['b', 'a']);
    expect(s().calls.a?.displayName).toBe('again');
  });

  it('notifies selector subscribers only when their slice changes', () => {
    const seen = vi.fn();
    store.subscribe((st) => agentStatus(st), seen);
    s().setMicrophone('ok');
    expect(seen).not.toHaveBeenCalled();
    s().setRegistration('registered');
    expect(seen).toHaveBeenLastCalledWith('ready', 'offline');
  });

  it('keeps the problem and its detail, and clears them on the next state', () => {
    s().setRegistration('failed', 'server_unreachable', 'WebSocket closed 1006');
    expect(s()).toMatchObject({ registration: 'failed', problem: 'server_unreachable', problemDetail: 'WebSocket closed 1006' });
    s().setRegistration('registered');
    expect(s().problem).toBeUndefined();
    expect(s().problemDetail).toBeUndefined();
  });
});

describe('focusCall', () => {
  it('is undefined with no calls', () => {
    expect(focusCall(s())).toBeUndefined();
  });

  it('prefers the newest ringing call, then a live call, then the newest ended one', () => {
    s().addCall(call('a', { state: 'active' }));
    s().addCall(call('b'));
    s().addCall(call('c'));
    expect(focusCall(s())?.id).toBe('c');
    s().updateCall('c', { state: 'ended' });
    expect(focusCall(s())?.id).toBe('b');
    s().updateCall('b', { state: 'ended' });
    expect(focusCall(s())?.id).toBe('a');
    s().updateCall('a', { state: 'ended' });
    expect(focusCall(s())?.id).toBe('c'); // all ended: the newest call stays on screen until dismissed
    s().clearEnded();
    expect(focusCall(s())).toBeUndefined();
  });
});
