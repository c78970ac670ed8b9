// Streamed CSV import of customers (format: shared/domain/customer-csv.ts). All or nothing per file:
//   1. stream the body through csv-parse; validate every row with toCustomerRecord(); stage valid rows in
//      import_rows in batches (no transaction open, so an upload never blocks other requests for long);
//   2. any bad line → 422 with the line numbers and reasons, nothing imported;
//   3. otherwise one transaction moves the staged rows into customers with fresh seqs. A row identical to
//      the stored customer (apart from updatedAt) is left alone, so re-importing a nightly export only
//      syncs what really changed.
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { parse as csvParse, type CsvError } from 'csv-parse';
import type { NumberPlan } from '../../shared/domain/settings';
import { checkCsvHeader, csvCustomerRecord, csvRow, type CsvColumn } from '../../shared/domain/customer-csv';
import { MAX_REPORTED_LINE_ERRORS, type ImportLineError, type ImportResult } from '../../shared/sync/api';
import type { Db } from '../db/db';
import { writeChanges } from '../db/changes';
import { HttpError } from '../http/errors';
import { customerDoc, refreshWindow } from './store';

export interface ImportOptions {
  plan: NumberPlan;
  /** Largest accepted body (bytes). */
  maxBytes: number;
  userId: number | null;
  /** Rows per staging insert. */
  batchRows?: number;
}

const MAX_RECORD_BYTES = 64 * 1024;

class LineErrors {
  readonly lines: ImportLineError[] = [];
  count = 0;
  add(line: number, errors: string[], id?: string): void {
    this.count++;
    if (this.lines.length < MAX_REPORTED_LINE_ERRORS) this.lines.push(id ? { line, id: id.slice(0, 64), errors } : { line, errors });
  }
  reject(message: string): HttpError {
    return new HttpError('invalid_data', message, { lines: this.lines, errorLines: this.count });
  }
}

function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new HttpError('payload_too_large', `the file is larger than ${max} bytes; split it or raise the import limit`));
      else done(null, chunk);
    },
  });
}

export async function importCustomersCsv(db: Db, body: Readable, opts: ImportOptions): Promise<ImportResult> {
  const importId = randomUUID();
  const now = Date.now();
  const batchRows = opts.batchRows ?? 2000;
  await db.query('INSERT INTO imports (id, user_id, started_at) VALUES ($1, $2, $3)', [importId, opts.userId, now]);
  try {
    const errors = new LineErrors();
    const seen = new Map<string, number>();
    let columns: CsvColumn[] | null = null;
    let rows = 0;
    let batch: { line: number[]; id: string[]; doc: string[] } = { line: [], id: [], doc: [] };
    const flush = async () => {
      if (!batch.line.length) return;
      const b = batch;
      batch = { line: [], id: [], doc: [] };
      await db.query('INSERT INTO import_rows (import_id, line, id, doc) SELECT $1, t.line, t.id, t.doc FROM unnest($2::int[], $3::text[], $4::text[]) AS t(line, id, doc)', [
        importId,
        b.line,
        b.id,
        b.doc,
      ]);
    };

    const limiter = byteLimit(opts.maxBytes);
    const parser = csvParse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_RECORD_BYTES, info: true });
    body.on('error', (err) => parser.destroy(err));
    limiter.on('error', (err) => parser.destroy(err));
    body.pipe(limiter).pipe(parser);

    try {
      for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        const { record: cells, info } = item;
        const line = info.lines;
        if (!columns) {
          const header = checkCsvHeader(cells);
          if ('problems' in header) {
            errors.add(line, header.problems);
            throw errors.reject('the header line is not a customer CSV header');
          }
          columns = header.columns;
          continue;
        }
        rows++;
        const problems: string[] = [];
        if (cells.length !== columns.length) problems.push(`expected ${columns.length} columns, found ${cells.length}`);
        if (cells.some((c) => c.includes('\uFFFD'))) problems.push('not valid UTF-8: save the file as UTF-8 (Excel: "CSV UTF-8")');
        const row = csvRow(cells, columns);
        const id = row.id.trim();
        const result = problems.length ? null : csvCustomerRecord(row, opts.plan, now);
        if (result && 'problems' in result) problems.push(...result.problems.map(([field, problem]) => `${field}: ${problem}`));
        const first = seen.get(id);
        if (id && first !== undefined) problems.push(`id ${id} already appears on line ${first}`);
        else if (id) seen.set(id, line);
        if (problems.length || !result || 'problems' in result) {
          errors.add(line, problems, id || undefined);
          continue;
        }
        if (errors.count) continue; // the file is rejected anyway: validate the rest, stage nothing more
        batch.line.push(line);
        batch.id.push(result.record.id);
        batch.doc.push(customerDoc(result.record));
        if (batch.line.length >= batchRows) await flush();
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const csv = err as CsvError & { lines?: number };
      if (typeof csv.code === 'string' && csv.code.startsWith('CSV_')) {
        errors.add(csv.lines ?? rows + 1, [`unreadable CSV: ${csv.message}`]);
        throw errors.reject('the file is not valid CSV');
      }
      throw err;
    }
    if (!columns) throw errors.reject('the file is empty: expected a header line and customers');
    if (errors.count) throw errors.reject(`${errors.count} line${errors.count === 1 ? '' : 's'} with errors; nothing was imported`);
    if (rows === 0) throw errors.reject('the file has a header but no customers');
    await flush();

    return await writeChanges(db, async (tx, changes) => {
      const merged = await tx.query<{ line: number; id: string; merged_into: string }>(
        `SELECT s.line, s.id, c.merged_into FROM import_rows s JOIN customers c ON c.id = s.id
          WHERE s.import_id = $1 AND c.merged_into IS NOT NULL ORDER BY s.line LIMIT $2`,
        [importId, MAX_REPORTED_LINE_ERRORS],
      );
      if (merged.length) {
        for (const m of merged) errors.add(m.line, [`customer ${m.id} was merged into ${m.merged_into}: import it as ${m.merged_into} instead`], m.id);
        throw errors.reject('some lines name customers that were merged into others; nothing was imported');
      }
      // Deleted customers this file brings back: their history re-enters the window below.
      const revived = await tx.query<{ id: string }>(
        'SELECT s.id FROM import_rows s JOIN customers c ON c.id = s.id WHERE s.import_id = $1 AND c.doc IS NULL',
        [importId],
      );
      const [counts] = await tx.query<{ created: number; updated: number }>(
        `WITH src AS (
           SELECT id, doc, $2::bigint + row_number() OVER (ORDER BY line) AS seq FROM import_rows WHERE import_id = $1
         ), up AS (
           INSERT INTO customers AS c (id, seq, doc, merged_into, changed_at, deleted_at)
           SELECT id, seq, doc, NULL, $3, NULL FROM src
           ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, doc = EXCLUDED.doc, merged_into = NULL, changed_at = EXCLUDED.changed_at, deleted_at = NULL
            WHERE c.doc IS NULL OR (c.doc::jsonb - 'updatedAt') IS DISTINCT FROM (EXCLUDED.doc::jsonb - 'updatedAt')
           RETURNING (xmax = 0) AS inserted
         )
         SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`,
        [importId, changes.current, now],
      );
      const created = counts?.created ?? 0;
      const updated = counts?.updated ?? 0;
      // Seqs were numbered for every row; unchanged rows leave gaps, which the protocol allows.
      if (created + updated > 0) changes.advance('customers', rows);
      await refreshWindow(
        tx,
        changes,
        revived.map((r) => r.id),
      );
      return { rows, created, updated, seq: changes.current };
    });
  } finally {
    await db.query('DELETE FROM import_rows WHERE import_id = $1', [importId]).catch(() => undefined);
    await db.query('DELETE FROM imports WHERE id = $1', [importId]).catch(() => undefined);
  }
}

/** Staged rows of imports that never finished (a crash mid-upload): safe to drop after a day. */
export async function dropStaleImports(db: Db, olderThanMs = 86_400_000): Promise<void> {
  const cutoff = Date.now() - olderThanMs;
  await db.query('DELETE FROM import_rows WHERE import_id IN (SELECT id FROM imports WHERE started_at < $1)', [cutoff]);
  await db.query('DELETE FROM imports WHERE started_at < $1', [cutoff]);
}
