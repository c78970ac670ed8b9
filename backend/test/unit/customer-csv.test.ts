import { describe, expect, it } from 'vitest';
import { checkCsvHeader, csvCell, csvCustomerRecord, csvRow } from '../../../shared/domain/customer-csv';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';

// The format is shared with the desktop importer (test/integration/csv-import.test.ts covers it in depth);
// these checks pin what the backend import relies on.
describe('customer CSV format (shared with the desktop import)', () => {
  it('reads a header in any order, BOM included, and refuses unknown, missing and repeated columns', () => {
    const h = checkCsvHeader(['\uFEFFPhones', ' name ', 'id', 'company', 'tier', 'tags', 'notes']);
    expect('columns' in h && h.columns).toEqual(['phones', 'name', 'id', 'company', 'tier', 'tags', 'notes']);
    const bad = checkCsvHeader(['id', 'id', 'email']);
    const text = 'problems' in bad ? bad.problems.join('\n') : '';
    expect(text).toMatch(/unknown column.*email/);
    expect(text).toMatch(/missing column.*name/);
    expect(text).toMatch(/id appear more than once/);
  });

  it('turns a row into a customer: ;-separated tags and label:number phones, full-width separators too', () => {
    const h = checkCsvHeader(['id', 'name', 'company', 'tier', 'tags', 'notes', 'phones']);
    if (!('columns' in h)) throw new Error('header');
    const row = csvRow([' C-1 ', '王芳', 'Acme', 'GOLD', 'VIP； 续约;;', 'n', 'mobile：138 0013 8000; 010-6552 8899'], h.columns);
    const r = csvCustomerRecord(row, DEFAULT_NUMBER_PLAN, 1);
    expect('record' in r && r.record).toMatchObject({
      id: 'C-1',
      name: '王芳',
      company: 'Acme',
      tier: 'gold',
      tags: ['VIP', '续约'],
      notes: 'n',
      phones: [
        { label: 'mobile', e164: '+8613800138000' },
        { label: '', e164: '+861065528899' },
      ],
    });
    const short = csvCustomerRecord(csvRow(['C-2'], h.columns), DEFAULT_NUMBER_PLAN, 1);
    expect('problems' in short && short.problems.map((p) => p[0])).toEqual(expect.arrayContaining(['name', 'phones']));
  });

  it('quotes cells that need it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });
});
