// A minimal, real pull-sync client for tests and the benchmark: fetches pages over HTTP, validates every
// line with the shared PageReader and applies complete pages to an in-memory mirror.
import { LineSplitter, PageReader, type Page, type PageRequest } from '../../../shared/sync/page-reader';
import type { ResetRequired, SyncCustomer, SyncInteraction, SyncStream } from '../../../shared/sync/protocol';

export type PageResult<S extends SyncStream> = { kind: 'page'; page: Page<S>; bytes: number } | { kind: 'reset'; body: ResetRequired };

export async function fetchPage<S extends SyncStream>(baseUrl: string, token: string, stream: S, req: PageRequest): Promise<PageResult<S>> {
  const params = new URLSearchParams({ after: String(req.after) });
  if (req.limit !== undefined) params.set('limit', String(req.limit));
  if (req.epoch !== undefined && req.after > 0) params.set('epoch', req.epoch);
  const res = await fetch(`${baseUrl}/v1/sync/${stream}?${params}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 410) return { kind: 'reset', body: (await res.json()) as ResetRequired };
  if (res.status !== 200 || !res.body) throw new Error(`sync ${stream}: HTTP ${res.status} ${await res.text()}`);
  const reader = new PageReader(stream, req);
  const split = new LineSplitter();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const line of split.push(decoder.decode(chunk, { stream: true }))) reader.line(line);
  }
  const rest = split.end() + decoder.decode();
  if (rest) reader.line(rest);
  return { kind: 'page', page: reader.finish(), bytes };
}

export class Mirror {
  readonly customers = new Map<string, SyncCustomer>();
  readonly tombstones = new Map<string, string | null>();
  readonly interactions = new Map<string, SyncInteraction>();
  readonly cursor: Record<SyncStream, number> = { customers: 0, interactions: 0 };
  readonly epoch: Partial<Record<SyncStream, string>> = {};
  /** Every seq applied per stream, to prove there are no duplicates across pages. */
  readonly seqs: Record<SyncStream, number[]> = { customers: [], interactions: [] };
  pages = 0;

  apply<S extends SyncStream>(stream: S, page: Page<S>): void {
    for (const c of page.changes) {
      this.seqs[stream].push(c.seq);
      if (stream === 'customers') {
        const ch = c as Page<'customers'>['changes'][number];
        if (ch.type === 'upsert') {
          this.customers.set(ch.customer.id, ch.customer);
          this.tombstones.delete(ch.customer.id);
        } else {
          this.customers.delete(ch.id);
          this.tombstones.set(ch.id, ch.mergedInto);
        }
      } else {
        const ch = c as Page<'interactions'>['changes'][number];
        if (ch.type === 'upsert') this.interactions.set(ch.interaction.id, ch.interaction);
        else this.interactions.delete(ch.id);
      }
    }
    this.cursor[stream] = page.end.next;
    this.epoch[stream] = page.begin.epoch;
    this.pages++;
  }

  reset(stream: SyncStream): void {
    this.cursor[stream] = 0;
    delete this.epoch[stream];
    this.seqs[stream] = [];
    if (stream === 'customers') {
      this.customers.clear();
      this.tombstones.clear();
    } else this.interactions.clear();
  }

  /** Pull until the server says there is no more. Returns the pages applied; throws on a reset. */
  async pull(baseUrl: string, token: string, stream: SyncStream, limit?: number): Promise<number> {
    let pages = 0;
    for (;;) {
      const epoch = this.epoch[stream];
      const r = await fetchPage(baseUrl, token, stream, { after: this.cursor[stream], ...(epoch ? { epoch } : {}), ...(limit ? { limit } : {}) });
      if (r.kind === 'reset') throw new Error(`reset required: ${r.body.error.reason}`);
      this.apply(stream, r.page);
      pages++;
      if (!r.page.end.more) return pages;
    }
  }
}
