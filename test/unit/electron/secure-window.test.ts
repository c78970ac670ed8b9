// The main window's web preferences, pinned value by value: a change here must be a decision.
import { describe, expect, it } from 'vitest';
import { SECURE_WEB_PREFERENCES } from '../../../electron/secure-window';

describe('SECURE_WEB_PREFERENCES', () => {
  it('is exactly the reviewed set', () => {
    expect(SECURE_WEB_PREFERENCES).toStrictEqual({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(SECURE_WEB_PREFERENCES)).toBe(true);
    expect(() => {
      (SECURE_WEB_PREFERENCES as Record<string, unknown>).nodeIntegration = true;
    }).toThrow();
    expect(SECURE_WEB_PREFERENCES.nodeIntegration).toBe(false);
  });

  it('names no preload here and enables nothing that loads remote or Node code', () => {
    const prefs = SECURE_WEB_PREFERENCES as Record<string, unknown>;
    for (const key of ['preload', 'enableRemoteModule', 'plugins', 'enableBlinkFeatures', 'additionalArguments']) expect(prefs[key]).toBeUndefined();
  });
});
