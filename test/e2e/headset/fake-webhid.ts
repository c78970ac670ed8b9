// A USB headset for the agent's page, loaded before the app (Playwright addInitScript): `navigator.hid` is
// replaced by an object implementing the WebHID interface (getDevices, requestDevice, connect/disconnect
// events) whose devices are real EventTargets implementing HIDDevice (open, close, sendReport, inputreport
// events with a DataView). Their collections come from a real report descriptor, parsed on the Node side
// by the project's parser; the tests make the device send input reports (hook switch, buttons) and read
// the output reports the app wrote (its LEDs). It behaves like a Jabra-style device: its hook switch
// follows the Off-Hook LED the host writes and reports the new level 20 ms later (research §2.1, rule 3).
//
// Also a tap on WebSocket.send that notes when SIP.js hands a 200 OK to an INVITE to its transport, for
// the "hook switch → call answered" timing. Devices and grants survive a reload (sessionStorage), so
// getDevices() after a reload lists what was granted before, as Chromium does.

export interface Pos {
  reportId: number;
  bit: number;
}

export interface FakeDeviceSpec {
  /** The test's name for the device. */
  key: string;
  vendorId: number;
  productId: number;
  productName: string;
  /** WebHID-shaped collections (the project's descriptor parser on a real descriptor). */
  collections: unknown[];
  /** Already granted to this origin (getDevices lists it); otherwise only requestDevice can grant it. */
  granted: boolean;
  /** Where the device's controls are (from the fixture's decode), to build input reports. */
  inputs: Record<string, Pos | null>;
  outputs: Record<string, Pos | null>;
  /** Byte length (without the id) of each input report id. */
  inputBytes: Record<number, number>;
  /** Echo the Off-Hook LED as its hook switch level (Jabra). */
  echoOffHook: boolean;
}

export interface SentReport {
  reportId: number;
  bytes: number[];
  at: number;
}

export interface SipSent {
  at: number;
  callId: string;
}

export interface FakeHidApi {
  plug(spec: FakeDeviceSpec): void;
  unplug(key: string): void;
  /** The hook switch moves (the agent presses the call button / hangs up). Returns performance.now() at dispatch. */
  setHook(key: string, level: 0 | 1): number;
  /** A button press: the report with the control set, then released 120 ms later. Returns the press's dispatch time. */
  press(key: string, control: string): number;
  /** The LEDs as the device shows them (last written state of each). */
  leds(key: string): Record<string, boolean | null>;
  sent(key: string): SentReport[];
  opened(key: string): boolean;
  plugged(): string[];
  /** Every 200 OK to an INVITE the page sent on a WebSocket. */
  sipOk: SipSent[];
}

declare global {
  interface Window {
    lianluoHid?: FakeHidApi;
  }
}

const STORE = 'lianluo-test-hid';
const ECHO_MS = 20;
const RELEASE_MS = 120;

interface Saved {
  specs: FakeDeviceSpec[];
}

const bit = (bytes: readonly number[] | undefined, p: Pos) => (((bytes?.[p.bit >> 3] ?? 0) >> (p.bit & 7)) & 1) === 1;

class FakeHIDDevice extends EventTarget {
  opened = false;
  oninputreport: ((e: Event) => void) | null = null;
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly collections: unknown[];
  readonly written: SentReport[] = [];
  /** The device's own state: hook level and buttons held. */
  private hook = 0;
  private readonly held = new Set<string>();

  constructor(readonly spec: FakeDeviceSpec) {
    super();
    this.vendorId = spec.vendorId;
    this.productId = spec.productId;
    this.productName = spec.productName;
    this.collections = spec.collections;
  }

  async open(): Promise<void> {
    if (this.opened) throw new DOMException('The device is already open.', 'InvalidStateError');
    if (!hid.isPlugged(this)) throw new DOMException('Failed to open the device.', 'NotAllowedError');
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  async forget(): Promise<void> {
    this.opened = false;
    hid.revoke(this);
  }

  async sendReport(reportId: number, data: BufferSource): Promise<void> {
    if (!this.opened) throw new DOMException('The device must be opened first.', 'InvalidStateError');
    const bytes = Array.from(data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const offHook = this.spec.outputs.offHook;
    const before = offHook && offHook.reportId === reportId ? this.led(offHook) : null;
    this.written.push({ reportId, bytes, at: performance.now() });
    if (offHook && before !== null && this.spec.echoOffHook) {
      const now = this.led(offHook);
      if (now !== before) {
        setTimeout(() => {
          if (!this.opened) return;
          this.hook = now ? 1 : 0;
          this.report(this.spec.inputs.hookSwitch?.reportId ?? 0);
        }, ECHO_MS);
      }
    }
  }

  async sendFeatureReport(): Promise<void> {
    throw new DOMException('Failed to write the feature report.', 'NotAllowedError');
  }

  async receiveFeatureReport(): Promise<DataView> {
    throw new DOMException('Failed to receive the feature report.', 'NotAllowedError');
  }

  private led(p: Pos): boolean {
    const last = [...this.written].reverse().find((r) => r.reportId === p.reportId);
    return bit(last?.bytes, p);
  }

  leds(): Record<string, boolean | null> {
    return Object.fromEntries(Object.entries(this.spec.outputs).map(([name, p]) => [name, p ? this.led(p) : null]));
  }

  /** Send the current state of one input report. */
  report(reportId: number): number {
    const data = new Uint8Array(this.spec.inputBytes[reportId] ?? 1);
    const put = (p: Pos | null | undefined) => {
      if (p && p.reportId === reportId) data[p.bit >> 3] = (data[p.bit >> 3] as number) | (1 << (p.bit & 7));
    };
    if (this.hook) put(this.spec.inputs.hookSwitch);
    for (const name of this.held) put(this.spec.inputs[name]);
    const event = new Event('inputreport');
    Object.defineProperties(event, { device: { value: this }, reportId: { value: reportId }, data: { value: new DataView(data.buffer) } });
    const at = performance.now();
    if (!this.opened) return at; // a closed device delivers nothing
    this.dispatchEvent(event);
    this.oninputreport?.(event);
    return at;
  }

  setHook(level: 0 | 1): number {
    this.hook = level;
    return this.report(this.spec.inputs.hookSwitch?.reportId ?? 0);
  }

  press(control: string): number {
    const p = this.spec.inputs[control];
    if (!p) throw new Error(`${this.spec.key} has no ${control}`);
    this.held.add(control);
    const at = this.report(p.reportId);
    setTimeout(() => {
      this.held.delete(control);
      this.report(p.reportId);
    }, RELEASE_MS);
    return at;
  }
}

class FakeHID extends EventTarget {
  onconnect: ((e: Event) => void) | null = null;
  ondisconnect: ((e: Event) => void) | null = null;
  private devices: FakeHIDDevice[] = [];
  private readonly granted = new Set<string>();

  restore(): void {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') as Saved | null;
      for (const spec of saved?.specs ?? []) {
        this.devices.push(new FakeHIDDevice(spec));
        if (spec.granted) this.granted.add(spec.key);
      }
    } catch {
      /* nothing saved */
    }
  }

  private save(): void {
    const specs = this.devices.map((d) => ({ ...d.spec, granted: this.granted.has(d.spec.key) }));
    sessionStorage.setItem(STORE, JSON.stringify({ specs } satisfies Saved));
  }

  isPlugged(d: FakeHIDDevice): boolean {
    return this.devices.includes(d);
  }

  revoke(d: FakeHIDDevice): void {
    this.granted.delete(d.spec.key);
    this.save();
  }

  device(key: string): FakeHIDDevice {
    const d = this.devices.find((x) => x.spec.key === key);
    if (!d) throw new Error(`no device ${key} is plugged in`);
    return d;
  }

  async getDevices(): Promise<FakeHIDDevice[]> {
    return this.devices.filter((d) => this.granted.has(d.spec.key));
  }

  /** Chromium: a chooser, only from a user gesture. Here the first matching device not yet granted is picked. */
  async requestDevice(options: { filters?: { usagePage?: number; vendorId?: number }[] }): Promise<FakeHIDDevice[]> {
    if (!navigator.userActivation?.isActive) throw new DOMException('Must be handling a user gesture to show a permission request.', 'SecurityError');
    const matches = (d: FakeHIDDevice) =>
      (options.filters ?? []).some(
        (f) =>
          (f.vendorId === undefined || f.vendorId === d.vendorId) &&
          (f.usagePage === undefined || d.collections.some((c) => (c as { usagePage?: number }).usagePage === f.usagePage)),
      );
    const pick = this.devices.find((d) => !this.granted.has(d.spec.key) && matches(d));
    if (!pick) return [];
    this.granted.add(pick.spec.key);
    this.save();
    return [pick];
  }

  private fire(type: 'connect' | 'disconnect', device: FakeHIDDevice): void {
    const event = new Event(type);
    Object.defineProperty(event, 'device', { value: device });
    this.dispatchEvent(event);
    (type === 'connect' ? this.onconnect : this.ondisconnect)?.(event);
  }

  plug(spec: FakeDeviceSpec): void {
    if (this.devices.some((d) => d.spec.key === spec.key)) throw new Error(`${spec.key} is already plugged in`);
    const d = new FakeHIDDevice(spec);
    this.devices.push(d);
    if (spec.granted) this.granted.add(spec.key);
    this.save();
    // Chromium fires connect only for devices the page may see.
    if (this.granted.has(spec.key)) this.fire('connect', d);
  }

  unplug(key: string): void {
    const d = this.device(key);
    this.devices = this.devices.filter((x) => x !== d);
    d.opened = false;
    const visible = this.granted.has(key);
    this.granted.delete(key);
    this.save();
    if (visible) this.fire('disconnect', d);
  }

  plugged(): string[] {
    return this.devices.map((d) => d.spec.key);
  }
}

const hid = new FakeHID();
hid.restore();
Object.defineProperty(Navigator.prototype, 'hid', { configurable: true, get: () => hid });

const sipOk: SipSent[] = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
  if (typeof data === 'string' && data.startsWith('SIP/2.0 200 ') && /\r\nCSeq:\s*\d+\s+INVITE\r\n/i.test(data)) {
    sipOk.push({ at: performance.now(), callId: /\r\n(?:Call-ID|i):\s*(\S+)/i.exec(data)?.[1] ?? '' });
    if (sipOk.length > 1000) sipOk.splice(0, sipOk.length - 1000);
  }
  return send.call(this, data);
};

window.lianluoHid = {
  plug: (spec) => hid.plug(spec),
  unplug: (key) => hid.unplug(key),
  setHook: (key, level) => hid.device(key).setHook(level),
  press: (key, control) => hid.device(key).press(control),
  leds: (key) => hid.device(key).leds(),
  sent: (key) => hid.device(key).written,
  opened: (key) => hid.device(key).opened,
  plugged: () => hid.plugged(),
  sipOk,
};
