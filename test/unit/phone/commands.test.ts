// Shortcuts, global hotkeys and the notification's Answer all become the same commands, acting on the
// call on screen.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createCallUiStore, type CallUiStore } from '../../../renderer/phone/call-ui';
import { accountDomain, commandForKey, runCommand, toTarget } from '../../../renderer/phone/commands';
import { createPhoneStore, type CallSnapshot, type PhoneStore } from '../../../renderer/stores/phone-store';

let store: PhoneStore;
let ui: CallUiStore;
const phone = { answer: vi.fn(async () => undefined), reject: vi.fn(async () => undefined), hangup: vi.fn(async () => undefined), setMuted: vi.fn(), hold: vi.fn(async () => undefined), resume: vi.fn(async () => undefined) };
const call = (id: string, patch: Partial<CallSnapshot> = {}): CallSnapshot => ({ id, direction: 'inbound', number: '13800138000', displayName: '', state: 'active', inviteAt: 0, startedAt: 0, muted: false, ...patch });
const run = (cmd: Parameters<typeof runCommand>[0], callId?: string) => runCommand(cmd, { phone, phoneStore: store, ui }, callId);

beforeEach(() => {
  store = createPhoneStore();
  ui = createCallUiStore();
  vi.clearAllMocks();
});

describe('keyboard shortcuts', () => {
  const key = (code: string, o: Partial<KeyboardEvent> = {}) => ({ altKey: true, ctrlKey: false, metaKey: false, shiftKey: false, repeat: false, isComposing: false, code, ...o });
  it('are Alt + a letter, by key position, never repeats or compositions', () => {
    expect(commandForKey(key('KeyA'))).toBe('answer');
    expect(commandForKey(key('KeyH'))).toBe('hangup');
    expect(commandForKey(key('KeyM'))).toBe('mute');
    expect(commandForKey(key('KeyP'))).toBe('hold');
    expect(commandForKey(key('KeyT'))).toBe('transfer');
    expect(commandForKey(key('KeyD'))).toBe('dial');
    expect(commandForKey(key('KeyK'))).toBe('keypad');
    expect(commandForKey(key('KeyA', { altKey: false }))).toBeUndefined();
    expect(commandForKey(key('KeyA', { ctrlKey: true }))).toBeUndefined();
    expect(commandForKey(key('KeyA', { repeat: true }))).toBeUndefined();
    expect(commandForKey(key('KeyA', { isComposing: true }))).toBeUndefined();
    expect(commandForKey(key('KeyZ'))).toBeUndefined();
  });
});

describe('runCommand', () => {
  it('answer picks the newest ringing call, or the one named (notification Answer)', async () => {
    store.getState().addCall(call('a', { state: 'ringing' }));
    store.getState().addCall(call('b', { state: 'ringing' }));
    expect(await run('answer')).toBe(true);
    expect(phone.answer).toHaveBeenLastCalledWith('b');
    await run('answer', 'a');
    expect(phone.answer).toHaveBeenLastCalledWith('a');
    store.getState().updateCall('a', { state: 'active' });
    expect(await run('answer', 'a')).toBe(false);
  });

  it('hang up rejects a ringing call and hangs up a live one', async () => {
    store.getState().addCall(call('a', { state: 'ringing' }));
    await run('hangup');
    expect(phone.reject).toHaveBeenCalledWith('a');
    store.getState().updateCall('a', { state: 'active' });
    await run('hangup');
    expect(phone.hangup).toHaveBeenCalledWith('a');
  });

  it('mute toggles, hold toggles between hold and resume', async () => {
    store.getState().addCall(call('a'));
    await run('mute');
    expect(phone.setMuted).toHaveBeenLastCalledWith('a', true);
    store.getState().updateCall('a', { muted: true });
    await run('mute');
    expect(phone.setMuted).toHaveBeenLastCalledWith('a', false);
    await run('hold');
    expect(phone.hold).toHaveBeenCalledWith('a');
    store.getState().updateCall('a', { state: 'held' });
    await run('hold');
    expect(phone.resume).toHaveBeenCalledWith('a');
  });

  it('transfer and keypad open their panel on the call; dial opens the dial pad; nothing to act on is false', async () => {
    expect(await run('transfer')).toBe(false);
    expect(await run('hold')).toBe(false);
    expect(await run('mute')).toBe(false);
    store.getState().addCall(call('a'));
    await run('transfer');
    expect(ui.getState().transferFor).toBe('a');
    await run('keypad');
    expect(ui.getState()).toMatchObject({ keypadFor: 'a', transferFor: undefined });
    await run('dial');
    expect(ui.getState().dialOpen).toBe(true);
  });
});

describe('dial targets from the account', () => {
  const plan = { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' };
  it('uses the account’s SIP domain', () => {
    expect(accountDomain('sip:1001@pbx.example.com:5060')).toBe('pbx.example.com:5060');
    expect(toTarget('1002', 'typed', plan, 'sip:1001@pbx.example.com')).toEqual({ ok: true, target: { uri: 'sip:1002@pbx.example.com', number: '1002' } });
  });
  it('explains what is wrong instead of throwing', () => {
    expect(toTarget('1002', 'typed', plan, undefined)).toEqual({ ok: false, key: 'error.noAccount' });
    expect(toTarget('  ', 'typed', plan, 'sip:1001@h')).toEqual({ ok: false, key: 'error.dialEmpty' });
    expect(toTarget('<b>', 'typed', plan, 'sip:1001@h')).toEqual({ ok: false, key: 'error.dialInvalid' });
  });
});

describe('call UI store', () => {
  it('a link fills the dial pad for the agent to confirm; typing clears the link mark', () => {
    ui.getState().openDial('tel:+861088886666', true);
    expect(ui.getState()).toMatchObject({ dialOpen: true, dialValue: 'tel:+861088886666', dialFromLink: true, dialFocus: 1 });
    ui.getState().setDialValue('tel:+861088886667');
    expect(ui.getState().dialFromLink).toBe(false);
    ui.getState().closeDial();
    expect(ui.getState()).toMatchObject({ dialOpen: false, dialValue: '' });
  });
  it('announcements are numbered so a repeated one is read again', () => {
    ui.getState().announce('announce.muted');
    const a = ui.getState().announcement;
    ui.getState().announce('announce.muted');
    expect(ui.getState().announcement?.seq).toBeGreaterThan(a?.seq ?? 0);
  });
});
