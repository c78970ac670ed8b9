// `npm run -s headset:inspect -- FILE.bin...`: what call controls a headset's raw HID report descriptor
// declares, for admins checking a device before (or instead of) plugging it into an agent's desk. On Linux
// the bytes are in /sys/class/hidraw/hidrawN/device/report_descriptor.
//
// Prints one JSON object per file and line:
//   {"file":"…","telephony":true,"inputs":{"hookSwitch":{"reportId":2,"bit":0},…},"outputs":{…}}
// `bit` counts from the first bit after the report-id byte; a control the device lacks is null; a file
// without a Telephony collection prints "telephony":false. A file that cannot be read or parsed prints a
// clear error on stderr, and the command exits 1 once every file was looked at (2 without files).
//
// It uses the renderer's pure headset modules (no DOM, no Node in them; `tsc -p electron` checks they stay
// that way), so the command and the app read descriptors identically.
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
// eslint-disable-next-line no-restricted-imports -- pure TS shared with the renderer on purpose, see above
import { parseReportDescriptor } from '../../renderer/headset/descriptor-parser';
// eslint-disable-next-line no-restricted-imports -- pure TS shared with the renderer on purpose, see above
import { buildControlMap, controlSummary } from '../../renderer/headset/control-map';

export interface InspectOutcome {
  lines: string[];
  errors: string[];
}

export function inspectDescriptor(file: string, bytes: Uint8Array): { line: string } | { error: string } {
  const parsed = parseReportDescriptor(bytes, { includeProtected: true });
  if (!parsed.ok) return { error: `${file}: not a valid HID report descriptor (${parsed.error.code}): ${parsed.error.message}` };
  return { line: JSON.stringify({ file, ...controlSummary(buildControlMap(parsed.collections)) }) };
}

export function inspectFiles(files: readonly string[], read: (file: string) => Uint8Array = (f) => readFileSync(f)): InspectOutcome {
  const out: InspectOutcome = { lines: [], errors: [] };
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = read(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code;
      out.errors.push(`${file}: cannot read the file${code ? ` (${code})` : ''}`);
      continue;
    }
    const r = inspectDescriptor(file, bytes);
    if ('line' in r) out.lines.push(r.line);
    else out.errors.push(r.error);
  }
  return out;
}

function main(argv: string[]): number {
  const files = argv.filter((a) => a !== '--');
  if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
    process.stderr.write(
      'usage: npm run -s headset:inspect -- FILE.bin...\n' +
        '  FILE: a raw HID report descriptor, e.g. /sys/class/hidraw/hidraw3/device/report_descriptor\n',
    );
    return files.length === 0 ? 2 : 0;
  }
  const { lines, errors } = inspectFiles(files);
  for (const l of lines) process.stdout.write(`${l}\n`);
  for (const e of errors) process.stderr.write(`headset:inspect: ${e}\n`);
  return errors.length > 0 ? 1 : 0;
}

// Run only as a command (tests import the functions above).
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  process.exitCode = main(process.argv.slice(2));
}
