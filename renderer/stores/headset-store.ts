// The headset as data for the views: whether this window can use WebHID at all, and the headset
// service's last status (device, the others plugged in, last button event, test ring). Written only by
// renderer/headset/headset-wiring.ts; the HID device itself never enters the store.
import { createStore } from 'zustand/vanilla';
import type { HeadsetStatus } from '../headset/headset-service';

export interface HeadsetState {
  /** navigator.hid exists (Chromium, Electron); false in other browsers. */
  supported: boolean;
  /** The page may ask the browser for a headset (a plain browser: the "connect headset" button). */
  canRequest: boolean;
  status: HeadsetStatus;
  /** The last request to connect or pick a headset failed (detail for admins). */
  error?: string;
  setSupport(supported: boolean, canRequest: boolean): void;
  setStatus(status: HeadsetStatus): void;
  setError(error: string | undefined): void;
}

export const NO_HEADSET: Readonly<HeadsetStatus> = Object.freeze({ state: 'no_device', device: null, available: [], lastEvent: null, testRinging: false });

export function createHeadsetStore() {
  return createStore<HeadsetState>()((set) => ({
    supported: false,
    canRequest: false,
    status: NO_HEADSET,
    setSupport: (supported, canRequest) => set({ supported, canRequest }),
    setStatus: (status) => set({ status }),
    setError: (error) => set({ error }),
  }));
}

export type HeadsetStore = ReturnType<typeof createHeadsetStore>;
