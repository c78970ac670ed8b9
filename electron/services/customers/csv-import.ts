// CSV import of customers into the local cache: streamed (one record in memory at a time), validated
// line by line, all-or-nothing per file. Every bad line is reported as `line N: field: problem`; any
// problem rolls the whole file back. Rows are upserted by id, so importing the same file twice leaves
// the cache as after the first time. The file format is documented in docs/import-format.md and in
// `npm run import -- --help` (electron/cli/import.ts), which is a thin wrapper around this module.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { LIMITS, TIERS, CustomerId, type Tier } from '../../../shared/domain/customer';
import { toCustomerRecord, type CustomerRecord } from '../../../shared/domain/customer-input';
import type { NumberPlan } from '../../../shared/domain/settings';
import { normaliseAni } from '../../../shared/phone/ani';
import { setMeta, upsertCustomer } from '../db/customers';
import type { Db } from '../db/open';

/** The columns of a customer CSV, all required in the header row, in any order. */
export const CSV_COLUMNS = ['id', 'name', 'company', 'tier', 'tags', 'notes', 'phones'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Longest record (all cells of one row) accepted; longer is a broken file, e.g. a missing closing quote. */
export const MAX_RECORD_CHARS = 64 * 1024;
/** Issues kept for the report; beyond this only their number is counted (a wrong file can have millions). */
export const MAX_REPORTED_ISSUES = 1000;

const CELL_LIMITS: Record<Exclude<CsvColumn, 'tags' | 'phones' | 'tier'>, number> = {
  id: LIMITS.id,
  name: LIMITS.name,
  company: LIMITS.company,
  notes: LIMITS.notes,
};
/** `;` and its full-width form (typed by Chinese input methods) separate tags and phone entries. */
const LIST_SEPARATOR = /[;；]/;
/** `label:number`, with ':' or the full-width '：'. */
const LABEL_SEPARATOR = /[:：]/;

export interface ImportIssue {
  /** 1-based line of the file where the record starts (a quoted cell may span several lines). */
  line: number;
  /** A column name, or 'file', 'header', 'row' for problems that are not about one cell. */
  field: string;
  problem: string;
}

export const formatIssue = (i: ImportIssue) => `line ${i.line}: ${i.field}: ${i.problem}`;

export interface ImportReport {
  ok: boolean;
  /** Customers written (0 when not ok, or for a dry run: how many would be). */
  rows: number;
  /** At most MAX_REPORTED_ISSUES, in file order. */
  issues: ImportIssue[];
  /** Issues found beyond those reported. */
  moreIssues: number;
  dryRun: boolean;
  tookMs: number;
}

export interface ImportOptions {
  /** Validate everything, write nothing. */
  dryRun?: boolean;
  /** updated_at of the written customers (tests pin it). */
  now?: number;
}

// ---------- bytes → text: strict UTF-8, one line ending ----------

class NotUtf8Error extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'NotUtf8Error';
  }
}

const utf8Hint = (from: string) => `save it as UTF-8 (Excel: "CSV UTF-8"; or iconv -f ${from} -t UTF-8 in.csv > out.csv)`;

/**
 * Decodes UTF-8 strictly (a GBK or Latin-1 file is refused, never imported as mojibake), drops a BOM,
 * and turns CRLF and lone CR into LF, so csv-parse counts lines right and notes keep one kind of newline.
 */
class Utf8Text extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private first = true;
  private pendingCr = false;
  private lines = 1;

  constructor() {
    super({ decodeStrings: true, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.first && chunk.length > 0) {
        this.first = false;
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          throw new NotUtf8Error(1, `the file is UTF-16, not UTF-8: ${utf8Hint('UTF-16')}`);
        }
      }
      this.emit_(this.decode(chunk, true));
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.emit_(this.decode(new Uint8Array(0), false));
      if (this.pendingCr) this.push('\n');
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.decoder.decode(bytes, { stream });
    } catch {
      // Where did it go wrong? Decode leniently to find the first replacement character's line.
      const lenient = new TextDecoder('utf-8').decode(bytes);
      const at = lenient.indexOf('\uFFFD');
      const before = at < 0 ? lenient : lenient.slice(0, at);
      const line = this.lines + (before.match(/\r\n|\r|\n/g)?.length ?? 0);
      throw new NotUtf8Error(line, `the file is not UTF-8 text (invalid bytes on this line); if it came from a Chinese Windows, ${utf8Hint('GBK')}`);
    }
  }

  private emit_(text: string): void {
    if (!text) return;
    let s = this.pendingCr ? `\r${text}` : text;
    this.pendingCr = s.endsWith('\r');
    if (this.pendingCr) s = s.slice(0, -1);
    s = s.replace(/\r\n?/g, '\n');
    this.lines += s.match(/\n/g)?.length ?? 0;
    if (s) this.push(s);
  }
}

// ---------- one CSV row → a customer, or the problems with it ----------

type Row = Record<CsvColumn, string>;

function checkHeader(cells: string[]): { columns: CsvColumn[] } | { problems: string[] } {
  const names = cells.map((c) => c.trim().toLowerCase());
  const known = new Set<string>(CSV_COLUMNS);
  const problems: string[] = [];
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length === names.length) {
    return { problems: [`the first row must be the header ${CSV_COLUMNS.join(',')} (found ${JSON.stringify(cells.slice(0, 7).join(',').slice(0, 120))})`] };
  }
  if (unknown.length) problems.push(`unknown column(s) ${unknown.map((u) => JSON.stringify(u.slice(0, 40))).join(', ')}; the columns are ${CSV_COLUMNS.join(',')}`);
  const missing = CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) problems.push(`missing column(s) ${missing.join(', ')}; every file needs all of ${CSV_COLUMNS.join(',')}`);
  const twice = [...new Set(names.filter((n, i) => known.has(n) && names.indexOf(n) !== i))];
  if (twice.length) problems.push(`column(s) ${twice.join(', ')} appear more than once`);
  return problems.length ? { problems } : { columns: names as CsvColumn[] };
}

const splitList = (cell: string) =>
  cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);

/** Validate one row. Problems are `[field, problem]` pairs. */
function toRecord(row: Row, plan: NumberPlan, now: number): { record: CustomerRecord } | { problems: [string, string][] } {
  const problems: [string, string][] = [];
  const id = row.id.trim();
  for (const [field, max] of Object.entries(CELL_LIMITS)) {
    const v = row[field as CsvColumn].trim();
    if (v.length > max) problems.push([field, `too long: ${v.length} characters, at most ${max}`]);
  }
  if (!id) problems.push(['id', 'required']);
  else if (id.length <= LIMITS.id && !CustomerId.safeParse(id).success) problems.push(['id', `${JSON.stringify(id)} may contain letters, digits and . _ : - only, starting with a letter or digit`]);
  if (!row.name.trim()) problems.push(['name', 'required']);

  const tierCell = row.tier.trim().toLowerCase();
  const tier: Tier = tierCell === '' ? 'standard' : (tierCell as Tier);
  if (!(TIERS as readonly string[]).includes(tier)) problems.push(['tier', `${JSON.stringify(row.tier.trim().slice(0, 40))} is not one of ${TIERS.join(', ')} (empty means standard)`]);

  const tags = splitList(row.tags);
  if (tags.length > LIMITS.tags) problems.push(['tags', `${tags.length} tags, at most ${LIMITS.tags}`]);
  for (const t of tags) if (t.length > LIMITS.tag) problems.push(['tags', `tag ${JSON.stringify(t.slice(0, 20) + '…')} is ${t.length} characters, at most ${LIMITS.tag}`]);

  const entries = splitList(row.phones);
  const phones: { label: string; number: string }[] = [];
  if (entries.length === 0) problems.push(['phones', 'at least one phone number is required']);
  if (entries.length > LIMITS.phones) problems.push(['phones', `${entries.length} numbers, at most ${LIMITS.phones}`]);
  for (const e of entries) {
    const m = LABEL_SEPARATOR.exec(e);
    const label = m ? e.slice(0, m.index).trim() : '';
    const number = m ? e.slice(m.index + 1).trim() : e;
    if (!number) problems.push(['phones', `${JSON.stringify(e.slice(0, 40))} has a label but no number`]);
    else if (number.length > LIMITS.rawPhone) problems.push(['phones', `${JSON.stringify(number.slice(0, 20) + '…')} is ${number.length} characters, at most ${LIMITS.rawPhone}`]);
    else if (label.length > LIMITS.phoneLabel) problems.push(['phones', `label ${JSON.stringify(label.slice(0, 20) + '…')} is ${label.length} characters, at most ${LIMITS.phoneLabel}`]);
    else {
      const ani = normaliseAni(number, plan);
      if (ani.valid) phones.push({ label, number });
      else if (ani.kind === 'short') problems.push(['phones', `${JSON.stringify(number)} is a short or service number, not a customer's phone number`]);
      else problems.push(['phones', `${JSON.stringify(number)} is not a valid phone number (region ${plan.defaultRegion}${plan.localAreaCode ? `, area code ${plan.localAreaCode}` : ''})`]);
    }
  }
  if (problems.length) return { problems };

  const r = toCustomerRecord({ id, name: row.name, company: row.company, tier, tags, notes: row.notes, phones, updatedAt: now }, plan, now);
  if (!r.ok) {
    return {
      problems: r.errors.map((e): [string, string] => {
        const colon = e.indexOf(': ');
        const path = colon < 0 ? 'row' : e.slice(0, colon);
        return [path.split('.')[0] || 'row', colon < 0 ? e : e.slice(colon + 2)];
      }),
    };
  }
  return { record: r.record };
}

// ---------- the import ----------

/**
 * Import customers from CSV bytes into `db` (a writable connection, migrated). All-or-nothing: the rows
 * are written in one transaction that is committed only when every line is valid. The write lock is
 * held while the file streams in; readers (the screen pop) are never blocked (WAL), and see the new
 * rows as soon as it commits.
 */
export async function importCustomersCsv(db: Db, source: Readable | AsyncIterable<Uint8Array | string>, plan: NumberPlan, opts: ImportOptions = {}): Promise<ImportReport> {
  const t0 = performance.now();
  const now = opts.now ?? Date.now();
  const dryRun = opts.dryRun ?? false;
  const issues: ImportIssue[] = [];
  let moreIssues = 0;
  const report = (line: number, field: string, problem: string) => {
    if (issues.length < MAX_REPORTED_ISSUES) issues.push({ line, field, problem });
    else moreIssues++;
  };

  const text = new Utf8Text();
  const parser = parse({
    bom: true,
    info: true,
    record_delimiter: '\n',
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  // Feed the parser by hand (not pipeline()), so an error on either side ends the loop below with that error.
  const input = (async () => {
    try {
      for await (const chunk of source) {
        if (text.destroyed) break; // the reader stopped (bad header, broken CSV): leaving the loop closes the source
        if (!text.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)) {
          await new Promise((r) => {
            text.once('drain', r);
            text.once('close', r);
          });
        }
      }
      if (!text.destroyed) text.end();
    } catch (e) {
      text.destroy(e as Error);
    }
  })();
  text.on('error', (e) => parser.destroy(e));
  text.pipe(parser);

  let columns: CsvColumn[] | undefined;
  let rows = 0;
  let lastEnd = 0;
  const seen = new Map<string, number>();

  /** One record, synchronously (validation and the upsert are synchronous): false stops the import. */
  const onRecord = ({ record: cells, info }: { record: string[]; info: { lines: number } }): boolean => {
    // csv-parse counts the line where a record ends; a quoted cell may hold line breaks.
    const line = info.lines - cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
    lastEnd = info.lines;
    if (cells.every((c) => c.trim() === '')) return true; // a line of blanks or bare commas
    if (!columns) {
      const h = checkHeader(cells);
      if ('problems' in h) {
        for (const p of h.problems) report(line, 'header', p);
        return false;
      }
      columns = h.columns;
      return true;
    }
    if (cells.length !== columns.length) {
      report(line, 'row', `${cells.length} fields, the header has ${columns.length}`);
      return true;
    }
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])) as Row;
    const result = toRecord(row, plan, now);
    const id = row.id.trim();
    const firstLine = id ? seen.get(id) : undefined;
    if (firstLine !== undefined) report(line, 'id', `${JSON.stringify(id)} is also on line ${firstLine}`);
    else if (id) seen.set(id, line);
    if ('problems' in result) {
      for (const [field, problem] of result.problems) report(line, field, problem);
      return true;
    }
    if (firstLine !== undefined) return true;
    rows++;
    if (issues.length === 0 && moreIssues === 0) upsertCustomer(db, result.record);
    return true;
  };

  db.exec('BEGIN IMMEDIATE');
  try {
    try {
      // Records are handled in 'data' events, not with for-await: csv-parse pushes every record it parsed
      // before it reports an error, and a destroyed stream would drop those still buffered for an iterator.
      await new Promise<void>((done, fail) => {
        let failure: unknown;
        parser.on('data', (item: { record: string[]; info: { lines: number } }) => {
          try {
            if (!onRecord(item)) parser.destroy();
          } catch (e) {
            parser.destroy(e as Error);
          }
        });
        parser.on('error', (e) => (failure = e));
        parser.on('close', () => (failure === undefined ? done() : fail(failure)));
      });
    } catch (e) {
      if (e instanceof NotUtf8Error) report(e.line, 'file', e.message);
      else if (e instanceof CsvError) report(csvErrorLine(e, lastEnd), 'file', csvErrorMessage(e));
      else throw e;
    } finally {
      parser.destroy();
      text.destroy();
      await input;
    }
    if (!columns && issues.length === 0) report(1, 'header', `the file is empty: the first row must be the header ${CSV_COLUMNS.join(',')}`);

    const ok = issues.length === 0 && moreIssues === 0;
    if (ok && !dryRun && rows > 0) setMeta(db, 'source', 'import');
    if (ok && !dryRun) db.exec('COMMIT');
    else db.exec('ROLLBACK');
    return { ok, rows: ok ? rows : 0, issues, moreIssues, dryRun, tookMs: performance.now() - t0 };
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}

/** Where to point the admin: an unclosed quote or an endless row is reported where its record begins. */
function csvErrorLine(e: CsvError, lastRecordEnd: number): number {
  if (e.code === 'CSV_QUOTE_NOT_CLOSED' || e.code === 'CSV_MAX_RECORD_SIZE') return lastRecordEnd + 1;
  const lines = (e as CsvError & { lines?: unknown }).lines;
  return typeof lines === 'number' && lines > 0 ? lines : lastRecordEnd + 1;
}

function csvErrorMessage(e: CsvError): string {
  switch (e.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return `a row longer than ${MAX_RECORD_CHARS} characters (is a closing quote missing?)`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is never closed (a missing closing quote "); nothing after it can be read';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return `a quote " in the middle of a cell: quote the whole cell and double the inner quotes ("" for ") (${e.message})`;
    default:
      return `the file is not valid CSV: ${e.message}`;
  }
}
