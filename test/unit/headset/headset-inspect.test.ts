// The diagnostics command, as a function and as the real `npm run -s headset:inspect` process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFiles } from '../../../electron/cli/headset-inspect';
import { FIXTURE_DIR, fixtureBytes, fixtureFiles } from './fake-hid-device';
import { FIXTURES } from './fixture-expectations';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lianluo-headset-inspect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('headset:inspect', () => {
  it('prints one line per fixture with the controls the research decodes', () => {
    const files = fixtureFiles().map((f) => FIXTURE_DIR + f);
    const { lines, errors } = inspectFiles(files);
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(files.length);
    for (const [i, line] of lines.entries()) {
      const name = fixtureFiles()[i] as string;
      const want = FIXTURES[name];
      const got = JSON.parse(line);
      expect(Object.keys(got)).toEqual(['file', 'telephony', 'inputs', 'outputs']);
      expect(got).toEqual({
        file: files[i],
        telephony: want?.telephony,
        inputs: { hookSwitch: want?.inputs.hookSwitch, phoneMute: want?.inputs.phoneMute, flash: want?.inputs.flash, redial: want?.inputs.redial },
        outputs: want?.outputs,
      });
    }
  });

  it('explains files it cannot use', () => {
    const { lines, errors } = inspectFiles(['missing.bin', 'cut.bin', 'empty.bin'], (f) => {
      if (f === 'cut.bin') return fixtureBytes('0b0e-0307.bin').subarray(0, 100);
      if (f === 'empty.bin') return new Uint8Array();
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    });
    expect(lines).toEqual([]);
    expect(errors).toEqual([
      'missing.bin: cannot read the file (ENOENT)',
      expect.stringMatching(/^cut\.bin: not a valid HID report descriptor \((truncated_item|unclosed_collection)\): /),
      'empty.bin: not a valid HID report descriptor (empty): the report descriptor is empty',
    ]);
  });

  it('runs as an npm script: JSON lines on stdout, errors on stderr, exit 1 for a malformed file', () => {
    const bad = join(scratch, 'bad.bin');
    writeFileSync(bad, fixtureBytes('1395-0082.bin').subarray(0, 57));
    const good = FIXTURE_DIR + '047f-c053.bin';
    const r = spawnSync('npm', ['run', '-s', 'headset:inspect', '--', good, bad], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0] as string)).toMatchObject({ file: good, telephony: true, inputs: { hookSwitch: { reportId: 8, bit: 1 } } });
    expect(r.stderr).toContain(`headset:inspect: ${bad}: not a valid HID report descriptor`);

    const ok = spawnSync('npm', ['run', '-s', 'headset:inspect', '--', FIXTURE_DIR + '046d-0ac4.bin'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ telephony: false, inputs: { hookSwitch: null }, outputs: { offHook: null } });

    const none = spawnSync('npm', ['run', '-s', 'headset:inspect'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('usage: npm run -s headset:inspect -- FILE.bin');
  });
});
