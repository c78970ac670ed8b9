// The customer CSV format, read by the backend import (POST /v1/customers/import) and usable by any
// other importer, so a file that loads in one place loads everywhere:
//
//   id,name,company,tier,tags,notes,phones
//   C-1,王芳,北京华信科技有限公司,gold,VIP;续约,偏好下午联系,mobile:138 0013 8000;office:010-6552 8899
//
// A header line is required; columns may come in any order; id, name and phones are required, the
// others optional. tags are `;`-separated; phones are `;`-separated `label:number` (the label and its
// colon may be left out). Cells are untrusted text: toCustomerRecord() validates and cleans them.
import type { CustomerInput } from '../domain/customer-input';

export const CUSTOMER_CSV_COLUMNS = ['id', 'name', 'company', 'tier', 'tags', 'notes', 'phones'] as const;
export type CustomerCsvColumn = (typeof CUSTOMER_CSV_COLUMNS)[number];
const REQUIRED: readonly CustomerCsvColumn[] = ['id', 'name', 'phones'];

export type CsvHeader = { ok: true; columns: Map<CustomerCsvColumn, number> } | { ok: false; errors: string[] };

export function readCustomerCsvHeader(cells: readonly string[]): CsvHeader {
  const columns = new Map<CustomerCsvColumn, number>();
  const errors: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw.replace(/^\uFEFF/, '').trim().toLowerCase();
    if (!(CUSTOMER_CSV_COLUMNS as readonly string[]).includes(name)) {
      errors.push(`unknown column "${name.slice(0, 40)}" (expected ${CUSTOMER_CSV_COLUMNS.join(',')})`);
      return;
    }
    const col = name as CustomerCsvColumn;
    if (columns.has(col)) errors.push(`column "${col}" appears twice`);
    columns.set(col, i);
  });
  for (const r of REQUIRED) if (!columns.has(r)) errors.push(`missing column "${r}"`);
  return errors.length ? { ok: false, errors } : { ok: true, columns };
}

const split = (cell: string): string[] =>
  cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** One data row → the raw input toCustomerRecord() validates. Never throws. */
export function customerCsvRow(cells: readonly string[], columns: ReadonlyMap<CustomerCsvColumn, number>): CustomerInput {
  const cell = (c: CustomerCsvColumn): string | undefined => {
    const i = columns.get(c);
    return i === undefined ? undefined : cells[i];
  };
  const input: CustomerInput = {
    id: (cell('id') ?? '').trim(),
    name: cell('name') ?? '',
    phones: split(cell('phones') ?? '').map((p) => {
      const colon = p.indexOf(':');
      return colon < 0 ? { label: '', number: p } : { label: p.slice(0, colon).trim(), number: p.slice(colon + 1).trim() };
    }),
  };
  const company = cell('company');
  if (company !== undefined) input.company = company;
  const tier = cell('tier')?.trim().toLowerCase();
  if (tier) input.tier = tier as CustomerInput['tier'];
  const tags = cell('tags');
  if (tags !== undefined) input.tags = split(tags);
  const notes = cell('notes');
  if (notes !== undefined) input.notes = notes;
  return input;
}

/** Quote one CSV cell when needed (RFC 4180), for writing files in this format. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
