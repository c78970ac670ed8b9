// Security decisions of the Electron shell as pure functions (no 'electron' import), so they are
// unit-tested in plain Node. main.ts only wires them to Electron's hooks.

export const APP_SCHEME = 'app';
export const APP_HOST = 'lianluo';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Is this URL the app's own bundled UI? Compared structurally, never with startsWith. */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export interface SenderFrame {
  url: string;
  parent: unknown;
}

/** IPC is answered only for the app's own top-level frame (no iframes, no other origins). */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

/** Telephony collections a headset exposes: usage page 0x0B (Telephony). */
export const TELEPHONY_USAGE_PAGE = 0x0b;

export interface PermissionQuery {
  permission: string;
  requestingUrl: string | undefined;
  /** For 'media': what is asked for. */
  mediaTypes?: readonly string[];
}

/** Deny by default. The app may use the microphone (never the camera), notifications and HID headsets. */
export function permissionAllowed(q: PermissionQuery): boolean {
  if (!isAppUrl(q.requestingUrl)) return false;
  switch (q.permission) {
    case 'media': {
      // Only when what is asked for is known and is audio only: no camera, no "unknown", no empty list.
      const types = q.mediaTypes ?? [];
      return types.length > 0 && types.every((t) => t === 'audio');
    }
    case 'notifications':
    case 'hid':
    case 'clipboard-sanitized-write':
    case 'speaker-selection':
      return true;
    default:
      return false;
  }
}

/** Links the app may hand to the OS (never file:, javascript: or custom schemes). */
export function externalUrlAllowed(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'mailto:';
  } catch {
    return false;
  }
}
