// Pull one stream from the backend into a cache file: pages of NDJSON (shared/sync/protocol.ts), each
// checked line by line by the shared PageReader and written with its cursor in one transaction. Runs
// inside the writer worker, next to the connection it writes with: rows never cross a postMessage.
//
// Two ways to write a page, both all-or-nothing:
// - bulk (a fresh file being built): each line goes into the open transaction as it arrives, so
//   receiving and inserting overlap; the transaction commits with the cursor only once the end line
//   has been checked, and rolls back on anything else (bad line, gap, cut-off stream, closed socket).
// - incremental (the cache that serves lookups): the page is read and checked whole, then applied
//   with every index and trigger live in one short transaction.
import { LineSplitter, PageReader, SyncProtocolError, type PageRequest } from '../../../shared/sync/page-reader';
import { NDJSON_TYPE, ResetRequired, type ChangeOf, type ResetReason, type SyncStream } from '../../../shared/sync/protocol';
import { ApiError } from '../../../shared/sync/api';
import type { SyncErrorKind } from '../../../shared/domain/session';
import { applyPage, BulkWriter, readCursor, writeCursor, type StreamCursor } from '../db/sync-apply';
import type { Db } from '../db/open';

export interface PullFailure {
  kind: SyncErrorKind;
  detail: string;
}

export type PullOutcome =
  | { kind: 'caught_up'; stream: SyncStream; pages: number; rows: number; cursor: StreamCursor }
  | { kind: 'reset'; stream: SyncStream; reason: ResetReason; detail: string; pages: number; rows: number }
  | { kind: 'unauthorized'; stream: SyncStream; detail: string; pages: number; rows: number }
  | { kind: 'aborted'; stream: SyncStream; pages: number; rows: number }
  | { kind: 'failed'; stream: SyncStream; error: PullFailure; pages: number; rows: number; cursor: StreamCursor };

export interface PageProgress {
  stream: SyncStream;
  /** The cursor after the page, and where the server was when the page began. */
  cursor: number;
  highWater: number;
  /** Where this pull started (progress is measured from there). */
  startedAt: number;
  rows: number;
  pages: number;
  more: boolean;
}

export interface PullOptions {
  baseUrl: string;
  token: string;
  stream: SyncStream;
  db: Db;
  bulk: boolean;
  /** Changes per page. */
  limit: number;
  /** No byte for this long (waiting for the answer or within it): the connection counts as lost. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  onPage?: (p: PageProgress) => void;
  now?: () => number;
}

type PageResult =
  | { kind: 'page'; count: number; next: number; highWater: number; more: boolean }
  | { kind: 'reset'; reason: ResetReason; detail: string }
  | { kind: 'unauthorized'; detail: string }
  | { kind: 'aborted' }
  | { kind: 'failed'; error: PullFailure };

export async function pullStream(o: PullOptions): Promise<PullOutcome> {
  let pages = 0;
  let rows = 0;
  const startedAt = readCursor(o.db, o.stream).cursor;
  for (;;) {
    const c = readCursor(o.db, o.stream);
    const req: PageRequest = { after: c.cursor, limit: o.limit, ...(c.cursor > 0 && c.epoch ? { epoch: c.epoch } : {}) };
    const r = await pullPage(o, req);
    switch (r.kind) {
      case 'page':
        pages++;
        rows += r.count;
        o.onPage?.({ stream: o.stream, cursor: r.next, highWater: r.highWater, startedAt, rows, pages, more: r.more });
        if (!r.more) return { kind: 'caught_up', stream: o.stream, pages, rows, cursor: readCursor(o.db, o.stream) };
        break;
      case 'failed':
        return { kind: 'failed', stream: o.stream, error: r.error, pages, rows, cursor: readCursor(o.db, o.stream) };
      case 'reset':
        return { kind: 'reset', stream: o.stream, reason: r.reason, detail: r.detail, pages, rows };
      case 'unauthorized':
        return { kind: 'unauthorized', stream: o.stream, detail: r.detail, pages, rows };
      case 'aborted':
        return { kind: 'aborted', stream: o.stream, pages, rows };
    }
  }
}

/** The message of an ApiError body, else the start of whatever the body was (also for cache-image.ts). */
export async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const e = ApiError.safeParse(JSON.parse(text));
    if (e.success) return e.data.error.message;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 200).replace(/\s+/g, ' ').trim();
}

/** Why a fetch failed, in the words of its cause (ECONNREFUSED …) where it has one. */
export function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

async function pullPage(o: PullOptions, req: PageRequest): Promise<PageResult> {
  const params = new URLSearchParams({ after: String(req.after), limit: String(req.limit) });
  if (req.epoch) params.set('epoch', req.epoch);
  const url = `${o.baseUrl.replace(/\/+$/, '')}/v1/sync/${o.stream}?${params}`;
  const idleMs = o.idleTimeoutMs ?? 30_000;
  const ac = new AbortController();
  let idle = false;
  let timer = setTimeout(() => {
    idle = true;
    ac.abort();
  }, idleMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      ac.abort();
    }, idleMs);
  };
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort);
  const stopped = (): PageResult | null => (o.signal?.aborted ? { kind: 'aborted' } : null);
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${o.token}`, accept: NDJSON_TYPE }, signal: ac.signal });
    } catch (e) {
      return (
        stopped() ?? {
          kind: 'failed',
          error: { kind: 'offline', detail: idle ? `the backend did not answer within ${idleMs / 1000} s` : `cannot reach the backend at ${o.baseUrl} (${causeOf(e)})` },
        }
      );
    }
    touch();
    if (res.status === 401) return { kind: 'unauthorized', detail: await errorText(res) };
    if (res.status === 410) {
      const text = await res.text().catch(() => '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const reset = ResetRequired.safeParse(body);
      if (!reset.success) return { kind: 'failed', error: { kind: 'protocol', detail: `HTTP 410 without a reset_required body: ${text.slice(0, 120)}` } };
      return { kind: 'reset', reason: reset.data.error.reason, detail: reset.data.error.message };
    }
    if (res.status !== 200 || !res.body) {
      const detail = await errorText(res);
      return { kind: 'failed', error: { kind: 'server', detail: `the backend answered HTTP ${res.status}${detail ? `: ${detail}` : ''}` } };
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith(NDJSON_TYPE)) {
      await res.body.cancel().catch(() => undefined);
      return { kind: 'failed', error: { kind: 'protocol', detail: `expected ${NDJSON_TYPE}, got "${type.slice(0, 60)}" (is this address a Lianluo backend?)` } };
    }
    return await (o.bulk ? readBulk(o, req, res.body, touch) : readWhole(o, req, res.body, touch));
  } catch (e) {
    if (stopped()) return { kind: 'aborted' };
    return { kind: 'failed', error: classify(e, idle, idleMs) };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function classify(e: unknown, idle: boolean, idleMs: number): PullFailure {
  if (e instanceof SyncProtocolError) return { kind: 'protocol', detail: e.message };
  const err = e as Error;
  if (err.name === 'SqliteError') return { kind: 'storage', detail: `the local cache could not be written: ${err.message}` };
  if (err instanceof TypeError && /decode|encoded data/i.test(err.message)) return { kind: 'protocol', detail: 'the page is not valid UTF-8' };
  if (idle) return { kind: 'offline', detail: `the backend stopped sending in the middle of a page for ${idleMs / 1000} s; nothing of that page was applied` };
  return { kind: 'offline', detail: `the connection was lost in the middle of a page (${causeOf(e)}); nothing of that page was applied` };
}

async function readLines<S extends SyncStream>(reader: PageReader<S>, body: ReadableStream<Uint8Array>, touch: () => void): Promise<void> {
  const split = new LineSplitter();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    touch();
    for (const line of split.push(decoder.decode(chunk, { stream: true }))) reader.line(line);
  }
  const rest = split.end() + decoder.decode();
  if (rest) reader.line(rest);
}

async function readWhole(o: PullOptions, req: PageRequest, body: ReadableStream<Uint8Array>, touch: () => void): Promise<PageResult> {
  const reader = new PageReader(o.stream, req);
  await readLines(reader, body, touch);
  const page = reader.finish();
  const now = (o.now ?? Date.now)();
  applyPage(o.db, o.stream, page.changes as ChangeOf<typeof o.stream>[], {
    next: page.end.next,
    epoch: page.begin.epoch,
    highWater: page.begin.highWater,
    caughtUp: !page.end.more,
    now,
  });
  return { kind: 'page', count: page.changes.length, next: page.end.next, highWater: page.begin.highWater, more: page.end.more };
}

async function readBulk(o: PullOptions, req: PageRequest, body: ReadableStream<Uint8Array>, touch: () => void): Promise<PageResult> {
  const db = o.db;
  const writer = new BulkWriter(db, o.stream);
  const reader = new PageReader(o.stream, req, (c) => writer.change(c as never));
  db.exec('BEGIN');
  try {
    await readLines(reader, body, touch);
    const page = reader.finish();
    writer.flush();
    writeCursor(db, o.stream, { next: page.end.next, epoch: page.begin.epoch, highWater: page.begin.highWater, caughtUp: !page.end.more, now: (o.now ?? Date.now)() });
    db.exec('COMMIT');
    return { kind: 'page', count: reader.count, next: page.end.next, highWater: page.begin.highWater, more: page.end.more };
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}
