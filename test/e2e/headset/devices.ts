// The Node side of the in-page headset (fake-webhid.ts): device specs built from the real descriptors in
// ../shared/fixtures/hid (read in place, parsed by the project's parser) with the control positions the
// research decodes (test/unit/headset/fixture-expectations.ts), and the bundle Playwright injects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { parseReportDescriptor } from '../../../renderer/headset/descriptor-parser';
import type { HIDCollectionInfo } from '../../../renderer/headset/webhid';
import { fixtureBytes } from '../../unit/headset/fake-hid-device';
import { FIXTURES, type FixtureExpectation } from '../../unit/headset/fixture-expectations';
import type { FakeDeviceSpec } from './fake-webhid';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Byte length of each input report id, from the items of every top-level collection (bit arithmetic). */
function inputBytes(collections: HIDCollectionInfo[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of collections) {
    for (const r of c.inputReports) {
      const bits = r.items.reduce((n, i) => n + i.reportSize * i.reportCount, 0);
      out[r.reportId] = Math.max(out[r.reportId] ?? 0, Math.ceil(bits / 8));
    }
  }
  return out;
}

/** A headset for the page, from a fixture file such as '0b0e-0307.bin'. */
export function headsetSpec(file: string, o: { key?: string; granted: boolean; echoOffHook?: boolean }): FakeDeviceSpec {
  const want = FIXTURES[file] as FixtureExpectation | undefined;
  if (!want) throw new Error(`no expectations for fixture ${file}`);
  const parsed = parseReportDescriptor(fixtureBytes(file));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  return {
    key: o.key ?? file,
    vendorId: want.vendorId,
    productId: want.productId,
    productName: want.device,
    // A structured clone of what Chromium would give (plain data, as it crosses into the page).
    collections: JSON.parse(JSON.stringify(parsed.collections)) as unknown[],
    granted: o.granted,
    inputs: { ...want.inputs },
    outputs: { ...want.outputs },
    inputBytes: inputBytes(parsed.collections),
    echoOffHook: o.echoOffHook ?? true,
  };
}

/** fake-webhid.ts as one classic script for page.addInitScript. */
export async function buildFakeWebHid(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: HERE,
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      minify: false,
      reportCompressedSize: false,
      lib: { entry: join(HERE, 'fake-webhid.ts'), formats: ['iife'], name: 'lianluoFakeWebHid', fileName: () => 'fake-webhid.js' },
    },
  });
  return readFileSync(join(outDir, 'fake-webhid.js'), 'utf8');
}
