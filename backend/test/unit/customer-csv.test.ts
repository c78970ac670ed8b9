import { describe, expect, it } from 'vitest';
import { csvCell, customerCsvRow, readCustomerCsvHeader } from '../../../shared/sync/customer-csv';

describe('customer CSV format', () => {
  it('reads a header in any order and refuses unknown, missing and repeated columns', () => {
    const h = readCustomerCsvHeader(['\uFEFFPhones', ' name ', 'id']);
    expect(h.ok && [...h.columns.entries()]).toEqual([
      ['phones', 0],
      ['name', 1],
      ['id', 2],
    ]);
    const bad = readCustomerCsvHeader(['id', 'id', 'email']);
    expect(!bad.ok && bad.errors).toEqual(['column "id" appears twice', 'unknown column "email" (expected id,name,company,tier,tags,notes,phones)', 'missing column "name"', 'missing column "phones"']);
  });

  it('turns a row into customer input: ;-separated tags and label:number phones', () => {
    const h = readCustomerCsvHeader(['id', 'name', 'company', 'tier', 'tags', 'notes', 'phones']);
    if (!h.ok) throw new Error('header');
    expect(customerCsvRow([' C-1 ', '王芳', 'Acme', 'GOLD', 'VIP; 续约;;', 'n', 'mobile:138 0013 8000; 010-6552 8899 ;tel:x:1'], h.columns)).toEqual({
      id: 'C-1',
      name: '王芳',
      company: 'Acme',
      tier: 'gold',
      tags: ['VIP', '续约'],
      notes: 'n',
      phones: [
        { label: 'mobile', number: '138 0013 8000' },
        { label: '', number: '010-6552 8899' },
        { label: 'tel', number: 'x:1' },
      ],
    });
    // A short row: missing cells are simply absent.
    expect(customerCsvRow(['C-2'], h.columns)).toEqual({ id: 'C-2', name: '', phones: [] });
  });

  it('quotes cells that need it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
  });
});
