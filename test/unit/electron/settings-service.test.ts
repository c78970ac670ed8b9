// Settings of record: defaults, validation on read and write, a corrupt file kept aside (never lost),
// atomic writes (temp file + rename) readable only by the user.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, SettingsService } from '../../../electron/services/settings/settings-service';

const base = mkdtempSync(join(tmpdir(), 'lianluo-settings-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const d = join(base, `case-${++n}`);
  mkdirSync(d);
  return { dir: d, file: join(d, 'settings.json') };
};
const ACCOUNT = { wsUrl: 'wss://pbx.example.com:8089/ws', sipUri: 'sip:1001@pbx.example.com', authUser: '', displayName: 'Agent' };

describe('SettingsService', () => {
  it('starts from defaults when there is no file, without creating one', () => {
    const { file } = folder();
    const s = new SettingsService(file, { warn: vi.fn() });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(s.get().numberPlan.defaultRegion).toBe('CN');
    expect(existsSync(file)).toBe(false);
  });

  it('writes validated settings that a new instance reads back; the file is private', () => {
    const { file } = folder();
    const s = new SettingsService(file, { warn: vi.fn() });
    s.update({ account: ACCOUNT, locale: 'zh-CN' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = new SettingsService(file, { warn: vi.fn() });
    expect(again.get()).toEqual({ ...DEFAULT_SETTINGS, account: ACCOUNT, locale: 'zh-CN' });
  });

  it('creates the data folder when needed', () => {
    const { dir } = folder();
    const file = join(dir, 'not', 'yet', 'settings.json');
    new SettingsService(file, { warn: vi.fn() }).update({ locale: 'en' });
    expect(JSON.parse(readFileSync(file, 'utf8')).locale).toBe('en');
  });

  it('reads a file written before the phone, audio and hotkey settings existed, with their defaults', () => {
    const { file } = folder();
    writeFileSync(file, JSON.stringify({ version: 1, account: ACCOUNT, numberPlan: DEFAULT_SETTINGS.numberPlan, locale: 'en' }));
    const warn = vi.fn();
    const s = new SettingsService(file, { warn });
    expect(warn).not.toHaveBeenCalled();
    expect(s.get()).toEqual({ ...DEFAULT_SETTINGS, account: ACCOUNT, locale: 'en' });
    s.update({ phone: { ...s.get().phone, dtmfMode: 'info' }, audio: { ...s.get().audio, ringer: { deviceId: 'x1', label: 'Desk speaker' } } });
    const again = new SettingsService(file, { warn });
    expect(again.get().phone.dtmfMode).toBe('info');
    expect(again.get().audio.ringer).toEqual({ deviceId: 'x1', label: 'Desk speaker' });
  });

  it('refuses a global hotkey without a modifier (it would swallow plain typing)', () => {
    const { file } = folder();
    const s = new SettingsService(file, { warn: vi.fn() });
    expect(() => s.update({ hotkeys: { ...s.get().hotkeys, answer: 'A' } })).toThrow();
    expect(() => s.update({ hotkeys: { ...s.get().hotkeys, answer: 'Alt+Shift+<script>' } })).toThrow();
    s.update({ hotkeys: { ...s.get().hotkeys, answer: 'Ctrl+Shift+F9', transfer: null } });
    expect(s.get().hotkeys.answer).toBe('Ctrl+Shift+F9');
  });

  it('refuses an invalid update and changes nothing', () => {
    const { file } = folder();
    const s = new SettingsService(file, { warn: vi.fn() });
    s.update({ locale: 'en' });
    const before = readFileSync(file, 'utf8');
    expect(() => s.update({ numberPlan: { defaultRegion: 'china', localAreaCode: '', outsideLinePrefix: '' } })).toThrow();
    expect(() => s.update({ account: { ...ACCOUNT, wsUrl: 'javascript:alert(1)' } })).toThrow();
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(s.get().locale).toBe('en');
  });

  it.each([
    ['not JSON', '{"version": 1, "account": nul'],
    ['an empty file', ''],
    ['a valid JSON of the wrong shape', JSON.stringify({ version: 1, account: null, numberPlan: { defaultRegion: 1 }, locale: null })],
    ['a future version', JSON.stringify({ ...DEFAULT_SETTINGS, version: 2 })],
  ])('keeps %s aside, warns, and starts from defaults', (_what, content) => {
    const { dir, file } = folder();
    writeFileSync(file, content);
    const warn = vi.fn();
    const s = new SettingsService(file, { warn });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(existsSync(file)).toBe(false);
    const aside = readdirSync(dir).filter((f) => f.startsWith('settings.json.invalid-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).toBe(content);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(aside[0] as string));
  });

  it('writes atomically: a failed write leaves the previous file whole', () => {
    const { dir, file } = folder();
    const s = new SettingsService(file, { warn: vi.fn() });
    s.update({ account: ACCOUNT });
    const before = readFileSync(file, 'utf8');
    // make the temporary file impossible to write: the old file must be untouched
    mkdirSync(`${file}.tmp-${process.pid}`);
    expect(() => s.update({ locale: 'zh-CN' })).toThrow();
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(s.get().locale).toBeNull();
    rmSync(`${file}.tmp-${process.pid}`, { recursive: true });
    s.update({ locale: 'zh-CN' });
    expect(readdirSync(dir)).toEqual(['settings.json']); // no temporary file left behind
  });
});
