// The main window's web preferences, written as a frozen literal so reviewers and static checkers
// (Electronegativity) read exactly what ships. test/unit/electron/secure-window.test.ts pins each value.
import type { WebPreferences } from 'electron';

export const SECURE_WEB_PREFERENCES = Object.freeze({
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
  // A ringing call must ring and a SIP socket must keep its keep-alives while the window is hidden.
  backgroundThrottling: false,
  // The ringtone must sound when a call arrives, with no click first.
  autoplayPolicy: 'no-user-gesture-required',
} as const satisfies WebPreferences);
