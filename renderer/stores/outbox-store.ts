// After-call work as data: the outbox's status (online, waiting, oldest, last error), the wrap-up
// configuration (dispositions, categories, the team's limit), my callbacks, what needs attention, and
// the wrap-up drafts being filled in. Saving goes to the main process, which commits before it answers;
// a draft is removed only once it is saved. The form's checks (checkWrapUp) run here first, so the
// agent sees every problem under its field and nothing half-valid is ever sent.
import { createStore } from 'zustand/vanilla';
import { subscribeWithSelector } from 'zustand/middleware';
import { ulid } from 'ulid';
import type { LianluoBridge } from '../../shared/ipc';
import { checkWrapUp, type CallbackList, type ContextAnswer, type OutboxList, type OutboxStatus, type SaveResult } from '../../shared/outbox/desktop';
import { DEFAULT_CATEGORIES, DEFAULT_DISPOSITIONS, type CodeLabel, type WrapupConfig } from '../../shared/outbox/followups';
import type { CustomerSnapshot, FieldIssue, NewCustomer, NewFollowup, Priority, WrapUp } from '../../shared/outbox/items';
import { unwrap } from '../bridge/api';
import { recordCalls } from '../phone/interaction-record';
import type { PhoneStore } from './phone-store';
import type { PopStore } from './pop-store';

export type DraftFollowup =
  | { id: string; kind: 'callback'; /** datetime-local value, e.g. "2026-11-25T15:30" */ due: string; number: string; assignee: 'me' | 'team'; note: string }
  | { id: string; kind: 'ticket'; category: string; priority: Priority; description: string };

export interface WrapDraft {
  interactionId: string;
  direction: 'inbound' | 'outbound';
  number: string;
  endedAt: number;
  customerId: string | null;
  customerSnapshot: CustomerSnapshot | null;
  disposition: string;
  note: string;
  followups: DraftFollowup[];
  issues: FieldIssue[];
  saving: boolean;
}

export interface OutboxState {
  status: OutboxStatus | null;
  config: WrapupConfig | null;
  callbacks: CallbackList;
  list: OutboxList;
  drafts: Record<string, WrapDraft>;
  /** Draft ids, oldest first. */
  order: string[];
  /** The last wrap-up saved (the form says "Saved" for a moment). */
  lastSaved: { interactionId: string; at: number } | null;

  setStatus(s: OutboxStatus): void;
  setCallbacks(c: CallbackList): void;
  refresh(): Promise<void>;
  loadConfig(refresh?: boolean): Promise<void>;
  refreshCallbacks(refresh?: boolean): Promise<void>;
  refreshList(): Promise<void>;
  /** An answered call ended: a wrap-up form for it. */
  openDraft(d: Omit<WrapDraft, 'disposition' | 'note' | 'followups' | 'issues' | 'saving'>): void;
  editDraft(id: string, patch: Partial<Pick<WrapDraft, 'disposition' | 'note' | 'customerId' | 'customerSnapshot'>>): void;
  addFollowup(id: string, kind: 'callback' | 'ticket', now?: number): void;
  editFollowup(id: string, index: number, patch: Partial<Record<string, string>>): void;
  removeFollowup(id: string, index: number): void;
  /** Check, then save. Resolves true when the main process committed it. */
  submit(id: string, now?: number): Promise<boolean>;
  createCustomer(c: NewCustomer): Promise<SaveResult>;
  resend(seq: number, payload: unknown): Promise<SaveResult>;
  ack(seqs: number[]): Promise<void>;
  pushNow(): Promise<void>;
  completeCallback(followupId: string, note: string): Promise<SaveResult>;
  context(customerId: string): Promise<ContextAnswer | null>;
}

/** The codes offered in the form: the backend's, or the defaults it starts with when it was never reached. */
export function dispositionsOf(cfg: WrapupConfig | null): CodeLabel[] {
  return (cfg?.dispositions ?? [...DEFAULT_DISPOSITIONS]).filter((d) => d.active);
}
export function categoriesOf(cfg: WrapupConfig | null): CodeLabel[] {
  return (cfg?.categories ?? [...DEFAULT_CATEGORIES]).filter((d) => d.active);
}

/** A datetime-local value ("2026-11-25T15:30") as epoch ms in this computer's time zone; NaN when it is not one. */
export function parseLocalDateTime(v: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Reject dates JavaScript would roll over (Feb 30 → Mar 2).
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi) return NaN;
  return date.getTime();
}

/** Epoch ms as a datetime-local value in this computer's time zone. */
export function toLocalDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The wrap-up as it will be saved, or the problems with the fields the agent typed (dates). */
export function draftToWrapUp(d: WrapDraft, now: number): { wrapUp: WrapUp; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const followups = d.followups.map((f, i): NewFollowup => {
    if (f.kind === 'ticket') return { id: f.id, kind: 'ticket', category: f.category, priority: f.priority, description: f.description };
    const dueAt = parseLocalDateTime(f.due);
    if (Number.isNaN(dueAt)) issues.push({ field: `followups.${i}.dueAt`, message: 'enter a date and a time' });
    return { id: f.id, kind: 'callback', dueAt: Number.isNaN(dueAt) ? 0 : dueAt, number: f.number, assignee: f.assignee, note: f.note };
  });
  return {
    wrapUp: {
      interactionId: d.interactionId,
      customerId: d.customerId,
      customerSnapshot: d.customerSnapshot,
      disposition: d.disposition,
      note: d.note,
      wrapMs: Math.min(7 * 24 * 3_600_000, Math.max(0, now - d.endedAt)),
      followups,
    },
    issues,
  };
}

const EMPTY_LIST: OutboxList = { attention: [], pending: [], notices: [] };

export function createOutboxStore(api: LianluoBridge) {
  return createStore<OutboxState>()(
    subscribeWithSelector((set, get) => {
      const patchDraft = (id: string, fn: (d: WrapDraft) => WrapDraft) =>
        set((s) => {
          const cur = s.drafts[id];
          return cur ? { drafts: { ...s.drafts, [id]: fn(cur) } } : s;
        });
      return {
        status: null,
        config: null,
        callbacks: { followups: [], fetchedAt: null },
        list: EMPTY_LIST,
        drafts: {},
        order: [],
        lastSaved: null,

        setStatus: (status) => set({ status }),
        setCallbacks: (callbacks) => set({ callbacks }),
        async refresh() {
          set({ status: await unwrap(api.outbox.status()) });
          await get().refreshList();
        },
        async loadConfig(refresh = false) {
          const { config } = await unwrap(api.outbox.config({ refresh }));
          if (config) set({ config });
        },
        async refreshCallbacks(refresh = false) {
          set({ callbacks: await unwrap(api.outbox.callbacks({ refresh })) });
        },
        async refreshList() {
          set({ list: await unwrap(api.outbox.list()) });
        },

        openDraft(d) {
          if (get().drafts[d.interactionId]) return;
          const first = dispositionsOf(get().config)[0]?.code ?? '';
          set((s) => ({
            drafts: { ...s.drafts, [d.interactionId]: { ...d, disposition: first, note: '', followups: [], issues: [], saving: false } },
            order: [...s.order, d.interactionId],
          }));
        },
        editDraft(id, patch) {
          patchDraft(id, (d) => ({ ...d, ...patch, issues: d.issues.filter((i) => !Object.keys(patch).some((k) => i.field === k || i.field.startsWith(`${k}.`))) }));
        },
        addFollowup(id, kind, now = Date.now()) {
          patchDraft(id, (d) => {
            if (d.followups.length >= 5) return d;
            const f: DraftFollowup =
              kind === 'callback'
                ? { id: ulid(), kind, due: toLocalDateTime(now + 24 * 3_600_000), number: d.customerSnapshot?.number || d.number, assignee: 'me', note: '' }
                : { id: ulid(), kind, category: categoriesOf(get().config)[0]?.code ?? '', priority: 'normal', description: '' };
            return { ...d, followups: [...d.followups, f] };
          });
        },
        editFollowup(id, index, patch) {
          patchDraft(id, (d) => ({
            ...d,
            followups: d.followups.map((f, i) => (i === index ? ({ ...f, ...patch } as DraftFollowup) : f)),
            issues: d.issues.filter((x) => !x.field.startsWith(`followups.${index}.`)),
          }));
        },
        removeFollowup(id, index) {
          patchDraft(id, (d) => ({ ...d, followups: d.followups.filter((_, i) => i !== index), issues: d.issues.filter((x) => !x.field.startsWith('followups.')) }));
        },
        async submit(id, now = Date.now()) {
          const d = get().drafts[id];
          if (!d || d.saving) return false;
          const { wrapUp, issues: dateIssues } = draftToWrapUp(d, now);
          // Without the backend's list (never reached yet) the form offers the defaults, and checks against them.
          const cfg = get().config ?? { dispositions: [...DEFAULT_DISPOSITIONS], categories: [...DEFAULT_CATEGORIES] };
          const issues = [...dateIssues, ...checkWrapUp(wrapUp, cfg, now).filter((i) => !dateIssues.some((x) => x.field === i.field))];
          if (issues.length) {
            patchDraft(id, (x) => ({ ...x, issues }));
            return false;
          }
          patchDraft(id, (x) => ({ ...x, saving: true, issues: [] }));
          let r: SaveResult;
          try {
            r = await unwrap(api.outbox.submitWrapUp({ wrapUp }));
          } catch (e) {
            patchDraft(id, (x) => ({ ...x, saving: false, issues: [{ field: '', message: e instanceof Error ? e.message : String(e) }] }));
            return false;
          }
          if (!r.ok) {
            patchDraft(id, (x) => ({ ...x, saving: false, issues: r.ok ? [] : r.issues }));
            return false;
          }
          set((s) => {
            const { [id]: _, ...rest } = s.drafts;
            return { drafts: rest, order: s.order.filter((x) => x !== id), lastSaved: { interactionId: id, at: now } };
          });
          void get().refreshCallbacks();
          return true;
        },
        createCustomer: (c) => unwrap(api.outbox.createCustomer({ customer: c })),
        async resend(seq, payload) {
          const r = await unwrap(api.outbox.resend({ seq, payload: payload as WrapUp }));
          if (r.ok) await get().refreshList();
          return r;
        },
        async ack(seqs) {
          set({ status: await unwrap(api.outbox.ackNotices({ seqs })) });
          await get().refreshList();
        },
        async pushNow() {
          set({ status: await unwrap(api.outbox.pushNow()) });
        },
        async completeCallback(followupId, note) {
          const r = await unwrap(api.outbox.updateFollowup({ followupId, state: 'done', note }));
          if (r.ok) await get().refreshCallbacks();
          return r;
        },
        async context(customerId) {
          try {
            return await unwrap(api.outbox.context({ customerId }));
          } catch {
            return null;
          }
        },
      };
    }),
  );
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

/** Contacts with this customer in the last 7 days, this call included: the backend's count, or what this desktop knows. */
export function contactNumber(ctx: ContextAnswer | null | undefined, history: readonly { at: number; disposition: string }[], now: number): number {
  if (ctx?.context && ctx.source === 'server') return ctx.context.contacts7d + 1;
  const recent = history.filter((h) => now - h.at < 7 * 24 * 3_600_000 && h.disposition !== 'elsewhere').length;
  return recent + (ctx?.pendingContacts ?? 0) + 1;
}

// ---------------------------------------------------------------- wiring

export interface OutboxWiring {
  api: LianluoBridge;
  store: OutboxStore;
  phoneStore: PhoneStore;
  popStore: PopStore;
  /** Screen-reader announcements (callUi.announce): an i18n key and its parameters. */
  announce(key: string, params?: Record<string, string>): void;
  t(key: string, params?: Record<string, string>): string;
  /** How often due callbacks are looked for. */
  dueCheckMs?: number;
}

/** The customer a call is about: the one picked on the card, else the one saved from it. */
export function customerOfPop(popStore: PopStore, callId: string): { id: string | null; name: string | null; snapshot: CustomerSnapshot | null } {
  const pop = popStore.getState().pops[callId];
  const card = pop?.result?.customers.find((c) => c.id === pop.selectedId);
  if (card) return { id: card.id, name: card.name, snapshot: { name: card.name, company: card.company, number: card.phones[0]?.e164 ?? pop?.number ?? '' } };
  if (pop?.createdCustomerId) {
    const name = pop.draft?.name ?? '';
    return { id: pop.createdCustomerId, name, snapshot: { name, company: pop.draft?.company ?? '', number: pop.result?.number.e164 ?? pop.number } };
  }
  return { id: null, name: null, snapshot: null };
}

/**
 * Connect the outbox to the app: status and callbacks events, every call's interaction record, a
 * wrap-up form for every answered call, notifications for callbacks that fall due, and a warning
 * before the page goes away with items still waiting. Returns a function that undoes it.
 */
export function wireOutbox(d: OutboxWiring): () => void {
  const offs: (() => void)[] = [];
  const { store, api } = d;
  const reload = () => {
    void store.getState().refresh().catch(() => undefined);
    void store.getState().loadConfig(true).catch(() => undefined);
    void store.getState().refreshCallbacks().catch(() => undefined);
  };
  // Items delivered: my callbacks come from the backend again (the ones saved here were shown as "not sent").
  let callbacksTimer: ReturnType<typeof setTimeout> | undefined;
  offs.push(() => clearTimeout(callbacksTimer));
  offs.push(
    api.on('outbox.changed', (s) => {
      const before = store.getState().status;
      store.getState().setStatus(s);
      if (!before || before.needsAttention !== s.needsAttention || before.notices !== s.notices || before.pending !== s.pending || before.signedIn !== s.signedIn) {
        void store.getState().refreshList().catch(() => undefined);
      }
      if (before && !before.signedIn && s.signedIn) reload();
      else if (before && s.lastDeliveredAt !== before.lastDeliveredAt) {
        clearTimeout(callbacksTimer);
        callbacksTimer = setTimeout(() => void store.getState().refreshCallbacks(true).catch(() => undefined), 500);
      }
    }),
  );
  offs.push(api.on('outbox.callbacks', (c) => store.getState().setCallbacks(c)));
  offs.push(api.on('session.changed', () => reload()));
  reload();

  // Every call, answered or not, is recorded; an answered one gets its wrap-up.
  offs.push(
    recordCalls({
      phoneStore: d.phoneStore,
      customerOf: (callId) => customerOfPop(d.popStore, callId),
      save: async (record) => {
        const r = await unwrap(api.outbox.recordCall(record));
        if (!r.ok) throw new Error(r.issues.map((i) => `${i.field}: ${i.message}`).join('; '));
      },
      onAnswered: (call, record) => {
        const who = customerOfPop(d.popStore, call.id);
        store.getState().openDraft({
          interactionId: record.interactionId,
          direction: call.direction,
          number: call.number,
          endedAt: record.endedAt,
          customerId: who.id,
          customerSnapshot: who.snapshot,
        });
      },
      onError: (e) => console.error('[outbox] a call record could not be saved', e),
    }),
  );

  // Callbacks that fall due: once each, a desktop notification (when allowed) and an announcement.
  const told = new Set<string>();
  const checkDue = () => {
    const now = Date.now();
    for (const f of store.getState().callbacks.followups) {
      if (f.kind !== 'callback' || f.dueAt === null || f.dueAt > now || told.has(f.id)) continue;
      told.add(f.id);
      const who = f.customerSnapshot?.name || f.number || '';
      d.announce('callbacks.dueAnnounce', { who });
      if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
        const n = new Notification(d.t('callbacks.dueTitle'), { body: d.t('callbacks.dueBody', { who, number: f.number ?? '' }), tag: `callback-${f.id}` });
        n.onclick = () => {
          window.focus();
          n.close();
        };
      }
    }
  };
  const dueTimer = setInterval(checkDue, d.dueCheckMs ?? 15_000);
  offs.push(() => clearInterval(dueTimer));
  offs.push(store.subscribe((s) => s.callbacks, checkDue));

  // Leaving while signed in with work not yet delivered: the browser asks first (Electron: the shell
  // asks on quit). Without a session there is nothing to wait for (it goes at the next sign-in).
  const beforeUnload = (e: BeforeUnloadEvent) => {
    const s = store.getState().status;
    if (s?.signedIn && s.pending > 0) e.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  offs.push(() => window.removeEventListener('beforeunload', beforeUnload));

  return () => {
    for (const off of offs.reverse()) off();
  };
}

/** The team's wrap-up limit as the phone wiring reads it (null until the backend's configuration is known). */
export function wrapUpLimitOf(store: OutboxStore): { seconds(): number | null; subscribe(onChange: () => void): () => void } {
  return {
    seconds: () => store.getState().config?.wrapUpSeconds ?? null,
    subscribe: (onChange) => store.subscribe((s) => s.config?.wrapUpSeconds, onChange),
  };
}
