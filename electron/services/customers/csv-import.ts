// CSV import of customers into the local cache: streamed (one record in memory at a time), validated
// line by line, all-or-nothing per file. Every bad line is reported as `line N: field: problem`; any
// problem rolls the whole file back. Rows are upserted by id, so importing the same file twice leaves
// the cache as after the first time. The file format is documented in docs/import-format.md and in
// `npm run import -- --help` (electron/cli/import.ts), which is a thin wrapper around this module.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { checkCsvHeader, csvCustomerRecord, csvRow, CSV_COLUMNS, type CsvColumn } from '../../../shared/domain/customer-csv';
import type { NumberPlan } from '../../../shared/domain/settings';
import { setMeta, upsertCustomer } from '../db/customers';
import type { Db } from '../db/open';

export { CSV_COLUMNS, type CsvColumn } from '../../../shared/domain/customer-csv';

/** Longest record (all cells of one row) accepted; longer is a broken file, e.g. a missing closing quote. */
export const MAX_RECORD_CHARS = 64 * 1024;
/** Issues kept for the report; beyond this only their number is counted (a wrong file can have millions). */
export const MAX_REPORTED_ISSUES = 1000;

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
      const h = checkCsvHeader(cells);
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
    const row = csvRow(cells, columns);
    const result = csvCustomerRecord(row, plan, now);
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
