// The shared page reader refuses every way a page can be wrong, so a bad page never reaches a cache.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter, PageReader, SyncProtocolError, type PageRequest } from '../../../shared/sync/page-reader';
import type { SyncStream } from '../../../shared/sync/protocol';

const EPOCH = 'abc123.1.0';
const begin = (after: number, over: object = {}) => JSON.stringify({ type: 'begin', stream: 'customers', protocol: 1, epoch: EPOCH, after, highWater: 100, ...over });
const customer = (id: string) => ({ id, name: 'N', company: '', tier: 'standard', tags: [], notes: '', phones: [{ e164: '+8613800138000', display: '138 0013 8000', label: '' }], updatedAt: 1 });
const upsert = (seq: number, id = `C${seq}`) => JSON.stringify({ type: 'upsert', seq, customer: customer(id) });
const tomb = (seq: number, id = `C${seq}`, mergedInto: string | null = null) => JSON.stringify({ type: 'tombstone', seq, id, mergedInto });
const end = (next: number, count: number, more = false) => JSON.stringify({ type: 'end', next, count, more });

function read(lines: string[], req: PageRequest = { after: 10, epoch: EPOCH }, stream: SyncStream = 'customers') {
  const r = new PageReader(stream, req);
  for (const l of lines) r.line(l);
  return r.finish();
}
function fails(lines: string[], kind: SyncProtocolError['kind'], req?: PageRequest) {
  try {
    read(lines, req);
  } catch (err) {
    expect(err).toBeInstanceOf(SyncProtocolError);
    expect((err as SyncProtocolError).kind).toBe(kind);
    return (err as Error).message;
  }
  throw new Error('the page was accepted');
}

describe('PageReader', () => {
  it('accepts a well-formed page', () => {
    const page = read([begin(10), upsert(11), tomb(15, 'C2', 'C3'), upsert(20), end(25, 3, true)]);
    expect(page.changes.map((c) => c.seq)).toEqual([11, 15, 20]);
    expect(page.end).toEqual({ type: 'end', next: 25, count: 3, more: true });
  });

  it('refuses malformed lines, wrong types and oversized fields', () => {
    fails([begin(10), '{"type":"upsert","seq":11,', end(11, 1)], 'malformed');
    fails([begin(10), JSON.stringify({ type: 'upsert', seq: '11', customer: customer('C1') }), end(11, 1)], 'malformed');
    fails([begin(10), JSON.stringify({ type: 'upsert', seq: 11, customer: { ...customer('C1'), name: 'x'.repeat(500) } }), end(11, 1)], 'malformed');
    fails([begin(10), JSON.stringify({ type: 'upsert', seq: 11, customer: { ...customer('C1'), phones: [] } }), end(11, 1)], 'malformed');
    fails([begin(10), JSON.stringify({ type: 'whatever', seq: 11 }), end(11, 1)], 'malformed');
    fails([upsert(11), end(11, 1)], 'malformed');
    fails([begin(10), 'x'.repeat(300_000)], 'oversized');
  });

  it('refuses a page that starts elsewhere, repeats or reorders seqs, or belongs to another dataset', () => {
    expect(fails([begin(12), upsert(13), end(13, 1)], 'mismatch')).toContain('asked for changes after 10');
    fails([begin(10), upsert(11), upsert(11), end(11, 2)], 'order');
    fails([begin(10), upsert(12), upsert(11), end(12, 2)], 'order');
    fails([begin(10), upsert(10), end(10, 1)], 'order');
    fails([begin(10), upsert(12), end(11, 1)], 'order');
    fails([begin(10), end(10, 0, true)], 'order');
    fails([begin(10, { epoch: 'other.1.0' }), end(10, 0)], 'mismatch');
    fails([begin(10, { epoch: 'abc123.2.0' }), end(10, 0)], 'mismatch');
    fails([begin(10, { stream: 'interactions' }), end(10, 0)], 'mismatch');
    // The compaction mark may move.
    expect(read([begin(10, { epoch: 'abc123.1.7' }), end(10, 0)]).begin.epoch).toBe('abc123.1.7');
  });

  it('refuses truncated pages and lines after the end', () => {
    fails([begin(10), upsert(11)], 'truncated');
    fails([], 'truncated');
    fails([begin(10), upsert(11), end(11, 2)], 'truncated');
    fails([begin(10), end(10, 0), upsert(11)], 'malformed');
    fails([begin(10), upsert(11), upsert(12), end(12, 2)], 'oversized', { after: 10, epoch: EPOCH, limit: 1 });
  });

  it('splits chunks into lines wherever the chunk boundaries fall', () => {
    const lines = [begin(10), upsert(11), tomb(12), end(12, 2)];
    const text = lines.join('\n') + '\n';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const s = new LineSplitter();
        const out: string[] = [];
        let prev = 0;
        for (const p of [...points, text.length]) {
          out.push(...s.push(text.slice(prev, p)));
          prev = p;
        }
        expect(s.end()).toBe('');
        expect(out).toEqual(lines);
      }),
    );
  });
});
