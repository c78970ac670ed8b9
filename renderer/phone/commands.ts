// Call commands from the keyboard (in-page shortcuts), from global hotkeys and the desktop notification
// (Electron sends shell.command) and from headset buttons: one place decides what each means for the
// calls on screen.
import type { NumberPlan } from '../../shared/domain/settings';
import type { HotkeyAction } from '../../shared/domain/settings';
import { focusCall, isEngaged, liveCalls, type PhoneStore } from '../stores/phone-store';
import type { CallUiStore } from './call-ui';
import { DialInputError, dialTarget, type DialTarget } from './dial';
import type { Phone } from './phone';

export type CallCommand = HotkeyAction | 'keypad';

export interface CommandDeps {
  phone: Pick<Phone, 'answer' | 'reject' | 'hangup' | 'setMuted' | 'hold' | 'resume'>;
  phoneStore: PhoneStore;
  ui: CallUiStore;
}

/** In-page shortcuts: Alt + a letter (KeyboardEvent.code, so they work with any keyboard layout). */
export const SHORTCUTS: Readonly<Record<CallCommand, { code: string; label: string }>> = Object.freeze({
  answer: { code: 'KeyA', label: 'Alt+A' },
  hangup: { code: 'KeyH', label: 'Alt+H' },
  mute: { code: 'KeyM', label: 'Alt+M' },
  hold: { code: 'KeyP', label: 'Alt+P' },
  transfer: { code: 'KeyT', label: 'Alt+T' },
  dial: { code: 'KeyD', label: 'Alt+D' },
  keypad: { code: 'KeyK', label: 'Alt+K' },
});

export function commandForKey(e: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code' | 'repeat' | 'isComposing'>): CallCommand | undefined {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.repeat || e.isComposing) return undefined;
  return (Object.keys(SHORTCUTS) as CallCommand[]).find((c) => SHORTCUTS[c].code === e.code);
}

/** Run a command on the call it is about. Returns false when there was nothing to do. */
export async function runCommand(cmd: CallCommand, d: CommandDeps, callId?: string): Promise<boolean> {
  const st = d.phoneStore.getState();
  const live = liveCalls(st);
  const focus = focusCall(st);
  const target = (callId ? st.calls[callId] : undefined) ?? (focus && focus.state !== 'ended' ? focus : undefined);
  switch (cmd) {
    case 'answer': {
      const ringing = callId ? st.calls[callId] : [...live].reverse().find((c) => c.state === 'ringing');
      if (ringing?.state !== 'ringing') return false;
      await d.phone.answer(ringing.id);
      return true;
    }
    case 'hangup':
      if (!target) return false;
      if (target.state === 'ringing') await d.phone.reject(target.id);
      else await d.phone.hangup(target.id);
      return true;
    case 'mute': {
      const c = target && isEngaged(target) ? target : undefined;
      if (!c) return false;
      d.phone.setMuted(c.id, !c.muted);
      return true;
    }
    case 'hold': {
      if (!target || (target.state !== 'active' && target.state !== 'held')) return false;
      if (target.state === 'held') await d.phone.resume(target.id);
      else await d.phone.hold(target.id);
      return true;
    }
    case 'transfer':
      if (!target || (target.state !== 'active' && target.state !== 'held')) return false;
      d.ui.getState().toggleTransfer(target.id, true);
      return true;
    case 'keypad':
      if (!target || target.state !== 'active') return false;
      d.ui.getState().toggleKeypad(target.id);
      return true;
    case 'dial':
      d.ui.getState().openDial();
      return true;
  }
}

/** The SIP domain calls go to: the host of the account's SIP address. */
export function accountDomain(sipUri: string): string {
  return sipUri.replace(/^sips?:/i, '').split('@')[1] ?? '';
}

/** Turn what the agent (or a record, or a link) gave into a dial target, or a failure the UI can explain. */
export function toTarget(input: string, source: 'typed' | 'record' | 'link', plan: NumberPlan, sipUri: string | undefined): { ok: true; target: DialTarget } | { ok: false; key: string } {
  if (!sipUri) return { ok: false, key: 'error.noAccount' };
  try {
    return { ok: true, target: dialTarget(input, source, plan, accountDomain(sipUri)) };
  } catch (e) {
    return { ok: false, key: e instanceof DialInputError && e.code === 'empty' ? 'error.dialEmpty' : 'error.dialInvalid' };
  }
}
