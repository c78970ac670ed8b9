// `npm run import -- customers FILE.csv`: the command's arguments, files, settings, messages and exit
// codes, in process; and once as a real process, the way an admin runs it.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runImportCli, type CliIo } from '../../electron/cli/import';
import { CSV_COLUMNS } from '../../electron/services/customers/csv-import';
import { cacheCounts, getMeta } from '../../electron/services/db/customers';
import { openDb } from '../../electron/services/db/open';
import { cacheFile, settingsFile } from '../../electron/services/paths';
import { SettingsService } from '../../electron/services/settings/settings-service';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import { tempDir } from './support/temp-dir';

const root = tempDir();
let n = 0;
const HEADER = CSV_COLUMNS.join(',');

function setup(files: Record<string, string | Buffer> = {}) {
  const dir = join(root, `case-${++n}`);
  const dataDir = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: { LIANLUO_DATA_DIR: dataDir, LANG: 'en_US.UTF-8' }, cwd: dir };
  const customers = () => {
    const db = openDb(cacheFile(dataDir), { readonly: true });
    try {
      return { ...cacheCounts(db), source: getMeta(db, 'source') };
    } finally {
      db.close();
    }
  };
  return { dir, dataDir, io, out, err, customers };
}

describe('npm run import', () => {
  it('imports a file into LIANLUO_DATA_DIR (creating and migrating the cache) and prints a summary', async () => {
    const t = setup({ 'c.csv': `${HEADER}\nC-1,王芳,,gold,,,13800138000\nC-2,Bob,,,,,+1 415 555 2671\n` });
    expect(await runImportCli(['customers', 'c.csv'], t.io)).toBe(0);
    expect(t.err).toEqual([]);
    expect(t.out).toHaveLength(1);
    expect(t.out[0]).toMatch(new RegExp(`^Imported 2 customers in \\d+ ms into ${t.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`));
    expect(t.customers()).toMatchObject({ customers: 2, phones: 2, source: 'import' });
  });

  it('lists every bad line, exits 1 and leaves the cache untouched', async () => {
    const t = setup({ 'bad.csv': `${HEADER}\nC-1,A,,gold,,,13800138000\nC-2,B,,diamond,,,13800138001\nC-1,C,,,,,10086\n` });
    expect(await runImportCli(['customers', 'bad.csv'], t.io)).toBe(1);
    expect(t.out).toEqual([]);
    expect(t.err).toEqual([
      '3 problems found; nothing was imported (the cache is unchanged):',
      'line 3: tier: "diamond" is not one of platinum, gold, silver, standard (empty means standard)',
      'line 4: id: "C-1" is also on line 2',
      `line 4: phones: "10086" is a short or service number, not a customer's phone number`,
    ]);
    expect(t.customers()).toMatchObject({ customers: 0, source: undefined });
  });

  it('reads numbers with the number plan from the settings file', async () => {
    const t = setup({ 'local.csv': `${HEADER}\nC-1,Local,,,,,88886666\n` });
    expect(await runImportCli(['customers', 'local.csv'], t.io)).toBe(1);
    new SettingsService(settingsFile(t.dataDir), { warn: () => {} }).update({ numberPlan: { ...DEFAULT_NUMBER_PLAN, localAreaCode: '10' } });
    t.err.length = 0;
    expect(await runImportCli(['customers', 'local.csv'], t.io)).toBe(0);
    expect(t.customers().customers).toBe(1);
  });

  it('--dry-run checks and writes nothing', async () => {
    const t = setup({ 'c.csv': `${HEADER}\nC-1,A,,,,,13800138000\n` });
    expect(await runImportCli(['customers', 'c.csv', '--dry-run'], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/^Dry run: all 1 customer are valid/);
    expect(t.customers().customers).toBe(0);
  });

  it('refuses anything but customers, and wrong arguments, with exit code 2', async () => {
    const t = setup();
    expect(await runImportCli(['interactions', 'x.csv'], t.io)).toBe(2);
    expect(t.err).toEqual(['Cannot import "interactions": the only kind is "customers" (npm run import -- customers FILE.csv).']);
    for (const argv of [[], ['customers'], ['customers', 'a.csv', 'b.csv'], ['customers', 'a.csv', '--force']]) {
      t.err.length = 0;
      expect(await runImportCli(argv, t.io)).toBe(2);
      expect(t.err.at(-1)).toMatch(/^Usage: npm run import -- customers FILE\.csv/);
    }
  });

  it('says clearly when the file does not exist or is a folder', async () => {
    const t = setup();
    expect(await runImportCli(['customers', 'nope.csv'], t.io)).toBe(1);
    expect(t.err).toEqual([`File not found: ${join(t.dir, 'nope.csv')}`]);
    t.err.length = 0;
    expect(await runImportCli(['customers', '.'], t.io)).toBe(1);
    expect(t.err).toEqual([`Not a file: ${t.dir}`]);
  });

  it('refuses a cache written by a newer Lianluo without touching it', async () => {
    const t = setup({ 'c.csv': `${HEADER}\nC-1,A,,,,,13800138000\n` });
    mkdirSync(t.dataDir, { recursive: true });
    const db = openDb(cacheFile(t.dataDir));
    db.pragma('user_version = 999');
    db.close();
    expect(await runImportCli(['customers', 'c.csv'], t.io)).toBe(1);
    expect(t.err[0]).toMatch(/^The customer cache cannot be used: This customer cache was written by a newer version of Lianluo \(schema 999/);
    const after = openDb(cacheFile(t.dataDir), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(999);
    expect(after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });
    after.close();
  });

  it('--help documents the format in English and Chinese', async () => {
    const t = setup();
    expect(await runImportCli(['--help'], t.io)).toBe(0);
    const help = t.out.join('\n');
    expect(help).toContain(`Header row, required, all columns, any order:  ${HEADER}`);
    expect(help).toContain(`表头行必填，须包含全部列，顺序不限：  ${HEADER}`);
    for (const c of CSV_COLUMNS) expect(help.match(new RegExp(`^  ${c} `, 'gm'))?.length).toBe(2);
    expect(help).toContain('label:number');
    expect(help).toContain('标签:号码');
  });

  it('speaks Chinese when the shell locale is Chinese', async () => {
    const t = setup({ 'c.csv': `${HEADER}\nC-1,A,,,,,13800138000\n` });
    t.io.env.LANG = 'zh_CN.UTF-8';
    expect(await runImportCli(['customers', 'c.csv'], t.io)).toBe(0);
    expect(t.out[0]).toMatch(/^已导入 1 位客户，耗时 \d+ 毫秒/);
    expect(await runImportCli(['customers', 'nope.csv'], t.io)).toBe(1);
    expect(t.err[0]).toMatch(/^找不到文件：/);
  });
});

describe('the real command', () => {
  it('runs under tsx as `npm run import` does, with exit code 1 and the problems on stderr', async () => {
    const t = setup({ 'bad.csv': `${HEADER}\nC-1,,,,,,13800138000\n` });
    const run = promisify(execFile);
    const env = { ...process.env, LIANLUO_DATA_DIR: t.dataDir, LANG: 'C.UTF-8', LC_ALL: '', INIT_CWD: t.dir };
    const failure = await run(process.execPath, ['--import', 'tsx', 'electron/cli/import.ts', 'customers', 'bad.csv'], { env }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('line 2: name: required');
    writeFileSync(join(t.dir, 'good.csv'), `${HEADER}\nC-1,A,,,,,13800138000\n`);
    const ok = await run(process.execPath, ['--import', 'tsx', 'electron/cli/import.ts', 'customers', 'good.csv'], { env });
    expect(ok.stdout).toMatch(/^Imported 1 customer in \d+ ms/);
    expect(t.customers().customers).toBe(1);
  });
});
