// The customer CSV import against a real SQLite cache: format, per-line errors, all-or-nothing,
// idempotence, streaming, and visibility to the app's separate read-only connection.
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import type { NumberPlan } from '../../shared/domain/settings';
import { formatIssue, importCustomersCsv, MAX_RECORD_CHARS, MAX_REPORTED_ISSUES, type ImportReport } from '../../electron/services/customers/csv-import';
import { cacheCounts, customerRidsByE164, customerCard, getMeta, upsertInteraction } from '../../electron/services/db/customers';
import { openDb, type Db } from '../../electron/services/db/open';
import { lookupCaller } from '../../electron/services/lookup/lookup-service';
import { freshCache, tempDir } from './support/temp-dir';

const dir = tempDir();
const HEADER = 'id,name,company,tier,tags,notes,phones';
const NOW = Date.UTC(2026, 0, 15);
const CN: NumberPlan = DEFAULT_NUMBER_PLAN;

let db: Db;
let path: string;
beforeEach(() => {
  ({ db, path } = freshCache(dir));
});
afterEach(() => db.close());

const run = (csv: string | Buffer | Uint8Array[], plan: NumberPlan = CN, opts: { dryRun?: boolean } = {}): Promise<ImportReport> =>
  importCustomersCsv(db, Array.isArray(csv) ? Readable.from(csv) : Readable.from([typeof csv === 'string' ? Buffer.from(csv) : csv]), plan, { now: NOW, ...opts });
const lines = (r: ImportReport) => r.issues.map(formatIssue);
const card = (id: string, d: Db = db) => {
  const rid = d.prepare<[string], { rid: number }>('SELECT rid FROM customers WHERE id = ?').get(id)?.rid;
  return rid === undefined ? undefined : customerCard(d, rid);
};
const dump = (d: Db = db) => ({
  customers: d.prepare('SELECT * FROM customers ORDER BY id').all(),
  phones: d.prepare('SELECT * FROM customer_phones ORDER BY e164, customer_rid').all(),
});

const GOOD = [
  HEADER,
  'C-1,王芳,北京华信科技有限公司,gold,VIP;续约,"续约谈判中。\n偏好下午联系。",mobile:138 0013 8000;office:010-6552 8899',
  'C-2,Michael Chen,"Harbor Logistics, Beijing",Platinum,enterprise,"He said ""call me Mike""",switchboard:010-8888 6666',
  'C-3,刘洋,,,,,(010) 8888 6666',
  'C-4,Ann Lee,,silver,a；b ; ;c,,手机：+86 139-0000-1111；+1 415 555 2671',
].join('\n');

describe('a valid file', () => {
  it('imports every row with its columns, tags, notes and normalised numbers', async () => {
    const r = await run(GOOD);
    expect(lines(r)).toEqual([]);
    expect(r).toMatchObject({ ok: true, rows: 4, moreIssues: 0, dryRun: false });
    expect(cacheCounts(db)).toMatchObject({ customers: 4, phones: 6 });
    expect(card('C-1')).toMatchObject({
      name: '王芳',
      company: '北京华信科技有限公司',
      tier: 'gold',
      tags: ['VIP', '续约'],
      notes: '续约谈判中。\n偏好下午联系。',
      phones: [
        { e164: '+8613800138000', label: 'mobile' },
        { e164: '+861065528899', label: 'office' },
      ],
    });
    expect(card('C-2')).toMatchObject({ company: 'Harbor Logistics, Beijing', tier: 'platinum', notes: 'He said "call me Mike"' });
    expect(card('C-3')).toMatchObject({ tier: 'standard', tags: [], company: '', notes: '', phones: [{ e164: '+861088886666', label: '' }] });
    // full-width separators from a Chinese input method
    expect(card('C-4')).toMatchObject({ tags: ['a', 'b', 'c'], phones: [{ e164: '+8613900001111', label: '手机' }, { e164: '+14155552671', label: '' }] });
    expect(getMeta(db, 'source')).toBe('import');
  });

  it('accepts a BOM, CRLF line ends (also inside quoted notes), blank lines and columns in any order', async () => {
    const csv = '\uFEFF' + ['phones, NAME ,id,tier,notes,company,tags', '13800138000,王芳,C-1,,"a\r\nb",,', '', ',,,,,,', '010-88886666,Bob,C-2,gold,,,'].join('\r\n') + '\r\n';
    const r = await run(csv);
    expect(lines(r)).toEqual([]);
    expect(r.rows).toBe(2);
    expect(card('C-1')).toMatchObject({ name: '王芳', notes: 'a\nb' });
    expect(card('C-2')).toMatchObject({ tier: 'gold', phones: [{ e164: '+861088886666' }] });
  });

  it('gives the same result however the bytes are chunked (split UTF-8 characters, split CRLF)', async () => {
    const bytes = Buffer.from('\uFEFF' + GOOD.replace(/\n/g, '\r\n'));
    await run(bytes);
    const expected = dump();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => Uint8Array.from(bytes.subarray(p, points[i] ?? bytes.length)));
        db.exec('DELETE FROM customers; DELETE FROM customer_phones;');
        const r = await run(chunks);
        expect(lines(r)).toEqual([]);
        expect(dump()).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('is idempotent: the same file twice leaves the same rows', async () => {
    await run(GOOD);
    const first = dump();
    const again = await run(GOOD);
    expect(again.ok).toBe(true);
    expect(dump()).toEqual(first);
  });

  it('upserts by id: a later file replaces the customer and its numbers, keeps its history and other customers', async () => {
    await run(GOOD);
    upsertInteraction(db, { id: 'H1', customerId: 'C-1', at: NOW - 1000, direction: 'inbound', channel: 'voice', agent: 'a', disposition: 'resolved', note: '', durationS: 60 });
    const r = await run([HEADER, 'C-1,王芳芳,,standard,,,13700000001'].join('\n'));
    expect(r.rows).toBe(1);
    expect(card('C-1')).toMatchObject({ name: '王芳芳', company: '', tier: 'standard', tags: [], phones: [{ e164: '+8613700000001' }] });
    expect(card('C-1')?.interactions.map((i) => i.id)).toEqual(['H1']);
    expect(customerRidsByE164(db, '+8613800138000')).toEqual([]);
    expect(cacheCounts(db).customers).toBe(4);
  });

  it('uses the number plan: a local number without area code is valid only with a configured area code', async () => {
    const csv = [HEADER, 'C-1,Local,,,,,88886666'].join('\n');
    const without = await run(csv);
    expect(lines(without)).toEqual(['line 2: phones: "88886666" is not a valid phone number (region CN)']);
    const withArea = await run(csv, { ...CN, localAreaCode: '10' });
    expect(withArea.ok).toBe(true);
    expect(card('C-1')?.phones[0]?.e164).toBe('+861088886666');
  });

  it('a header with no rows imports nothing and says so without error', async () => {
    const r = await run(HEADER + '\n');
    expect(r).toMatchObject({ ok: true, rows: 0 });
    expect(getMeta(db, 'source')).toBeUndefined();
  });

  it('a dry run validates everything and writes nothing', async () => {
    const r = await run(GOOD, CN, { dryRun: true });
    expect(r).toMatchObject({ ok: true, rows: 4, dryRun: true });
    expect(cacheCounts(db).customers).toBe(0);
    expect(getMeta(db, 'source')).toBeUndefined();
  });
});

describe('a file with problems: every bad line reported, nothing imported', () => {
  it('reports each bad line as "line N: field: problem" and leaves the cache exactly as it was', async () => {
    await run([HEADER, 'OLD-1,Old,,,,,13700000009'].join('\n'));
    const before = dump();
    const csv = [
      HEADER,
      'C-1,Good,,,,,13800138000', // 2
      'C-2,Bad tier,,diamond,,,13800138001', // 3
      'C-3,"multi', // 4: record starts here and spans two lines
      'line name",,,,,12345', // 5
      'C-4,,,,,,', // 6
      'bad id!,x,,,,,13800138002', // 7
      'C-5,too few,fields', // 8
      'C-6,Last good,,,,,13800138003', // 9
    ].join('\n');
    const r = await run(csv);
    expect(r.ok).toBe(false);
    expect(r.rows).toBe(0);
    expect(lines(r)).toEqual([
      'line 3: tier: "diamond" is not one of platinum, gold, silver, standard (empty means standard)',
      `line 4: phones: "12345" is a short or service number, not a customer's phone number`,
      'line 6: name: required',
      'line 6: phones: at least one phone number is required',
      'line 7: id: "bad id!" may contain letters, digits and . _ : - only, starting with a letter or digit',
      'line 8: row: 3 fields, the header has 7',
    ]);
    expect(dump()).toEqual(before);
  });

  it('reports duplicate ids with both line numbers', async () => {
    const r = await run([HEADER, 'C-1,A,,,,,13800138000', 'C-2,B,,,,,13800138001', 'C-1,C,,,,,13800138002'].join('\n'));
    expect(lines(r)).toEqual(['line 4: id: "C-1" is also on line 2']);
    expect(cacheCounts(db).customers).toBe(0);
  });

  it('rejects oversized cells instead of cutting them', async () => {
    const r = await run(
      [
        HEADER,
        `C-1,${'名'.repeat(121)},,,,,13800138000`,
        `C-2,ok,,,,"${'n'.repeat(4001)}",13800138001`,
        `C-3,ok,,,${Array.from({ length: 21 }, (_, i) => `t${i}`).join(';')},,13800138002`,
        `C-4,ok,,,${'x'.repeat(41)},,13800138003`,
        `C-5,ok,,,,,${'1'.repeat(41)}`,
        `C-6,ok,,,,,${Array.from({ length: 11 }, (_, i) => `1380013${String(8100 + i)}`).join(';')}`,
        `${'i'.repeat(65)},ok,,,,,13800138004`,
      ].join('\n'),
    );
    expect(lines(r)).toEqual([
      'line 2: name: too long: 121 characters, at most 120',
      'line 3: notes: too long: 4001 characters, at most 4000',
      'line 4: tags: 21 tags, at most 20',
      `line 5: tags: tag "xxxxxxxxxxxxxxxxxxxx…" is 41 characters, at most 40`,
      `line 6: phones: "11111111111111111111…" is 41 characters, at most 40`,
      'line 7: phones: 11 numbers, at most 10',
      'line 8: id: too long: 65 characters, at most 64',
    ]);
  });

  it('rejects a row longer than the record limit (a missing closing quote) at the line where it starts', async () => {
    const r = await run([HEADER, 'C-1,A,,,,,13800138000', `C-2,"${'x'.repeat(MAX_RECORD_CHARS + 10)}`, 'C-3,B,,,,,13800138001'].join('\n'));
    expect(lines(r)).toEqual([`line 3: file: a row longer than ${MAX_RECORD_CHARS} characters (is a closing quote missing?)`]);
    expect(cacheCounts(db).customers).toBe(0);
  });

  it('reports an unclosed quote at the line where its record starts', async () => {
    const r = await run([HEADER, 'C-1,A,,,,,13800138000', 'C-2,"unclosed,,,,,1', 'C-3,B,,,,,13800138001', ''].join('\n'));
    expect(lines(r)).toEqual(['line 3: file: a quoted cell is never closed (a missing closing quote "); nothing after it can be read']);
    expect(cacheCounts(db).customers).toBe(0);
  });

  it('reports a stray quote inside a cell at its line', async () => {
    const r = await run([HEADER, 'C-1,A,,,,,13800138000', 'C-2,Bo"b,,,,,13800138001'].join('\n'));
    expect(r.ok).toBe(false);
    expect(lines(r)[0]).toMatch(/^line 3: file: a quote " in the middle of a cell/);
  });

  it('names missing and unknown header columns', async () => {
    const missing = await run(['id,name,phones', 'C-1,A,13800138000'].join('\n'));
    expect(lines(missing)).toEqual([`line 1: header: missing column(s) company, tier, tags, notes; every file needs all of ${HEADER}`]);
    const unknown = await run([`${HEADER},email,Fax`, 'C-1,A,,,,,13800138000,a@b.c,'].join('\n'));
    expect(lines(unknown)).toEqual([`line 1: header: unknown column(s) "email", "fax"; the columns are ${HEADER}`]);
    const twice = await run([`${HEADER},name`].join('\n'));
    expect(lines(twice)).toEqual(['line 1: header: column(s) name appear more than once']);
  });

  it('requires a header row', async () => {
    const r = await run(['C-1,王芳,,gold,,,13800138000'].join('\n'));
    expect(lines(r)[0]).toMatch(/^line 1: header: the first row must be the header id,name,company,tier,tags,notes,phones/);
    expect(lines(await run(''))).toEqual([`line 1: header: the file is empty: the first row must be the header ${HEADER}`]);
    expect(lines(await run('\uFEFF\n\n'))).toEqual([`line 1: header: the file is empty: the first row must be the header ${HEADER}`]);
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    // 张三 in GBK, as Excel on a Chinese Windows saves "CSV"
    const gbk = Buffer.concat([Buffer.from(`${HEADER}\nC-1,A,,,,,13800138000\nC-2,`), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(',,,,,13800138001\n')]);
    const r = await run(gbk);
    expect(r.ok).toBe(false);
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(/^line 3: file: the file is not UTF-8 text .*iconv -f GBK -t UTF-8/);
    expect(cacheCounts(db).customers).toBe(0);

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(HEADER, 'utf16le')]);
    expect(lines(await run(utf16))[0]).toMatch(/^line 1: file: the file is UTF-16, not UTF-8/);
  });

  it('counts problems beyond the reported ones', async () => {
    const bad = Array.from({ length: MAX_REPORTED_ISSUES + 5 }, (_, i) => `C-${i},x,,gold,,,123`);
    const r = await run([HEADER, ...bad].join('\n'));
    expect(r.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(r.moreIssues).toBe(5);
    expect(r.ok).toBe(false);
  });

  it('rolls back and rethrows when the source itself fails mid-file', async () => {
    async function* failing() {
      yield Buffer.from(`${HEADER}\nC-1,A,,,,,13800138000\n`);
      throw new Error('disk on fire');
    }
    await expect(importCustomersCsv(db, failing(), CN)).rejects.toThrow('disk on fire');
    expect(db.inTransaction).toBe(false);
    expect(cacheCounts(db).customers).toBe(0);
  });
});

describe('streaming and the running app', () => {
  it('writes while reading: rows are in the transaction before the source is exhausted', async () => {
    // 1000 rows of 2 KB: far more than the streams' buffers hold, so if the importer read everything
    // before writing, nothing would be written when the source is half read.
    const total = 1000;
    let countWhenHalfRead = -1;
    const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM customers');
    const note = 'n'.repeat(2000);
    async function* source() {
      yield Buffer.from(`${HEADER}\n`);
      for (let i = 0; i < total; i++) {
        if (i === total / 2) countWhenHalfRead = count.get()?.n ?? -1; // same connection: sees its own open transaction
        yield Buffer.from(`C-${i},Name ${i},,,,${note},1380000${String(i).padStart(4, '0')}\n`);
      }
    }
    const r = await importCustomersCsv(db, source(), CN, { now: NOW });
    expect(r.rows).toBe(total);
    expect(countWhenHalfRead).toBeGreaterThan(0);
    expect(countWhenHalfRead).toBeLessThan(total);
  });

  it('stops reading the source early when the header is wrong', async () => {
    let produced = 0;
    async function* source() {
      yield Buffer.from('name,email\n');
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield Buffer.from(`x${i},y\n`);
      }
    }
    const r = await importCustomersCsv(db, source(), CN);
    expect(r.ok).toBe(false);
    expect(produced).toBeLessThan(100_000);
  });

  it('a separate read-only connection (the running app) sees the imported rows at its next lookup', async () => {
    const reader = openDb(path, { readonly: true });
    try {
      expect(lookupCaller(reader, '+8613800138000', CN).match).toBe('none');
      const r = await run(GOOD);
      expect(r.ok).toBe(true);
      const found = lookupCaller(reader, '013800138000', CN);
      expect(found.match).toBe('exact');
      expect(found.customers.map((c) => c.id)).toEqual(['C-1']);
      expect(lookupCaller(reader, '01088886666', CN).customers.map((c) => c.id).sort()).toEqual(['C-2', 'C-3']);
    } finally {
      reader.close();
    }
  });

  it('a reader never sees a half-imported file', async () => {
    const reader = openDb(path, { readonly: true });
    try {
      const seen: number[] = [];
      const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM customers');
      async function* source() {
        yield Buffer.from(`${HEADER}\n`);
        for (let i = 0; i < 200; i++) {
          if (i % 50 === 0) seen.push(count.get()?.n ?? -1);
          yield Buffer.from(`C-${i},N,,,,,1380000${String(i).padStart(4, '0')}\n`);
        }
      }
      await importCustomersCsv(db, source(), CN);
      expect(seen).toEqual([0, 0, 0, 0]);
      expect(count.get()?.n).toBe(200);
    } finally {
      reader.close();
    }
  });
});
