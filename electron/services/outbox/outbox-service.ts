// The outbox put together for the composition root: outbox.sqlite, the pusher, the backend's wrap-up
// configuration and "my callbacks" kept for offline use, the customer context for the screen pop, and
// the outbox.* IPC handlers. Saving is synchronous and durable: a handler answers `ok` only after the
// item's transaction committed (synchronous=FULL), so "saved" on screen means on disk.
import { toCustomerRecord } from '../../../shared/domain/customer-input';
import type { NumberPlan } from '../../../shared/domain/settings';
import { checkNewCustomer, checkPayload, checkWrapUp, type CallbackList, type ContextAnswer, type OutboxStatus, type SaveResult } from '../../../shared/outbox/desktop';
import { CustomerContext, FollowupList, WrapupConfig, type Followup } from '../../../shared/outbox/followups';
import { NewCustomer, WrapUp, type CallRecord, type FieldIssue, type FollowupUpdate, type OutboxKind } from '../../../shared/outbox/items';
import type { EventHub, Handlers, Logger } from '../router';
import { openOutboxDb, outboxFile, type OutboxDb } from './outbox-db';
import {
  ackNotices,
  claimUnowned,
  counts,
  enqueue,
  getCached,
  itemBySeq,
  itemsForCustomer,
  listByState,
  listNotices,
  pruneDelivered,
  resend,
  setCached,
  toEntry,
  type NewItem,
} from './outbox-store';
import { Pusher, type PushLink, type PusherOptions } from './pusher';

export type OutboxHandlers = Pick<
  Handlers,
  | 'outbox.status'
  | 'outbox.list'
  | 'outbox.recordCall'
  | 'outbox.submitWrapUp'
  | 'outbox.createCustomer'
  | 'outbox.updateFollowup'
  | 'outbox.resend'
  | 'outbox.pushNow'
  | 'outbox.ackNotices'
  | 'outbox.config'
  | 'outbox.callbacks'
  | 'outbox.context'
>;

export interface OutboxServiceOptions {
  /** The desktop's data folder (outbox.sqlite is created there), or a file path ending in .sqlite. */
  dataDir: string;
  events: Pick<EventHub, 'emit'>;
  log: Logger;
  /** How the desktop normalises numbers (a new customer's phones are checked before saving). */
  plan(): NumberPlan;
  pusher?: Omit<Partial<PusherOptions>, 'db' | 'log' | 'onChange'>;
  /** How often the configuration and my callbacks are refreshed while signed in. */
  refreshMs?: number;
  /** How long the screen pop waits for the backend's customer context before using what it has. */
  contextTimeoutMs?: number;
  now?: () => number;
}

const DELIVERED_KEPT_MS = 14 * 24 * 3_600_000;
const CONFIG_FRESH_MS = 5 * 60_000;

const issue = (field: string, message: string): SaveResult => ({ ok: false, issues: [{ field, message }] });

export class OutboxService {
  readonly db: OutboxDb;
  readonly pusher: Pusher;
  private link: PushLink | null = null;
  private emitTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly o: OutboxServiceOptions) {
    this.db = openOutboxDb(o.dataDir.endsWith('.sqlite') ? o.dataDir : outboxFile(o.dataDir));
    const pruned = pruneDelivered(this.db, this.now() - DELIVERED_KEPT_MS);
    if (pruned) o.log.info(`outbox: forgot ${pruned} items delivered more than two weeks ago`);
    this.pusher = new Pusher({ ...o.pusher, db: this.db, log: o.log, onChange: () => this.changed() });
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private get owner(): string | null {
    return this.link?.owner ?? null;
  }

  /** The session's link to the backend (null: signed out). Unowned items become the agent's. */
  setLink(link: PushLink | null): void {
    const before = this.link;
    this.link = link;
    if (link) {
      const claimed = claimUnowned(this.db, link.owner);
      if (claimed) this.o.log.info(`outbox: ${claimed} items saved while nobody was signed in are now ${link.owner}'s`);
    }
    this.pusher.setLink(link);
    if (link && (link.owner !== before?.owner || link.baseUrl !== before?.baseUrl)) void this.refresh();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    if (link && !this.closed) {
      this.refreshTimer = setInterval(() => void this.refresh(), this.o.refreshMs ?? 60_000);
      this.refreshTimer.unref?.();
    }
    this.changed();
  }

  status(): OutboxStatus {
    const c = counts(this.db, this.owner);
    const p = this.pusher.state();
    return {
      signedIn: this.link !== null,
      online: this.link ? p.online : null,
      pending: c.pending,
      waitingForOthers: c.waitingForOthers,
      oldestAt: c.oldestAt,
      needsAttention: c.needsAttention,
      notices: c.notices,
      lastError: p.lastError,
      retryAt: p.retryAt,
      lastDeliveredAt: c.lastDeliveredAt,
      sending: p.sending,
    };
  }

  /** Status events, at most one per 100 ms (a drain changes it thousands of times). */
  private changed(): void {
    if (this.emitTimer || this.closed) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      if (!this.closed) this.o.events.emit('outbox.changed', this.status());
    }, 100);
  }

  /** Save an item (committed before this returns) and hand it to the pusher. */
  save(it: Omit<NewItem, 'owner' | 'createdAt'> & { createdAt?: number }): { seq: number; key: string } {
    const saved = enqueue(this.db, { ...it, owner: this.owner, createdAt: it.createdAt ?? this.now() });
    this.pusher.itemAdded();
    this.changed();
    return saved;
  }

  // ---------------------------------------------------------------- the backend's answers, kept

  private cacheKey(what: string): string | null {
    return this.owner ? `${what}:${this.owner}` : null;
  }

  cachedConfig(): WrapupConfig | null {
    const k = this.cacheKey('config');
    const c = k ? getCached<unknown>(this.db, k) : null;
    const r = c ? WrapupConfig.safeParse(c.value) : null;
    return r?.success ? r.data : null;
  }

  private async get<T>(path: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, timeoutMs: number): Promise<T | null> {
    const link = this.link;
    if (!link) return null;
    let res: Response;
    try {
      res = await link.fetch(`${link.baseUrl.replace(/\/+$/, '')}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      // No answer at all (not merely a slow one: a timeout says nothing about the backend being down).
      if (this.link === link && !(e instanceof Error && e.name === 'TimeoutError')) this.pusher.noteReachable(false);
      return null;
    }
    if (this.link === link) this.pusher.noteReachable(true);
    if (res.status === 401) {
      link.unauthorized();
      return null;
    }
    if (res.status !== 200) return null;
    try {
      const r = schema.safeParse(await res.json());
      return r.success ? r.data : null;
    } catch {
      return null;
    }
  }

  async refreshConfig(): Promise<WrapupConfig | null> {
    const k = this.cacheKey('config');
    const cfg = await this.get('/v1/wrapup/config', WrapupConfig, 5000);
    if (this.closed) return cfg;
    if (cfg && k && this.cacheKey('config') === k) setCached(this.db, k, cfg, this.now());
    return cfg ?? this.cachedConfig();
  }

  private serverCallbacks(): { followups: Followup[]; fetchedAt: number | null } {
    const k = this.cacheKey('callbacks');
    const c = k ? getCached<unknown>(this.db, k) : null;
    const r = c ? FollowupList.safeParse(c.value) : null;
    return r?.success ? r.data : { followups: [], fetchedAt: null };
  }

  async refreshCallbacks(): Promise<CallbackList> {
    const k = this.cacheKey('callbacks');
    const list = await this.get('/v1/followups?scope=mine', FollowupList, 5000);
    // Closed while the request was out (sign-out, quit): the file is gone, the answer is nobody's.
    if (this.closed) return { followups: list?.followups ?? [], fetchedAt: list?.fetchedAt ?? null };
    if (list && k && this.cacheKey('callbacks') === k) setCached(this.db, k, list, this.now());
    const out = this.callbacks();
    this.o.events.emit('outbox.callbacks', out);
    return out;
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      await Promise.all([this.refreshConfig(), this.refreshCallbacks()]);
    } catch (e) {
      this.o.log.warn(`outbox: refreshing the wrap-up settings and my callbacks failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** My open callbacks: the backend's last answer, plus callbacks saved here and not yet delivered, minus ones closed here. */
  callbacks(): CallbackList {
    const server = this.serverCallbacks();
    const owner = this.owner;
    const pendingWrapUps = listByState(this.db, 'pending', owner).filter((r) => r.kind === 'wrapup.submit' || r.kind === 'followup.update');
    const closed = new Set<string>();
    const local: Followup[] = [];
    for (const row of pendingWrapUps) {
      const payload = JSON.parse(row.payload) as unknown;
      if (row.kind === 'followup.update') {
        const u = payload as FollowupUpdate;
        if (u.state !== 'open') closed.add(u.followupId);
        continue;
      }
      const w = WrapUp.safeParse(payload);
      if (!w.success) continue;
      for (const f of w.data.followups) {
        if (f.kind !== 'callback') continue;
        local.push({
          id: f.id,
          kind: 'callback',
          state: 'open',
          customerId: w.data.customerId,
          customerSnapshot: w.data.customerSnapshot,
          interactionId: w.data.interactionId,
          createdAt: row.created_at,
          createdBy: '',
          dueAt: f.dueAt,
          number: f.number,
          assignee: f.assignee,
          ownerUserId: null,
          teamId: null,
          note: f.note,
          category: null,
          priority: null,
          description: '',
          pending: true,
        });
      }
    }
    const known = new Set(server.followups.map((f) => f.id));
    const all = [...server.followups, ...local.filter((f) => !known.has(f.id))].filter((f) => !closed.has(f.id));
    all.sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || (a.id < b.id ? -1 : 1));
    return { followups: all, fetchedAt: server.fetchedAt };
  }

  /**
   * The screen pop's context for a customer: the backend's answer when it comes within the timeout,
   * with this desktop's undelivered items added (they are contacts and follow-ups the backend does not
   * know yet); offline, only those.
   */
  async context(customerId: string): Promise<ContextAnswer> {
    const server = await this.get(`/v1/customers/${encodeURIComponent(customerId)}/context`, CustomerContext, this.o.contextTimeoutMs ?? 1500);
    if (this.closed) throw new Error('the outbox closed (signed out or quitting) before the customer context arrived');
    const mine = itemsForCustomer(this.db, customerId).filter((r) => r.state === 'pending');
    const pendingRecords = mine.filter((r) => r.kind === 'call.record').length;
    const pendingFollowups: Followup[] = [];
    let lastNote: NonNullable<CustomerContext['lastNote']> | null = null;
    let lastDisposition: CustomerContext['lastDisposition'] = null;
    for (const r of mine) {
      if (r.kind !== 'wrapup.submit') continue;
      const w = WrapUp.safeParse(JSON.parse(r.payload));
      if (!w.success) continue;
      lastDisposition = { code: w.data.disposition, at: r.created_at };
      if (w.data.note) lastNote = { note: w.data.note, at: r.created_at, agent: '', interactionId: w.data.interactionId };
      for (const f of w.data.followups) {
        pendingFollowups.push({
          id: f.id,
          kind: f.kind,
          state: 'open',
          customerId,
          customerSnapshot: w.data.customerSnapshot,
          interactionId: w.data.interactionId,
          createdAt: r.created_at,
          createdBy: '',
          dueAt: f.kind === 'callback' ? f.dueAt : null,
          number: f.kind === 'callback' ? f.number : null,
          assignee: f.kind === 'callback' ? f.assignee : null,
          ownerUserId: null,
          teamId: null,
          note: f.kind === 'callback' ? f.note : '',
          category: f.kind === 'ticket' ? f.category : null,
          priority: f.kind === 'ticket' ? f.priority : null,
          description: f.kind === 'ticket' ? f.description : '',
          pending: true,
        });
      }
    }
    if (!server) {
      const any = pendingRecords > 0 || pendingFollowups.length > 0 || lastNote !== null;
      return {
        context: any ? { customerId, contacts7d: pendingRecords, lastDisposition, lastNote, openFollowups: pendingFollowups.slice(0, 50) } : null,
        source: 'local',
        pendingContacts: pendingRecords,
      };
    }
    const known = new Set(server.openFollowups.map((f) => f.id));
    return {
      context: {
        ...server,
        contacts7d: server.contacts7d + pendingRecords,
        lastDisposition: lastDisposition ?? server.lastDisposition,
        lastNote: lastNote ?? server.lastNote,
        openFollowups: [...server.openFollowups, ...pendingFollowups.filter((f) => !known.has(f.id))].slice(0, 50),
      },
      source: 'server',
      pendingContacts: pendingRecords,
    };
  }

  // ---------------------------------------------------------------- saving, with the form's checks

  private checkCustomer(input: unknown): FieldIssue[] {
    const issues = checkNewCustomer(input);
    if (issues.length) return issues;
    const c = NewCustomer.parse(input);
    const r = toCustomerRecord({ id: c.id, name: c.name, company: c.company, notes: c.notes, phones: c.phones }, this.o.plan());
    return r.ok ? [] : r.errors.map((e) => ({ field: e.startsWith('phones') ? 'phones' : e.split(':')[0] ?? '', message: e }));
  }

  /** The checks of a payload of any kind before it is saved (the same the form runs). */
  check(kind: OutboxKind, payload: unknown): FieldIssue[] {
    switch (kind) {
      case 'wrapup.submit':
        return checkWrapUp(payload, this.cachedConfig(), this.now());
      case 'customer.create':
        return this.checkCustomer(payload);
      default:
        return checkPayload(kind, payload);
    }
  }

  private saveChecked(kind: OutboxKind, payload: unknown, refs: { customerId: string | null; interactionId: string | null }): SaveResult {
    const issues = this.check(kind, payload);
    if (issues.length) return { ok: false, issues };
    const saved = this.save({ kind, payload, ...refs });
    return { ok: true, ...saved };
  }

  readonly handlers: OutboxHandlers = {
    'outbox.status': () => this.status(),
    'outbox.list': () => ({
      attention: listByState(this.db, 'rejected', this.owner).map(toEntry),
      pending: listByState(this.db, 'pending', this.owner, 500).map(toEntry),
      notices: listNotices(this.db, this.owner).map(toEntry),
    }),
    'outbox.recordCall': (rec) => {
      const saved = this.save({ kind: 'call.record', payload: rec, customerId: rec.customerId, interactionId: rec.interactionId, createdAt: this.now() });
      return { ok: true, ...saved };
    },
    'outbox.submitWrapUp': ({ wrapUp }) => {
      const w = WrapUp.safeParse(wrapUp);
      return this.saveChecked('wrapup.submit', wrapUp, { customerId: w.success ? w.data.customerId : null, interactionId: w.success ? w.data.interactionId : null });
    },
    'outbox.createCustomer': ({ customer }) => {
      const c = NewCustomer.safeParse(customer);
      return this.saveChecked('customer.create', customer, { customerId: c.success ? c.data.id : null, interactionId: c.success ? c.data.interactionId : null });
    },
    'outbox.updateFollowup': (u) => this.saveChecked('followup.update', u, { customerId: null, interactionId: null }),
    'outbox.resend': ({ seq, payload }) => {
      const old = itemBySeq(this.db, seq);
      if (!old || old.state !== 'rejected') return issue('', 'this item is no longer waiting to be fixed');
      const issues = this.check(old.kind, payload);
      if (issues.length) return { ok: false, issues };
      const refs =
        old.kind === 'wrapup.submit'
          ? { customerId: (payload as WrapUp).customerId, interactionId: (payload as WrapUp).interactionId }
          : old.kind === 'call.record'
            ? { customerId: (payload as CallRecord).customerId, interactionId: (payload as CallRecord).interactionId }
            : old.kind === 'customer.create'
              ? { customerId: (payload as NewCustomer).id, interactionId: (payload as NewCustomer).interactionId }
              : { customerId: null, interactionId: null };
      const added = resend(this.db, seq, { kind: old.kind, payload, owner: this.owner, createdAt: this.now(), ...refs });
      if (!added) return issue('', 'this item is no longer waiting to be fixed');
      this.pusher.itemAdded();
      this.changed();
      return { ok: true, ...added };
    },
    'outbox.pushNow': () => {
      this.pusher.retryNow();
      return this.status();
    },
    'outbox.ackNotices': ({ seqs }) => {
      ackNotices(this.db, seqs);
      this.changed();
      return this.status();
    },
    'outbox.config': async ({ refresh }) => {
      const cached = this.cachedConfig();
      if (!refresh && cached && this.now() - cached.fetchedAt < CONFIG_FRESH_MS) return { config: cached };
      return { config: await this.refreshConfig() };
    },
    'outbox.callbacks': async ({ refresh }) => (refresh ? this.refreshCallbacks() : this.callbacks()),
    'outbox.context': ({ customerId }) => this.context(customerId),
  };

  async close(): Promise<void> {
    this.closed = true;
    if (this.emitTimer) clearTimeout(this.emitTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.pusher.close();
    this.db.close();
  }
}
