// The main process's HID decisions (electron/policy.ts), with the collections of real headsets: only the
// app's own page gets `hid`, only for devices with a Telephony top-level collection, and no chooser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, APP_ORIGIN, chooseHidDevice, devicePermissionAllowed, hasTelephonyCollection, hidPermissionCheckAllowed, permissionAllowed } from '../../../electron/policy';
import { fixtureCollections, fixtureFiles } from './fake-hid-device';
import { FIXTURES } from './fixture-expectations';

/** Electron's HIDDevice as the main process sees it (hid_chooser_context.cc DeviceInfoToValue). */
const electronDevice = (file: string) => {
  const spec = FIXTURES[file];
  return { deviceId: `id-${file}`, name: spec?.device ?? file, vendorId: spec?.vendorId ?? 0, productId: spec?.productId ?? 0, collections: fixtureCollections(file) };
};
const HEADSET = '0b0e-0307.bin';
const GAMING = '046d-0ac4.bin'; // Logitech G535: audio, volume, no Telephony collection
const OTHERS = ['https://evil.example', 'http://127.0.0.1:5173', 'file://', 'app://lianluo.evil.com', 'app://evil', '', undefined];

describe('HID device permission (setDevicePermissionHandler)', () => {
  it('grants every real headset with a Telephony collection to the app, and only to the app', () => {
    for (const file of fixtureFiles()) {
      const telephony = FIXTURES[file]?.telephony === true;
      expect(devicePermissionAllowed({ deviceType: 'hid', origin: APP_ORIGIN, device: electronDevice(file) }), file).toBe(telephony);
      for (const origin of OTHERS) expect(devicePermissionAllowed({ deviceType: 'hid', origin, device: electronDevice(file) }), `${file} for ${origin}`).toBe(false);
    }
    expect(fixtureFiles().some((f) => !FIXTURES[f]?.telephony)).toBe(true); // the negative case is really there
  });

  it('grants no other kind of device, and nothing it cannot read', () => {
    for (const deviceType of ['usb', 'serial', 'HID', '']) {
      expect(devicePermissionAllowed({ deviceType, origin: APP_ORIGIN, device: electronDevice(HEADSET) }), deviceType).toBe(false);
    }
    for (const device of [undefined, null, 'jabra', 42, {}, { collections: null }, { collections: {} }, { collections: [null, 11, 'x'] }, { collections: [{ usagePage: '11' }] }]) {
      expect(devicePermissionAllowed({ deviceType: 'hid', origin: APP_ORIGIN, device }), JSON.stringify(device)).toBe(false);
    }
  });

  it('wants the Telephony collection at the top level, where the renderer looks for it', () => {
    const nested = [{ usagePage: 0xff00, usage: 1, children: [{ usagePage: 0x0b, usage: 5, children: [] }] }];
    expect(hasTelephonyCollection(nested)).toBe(false);
    expect(hasTelephonyCollection([{ usagePage: 0x0c }, { usagePage: 0x0b }])).toBe(true);
  });

  it('never throws and never grants another origin, whatever it is given', () => {
    const collection = fc.record({ usagePage: fc.oneof(fc.constant(0x0b), fc.integer(), fc.string(), fc.constant(null)), children: fc.anything() }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.string(), fc.oneof(fc.constant(APP_ORIGIN), fc.webUrl(), fc.string()), fc.oneof(fc.anything(), fc.record({ collections: fc.array(fc.oneof(collection, fc.anything())) })), (deviceType, origin, device) => {
        const allowed = devicePermissionAllowed({ deviceType, origin, device });
        if (allowed) {
          expect(deviceType).toBe('hid');
          expect(origin).toBe(APP_ORIGIN);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('HID permission check (setPermissionCheckHandler)', () => {
  it('says yes to the app’s own page', () => {
    expect(hidPermissionCheckAllowed({ requestingOrigin: APP_ORIGIN })).toBe(true);
    expect(hidPermissionCheckAllowed({ requestingOrigin: APP_ORIGIN, securityOrigin: APP_ORIGIN, embeddingOrigin: undefined })).toBe(true);
    expect(hidPermissionCheckAllowed({ requestingOrigin: APP_ENTRY, securityOrigin: `${APP_ORIGIN}/` })).toBe(true);
  });

  it('says no to other origins and to frames of other origins', () => {
    for (const o of OTHERS) {
      expect(hidPermissionCheckAllowed({ requestingOrigin: o }), String(o)).toBe(false);
      if (o !== undefined) expect(hidPermissionCheckAllowed({ requestingOrigin: APP_ORIGIN, securityOrigin: o }), `frame ${o}`).toBe(false);
      if (o) expect(hidPermissionCheckAllowed({ requestingOrigin: APP_ORIGIN, securityOrigin: APP_ORIGIN, embeddingOrigin: o }), `embedded in ${o}`).toBe(false);
    }
  });

  it('the request handler agrees: hid for the app only', () => {
    expect(permissionAllowed({ permission: 'hid', requestingUrl: APP_ENTRY })).toBe(true);
    expect(permissionAllowed({ permission: 'hid', requestingUrl: 'https://evil.example/' })).toBe(false);
  });
});

describe('select-hid-device (requestDevice, no chooser)', () => {
  it('picks the first device with a Telephony collection for the app', () => {
    const list = [electronDevice(GAMING), electronDevice(HEADSET), electronDevice('047f-c053.bin')];
    expect(chooseHidDevice(APP_ENTRY, list)).toBe(`id-${HEADSET}`);
  });

  it('picks nothing for another page, or when no headset is there', () => {
    expect(chooseHidDevice('https://evil.example/', [electronDevice(HEADSET)])).toBeUndefined();
    expect(chooseHidDevice(undefined, [electronDevice(HEADSET)])).toBeUndefined();
    expect(chooseHidDevice(APP_ENTRY, [electronDevice(GAMING)])).toBeUndefined();
    expect(chooseHidDevice(APP_ENTRY, [])).toBeUndefined();
    expect(chooseHidDevice(APP_ENTRY, undefined)).toBeUndefined();
  });
});
