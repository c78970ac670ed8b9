// Connects a USB headset to the app: the phone store drives its LEDs (Ring while ringing, Off-Hook in a
// call, Mute and Hold echoed), its buttons drive the phone (answer, reject, hang up, mute, hold), its
// status goes to the headset store, and the headset chosen in settings is the one used. Called once by
// main.tsx, under Electron and in a plain browser alike; returns the actions the views need and a stop.
//
// Electron's main process grants `hid` to the app for telephony devices, so getDevices() lists them at
// once. A plain browser grants a device only through its chooser (requestDevice, from a click): the
// headset view offers a "connect headset" button there; devices granted before are found by getDevices().
import { shallow } from 'zustand/shallow';
import type { PhoneStore } from '../stores/phone-store';
import type { HeadsetStore } from '../stores/headset-store';
import type { SettingsStore } from '../stores/settings-store';
import type { HeadsetCommand } from './headset-machine';
import { HeadsetService, type Clock } from './headset-service';
import { runHeadsetCommand, toHeadsetView, type HeadsetPhone } from './headset-view';
import type { HIDLike } from './webhid';

/** Performance mark set when a headset button becomes a phone command (headset.hook_to_answer benchmark). */
export const COMMAND_MARK = 'lianluo.headset.command';

export interface HeadsetWiringDeps {
  /** navigator.hid, or undefined where the browser has no WebHID. */
  hid: HIDLike | undefined;
  /** Offer "connect a headset" (a plain browser). Electron's main process grants headsets without asking. */
  offerConnect: boolean;
  phone: HeadsetPhone;
  phoneStore: PhoneStore;
  headsetStore: HeadsetStore;
  settingsStore: SettingsStore;
  /** Remember the chosen headset (settings.update through IPC). */
  save(deviceId: string | null): Promise<void>;
  /** A headset command the phone could not carry out (for the agent: "That did not work."). */
  onCommandFailed(command: HeadsetCommand, detail: string): void;
  clock?: Clock;
  log?(message: string): void;
}

/** What the headset views may do. */
export interface HeadsetActions {
  /** Light the Ring LED for a few seconds; false when there is no headset or a call is on. */
  testRing(): boolean;
  stopTestRing(): void;
  /** Use this headset (null: any), and remember it. */
  choose(deviceId: string | null): Promise<void>;
  /** Ask the browser for a headset (call from a click). Resolves with whether one was granted. */
  connect(): Promise<boolean>;
}

export interface HeadsetWiring {
  actions: HeadsetActions;
  /** The live service, or null without WebHID. */
  service: HeadsetService | null;
  stop(): Promise<void>;
}

/** `navigator.hid` where this engine has WebHID. */
export function navigatorHid(): HIDLike | undefined {
  const nav = globalThis.navigator as (Navigator & { hid?: HIDLike }) | undefined;
  return nav?.hid && typeof nav.hid.getDevices === 'function' ? nav.hid : undefined;
}

const preferredIn = (settingsStore: SettingsStore): string | null => settingsStore.getState().settings?.headset?.deviceId ?? null;

export function wireHeadset(d: HeadsetWiringDeps): HeadsetWiring {
  const log = d.log ?? (() => {});
  if (!d.hid) {
    d.headsetStore.getState().setSupport(false, false);
    const none = async () => false;
    return {
      service: null,
      actions: { testRing: () => false, stopTestRing: () => {}, choose: async () => {}, connect: none },
      stop: async () => {},
    };
  }

  const service = new HeadsetService({
    hid: d.hid,
    preferredDeviceId: preferredIn(d.settingsStore),
    ...(d.clock ? { clock: d.clock } : {}),
    log,
    onStatus: (s) => d.headsetStore.getState().setStatus(s),
    onCommand: (c) => {
      performance.clearMarks(COMMAND_MARK); // keep one: a shift of calls must not grow the timeline
      performance.mark(COMMAND_MARK, { detail: { kind: c.kind, callId: c.callId } });
      runHeadsetCommand(c, d.phone).catch((e: unknown) => {
        const detail = e instanceof Error ? e.message : String(e);
        log(`headset ${c.kind} failed: ${detail}`);
        d.onCommandFailed(c, detail);
      });
    },
  });
  d.headsetStore.getState().setSupport(true, d.offerConnect && service.canRequestDevice());
  d.headsetStore.getState().setStatus(service.getStatus());

  const offs: (() => void)[] = [];
  // The phone drives the LEDs; fireImmediately so a call already ringing at start lights the headset.
  offs.push(d.phoneStore.subscribe(toHeadsetView, (v) => service.setCallView(v), { equalityFn: shallow, fireImmediately: true }));
  // A choice made elsewhere (another window, the settings file) applies here too.
  let preferred = preferredIn(d.settingsStore);
  offs.push(
    d.settingsStore.subscribe((s) => {
      const id = s.settings?.headset?.deviceId ?? null;
      if (id === preferred) return;
      preferred = id;
      void service.setPreferredDevice(id);
    }),
  );
  void service.start();

  const actions: HeadsetActions = {
    testRing: () => service.testRing(),
    stopTestRing: () => service.stopTestRing(),
    choose: async (deviceId) => {
      d.headsetStore.getState().setError(undefined);
      try {
        await d.save(deviceId);
      } catch (e) {
        d.headsetStore.getState().setError(e instanceof Error ? e.message : String(e));
        throw e;
      }
      preferred = deviceId;
      await service.setPreferredDevice(deviceId);
    },
    connect: async () => {
      d.headsetStore.getState().setError(undefined);
      try {
        return await service.requestDevice();
      } catch (e) {
        // NotFoundError: the agent closed the chooser without picking; anything else is worth showing.
        const name = e instanceof Error ? e.name : '';
        if (name !== 'NotFoundError' && name !== 'AbortError') d.headsetStore.getState().setError(e instanceof Error ? e.message : String(e));
        return false;
      }
    },
  };

  return {
    service,
    actions,
    stop: async () => {
      for (const off of offs.reverse()) off();
      await service.stop();
    },
  };
}
