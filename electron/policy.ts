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

// ---- HID (USB headsets) ----
// Electron grants WebHID access through three hooks; each asks one of these. Only the app's own page gets
// `hid`, and only for devices with a Telephony collection: a keyboard, a security key or a gaming headset
// without call controls is never offered to the renderer. With the device permission granted here,
// navigator.hid.getDevices() lists headsets without a chooser or a user gesture.

/**
 * Does the device declare a Telephony top-level collection? That is what the renderer's control map
 * drives (renderer/headset/control-map.ts), so nothing else is granted. Total: odd input is "no".
 */
export function hasTelephonyCollection(collections: unknown): boolean {
  return Array.isArray(collections) && collections.some((c: unknown) => !!c && typeof c === 'object' && (c as { usagePage?: unknown }).usagePage === TELEPHONY_USAGE_PAGE);
}

export interface DevicePermissionQuery {
  deviceType: string;
  origin: string | undefined;
  /** Electron's HIDDevice (deviceId, name, vendorId, productId, collections…), or a serial/USB device. */
  device: unknown;
}

/** ses.setDevicePermissionHandler: HID devices with a Telephony collection, for the app's own origin only. */
export function devicePermissionAllowed(q: DevicePermissionQuery): boolean {
  if (q.deviceType !== 'hid' || !isAppUrl(q.origin) || !q.device || typeof q.device !== 'object') return false;
  return hasTelephonyCollection((q.device as { collections?: unknown }).collections);
}

export interface HidPermissionCheck {
  /** The requesting origin Electron passes as the handler's third argument. */
  requestingOrigin: string | undefined;
  /** details.securityOrigin: the frame that asks (for hid checks). */
  securityOrigin?: string | undefined;
  /** details.embeddingOrigin: set only for a cross-origin subframe. */
  embeddingOrigin?: string | undefined;
}

/** ses.setPermissionCheckHandler for 'hid': the app's own top-level page, never a frame of another origin. */
export function hidPermissionCheckAllowed(q: HidPermissionCheck): boolean {
  if (!isAppUrl(q.requestingOrigin)) return false;
  if (q.securityOrigin !== undefined && !isAppUrl(q.securityOrigin)) return false;
  return q.embeddingOrigin === undefined || q.embeddingOrigin === '' || isAppUrl(q.embeddingOrigin);
}

export interface HidDeviceChoice {
  deviceId: string;
  collections?: unknown;
}

/**
 * select-hid-device (navigator.hid.requestDevice): no chooser; the app's page gets the first device with a
 * Telephony collection, anything else gets nothing. undefined cancels the request.
 */
export function chooseHidDevice(requestingUrl: string | undefined, deviceList: readonly HidDeviceChoice[] | undefined): string | undefined {
  if (!isAppUrl(requestingUrl) || !Array.isArray(deviceList)) return undefined;
  return deviceList.find((d) => !!d && typeof d.deviceId === 'string' && hasTelephonyCollection(d.collections))?.deviceId;
}

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
