// The customer CSV format, one definition for every importer (the desktop's `npm run import`, the
// backend's POST /v1/customers/import), so a file that loads in one place loads everywhere:
//
//   id,name,company,tier,tags,notes,phones
//   C-1,王芳,北京华信科技有限公司,gold,VIP;续约,偏好下午联系,mobile:138 0013 8000;office:010-6552 8899
//
// The header row names all seven columns, in any order: a column left out would silently blank what an
// earlier import wrote, so it is an error. tags and phones are `;`-separated (or the full-width `；` that
// Chinese input methods type); a phone entry is `label:number` or just `number` (`:` or `：`). Cells are
// untrusted text; customerCsvRecord() checks every limit with a problem an admin can act on, then
// toCustomerRecord() cleans and normalises. Documented for admins in docs/import-format.md.
import { LIMITS, TIERS, CustomerId, type Tier } from './customer';
import { toCustomerRecord, type CustomerRecord } from './customer-input';
import type { NumberPlan } from './settings';
import { normaliseAni } from '../phone/ani';

/** The columns of a customer CSV, all required in the header row, in any order. */
export const CSV_COLUMNS = ['id', 'name', 'company', 'tier', 'tags', 'notes', 'phones'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
export type CsvRow = Record<CsvColumn, string>;
/** A problem with one cell: [field, what is wrong]. */
export type CsvProblem = [field: string, problem: string];

const CELL_LIMITS: Record<Exclude<CsvColumn, 'tags' | 'phones' | 'tier'>, number> = {
  id: LIMITS.id,
  name: LIMITS.name,
  company: LIMITS.company,
  notes: LIMITS.notes,
};
/** `;` and its full-width form (typed by Chinese input methods) separate tags and phone entries. */
export const LIST_SEPARATOR = /[;；]/;
/** `label:number`, with ':' or the full-width '：'. */
export const LABEL_SEPARATOR = /[:：]/;

/** Check the header row; the BOM a spreadsheet may write before it is ignored. */
export function checkCsvHeader(cells: readonly string[]): { columns: CsvColumn[] } | { problems: string[] } {
  const names = cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim().toLowerCase());
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

/** The cells of one data row by column name (a missing cell is empty). */
export function csvRow(cells: readonly string[], columns: readonly CsvColumn[]): CsvRow {
  return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])) as CsvRow;
}

const splitList = (cell: string) =>
  cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);

/** Validate one row. Problems are `[field, problem]` pairs. */
export function csvCustomerRecord(row: CsvRow, plan: NumberPlan, now: number): { record: CustomerRecord } | { problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
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
      problems: r.errors.map((e): CsvProblem => {
        const colon = e.indexOf(': ');
        const path = colon < 0 ? 'row' : e.slice(0, colon);
        return [path.split('.')[0] || 'row', colon < 0 ? e : e.slice(colon + 2)];
      }),
    };
  }
  return { record: r.record };
}

/** Quote one CSV cell when needed (RFC 4180), for writing files in this format. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
