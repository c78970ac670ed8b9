import { z } from 'zod';

// Settings of record live in the main process (a JSON file in the user's data folder), never in the
// renderer's storage. The SIP password is not a setting: it is a secret held by the secret store.

export const LOCALES = ['en', 'zh-CN'] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

const wsUrl = z
  .string()
  .trim()
  .max(512)
  .regex(/^wss?:\/\/[A-Za-z0-9.[\]:_-]+(:\d{1,5})?(\/[^\s]*)?$/, 'must be a ws:// or wss:// URL, e.g. wss://pbx.example.com:8089/ws');

const sipUri = z
  .string()
  .trim()
  .max(256)
  .regex(/^sips?:[^@\s:;]+@[A-Za-z0-9.[\]:-]+(:\d{1,5})?$/, 'must look like sip:1001@pbx.example.com');

export const SipAccount = z.object({
  wsUrl,
  sipUri,
  /** Authorisation user; empty means the user part of the SIP URI. */
  authUser: z.string().trim().max(128),
  displayName: z.string().trim().max(80),
});
export type SipAccount = z.infer<typeof SipAccount>;

export const NumberPlan = z.object({
  /** ISO 3166 region for numbers sent without a country code. */
  defaultRegion: z.string().regex(/^[A-Z]{2}$/),
  /** Area code (digits, no trunk 0) added to local numbers the PBX sends without one, e.g. "10" for Beijing. */
  localAreaCode: z.string().regex(/^\d{0,5}$/),
  /** Digits a PBX puts in front of every outside number (e.g. "9"), removed before parsing. */
  outsideLinePrefix: z.string().regex(/^\d{0,4}$/),
});
export type NumberPlan = z.infer<typeof NumberPlan>;

// ---- phone: call policy and DTMF (issue 5) ----

/** How DTMF digits reach the far end: RTP telephone-events (RFC 4733) or SIP INFO (application/dtmf-relay). */
export const DtmfMode = z.enum(['rfc4733', 'info']);
export type DtmfMode = z.infer<typeof DtmfMode>;

export const PhonePrefs = z.object({
  /** For the configured account: some PBXs only understand INFO. */
  dtmfMode: DtmfMode,
  /** After-call work before the agent is offered calls again (0: none). */
  wrapUpSeconds: z.number().int().min(0).max(1800),
  /** A call arriving while Not Ready or in wrap-up: declined with 486 Busy Here, or rung anyway. */
  whenNotReady: z.enum(['busy', 'ring']),
});
export type PhonePrefs = z.infer<typeof PhonePrefs>;

// ---- audio devices: remembered by id and label, so a re-plugged device (new id) is found again ----

export const AudioDeviceChoice = z.object({
  deviceId: z.string().max(512),
  label: z.string().max(256),
});
export type AudioDeviceChoice = z.infer<typeof AudioDeviceChoice>;

export const AudioPrefs = z.object({
  /** null: the system default. */
  microphone: AudioDeviceChoice.nullable(),
  speaker: AudioDeviceChoice.nullable(),
  /** Where the ringtone plays; null: the same device as the speaker. */
  ringer: AudioDeviceChoice.nullable(),
});
export type AudioPrefs = z.infer<typeof AudioPrefs>;

// ---- global hotkeys (Electron only; the web host has in-page shortcuts only) ----

export const HOTKEY_ACTIONS = ['answer', 'hangup', 'mute', 'hold', 'transfer', 'dial'] as const;
export type HotkeyAction = (typeof HOTKEY_ACTIONS)[number];

const MODIFIER = '(?:CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)';
const KEY = '(?:[A-Z0-9]|F(?:[1-9]|1[0-9]|2[0-4])|Space|Enter|Backspace|Delete|Insert|Home|End|PageUp|PageDown|Up|Down|Left|Right|Plus|Minus)';
/** An Electron accelerator with at least one modifier, so a global hotkey never swallows plain typing. */
export const Accelerator = z
  .string()
  .max(64)
  .regex(new RegExp(`^(?:${MODIFIER}\\+)+${KEY}$`), 'must be modifiers and a key, e.g. CommandOrControl+Alt+A');

/** null: no global hotkey for that action. */
export const Hotkeys = z.object({
  answer: Accelerator.nullable(),
  hangup: Accelerator.nullable(),
  mute: Accelerator.nullable(),
  hold: Accelerator.nullable(),
  transfer: Accelerator.nullable(),
  dial: Accelerator.nullable(),
}) satisfies z.ZodType<Record<HotkeyAction, string | null>>;
export type Hotkeys = z.infer<typeof Hotkeys>;

// ---- headset (issue 6): which USB headset drives calls when several are plugged in ----

export const HeadsetPrefs = z.object({
  /** "vvvv:pppp:product name" (WebHID has no serial number); null: the first headset found. */
  deviceId: z.string().max(200).nullable(),
});
export type HeadsetPrefs = z.infer<typeof HeadsetPrefs>;

export const Settings = z.object({
  account: SipAccount.nullable(),
  hasPassword: z.boolean(),
  numberPlan: NumberPlan,
  /** null: follow the system language. */
  locale: Locale.nullable(),
  phone: PhonePrefs,
  audio: AudioPrefs,
  hotkeys: Hotkeys,
  headset: HeadsetPrefs,
});
export type Settings = z.infer<typeof Settings>;
