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

export const Settings = z.object({
  account: SipAccount.nullable(),
  hasPassword: z.boolean(),
  numberPlan: NumberPlan,
  /** null: follow the system language. */
  locale: Locale.nullable(),
});
export type Settings = z.infer<typeof Settings>;
