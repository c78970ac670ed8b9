// Reads one sync page line by line and refuses anything that does not follow protocol.ts. A client
// applies a page only after finish() returned it, so a malformed line, a reordered or repeated seq, a page
// that starts somewhere else than asked, or a truncated stream never reaches the cache.
import {
  CHANGE_SCHEMAS,
  PageBegin,
  PageEnd,
  SYNC_PAGE_MAX,
  parseEpoch,
  type ChangeOf,
  type PageBegin as PageBeginT,
  type PageEnd as PageEndT,
  type SyncStream,
} from './protocol';
import { isCustomerChange, isInteractionChange } from './fast-validate';

const FAST_CHECKS: Record<SyncStream, (v: unknown) => boolean> = { customers: isCustomerChange, interactions: isInteractionChange };

/** Longest line a client accepts: a customer at every limit is well under 64 KiB of JSON. */
export const MAX_LINE_CHARS = 256 * 1024;

export type SyncProtocolErrorKind = 'malformed' | 'order' | 'mismatch' | 'truncated' | 'oversized';

export class SyncProtocolError extends Error {
  constructor(
    readonly kind: SyncProtocolErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SyncProtocolError';
  }
}

export interface Page<S extends SyncStream> {
  begin: PageBeginT;
  changes: ChangeOf<S>[];
  end: PageEndT;
}

export interface PageRequest {
  after: number;
  /** The epoch stored with the cursor; omit for after=0. */
  epoch?: string;
  limit?: number;
}

export class PageReader<S extends SyncStream> {
  private begin: PageBeginT | null = null;
  private end: PageEndT | null = null;
  private readonly changes: ChangeOf<S>[] = [];
  private received = 0;
  private lastSeq: number;
  private lineNo = 0;

  /**
   * `sink`: hand each checked change to it as it arrives instead of keeping it (finish() then returns
   * no changes). For a client that writes a page inside a transaction it commits only after finish().
   */
  constructor(
    readonly stream: S,
    readonly request: PageRequest,
    private readonly sink?: (change: ChangeOf<S>) => void,
  ) {
    this.lastSeq = request.after;
  }

  /** Changes received so far. */
  get count(): number {
    return this.received;
  }

  /** Feed one line (without its newline). Throws SyncProtocolError on the first violation. */
  line(text: string): void {
    this.lineNo++;
    const where = `${this.stream} page after ${this.request.after}, line ${this.lineNo}`;
    if (text.length > MAX_LINE_CHARS) throw new SyncProtocolError('oversized', `${where}: line longer than ${MAX_LINE_CHARS} characters`);
    if (this.end) throw new SyncProtocolError('malformed', `${where}: data after the end line`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new SyncProtocolError('malformed', `${where}: not JSON`);
    }
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;

    if (!this.begin) {
      const b = PageBegin.safeParse(value);
      if (!b.success) throw new SyncProtocolError('malformed', `${where}: expected a begin line (${issues(b.error)})`);
      if (b.data.stream !== this.stream) throw new SyncProtocolError('mismatch', `${where}: page is for stream ${b.data.stream}`);
      if (b.data.after !== this.request.after) {
        throw new SyncProtocolError('mismatch', `${where}: asked for changes after ${this.request.after}, page starts after ${b.data.after}`);
      }
      if (this.request.after > 0 && this.request.epoch !== undefined) {
        // The compaction mark may move (the server then says so in the epoch); dataset and shape may not.
        const want = parseEpoch(this.request.epoch);
        const got = parseEpoch(b.data.epoch);
        if (!want || !got || want.datasetId !== got.datasetId || want.version !== got.version) {
          throw new SyncProtocolError('mismatch', `${where}: epoch ${b.data.epoch} does not continue the cursor's ${this.request.epoch}`);
        }
      }
      this.begin = b.data;
      return;
    }

    if (type === 'end') {
      const e = PageEnd.safeParse(value);
      if (!e.success) throw new SyncProtocolError('malformed', `${where}: bad end line (${issues(e.error)})`);
      if (e.data.count !== this.received) {
        throw new SyncProtocolError('truncated', `${where}: end line counts ${e.data.count} changes, received ${this.received}`);
      }
      if (e.data.next < this.lastSeq) throw new SyncProtocolError('order', `${where}: next cursor ${e.data.next} is before the last change ${this.lastSeq}`);
      if (e.data.more && e.data.next <= this.request.after) {
        throw new SyncProtocolError('order', `${where}: more pages announced but the cursor did not move`);
      }
      this.end = e.data;
      return;
    }

    let change: ChangeOf<S>;
    if (FAST_CHECKS[this.stream](value)) {
      change = value as ChangeOf<S>;
    } else {
      // The schema is the specification: it explains the rejection (and would win a disagreement).
      const c = CHANGE_SCHEMAS[this.stream].safeParse(value);
      if (!c.success) throw new SyncProtocolError('malformed', `${where}: bad change (${issues(c.error)})`);
      change = c.data as ChangeOf<S>;
    }
    if (change.seq <= this.lastSeq) {
      throw new SyncProtocolError('order', `${where}: seq ${change.seq} is not after ${this.lastSeq}`);
    }
    const cap = this.request.limit ?? SYNC_PAGE_MAX;
    if (this.received >= cap) throw new SyncProtocolError('oversized', `${where}: more than the ${cap} changes asked for`);
    this.lastSeq = change.seq;
    this.received++;
    if (this.sink) this.sink(change);
    else this.changes.push(change);
  }

  /** The complete page; throws if the stream ended before the end line. */
  finish(): Page<S> {
    if (!this.begin) throw new SyncProtocolError('truncated', `${this.stream} page after ${this.request.after}: empty response`);
    if (!this.end) {
      throw new SyncProtocolError('truncated', `${this.stream} page after ${this.request.after}: stream ended after ${this.received} changes without an end line`);
    }
    return { begin: this.begin, changes: this.changes, end: this.end };
  }
}

function issues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'line'}: ${i.message}`)
    .join('; ');
}

/** Splits decoded text chunks into lines; the caller decodes bytes (TextDecoder with stream: true). */
export class LineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    if (this.rest.length > MAX_LINE_CHARS) throw new SyncProtocolError('oversized', `line longer than ${MAX_LINE_CHARS} characters`);
    return parts.filter((p) => p.length > 0);
  }

  /** What is left when the stream ends: a last line without its newline, or ''. */
  end(): string {
    const r = this.rest;
    this.rest = '';
    return r;
  }
}
