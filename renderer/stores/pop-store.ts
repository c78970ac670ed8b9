// Screen pops: one per call, started the moment the INVITE arrives. Holds the lookup result and the
// agent's choice when several customers share the number.
import { createStore } from 'zustand/vanilla';
import type { LookupResult } from '../../shared/domain/customer';
import type { ContextAnswer } from '../../shared/outbox/desktop';
import { afterNextPaint } from '../lib/after-paint';

export interface Pop {
  callId: string;
  number: string;
  status: 'loading' | 'done' | 'error';
  result?: LookupResult;
  /** The customer the agent is looking at (set automatically for a single match). */
  selectedId?: string;
  error?: string;
  /** Fields the agent typed on a new-customer card while the caller was talking. */
  draft?: { name: string; company: string; notes: string };
  /**
   * The interaction this call continues (a transfer or consult carried X-Lianluo-Context): the first
   * agent's notes are fetched by it from the backend (with the outbox issue).
   */
  fromInteraction?: string;
  /**
   * What the customer's earlier contacts left (issue 4): contacts in 7 days, the last disposition and
   * note, open follow-ups. Fetched after the card is shown, so it never delays the pop.
   */
  context?: ContextAnswer | null;
  /** The unmatched caller was saved as a new customer from the card (its id, made by the desktop). */
  createdCustomerId?: string;
}

export interface PopOptions {
  /** Select this customer when the lookup finds it (a transfer's context, a click-to-dial from a card). */
  preferCustomerId?: string;
  fromInteraction?: string;
}

export interface PopState {
  pops: Record<string, Pop>;
  start(callId: string, number: string, options?: PopOptions): Promise<void>;
  select(callId: string, customerId: string | undefined): void;
  editDraft(callId: string, patch: Partial<NonNullable<Pop['draft']>>): void;
  /** The new-customer card was saved (as an outbox item): its id, so the call's record and wrap-up link to it. */
  created(callId: string, customerId: string): void;
  drop(callId: string): void;
}

export interface PopDeps {
  lookup(ani: string): Promise<LookupResult>;
  /** The customer's context from the backend (or the outbox when offline); null when there is none. */
  context?(customerId: string): Promise<ContextAnswer | null>;
}

export function createPopStore(deps: PopDeps) {
  return createStore<PopState>()((set, get) => {
    // After the card has painted: the answer (and its re-render) must not share the pop's frame.
    const loadContext = (callId: string, customerId: string | undefined) => {
      const context = deps.context;
      if (!customerId || !context) return;
      afterNextPaint(() => {
        if (get().pops[callId]?.selectedId !== customerId) return;
        void context(customerId).then((answer) =>
          set((s) => {
            const cur = s.pops[callId];
            return cur && cur.selectedId === customerId ? { pops: { ...s.pops, [callId]: { ...cur, context: answer } } } : s;
          }),
        );
      });
    };
    return {
      pops: {},
      async start(callId, number, options = {}) {
        const from = options.fromInteraction ? { fromInteraction: options.fromInteraction } : {};
        set((s) => ({ pops: { ...s.pops, [callId]: { callId, number, status: 'loading', ...from } } }));
        const update = (patch: Partial<Pop>) =>
          set((s) => {
            const cur = s.pops[callId];
            return cur ? { pops: { ...s.pops, [callId]: { ...cur, ...patch } } } : s;
          });
        try {
          const result = await deps.lookup(number);
          const only = result.customers.length === 1 ? result.customers[0]?.id : undefined;
          const preferred = result.customers.find((c) => c.id === options.preferCustomerId)?.id;
          update({ status: 'done', result, selectedId: preferred ?? only });
          loadContext(callId, preferred ?? only);
        } catch (e) {
          update({ status: 'error', error: e instanceof Error ? e.message : String(e) });
        }
      },
      select(callId, customerId) {
        const cur = get().pops[callId];
        if (!cur) return;
        set((s) => ({ pops: { ...s.pops, [callId]: { ...cur, selectedId: customerId, context: undefined } } }));
        loadContext(callId, customerId);
      },
      editDraft(callId, patch) {
        const cur = get().pops[callId];
        if (!cur) return;
        const draft = { name: '', company: '', notes: '', ...cur.draft, ...patch };
        set((s) => ({ pops: { ...s.pops, [callId]: { ...cur, draft } } }));
      },
      created(callId, customerId) {
        const cur = get().pops[callId];
        if (!cur) return;
        set((s) => ({ pops: { ...s.pops, [callId]: { ...cur, createdCustomerId: customerId } } }));
      },
      drop(callId) {
        set((s) => {
          const { [callId]: _, ...rest } = s.pops;
          return { pops: rest };
        });
      },
    };
  });
}

export type PopStore = ReturnType<typeof createPopStore>;
