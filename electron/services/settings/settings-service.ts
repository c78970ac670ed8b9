// Settings of record: a small JSON file in the data folder, validated on every read and write, written
// atomically (temp file + rename). A file that fails validation is kept aside, never silently lost.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DEFAULT_AUDIO_PREFS, DEFAULT_HEADSET_PREFS, DEFAULT_HOTKEYS, DEFAULT_NUMBER_PLAN, DEFAULT_PHONE_PREFS } from '../../../shared/domain/defaults';
import { AudioPrefs, HeadsetPrefs, Hotkeys, Locale, NumberPlan, PhonePrefs, SipAccount } from '../../../shared/domain/settings';
import { BackendUrl } from '../../../shared/domain/session';

/** Which backend the desktop signs in to (issue 3). url null: the one built into the app. */
const BackendPrefs = z.object({
  url: BackendUrl.nullable(),
  /** Sign in as the built-in backend's demo agent when nobody is signed in (off once someone signs out). */
  demoSignIn: z.boolean(),
});
export const DEFAULT_BACKEND_PREFS = { url: null, demoSignIn: true };

const StoredSettings = z.object({
  version: z.literal(1),
  account: SipAccount.nullable(),
  numberPlan: NumberPlan,
  locale: Locale.nullable(),
  // Added by issue 5: files written before it get the defaults.
  phone: PhonePrefs.default(DEFAULT_PHONE_PREFS),
  audio: AudioPrefs.default(DEFAULT_AUDIO_PREFS),
  hotkeys: Hotkeys.default(DEFAULT_HOTKEYS),
  // Added by issue 6.
  headset: HeadsetPrefs.default(DEFAULT_HEADSET_PREFS),
  // Added by issue 3.
  backend: BackendPrefs.default(DEFAULT_BACKEND_PREFS),
});
export type StoredSettings = z.infer<typeof StoredSettings>;

export const DEFAULT_SETTINGS: StoredSettings = {
  version: 1,
  account: null,
  numberPlan: DEFAULT_NUMBER_PLAN,
  locale: null,
  phone: DEFAULT_PHONE_PREFS,
  audio: DEFAULT_AUDIO_PREFS,
  hotkeys: DEFAULT_HOTKEYS,
  headset: DEFAULT_HEADSET_PREFS,
  backend: DEFAULT_BACKEND_PREFS,
};

export interface SettingsLogger {
  warn(msg: string): void;
}

export class SettingsService {
  private current: StoredSettings;

  constructor(
    private readonly file: string,
    log: SettingsLogger,
    defaults: StoredSettings = DEFAULT_SETTINGS,
  ) {
    this.current = defaults;
    if (!existsSync(file)) return;
    try {
      const parsed = StoredSettings.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed.success) {
        this.current = parsed.data;
        return;
      }
      throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    } catch (e) {
      const aside = `${file}.invalid-${Date.now()}`;
      renameSync(file, aside);
      log.warn(`settings file was unreadable (${(e as Error).message}); kept it as ${aside} and started from defaults`);
    }
  }

  get(): StoredSettings {
    return this.current;
  }

  update(patch: Partial<Omit<StoredSettings, 'version'>>): StoredSettings {
    const next = StoredSettings.parse({ ...this.current, ...patch });
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(next, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.current = next;
    return next;
  }
}
