// A fake WebHID device and `navigator.hid` for the headset tests: collections come from real descriptors
// (read in place from ../shared/fixtures/hid through the project's parser), input reports are replayed by
// the test, output reports are recorded. Optional device behaviour (echoing the Off-Hook LED as hook
// state, as Jabra-like devices do) is a callback the test supplies.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReportDescriptor } from '../../../renderer/headset/descriptor-parser';
import type {
  HIDCollectionInfo,
  HIDConnectionEventLike,
  HIDDeviceLike,
  HIDInputReportEventLike,
  HIDLike,
} from '../../../renderer/headset/webhid';

/** The shared fixtures, used where they are (never copied into the project). */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/hid/', import.meta.url));

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.bin'))
    .sort();
}

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURE_DIR + file));
}

export function fixtureCollections(file: string): HIDCollectionInfo[] {
  const r = parseReportDescriptor(fixtureBytes(file));
  if (!r.ok) throw new Error(`${file}: ${r.error.message}`);
  return r.collections;
}

export interface SentReport {
  reportId: number;
  bytes: number[];
  at: number;
}

export interface FakeDeviceOptions {
  vendorId: number;
  productId: number;
  productName: string;
  collections: HIDCollectionInfo[];
  /** Reject this many sendReport calls (then succeed), like a device right after hot-plug. */
  failSends?: number;
  failOpen?: boolean;
  /** Device behaviour on each written report. */
  onOutput?(device: FakeHidDevice, reportId: number, bytes: number[]): void;
  now?(): number;
}

type Listener = (e: HIDInputReportEventLike) => void;

export class FakeHidDevice implements HIDDeviceLike {
  opened = false;
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly collections: HIDCollectionInfo[];
  readonly sent: SentReport[] = [];
  openCalls = 0;
  closeCalls = 0;
  private failSends: number;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly opts: FakeDeviceOptions) {
    this.vendorId = opts.vendorId;
    this.productId = opts.productId;
    this.productName = opts.productName;
    this.collections = opts.collections;
    this.failSends = opts.failSends ?? 0;
  }

  async open(): Promise<void> {
    this.openCalls++;
    if (this.opts.failOpen) throw new Error('NotAllowedError: Failed to open the device.');
    if (this.opened) throw new Error('InvalidStateError: The device is already open.');
    this.opened = true;
  }

  async close(): Promise<void> {
    this.closeCalls++;
    this.opened = false;
  }

  async sendReport(reportId: number, data: Uint8Array<ArrayBuffer>): Promise<void> {
    if (!this.opened) throw new Error('InvalidStateError: The device must be opened first.');
    if (this.failSends > 0) {
      this.failSends--;
      throw new Error('NotAllowedError: Failed to write the report.');
    }
    const bytes = Array.from(data);
    this.sent.push({ reportId, bytes, at: this.opts.now?.() ?? 0 });
    this.opts.onOutput?.(this, reportId, bytes);
  }

  addEventListener(_type: 'inputreport', listener: Listener): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'inputreport', listener: Listener): void {
    this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The device sends an input report (bytes after the report id). */
  input(reportId: number, bytes: readonly number[]): void {
    if (!this.opened) return; // a closed device delivers nothing
    const data = new DataView(new Uint8Array(bytes).buffer);
    for (const l of [...this.listeners]) l({ reportId, data });
  }

  /** Written reports for one id, oldest first. */
  sentFor(reportId: number): number[][] {
    return this.sent.filter((s) => s.reportId === reportId).map((s) => s.bytes);
  }

  /** The last bytes written to a report id, or undefined. */
  last(reportId: number): number[] | undefined {
    const all = this.sentFor(reportId);
    return all[all.length - 1];
  }
}

type ConnListener = (e: HIDConnectionEventLike) => void;

/** `navigator.hid` with devices the test plugs and unplugs. */
export class FakeHid implements HIDLike {
  readonly devices: FakeHidDevice[] = [];
  private readonly listeners = { connect: new Set<ConnListener>(), disconnect: new Set<ConnListener>() };

  constructor(devices: FakeHidDevice[] = []) {
    this.devices.push(...devices);
  }

  async getDevices(): Promise<HIDDeviceLike[]> {
    return [...this.devices];
  }

  addEventListener(type: 'connect' | 'disconnect', listener: ConnListener): void {
    this.listeners[type].add(listener);
  }

  removeEventListener(type: 'connect' | 'disconnect', listener: ConnListener): void {
    this.listeners[type].delete(listener);
  }

  plug(device: FakeHidDevice): void {
    this.devices.push(device);
    for (const l of [...this.listeners.connect]) l({ device });
  }

  unplug(device: FakeHidDevice): void {
    const i = this.devices.indexOf(device);
    if (i >= 0) this.devices.splice(i, 1);
    device.opened = false;
    for (const l of [...this.listeners.disconnect]) l({ device });
  }

  get listenerCount(): number {
    return this.listeners.connect.size + this.listeners.disconnect.size;
  }
}

/** A clock the test moves by hand; timers fire in time order as it advances. */
export class ManualClock {
  private t = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { due: number; fn: () => void }>();

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { due: this.t + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** Move time forward, firing due timers (and letting promises they start settle) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle(); // work already queued may start timers that fall inside this advance
    for (;;) {
      const next = [...this.timers.entries()].filter(([, x]) => x.due <= end).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].due);
      next[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** Let queued promise callbacks (writes, device opening) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
