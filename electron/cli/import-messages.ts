// What `npm run import` says, in English and Simplified Chinese. The help text carries both languages
// (an admin may not have a Chinese locale configured on a server); everything else follows the locale.
// Per-line problems stay in the one documented format `line N: field: problem` (docs/import-format.md).
import { LIMITS, TIERS } from '../../shared/domain/customer';
import type { Locale } from '../../shared/domain/settings';
import { CSV_COLUMNS, MAX_RECORD_CHARS } from '../services/customers/csv-import';

export const IMPORT_KINDS = ['customers'] as const;

export const HELP = `Usage: npm run import -- customers FILE.csv [--dry-run]

Imports customers from a CSV file into this computer's Lianluo customer cache (the one the screen pop
reads). The running app sees the new customers at its next lookup; no restart is needed.

  customers     what to import (the only kind for now)
  FILE.csv      UTF-8 text (Excel: "CSV UTF-8"), a header row first
  --dry-run     check every line, write nothing
  -h, --help    this help

The data folder is LIANLUO_DATA_DIR when set, else the app's own. Numbers are read with the number plan
of the app's settings (default region, local area code, outside-line prefix; default CN).

CSV format (full description: docs/import-format.md)
  Header row, required, all columns, any order:  ${CSV_COLUMNS.join(',')}
  id        required; letters, digits and . _ : - (at most ${LIMITS.id}); the key: a row whose id is
            already cached replaces that customer (its call history is kept)
  name      required (at most ${LIMITS.name} characters)
  company   optional (at most ${LIMITS.company})
  tier      ${TIERS.join(' | ')}; empty means standard
  tags      separated by ;  e.g.  VIP;billing   (at most ${LIMITS.tags} tags of ${LIMITS.tag} characters)
  notes     optional, may span lines inside "quotes" (at most ${LIMITS.notes} characters)
  phones    one or more entries separated by ;  each  label:number  or just  number
            e.g.  mobile:138 0013 8000;office:010-6552 8899   (at most ${LIMITS.phones})
  Cells with commas, quotes or line breaks are quoted: "Harbor, Ltd." ; a quote inside is doubled: "".
  A BOM, CRLF or LF line ends are fine. A row is at most ${MAX_RECORD_CHARS} characters.

All or nothing: if any line is wrong, nothing is imported and every wrong line is listed as
  line N: field: problem
Importing the same file again changes nothing. Exit code 0: imported; 1: not imported; 2: usage error.

用法：npm run import -- customers 文件.csv [--dry-run]

把 CSV 文件中的客户导入本机的联络客户缓存（来电弹屏查询的数据）。正在运行的联络无需重启，
下一次查询即可看到新客户。

  customers     导入的内容（目前仅支持客户）
  文件.csv      UTF-8 编码（Excel 请选择“CSV UTF-8”），第一行为表头
  --dry-run     只检查每一行，不写入任何数据
  -h, --help    显示本帮助

数据目录：设置了 LIANLUO_DATA_DIR 时用它，否则用联络应用自己的目录。电话号码按应用设置中的号码规则
（默认地区、本地区号、外线前缀；默认中国）解析。

CSV 格式（详细说明见 docs/import-format.md）
  表头行必填，须包含全部列，顺序不限：  ${CSV_COLUMNS.join(',')}
  id        必填；字母、数字及 . _ : -（最多 ${LIMITS.id} 个字符）；作为主键：缓存中已有相同 id 的
            客户会被替换（保留其通话记录）
  name      必填（最多 ${LIMITS.name} 个字符）
  company   可选（最多 ${LIMITS.company} 个字符）
  tier      ${TIERS.join(' | ')}；留空表示 standard
  tags      用 ; 分隔，例如  VIP;投诉   （最多 ${LIMITS.tags} 个标签，每个最多 ${LIMITS.tag} 个字符）
  notes     可选，放在双引号内可以换行（最多 ${LIMITS.notes} 个字符）
  phones    一个或多个号码，用 ; 分隔，每项为  标签:号码  或仅  号码
            例如  手机:138 0013 8000;办公室:010-6552 8899   （最多 ${LIMITS.phones} 个）
  含逗号、引号或换行的单元格需加双引号："华信, 北京"；单元格内的引号写两次：""。
  支持 BOM、CRLF 或 LF 换行。每行最多 ${MAX_RECORD_CHARS} 个字符。

全部或全不：只要有一行出错，就不导入任何数据，并逐行列出错误：
  line N: 字段: 问题
重复导入同一文件不会产生任何变化。退出码 0：已导入；1：未导入；2：用法错误。
`;

interface Messages {
  usage: string;
  unknownKind(kind: string): string;
  fileMissing(file: string): string;
  notAFile(file: string): string;
  unreadable(file: string, why: string): string;
  cacheTooNew(message: string): string;
  failed(message: string): string;
  imported(rows: number, dataDir: string, ms: number): string;
  checked(rows: number, ms: number): string;
  rejected(issues: number): string;
  moreIssues(n: number): string;
}

const en: Messages = {
  usage: 'Usage: npm run import -- customers FILE.csv [--dry-run]   (--help for the file format)',
  unknownKind: (k) => `Cannot import ${JSON.stringify(k)}: the only kind is "customers" (npm run import -- customers FILE.csv).`,
  fileMissing: (f) => `File not found: ${f}`,
  notAFile: (f) => `Not a file: ${f}`,
  unreadable: (f, why) => `Cannot read ${f}: ${why}`,
  cacheTooNew: (m) => `The customer cache cannot be used: ${m}`,
  failed: (m) => `Import failed, nothing was imported: ${m}`,
  imported: (n, dir, ms) => `Imported ${n} customer${n === 1 ? '' : 's'} in ${ms} ms into ${dir}.`,
  checked: (n, ms) => `Dry run: all ${n} customer${n === 1 ? '' : 's'} are valid (checked in ${ms} ms); nothing was written.`,
  rejected: (n) => `${n} problem${n === 1 ? '' : 's'} found; nothing was imported (the cache is unchanged):`,
  moreIssues: (n) => `… and ${n} more problem${n === 1 ? '' : 's'}.`,
};

const zhCN: Messages = {
  usage: '用法：npm run import -- customers 文件.csv [--dry-run]   （--help 查看文件格式）',
  unknownKind: (k) => `无法导入 ${JSON.stringify(k)}：目前只支持 "customers"（npm run import -- customers 文件.csv）。`,
  fileMissing: (f) => `找不到文件：${f}`,
  notAFile: (f) => `不是文件：${f}`,
  unreadable: (f, why) => `无法读取 ${f}：${why}`,
  cacheTooNew: (m) => `无法使用客户缓存：${m}`,
  failed: (m) => `导入失败，未导入任何数据：${m}`,
  imported: (n, dir, ms) => `已导入 ${n} 位客户，耗时 ${ms} 毫秒，数据目录：${dir}。`,
  checked: (n, ms) => `试运行：全部 ${n} 位客户均有效（检查耗时 ${ms} 毫秒），未写入任何数据。`,
  rejected: (n) => `发现 ${n} 个问题，未导入任何数据（缓存保持不变）：`,
  moreIssues: (n) => `……另有 ${n} 个问题。`,
};

export const MESSAGES: Record<Locale, Messages> = { en, 'zh-CN': zhCN };

/** The language of the command line: the shell's locale when it names one, else the app's setting. */
export function cliLocale(env: NodeJS.ProcessEnv, appLocale: Locale | null): Locale {
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  if (/^zh/i.test(lang)) return 'zh-CN';
  if (/^[a-z]{2}/i.test(lang) && !/^(C|POSIX)(\.|$)/i.test(lang)) return 'en';
  return appLocale ?? 'en';
}
