// The Electron shell's security decisions, as pure functions: which URLs are the app, which frames may
// call IPC, which permissions are granted (deny by default), which links may open outside.
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, APP_ORIGIN, externalUrlAllowed, isAppUrl, isTrustedSender, permissionAllowed } from '../../../electron/policy';

describe('isAppUrl', () => {
  it.each([APP_ENTRY, APP_ORIGIN, `${APP_ORIGIN}/`, `${APP_ORIGIN}/index.html?x=1#token=abc`, `${APP_ORIGIN}/assets/app.js`])('%s is the app', (url) => {
    expect(isAppUrl(url)).toBe(true);
  });

  it.each([
    'app://lianluo.evil.com/index.html', // a host that only starts with ours
    'app://evil/lianluo/index.html',
    'app://lianluo@evil.com/', // userinfo trick: the host is evil.com
    'app://user:pass@lianluo/',
    'app://lianluo:8080/',
    'app:lianluo/index.html',
    'app:///lianluo/index.html',
    'https://lianluo/index.html',
    'http://127.0.0.1:5173/',
    'file:///opt/Lianluo/resources/app/index.html',
    'javascript:alert(1)//app://lianluo/',
    'data:text/html,app://lianluo/',
    'about:blank',
    'app://lianluo%2Eevil.com/',
    ' app://evil/',
    'not a url',
    '',
  ])('%j is not', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });

  it('null and undefined are not', () => {
    expect(isAppUrl(null)).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('trusts only the app’s own top-level frame', () => {
    expect(isTrustedSender({ url: APP_ENTRY, parent: null })).toBe(true);
    expect(isTrustedSender({ url: APP_ENTRY, parent: { url: APP_ENTRY } })).toBe(false); // an iframe, even of our own page
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: APP_ENTRY, parent: undefined })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('permissionAllowed', () => {
  const app = APP_ENTRY;
  it('grants the microphone to the app', () => {
    expect(permissionAllowed({ permission: 'media', requestingUrl: app, mediaTypes: ['audio'] })).toBe(true);
  });

  it('never grants the camera, unknown media or an unspecified media request', () => {
    expect(permissionAllowed({ permission: 'media', requestingUrl: app, mediaTypes: ['video'] })).toBe(false);
    expect(permissionAllowed({ permission: 'media', requestingUrl: app, mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(permissionAllowed({ permission: 'media', requestingUrl: app, mediaTypes: ['unknown'] })).toBe(false);
    expect(permissionAllowed({ permission: 'media', requestingUrl: app, mediaTypes: [] })).toBe(false);
    expect(permissionAllowed({ permission: 'media', requestingUrl: app })).toBe(false);
  });

  it('grants what a softphone needs to the app only', () => {
    for (const permission of ['notifications', 'hid', 'speaker-selection', 'clipboard-sanitized-write']) {
      expect(permissionAllowed({ permission, requestingUrl: app }), permission).toBe(true);
      expect(permissionAllowed({ permission, requestingUrl: 'https://evil.example/' }), permission).toBe(false);
      expect(permissionAllowed({ permission, requestingUrl: undefined }), permission).toBe(false);
    }
    expect(permissionAllowed({ permission: 'media', requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] })).toBe(false);
  });

  it('denies everything else by default', () => {
    for (const permission of ['geolocation', 'camera', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'clipboard-read', 'display-capture', 'mediaKeySystem', 'serial', 'usb', 'bluetooth', 'idle-detection', 'window-management', 'storage-access', 'top-level-storage-access', 'fileSystem', 'keyboardLock', 'unknown', '']) {
      expect(permissionAllowed({ permission, requestingUrl: app }), permission).toBe(false);
    }
  });
});

describe('externalUrlAllowed', () => {
  it('opens only https and mailto outside the app', () => {
    expect(externalUrlAllowed('https://lianluo.example/help')).toBe(true);
    expect(externalUrlAllowed('mailto:support@lianluo.example')).toBe(true);
    for (const url of ['http://example.com', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:/id', 'app://lianluo/', 'vbscript:x', 'not a url']) {
      expect(externalUrlAllowed(url), url).toBe(false);
    }
  });
});
