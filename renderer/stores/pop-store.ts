// Screen pops: one per call, started the moment the INVITE arrives. Holds the lookup result and the
// agent's choice when several customers share the number.
import { createStore } from 'zustand/vanilla';
import type { LookupResult } from '../../shared/domain/customer';

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
  drop(callId: string): void;
}

export interface PopDeps {
  lookup(ani: string): Promise<LookupResult>;
}

export function createPopStore(deps: PopDeps) {
  return createStore<PopState>()((set, get) => ({
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
      } catch (e) {
        update({ status: 'error', error: e instanceof Error ? e.message : String(e) });
      }
    },
    select(callId, customerId) {
      const cur = get().pops[callId];
      if (!cur) return;
      set((s) => ({ pops: { ...s.pops, [callId]: { ...cur, selectedId: customerId } } }));
    },
    editDraft(callId, patch) {
      const cur = get().pops[callId];
      if (!cur) return;
      const draft = { name: '', company: '', notes: '', ...cur.draft, ...patch };
      set((s) => ({ pops: { ...s.pops, [callId]: { ...cur, draft } } }));
    },
    drop(callId) {
      set((s) => {
        const { [callId]: _, ...rest } = s.pops;
        return { pops: rest };
      });
    },
  }));
}

export type PopStore = ReturnType<typeof createPopStore>;
