// Every way one headset vendor differs from another, in one table, as data. The headset machine reads
// these fields and never asks which vendor it talks to. Sources: ../shared/research/headset-hid.md §2.
//
// To add a quirk: add a field to HeadsetQuirks with its default in DEFAULT_QUIRKS, set it per vendor in
// VENDOR_QUIRKS with the source in a comment, make headset-machine.ts read it, and add a scenario test in
// test/unit/headset/ that fails without it.
import { usageOf } from './webhid';

export type ControlReading =
  /** A level when the item is declared absolute (isAbsolute), a toggle otherwise: HUT's own encoding. */
  | 'descriptor'
  /** The value is the state (1 = off-hook / muted); compare it with what the app asked for. */
  | 'level'
  /** A 0→1 transition is one press; 1→0 means nothing. */
  | 'toggle';

export interface HeadsetQuirks {
  /** Vendor name for status and logs. */
  vendor: string;
  /** How to read Hook Switch (0x0B:0x20). Every fixture declares it absolute (a level). */
  hookSwitch: ControlReading;
  /** How to read Phone Mute (0x0B:0x2F). Every fixture declares it relative (a toggle button). */
  phoneMute: ControlReading;
  /**
   * On hold, keep the Off-Hook LED set. Some Jabra devices answer Off-Hook=0 with hook=0 and the call
   * would be hung up (gonicus/gonnect PR #52). Where false, Off-Hook is cleared on hold (Poly/HP and
   * Genesys Yealink do this) and hook reports are not taken as presses while held.
   */
  holdKeepsOffHook: boolean;
  /** Vendor input usage meaning "reject the ringing call" (found in the vendor's mirror collection), or null. */
  rejectUsage: number | null;
  /**
   * The Programmable Button (Teams "Delete") rejects a ringing call. (inference, research §1.6: Teams and
   * Skype for Business reject on it; confirm on hardware.)
   */
  programmableButtonRejects: boolean;
  /** Telephony Drop (0x0B:0x26) ends the call (EPOS/Sennheiser declare it). */
  dropEndsCall: boolean;
  /** Drive LED Microphone (0x08:0x21) together with LED Mute: some devices answer the mute press on it. */
  microphoneLedFollowsMute: boolean;
  /**
   * An input report identical to the previous one of its id within this window is the same press; a toggle
   * held at 1 longer than this counts again. Jabra repeats a press ~2 s later (request/ack timeout, WICG/
   * webhid#61); Poly within 50 ms.
   */
  duplicateWindowMs: number;
  /**
   * After the app changes Off-Hook, a hook report still showing the old state within this window is a report
   * the device sent before it saw the change, not a press (GOnnect GOW_001 used 500 ms).
   */
  echoSettleMs: number;
  /**
   * How long an optimistic acknowledgement (Off-Hook after a hook press, Mute after a mute press, Hold after
   * Flash) waits for the app to confirm before the LEDs go back to the app's state.
   */
  confirmTimeoutMs: number;
}

export const DEFAULT_QUIRKS: Readonly<HeadsetQuirks> = Object.freeze({
  vendor: 'generic',
  hookSwitch: 'descriptor',
  phoneMute: 'descriptor',
  holdKeepsOffHook: true,
  rejectUsage: null,
  programmableButtonRejects: false,
  dropEndsCall: true,
  microphoneLedFollowsMute: true,
  duplicateWindowMs: 2500,
  echoSettleMs: 500,
  confirmTimeoutMs: 3000,
});

const VENDOR_REJECT = usageOf(0xff30, 0xfffd); // jabra-js REJECT_CALL = 65533; Yealink vendor bit 0x40

/** USB vendor id → what differs from DEFAULT_QUIRKS. */
export const VENDOR_QUIRKS: Readonly<Record<number, Readonly<Partial<HeadsetQuirks> & { vendor: string }>>> = Object.freeze({
  // Jabra / GN: Off-Hook request/ack; hold must keep Off-Hook (GOnnect #52); reject in mirror report 0x04;
  // a press may be repeated ~2 s later.
  0x0b0e: { vendor: 'Jabra', holdKeepsOffHook: true, rejectUsage: VENDOR_REJECT, duplicateWindowMs: 2500 },
  // Poly / Plantronics (HP): one report per LED; Flash declared absolute (asserted while pressed); the HP
  // WebHID sample clears Off-Hook on hold; duplicate reports within ~50 ms; no vendor reject usage.
  0x047f: { vendor: 'Poly', holdKeepsOffHook: false, programmableButtonRejects: true },
  // EPOS / Sennheiser: hook at varying bits, Drop key, Mic LED next to Mute; no vendor reject usage; mute
  // must start cleared on every call (Genesys STREAM-73, which the machine does for every vendor).
  0x1395: { vendor: 'EPOS', holdKeepsOffHook: true, programmableButtonRejects: true, dropEndsCall: true },
  // Yealink: standard layout like Jabra's; reject in the FF30 mirror (bit 6 of report 0x04 on the WH66);
  // Genesys' Yealink driver clears Off-Hook on hold and sets Hold.
  0x6993: { vendor: 'Yealink', holdKeepsOffHook: false, rejectUsage: VENDOR_REJECT },
  // Logitech: gaming headsets (G535) have no telephony collection at all. Zone headsets mute in hardware
  // (rotate-to-mute) and no public descriptor says how they report it: read mute as the descriptor
  // declares it (a level when absolute, so the device's state wins) until a capture says otherwise.
  0x046d: { vendor: 'Logitech', phoneMute: 'descriptor', programmableButtonRejects: false },
});

export function quirksFor(vendorId: number): HeadsetQuirks {
  const v = VENDOR_QUIRKS[vendorId];
  return { ...DEFAULT_QUIRKS, ...(v ?? {}) };
}

/** Every vendor reject usage in the table, for the control map to look for. */
export const KNOWN_REJECT_USAGES: readonly number[] = [
  ...new Set(Object.values(VENDOR_QUIRKS).flatMap((q) => (typeof q.rejectUsage === 'number' ? [q.rejectUsage] : []))),
];
