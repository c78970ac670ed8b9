import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIRKS, KNOWN_REJECT_USAGES, VENDOR_QUIRKS, quirksFor } from '../../../renderer/headset/quirks';

describe('quirk table', () => {
  it('gives every vendor a complete set of fields, defaults for unknown ones', () => {
    for (const vid of [...Object.keys(VENDOR_QUIRKS).map(Number), 0x1234]) {
      const q = quirksFor(vid);
      expect(Object.keys(q).sort()).toEqual(Object.keys(DEFAULT_QUIRKS).sort());
      expect(q.duplicateWindowMs).toBeGreaterThanOrEqual(2000); // a press repeated 2 s later is one press
    }
    expect(quirksFor(0x1234).vendor).toBe('generic');
  });

  it('keeps Off-Hook on hold for Jabra and knows its reject usage', () => {
    expect(quirksFor(0x0b0e)).toMatchObject({ vendor: 'Jabra', holdKeepsOffHook: true, rejectUsage: 0xff30fffd });
    expect(KNOWN_REJECT_USAGES).toEqual([0xff30fffd]);
  });
});

describe('udev rule', () => {
  const rules = readFileSync(new URL('../../../build/udev/70-lianluo-headsets.rules', import.meta.url), 'utf8');
  const lines = rules.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

  it('is made of hidraw uaccess lines only', () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toMatch(/^SUBSYSTEM=="hidraw", (ATTRS\{idVendor\}=="[0-9a-f]{4}"(, ATTRS\{idProduct\}=="[0-9a-f]{4}")?|KERNELS=="0005:[0-9A-F]{4}:\*"), TAG\+="uaccess"$/);
      expect(l).not.toMatch(/MODE|GROUP/);
    }
  });

  it('covers every headset vendor in the quirk table, over USB and Bluetooth', () => {
    for (const vid of Object.keys(VENDOR_QUIRKS).map(Number)) {
      const hex = vid.toString(16).padStart(4, '0');
      expect(lines.some((l) => l.includes(`ATTRS{idVendor}=="${hex}"`)), hex).toBe(true);
      if (vid !== 0x046d) expect(lines.some((l) => l.includes(`KERNELS=="0005:${hex.toUpperCase()}:*"`)), hex).toBe(true);
    }
    // Logitech also makes mice and keyboards: its line must be scoped to a product.
    expect(lines.filter((l) => l.includes('"046d"')).every((l) => l.includes('idProduct'))).toBe(true);
  });

  it('says how to install it', () => {
    expect(rules).toContain('/etc/udev/rules.d/');
    expect(rules).toContain('udevadm control --reload-rules');
  });
});
