// `npm run import -- customers FILE.csv`: the admin's way to fill the local customer cache until the
// backend sync exists. A thin wrapper: arguments, files and messages here; the import itself is
// electron/services/customers/csv-import.ts. Runs in plain Node (tsx), never loads Electron.
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { importCustomersCsv, formatIssue } from '../services/customers/csv-import';
import { migrate, SchemaTooNewError } from '../services/db/migrations';
import { openDb, type Db } from '../services/db/open';
import { cacheFile, defaultDataDir, settingsFile } from '../services/paths';
import { SettingsService } from '../services/settings/settings-service';
import { cliLocale, HELP, IMPORT_KINDS, MESSAGES } from './import-messages';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Run the command; resolves to the process exit code (0 imported, 1 not imported, 2 usage). */
export async function runImportCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { help: { type: 'boolean', short: 'h' }, 'dry-run': { type: 'boolean' } } });
  } catch (e) {
    io.err((e as Error).message);
    io.err(MESSAGES[cliLocale(io.env, null)].usage);
    return 2;
  }
  if (args.values.help) {
    io.out(HELP);
    return 0;
  }

  const dataDir = resolve(io.cwd, defaultDataDir(io.env));
  const settings = new SettingsService(settingsFile(dataDir), { warn: (m) => io.err(m) });
  const t = MESSAGES[cliLocale(io.env, settings.get().locale)];

  const [kind, file, ...extra] = args.positionals;
  if (!kind || !file || extra.length) {
    io.err(t.usage);
    return 2;
  }
  if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
    io.err(t.unknownKind(kind));
    return 2;
  }
  const path = resolve(io.cwd, file);
  try {
    if (!statSync(path).isFile()) {
      io.err(t.notAFile(path));
      return 1;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(code === 'ENOENT' ? t.fileMissing(path) : t.unreadable(path, (e as Error).message));
    return 1;
  }

  let db: Db | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    db = openDb(cacheFile(dataDir));
    migrate(db);
    const report = await importCustomersCsv(db, createReadStream(path), settings.get().numberPlan, { dryRun: args.values['dry-run'] ?? false });
    const ms = Math.round(report.tookMs);
    if (!report.ok) {
      io.err(t.rejected(report.issues.length + report.moreIssues));
      for (const i of report.issues) io.err(formatIssue(i));
      if (report.moreIssues) io.err(t.moreIssues(report.moreIssues));
      return 1;
    }
    io.out(report.dryRun ? t.checked(report.rows, ms) : t.imported(report.rows, dataDir, ms));
    return 0;
  } catch (e) {
    if (e instanceof SchemaTooNewError) io.err(t.cacheTooNew(e.message));
    else if ((e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).syscall) io.err(t.unreadable(path, (e as Error).message));
    else io.err(t.failed(e instanceof Error ? e.message : String(e)));
    return 1;
  } finally {
    db?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runImportCli(process.argv.slice(2), {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    env: process.env,
    cwd: process.env.INIT_CWD ?? process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
