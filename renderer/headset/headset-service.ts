// Binds a WebHID headset to the headset machine: finds the devices with a telephony collection, opens the
// preferred one (or the first), feeds its input reports and the app's call state to the machine, writes the
// LED reports it asks for, and hands its commands to the phone. Follows hot-plug through `navigator.hid`
// connect/disconnect. A live object: it never goes into a store; it reports status through a callback.
//
// The main process grants `hid` to the app's own origin for telephony devices, so `getDevices()` needs no
// chooser and no user gesture (research §4.3).
import { buildControlMap, PAGE_TELEPHONY, type ControlMap, type OutputReport } from './control-map';
import {
  IDLE_VIEW,
  initialMachineState,
  nextDeadline,
  stepHeadset,
  type HeadsetCallView,
  type HeadsetCommand,
  type HeadsetEvent,
  type HeadsetMachineState,
  type MachineInput,
} from './headset-machine';
import { KNOWN_REJECT_USAGES, quirksFor, type HeadsetQuirks } from './quirks';
import type { HIDConnectionEventLike, HIDDeviceLike, HIDInputReportEventLike, HIDLike } from './webhid';

export interface HeadsetDeviceInfo {
  /** Stable across restarts and replugging: "vvvv:pppp:product name" (WebHID exposes no serial number). */
  id: string;
  productName: string;
  vendorId: number;
  productId: number;
  vendor: string;
}

export type HeadsetProblem = 'open_failed' | 'write_failed';

export interface HeadsetStatus {
  state: 'no_device' | 'opening' | 'ready' | 'failed';
  device: HeadsetDeviceInfo | null;
  /** Every connected headset with a telephony collection (for the settings picker). */
  available: HeadsetDeviceInfo[];
  /** The last button press the machine acted on or declined (echoes are not events). */
  lastEvent: HeadsetEvent | null;
  /** A test ring is lighting the headset's Ring LED. */
  testRinging: boolean;
  problem?: HeadsetProblem;
  problemDetail?: string;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export interface HeadsetServiceOptions {
  hid: HIDLike;
  /** Receives what the user asked for on the headset. Called synchronously; errors are contained. */
  onCommand(command: HeadsetCommand): void;
  onStatus?(status: HeadsetStatus): void;
  /** The remembered choice (HeadsetDeviceInfo.id), when several headsets are plugged in. */
  preferredDeviceId?: string | null;
  clock?: Clock;
  log?(message: string): void;
}

/** Delays between retries of a failed write; a device often refuses writes for 2–3 s after hot-plug (WICG/webhid#111). */
const WRITE_RETRY_MS = [250, 500, 1000, 2000, 4000];
/** Windows may fire `connect` before every collection is listed (WICG/webhid#65): look again once after this. */
const RECHECK_AFTER_CONNECT_MS = 1000;
/** How long a test ring lights the Ring LED unless a button or a call ends it first. */
export const TEST_RING_MS = 5000;
/** Longest product name kept in an id or shown (a device names itself; the settings store the id). */
export const MAX_PRODUCT_NAME = 120;

const productNameOf = (d: Pick<HIDDeviceLike, 'productName'>): string => (typeof d.productName === 'string' ? d.productName.slice(0, MAX_PRODUCT_NAME) : '');

export function headsetDeviceId(d: Pick<HIDDeviceLike, 'vendorId' | 'productId' | 'productName'>): string {
  const hex = (n: number) => (n & 0xffff).toString(16).padStart(4, '0');
  return `${hex(d.vendorId)}:${hex(d.productId)}:${productNameOf(d)}`;
}

function deviceInfo(d: HIDDeviceLike, quirks: HeadsetQuirks): HeadsetDeviceInfo {
  return { id: headsetDeviceId(d), productName: productNameOf(d), vendorId: d.vendorId, productId: d.productId, vendor: quirks.vendor };
}

interface Bound {
  device: HIDDeviceLike;
  info: HeadsetDeviceInfo;
  controls: ControlMap;
  listener: (e: HIDInputReportEventLike) => void;
  /** Reports waiting to be written, latest per id. */
  queue: Map<number, OutputReport>;
  writing: boolean;
  retry: number;
  retryTimer: unknown;
}

/** The control map of a device, or null when it is no call-control device (no telephony collection, no hook, mute or LED). */
export function telephonyControls(device: HIDDeviceLike): ControlMap | null {
  const map = buildControlMap(Array.isArray(device.collections) ? device.collections : [], { rejectUsages: KNOWN_REJECT_USAGES });
  if (!map.telephony) return null;
  const useful = map.inputs.hookSwitch || map.inputs.phoneMute || Object.values(map.outputs).some((o) => o !== null);
  return useful ? map : null;
}

export class HeadsetService {
  private readonly clock: Clock;
  private readonly log: (m: string) => void;
  private preferred: string | null;
  private view: HeadsetCallView = { ...IDLE_VIEW };
  private bound: Bound | null = null;
  private machine: HeadsetMachineState | null = null;
  private tickTimer: unknown = null;
  private testRingTimer: unknown = null;
  private status: HeadsetStatus = { state: 'no_device', device: null, available: [], lastEvent: null, testRinging: false };
  private running = false;
  /** Device selection runs one at a time, in order. */
  private selecting: Promise<void> = Promise.resolve();
  private readonly recheckTimers = new Set<unknown>();

  constructor(private readonly opts: HeadsetServiceOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? (() => {});
    this.preferred = opts.preferredDeviceId ?? null;
  }

  getStatus(): HeadsetStatus {
    return this.status;
  }

  /** Look for headsets and start following hot-plug. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.opts.hid.addEventListener('connect', this.onConnect);
    this.opts.hid.addEventListener('disconnect', this.onDisconnect);
    await this.select();
  }

  /** Stop: LEDs off, device closed, listeners removed. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.opts.hid.removeEventListener('connect', this.onConnect);
    this.opts.hid.removeEventListener('disconnect', this.onDisconnect);
    for (const t of this.recheckTimers) this.clock.clearTimeout(t);
    this.recheckTimers.clear();
    await this.selecting;
    await this.release(true);
    this.publish({ state: 'no_device', device: null, available: [] });
  }

  /** The app's call state changed (wired to the phone store). */
  setCallView(view: HeadsetCallView): void {
    this.view = { ...view };
    this.step({ type: 'call', view: this.view, at: this.clock.now() });
  }

  /** The user picked a headset in settings (null: any). */
  async setPreferredDevice(id: string | null): Promise<void> {
    if (id === this.preferred) return;
    this.preferred = id;
    if (this.running) await this.select();
  }

  /**
   * Light the Ring LED for `ms` (the agent checks which headset is in use). Refused (false) without a
   * ready headset, during a call, or when the headset has no Ring LED. A call or a button press ends it.
   */
  testRing(ms = TEST_RING_MS): boolean {
    if (!this.machine || !this.bound || this.status.state !== 'ready') return false;
    if (this.view.state !== 'idle' || !this.machine.controls.outputs.ring) return false;
    this.step({ type: 'testRing', on: true, at: this.clock.now() });
    if (this.testRingTimer !== null) this.clock.clearTimeout(this.testRingTimer);
    this.testRingTimer = this.clock.setTimeout(() => {
      this.testRingTimer = null;
      this.step({ type: 'testRing', on: false, at: this.clock.now() });
    }, ms);
    return this.machine?.testRing === true;
  }

  /** End a test ring early. */
  stopTestRing(): void {
    if (this.testRingTimer !== null) this.clock.clearTimeout(this.testRingTimer);
    this.testRingTimer = null;
    if (this.machine?.testRing) this.step({ type: 'testRing', on: false, at: this.clock.now() });
  }

  /** Whether this browser lets the page ask for a headset (a chooser; needs a user gesture). */
  canRequestDevice(): boolean {
    return typeof this.opts.hid.requestDevice === 'function';
  }

  /**
   * Ask the browser for a telephony device (call it from a click: the chooser needs a user gesture). A
   * plain browser grants nothing without this; Electron's main process grants headsets by itself.
   * Resolves with whether a device was granted.
   */
  async requestDevice(): Promise<boolean> {
    const request = this.opts.hid.requestDevice;
    if (typeof request !== 'function') return false;
    const granted = await request.call(this.opts.hid, { filters: [{ usagePage: PAGE_TELEPHONY }] });
    if (this.running) await this.select();
    return Array.isArray(granted) && granted.length > 0;
  }

  private readonly onConnect = (e: HIDConnectionEventLike): void => {
    if (!this.running || !e?.device) return;
    if (!telephonyControls(e.device)) {
      const t = this.clock.setTimeout(() => {
        this.recheckTimers.delete(t);
        if (this.running) void this.select();
      }, RECHECK_AFTER_CONNECT_MS);
      this.recheckTimers.add(t);
    }
    void this.select();
  };

  private readonly onDisconnect = (e: HIDConnectionEventLike): void => {
    if (!this.running || !e?.device) return;
    void this.select(e.device);
  };

  /** Choose (again) which headset to drive; `gone` is a device that was just unplugged. */
  private select(gone?: HIDDeviceLike): Promise<void> {
    this.selecting = this.selecting
      .then(async () => {
        if (gone && this.bound?.device === gone) {
          this.log(`headset ${this.bound.info.id} disconnected`);
          await this.release(false);
        }
        await this.doSelect();
      })
      .catch((e) => this.log(`headset selection failed: ${String(e)}`));
    return this.selecting;
  }

  private async doSelect(): Promise<void> {
    if (!this.running) return;
    let devices: HIDDeviceLike[] = [];
    try {
      devices = await this.opts.hid.getDevices();
    } catch (e) {
      this.log(`navigator.hid.getDevices failed: ${String(e)}`);
    }
    const candidates = devices
      .map((device) => ({ device, controls: telephonyControls(device), quirks: quirksFor(device.vendorId) }))
      .filter((c): c is { device: HIDDeviceLike; controls: ControlMap; quirks: HeadsetQuirks } => c.controls !== null);
    const available = candidates.map((c) => deviceInfo(c.device, c.quirks));
    const pick =
      candidates.find((c) => this.preferred !== null && headsetDeviceId(c.device) === this.preferred) ??
      candidates.find((c) => c.device === this.bound?.device) ??
      candidates[0];

    if (pick && pick.device === this.bound?.device) {
      this.publish({ available });
      return;
    }
    await this.release(true);
    if (!pick || !this.running) {
      this.publish({ state: 'no_device', device: null, available });
      return;
    }
    const info = deviceInfo(pick.device, pick.quirks);
    this.publish({ state: 'opening', device: info, available, problem: undefined, problemDetail: undefined });
    try {
      if (!pick.device.opened) await pick.device.open();
    } catch (e) {
      this.log(`headset ${info.id} did not open: ${String(e)}`);
      this.publish({ state: 'failed', problem: 'open_failed', problemDetail: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (!this.running) {
      await pick.device.close().catch(() => {});
      return;
    }
    const bound: Bound = {
      device: pick.device,
      info,
      controls: pick.controls,
      listener: (ev) => this.onInput(bound, ev),
      queue: new Map(),
      writing: false,
      retry: 0,
      retryTimer: null,
    };
    this.bound = bound;
    pick.device.addEventListener('inputreport', bound.listener);
    this.machine = initialMachineState(pick.controls, pick.quirks, this.view);
    this.log(`headset ${info.id} (${info.vendor}) ready`);
    this.publish({ state: 'ready' });
    this.step({ type: 'connected', at: this.clock.now() });
  }

  /** Let go of the current device; with `lightsOff`, switch its LEDs off first (it is still plugged in). */
  private async release(lightsOff: boolean): Promise<void> {
    const b = this.bound;
    if (!b) return;
    if (lightsOff && this.machine) {
      const step = stepHeadset({ ...this.machine, view: { ...IDLE_VIEW }, expect: {}, testRing: false }, { type: 'tick', at: this.clock.now() });
      for (const r of step.reports) b.queue.set(r.reportId, r);
      if (b.queue.size > 0 && !b.writing) await this.pump(b, false);
    }
    this.bound = null;
    this.machine = null;
    if (this.tickTimer !== null) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    if (this.testRingTimer !== null) this.clock.clearTimeout(this.testRingTimer);
    this.testRingTimer = null;
    if (this.status.testRinging) this.publish({ testRinging: false });
    if (b.retryTimer !== null) this.clock.clearTimeout(b.retryTimer);
    b.device.removeEventListener('inputreport', b.listener);
    b.queue.clear();
    if (b.device.opened) await b.device.close().catch((e) => this.log(`closing headset: ${String(e)}`));
  }

  private onInput(b: Bound, e: HIDInputReportEventLike): void {
    if (this.bound !== b || !e || !(e.data instanceof DataView)) return;
    this.step({ type: 'report', reportId: e.reportId, data: e.data, at: this.clock.now() });
  }

  private step(input: MachineInput): void {
    const b = this.bound;
    if (!this.machine || !b) return;
    const out = stepHeadset(this.machine, input);
    this.machine = out.state;
    for (const r of out.reports) b.queue.set(r.reportId, r);
    if (out.reports.length > 0 && !b.writing && b.retryTimer === null) void this.pump(b, true);
    // Commands first: the phone starts answering before anything re-renders because of the status below.
    for (const c of out.commands) {
      try {
        this.opts.onCommand(c);
      } catch (e) {
        this.log(`headset command ${c.kind} failed: ${String(e)}`);
      }
    }
    const shown = out.events.filter((e) => e.action !== 'echo');
    if (shown.length > 0 || out.state.testRing !== this.status.testRinging) {
      this.publish({ ...(shown.length > 0 ? { lastEvent: shown[shown.length - 1] as HeadsetEvent } : {}), testRinging: out.state.testRing });
    }
    this.scheduleTick();
  }

  private scheduleTick(): void {
    if (this.tickTimer !== null) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = null;
    const due = this.machine ? nextDeadline(this.machine) : null;
    if (due === null) return;
    this.tickTimer = this.clock.setTimeout(() => {
      this.tickTimer = null;
      this.step({ type: 'tick', at: this.clock.now() });
    }, Math.max(0, due - this.clock.now()));
  }

  /** Write queued reports one at a time, in report-id order; retry a refused write with backoff. */
  private async pump(b: Bound, retry: boolean): Promise<void> {
    b.writing = true;
    try {
      while (b.queue.size > 0 && (this.bound === b || !retry)) {
        const [id, report] = [...b.queue.entries()].sort(([x], [y]) => x - y)[0] as [number, OutputReport];
        b.queue.delete(id);
        try {
          await b.device.sendReport(report.reportId, report.data);
          b.retry = 0;
          if (this.status.problem === 'write_failed') this.publish({ problem: undefined, problemDetail: undefined });
        } catch (e) {
          if (!b.queue.has(id)) b.queue.set(id, report); // unless a newer state for this report is waiting
          const delay = WRITE_RETRY_MS[b.retry];
          this.log(`headset write of report ${id} failed: ${String(e)}`);
          if (!retry || delay === undefined) {
            b.queue.clear();
            b.retry = 0;
            // Forget what was written, so the next change rewrites every LED report.
            if (this.machine && this.bound === b) this.machine = { ...this.machine, sent: {} };
            this.publish({ problem: 'write_failed', problemDetail: e instanceof Error ? e.message : String(e) });
            return;
          }
          b.retry++;
          b.retryTimer = this.clock.setTimeout(() => {
            b.retryTimer = null;
            if (this.bound === b && !b.writing) void this.pump(b, true);
          }, delay);
          return;
        }
      }
    } finally {
      b.writing = false;
    }
  }

  private publish(patch: Partial<HeadsetStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const k of ['problem', 'problemDetail'] as const) if (this.status[k] === undefined) delete this.status[k];
    try {
      this.opts.onStatus?.(this.status);
    } catch (e) {
      this.log(`headset status listener failed: ${String(e)}`);
    }
  }
}
