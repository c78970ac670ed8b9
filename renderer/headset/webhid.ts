// The slice of WebHID (https://wicg.github.io/webhid/) the headset code uses, as plain structural types.
// TypeScript's DOM library has no WebHID types; these match what Chromium hands the renderer, so a real
// `HIDDevice` fits them, and so does the fake one in the tests.
//
// Usages are 32-bit: (usagePage << 16) | usageId.

/** One Input/Output/Feature main item, as Blink converts it (third_party/blink/.../hid/hid_device.cc). */
export interface HIDReportItem {
  isAbsolute: boolean;
  isArray: boolean;
  isBufferedBytes: boolean;
  isConstant: boolean;
  isLinear: boolean;
  isRange: boolean;
  isVolatile: boolean;
  hasNull: boolean;
  hasPreferredState: boolean;
  wrap: boolean;
  /** Undefined when isRange; otherwise the list, possibly empty (padding). */
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize: number;
  reportCount: number;
  unitExponent: number;
  unitSystem: string;
  unitFactorLengthExponent: number;
  unitFactorMassExponent: number;
  unitFactorTimeExponent: number;
  unitFactorTemperatureExponent: number;
  unitFactorCurrentExponent: number;
  unitFactorLuminousIntensityExponent: number;
  logicalMinimum: number;
  logicalMaximum: number;
  physicalMinimum: number;
  physicalMaximum: number;
  strings?: string[];
}

export interface HIDReportInfo {
  reportId: number;
  items: HIDReportItem[];
}

export interface HIDCollectionInfo {
  usagePage: number;
  usage: number;
  /** 0x00 Physical, 0x01 Application, 0x02 Logical, … */
  type: number;
  children: HIDCollectionInfo[];
  inputReports: HIDReportInfo[];
  outputReports: HIDReportInfo[];
  featureReports: HIDReportInfo[];
}

// What the headset code reads from collections. The WebHID dictionaries make every member optional and
// Windows builds them from preparsed data, so consumers accept partial, read-only shapes and check values.
export interface HIDReportItemLike {
  readonly isAbsolute?: boolean;
  readonly isArray?: boolean;
  readonly isConstant?: boolean;
  readonly isRange?: boolean;
  readonly hasPreferredState?: boolean;
  readonly usages?: readonly number[];
  readonly usageMinimum?: number;
  readonly usageMaximum?: number;
  readonly reportSize?: number;
  readonly reportCount?: number;
  readonly logicalMinimum?: number;
  readonly logicalMaximum?: number;
}

export interface HIDReportInfoLike {
  readonly reportId?: number;
  readonly items?: readonly HIDReportItemLike[];
}

export interface HIDCollectionInfoLike {
  readonly usagePage?: number;
  readonly usage?: number;
  readonly type?: number;
  readonly children?: readonly HIDCollectionInfoLike[];
  readonly inputReports?: readonly HIDReportInfoLike[];
  readonly outputReports?: readonly HIDReportInfoLike[];
  readonly featureReports?: readonly HIDReportInfoLike[];
}

export interface HIDInputReportEventLike {
  readonly reportId: number;
  readonly data: DataView;
}

/** A WebHID `HIDDevice` as far as the headset service needs one. */
export interface HIDDeviceLike {
  readonly opened: boolean;
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly collections: readonly HIDCollectionInfoLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array<ArrayBuffer>): Promise<void>;
  addEventListener(type: 'inputreport', listener: (event: HIDInputReportEventLike) => void): void;
  removeEventListener(type: 'inputreport', listener: (event: HIDInputReportEventLike) => void): void;
}

export interface HIDConnectionEventLike {
  readonly device: HIDDeviceLike;
}

export interface HIDDeviceFilterLike {
  vendorId?: number;
  productId?: number;
  usagePage?: number;
  usage?: number;
}

/** `navigator.hid` as far as the headset service needs it. */
export interface HIDLike {
  getDevices(): Promise<HIDDeviceLike[]>;
  /** Shows the browser's chooser; needs a user gesture. Absent where the page cannot ask (tests, old engines). */
  requestDevice?(options: { filters: HIDDeviceFilterLike[] }): Promise<HIDDeviceLike[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (event: HIDConnectionEventLike) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (event: HIDConnectionEventLike) => void): void;
}

export const usageOf = (page: number, id: number): number => (((page & 0xffff) << 16) | (id & 0xffff)) >>> 0;
export const pageOf = (usage: number): number => (usage >>> 16) & 0xffff;

/** "000B:0020" for logs and diagnostics. */
export function formatUsage(usage: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `${hex(pageOf(usage))}:${hex(usage & 0xffff)}`;
}
