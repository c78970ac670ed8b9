// The chosen headset, remembered in the settings of record: old files get "any headset", a choice
// survives a restart, and the IPC contract refuses what is not a device id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SettingsService } from '../../../electron/services/settings/settings-service';
import { contract } from '../../../shared/ipc';
import { headsetDeviceId, MAX_PRODUCT_NAME } from '../../../renderer/headset/headset-service';

const dir = mkdtempSync(join(tmpdir(), 'lianluo-headset-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('headset setting', () => {
  it('is "any headset" in a settings file written before issue 6', () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ version: 1, account: null, numberPlan: { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' }, locale: 'en' }));
    const warn = vi.fn();
    const s = new SettingsService(file, { warn });
    expect(s.get().headset).toEqual({ deviceId: null });
    expect(warn).not.toHaveBeenCalled();
  });

  it('survives a restart', () => {
    const file = join(dir, 'chosen.json');
    const id = headsetDeviceId({ vendorId: 0x047f, productId: 0xc053, productName: 'Plantronics Blackwire 5220 Series' });
    new SettingsService(file, { warn: vi.fn() }).update({ headset: { deviceId: id } });
    expect(new SettingsService(file, { warn: vi.fn() }).get().headset.deviceId).toBe('047f:c053:Plantronics Blackwire 5220 Series');
  });

  it('settings.update takes a device id or null, and nothing else', () => {
    const req = contract['settings.update'].request;
    expect(req.safeParse({ headset: { deviceId: '0b0e:0307:Jabra EVOLVE LINK MS' } }).success).toBe(true);
    expect(req.safeParse({ headset: { deviceId: null } }).success).toBe(true);
    expect(req.safeParse({ headset: {} }).success).toBe(true);
    for (const bad of [{ deviceId: 42 }, { deviceId: 'x'.repeat(201) }, { deviceId: null, extra: 1 }, 'jabra']) {
      expect(req.safeParse({ headset: bad }).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
    }
    // settings.get must carry the choice back
    expect(contract['settings.get'].response.shape.headset).toBeDefined();
  });

  it('a device id always fits the setting, whatever name a device gives itself', () => {
    const long = headsetDeviceId({ vendorId: 0xffff, productId: 0xffff, productName: '名'.repeat(1000) });
    expect(long.length).toBe(10 + MAX_PRODUCT_NAME);
    expect(contract['settings.update'].request.safeParse({ headset: { deviceId: long } }).success).toBe(true);
  });
});
