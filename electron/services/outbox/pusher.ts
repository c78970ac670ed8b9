// Delivers the outbox to the backend (POST /v1/outbox, shared/outbox/items.ts): the signed-in agent's
// pending items in seq order, in batches (one request carries up to maxItems items / about maxBytes),
// one request at a time. The backend answers each item; the answers are recorded in one transaction.
//
// - No answer, a timeout, 5xx, 429: nothing is marked; the same items are sent again after an
//   exponential backoff with jitter (the backend dedups by key, so a lost answer costs nothing).
// - 401: the session is over; the pusher stops until a new link is set (items stay for the next sign-in).
// - 400/413 for the whole request: one item the backend cannot even read. The batch is halved until that
//   item is alone, and it is then moved to "needs attention" with the backend's message: nothing else
//   waits behind it, nothing is dropped.
// The link (where the backend is, a fetch that carries the session's token, whose items to send) is
// injected by the session: the pusher never signs in and never sees a password.
import { PushResponse, OUTBOX_LIMITS, OUTBOX_PROTOCOL, type ItemResult, type PushRequest } from '../../../shared/outbox/items';
import { ApiError } from '../../../shared/sync/api';
import type { Logger } from '../router';
import type { OutboxDb } from './outbox-db';
import { clientId, nextBatch, recordAttempt, recordResults, rejectLocally, type ItemRow } from './outbox-store';

export interface PushLink {
  /** The backend's base URL, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** Whose items to deliver: "<backend> <username>" (the session's identity of the signed-in agent). */
  owner: string;
  /** fetch with the session's `Authorization: Bearer …` header added. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** The backend refused the token (401). */
  unauthorized(): void;
}

export interface PusherOptions {
  db: OutboxDb;
  log: Logger;
  /** Called whenever something the status shows may have changed. */
  onChange(): void;
  maxItems?: number;
  maxBytes?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface PusherState {
  online: boolean | null;
  lastError: { message: string; at: number } | null;
  retryAt: number | null;
  sending: boolean;
}

type Attempt = { kind: 'ok' } | { kind: 'retry'; message: string; online: boolean } | { kind: 'unauthorized' } | { kind: 'split'; message: string };

/** Exponential backoff with "equal jitter": half the delay fixed, half random. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export class Pusher {
  private link: PushLink | null = null;
  /** Changes when the agent or the backend changes (not when only the token is refreshed). */
  private generation = 0;
  private closed = false;
  private failures = 0;
  private batchLimit: number;
  /** A request was refused as a whole: batches stay small until the unreadable item is found. */
  private isolating = false;
  private wakeUp: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private current: AbortController | null = null;
  private readonly st: PusherState = { online: null, lastError: null, retryAt: null, sending: false };
  private readonly client: string;

  constructor(private readonly o: PusherOptions) {
    this.batchLimit = o.maxItems ?? 200;
    this.client = clientId(o.db);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  state(): PusherState {
    return { ...this.st, ...(this.st.lastError ? { lastError: { ...this.st.lastError } } : {}) };
  }

  get owner(): string | null {
    return this.link?.owner ?? null;
  }

  /** Start delivering for a signed-in agent, or stop (null: signed out; the items stay). */
  setLink(link: PushLink | null): void {
    const changed = link?.owner !== this.link?.owner || link?.baseUrl !== this.link?.baseUrl;
    this.link = link;
    if (changed) {
      this.generation++;
      this.failures = 0;
      this.st.retryAt = null;
      this.st.online = null;
      this.st.lastError = null;
      this.current?.abort();
    }
    this.o.onChange();
    this.kick(true);
  }

  /** Another request to the backend (configuration, callbacks, context) got an answer, or none. */
  noteReachable(online: boolean): void {
    if (this.st.online === online) return;
    this.st.online = online;
    this.o.onChange();
    // Reachable again while waiting out a failure: try now.
    if (online && this.st.retryAt !== null) this.retryNow();
  }

  /** A new item was saved: deliver it now, unless a failure is being waited out. */
  itemAdded(): void {
    this.kick(false);
  }

  /** Try again now (the agent pressed Retry, the network came back, the computer woke up). */
  retryNow(): void {
    this.failures = 0;
    this.kick(true);
  }

  private kick(evenWhenBackingOff: boolean): void {
    if (this.closed) return;
    if (!this.running) {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
      return;
    }
    if (this.st.retryAt !== null && !evenWhenBackingOff) return;
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
      if (ms !== null) timer = setTimeout(done, ms);
    });
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.step();
      } catch (e) {
        // A local failure (the disk is full, the file is locked): report it and try again later.
        this.o.log.error('the outbox could not deliver', e);
        this.st.sending = false;
        this.st.lastError = { message: `this computer could not read or write the outbox (${e instanceof Error ? e.message : String(e)})`, at: this.now() };
        this.o.onChange();
        await this.sleep(this.o.backoffMaxMs ?? 30_000);
      }
    }
  }

  private async step(): Promise<void> {
    const link = this.link;
    const gen = this.generation;
    const batch = link ? nextBatch(this.o.db, link.owner, this.batchLimit, this.o.maxBytes ?? 900_000) : [];
    if (!link || batch.length === 0) {
      this.batchLimit = this.o.maxItems ?? 200;
      await this.sleep(null);
      return;
    }
    this.st.sending = true;
    this.o.onChange();
    const r = await this.send(link, batch);
    this.st.sending = false;
    if (this.generation !== gen || !this.link) return; // signed out or switched meanwhile: start over
    switch (r.kind) {
      case 'ok':
        this.failures = 0;
        this.st.retryAt = null;
        this.st.online = true;
        this.st.lastError = null;
        if (!this.isolating) this.batchLimit = this.o.maxItems ?? 200;
        this.o.onChange();
        break;
      case 'split':
        this.st.online = true;
        if (batch.length > 1) {
          this.isolating = true;
          this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
        } else {
          this.isolating = false;
          this.batchLimit = this.o.maxItems ?? 200;
          const only = batch[0] as ItemRow;
          this.o.log.warn(`outbox item ${only.key} (${only.kind}) was refused as unreadable by the backend: ${r.message}`);
          rejectLocally(this.o.db, only, { code: 'invalid', message: r.message.slice(0, 500) }, this.now());
        }
        this.o.onChange();
        break;
      case 'unauthorized':
        this.st.online = true;
        this.st.lastError = { message: 'the backend refused the session: sign in again', at: this.now() };
        this.link = null;
        this.o.onChange();
        link.unauthorized();
        break;
      case 'retry': {
        this.failures++;
        const delay = backoffDelay(this.failures, this.o.backoffBaseMs ?? 1000, this.o.backoffMaxMs ?? 30_000, this.o.random ?? Math.random);
        this.st.online = r.online;
        this.st.lastError = { message: r.message.slice(0, 500), at: this.now() };
        this.st.retryAt = this.now() + delay;
        recordAttempt(this.o.db, batch.map((b) => b.seq), r.message, this.now());
        this.o.onChange();
        await this.sleep(delay);
        this.st.retryAt = null;
        break;
      }
    }
  }

  private async send(link: PushLink, batch: ItemRow[]): Promise<Attempt> {
    const body: PushRequest = {
      protocol: OUTBOX_PROTOCOL,
      clientId: this.client,
      items: batch.map((b) => ({ key: b.key, seq: b.seq, kind: b.kind, createdAt: b.created_at, payload: JSON.parse(b.payload) as unknown })),
    };
    const ac = new AbortController();
    this.current = ac;
    const timeoutMs = this.o.timeoutMs ?? 30_000;
    const timer = setTimeout(() => ac.abort(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await link.fetch(`${link.baseUrl.replace(/\/+$/, '')}/v1/outbox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: ac.signal,
      });
      text = await res.text();
    } catch (e) {
      if (this.closed) return { kind: 'retry', message: 'stopped', online: false };
      const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
      const why = ac.signal.aborted ? String((ac.signal.reason as Error | undefined)?.message ?? 'timed out') : (err.cause?.code ?? err.cause?.message ?? err.message ?? String(e));
      return { kind: 'retry', message: `the backend cannot be reached (${why})`, online: false };
    } finally {
      clearTimeout(timer);
      this.current = null;
    }
    if (res.status === 401) return { kind: 'unauthorized' };
    if (res.status === 400 || res.status === 413) return { kind: 'split', message: apiMessage(text) };
    if (res.status !== 200) return { kind: 'retry', message: `the backend answered ${res.status}: ${apiMessage(text)}`, online: true };
    let parsed: PushResponse;
    try {
      const r = PushResponse.safeParse(JSON.parse(text));
      if (!r.success) return { kind: 'retry', message: 'the backend answered with something that is not an outbox result', online: true };
      parsed = r.data;
    } catch {
      return { kind: 'retry', message: 'the backend answered with something that is not JSON', online: true };
    }
    const bySeq = new Map(batch.map((b) => [b.key, b.seq]));
    const results: { seq: number; result: ItemResult }[] = [];
    for (const result of parsed.results) {
      const seq = bySeq.get(result.key);
      if (seq !== undefined) results.push({ seq, result });
    }
    recordResults(this.o.db, results, this.now());
    // Items the backend did not answer (it should answer all) stay pending and go again.
    return results.length ? { kind: 'ok' } : { kind: 'retry', message: 'the backend answered none of the items', online: true };
  }

  /** Stop: no new request; one under way is cut off (its items stay pending). */
  async close(): Promise<void> {
    this.closed = true;
    this.current?.abort(new Error('closing'));
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
    await this.running;
  }
}

function apiMessage(text: string): string {
  try {
    const e = ApiError.safeParse(JSON.parse(text));
    if (e.success) return e.data.error.message;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 200).replace(/\s+/g, ' ').trim() || 'no details';
}

export const MAX_ITEMS_PER_REQUEST = OUTBOX_LIMITS.batch;
