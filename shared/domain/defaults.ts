// Default values, free of zod so the renderer can import them without the schema library.
import type { AudioPrefs, HeadsetPrefs, Hotkeys, NumberPlan, PhonePrefs, SipAccount } from './settings';

export const DEFAULT_NUMBER_PLAN: NumberPlan = { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' };

/** The account the desktop offers on first start: the project's own local test PBX (`npm run demo:call`). */
export const DEMO_ACCOUNT: SipAccount = {
  wsUrl: 'ws://127.0.0.1:8080',
  sipUri: 'sip:1001@127.0.0.1',
  authUser: '1001',
  displayName: 'Agent 1001',
};

/** Wrap-up is a team's policy: off until it is set (Audio and phone settings, later from the backend). */
export const DEFAULT_PHONE_PREFS: PhonePrefs = { dtmfMode: 'rfc4733', wrapUpSeconds: 0, whenNotReady: 'busy' };

export const DEFAULT_AUDIO_PREFS: AudioPrefs = { microphone: null, speaker: null, ringer: null };

/** No headset chosen: the first one with call controls is used. */
export const DEFAULT_HEADSET_PREFS: HeadsetPrefs = { deviceId: null };

/** Global hotkeys (Electron): rare combinations, so they do not steal another application's shortcuts. */
export const DEFAULT_HOTKEYS: Hotkeys = {
  answer: 'CommandOrControl+Alt+A',
  hangup: 'CommandOrControl+Alt+H',
  mute: 'CommandOrControl+Alt+M',
  hold: 'CommandOrControl+Alt+P',
  transfer: null,
  dial: 'CommandOrControl+Alt+D',
};
