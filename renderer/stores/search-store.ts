// Search as you type: the query, the answer for it, the highlighted row, and the customer opened from
// the list. One request at a time, latest wins: while an answer is on its way, keystrokes only update
// the query; when it arrives, the newest query is asked next (so a fast typist never queues a backlog,
// and an answer to an older query never replaces a newer one).
import { createStore } from 'zustand/vanilla';
import type { CustomerCard } from '../../shared/domain/customer';
import { SEARCH_LIMIT, type SearchHit, type SearchResult } from '../../shared/domain/search';

export interface OpenedCard {
  id: string;
  status: 'loading' | 'done' | 'missing' | 'error';
  customer?: CustomerCard;
  error?: string;
}

export interface SearchState {
  query: string;
  /** idle: nothing typed; loading: an answer for `query` is on its way (the previous hits stay shown). */
  status: 'idle' | 'loading' | 'done' | 'error';
  hits: SearchHit[];
  /** The query `hits` answer. */
  answered: string;
  more: boolean;
  error?: string;
  /** The results (or the opened card) are shown below the search box. */
  open: boolean;
  /** Index of the highlighted row in `hits`, -1 when none. */
  active: number;
  card: OpenedCard | null;

  setQuery(query: string): void;
  /** Move the highlight by `delta` rows (clamped), opening the list if it was closed. */
  move(delta: number): void;
  moveTo(index: number): void;
  /** Open the highlighted (or given) result's card. */
  openResult(index?: number): Promise<void>;
  closeCard(): void;
  /** Hide the list and card; the query and results stay for when the box is used again. */
  close(): void;
  reopen(): void;
  clear(): void;
  /** The cache changed (a sync page, an import): ask the current query again, reload an open card. */
  refresh(): void;
}

export interface SearchDeps {
  search(query: string, limit: number): Promise<SearchResult>;
  get(id: string): Promise<CustomerCard | null>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createSearchStore(deps: SearchDeps, limit = SEARCH_LIMIT) {
  /** The query that still has to be asked (null: none), and whether a request is on its way. */
  let wanted: string | null = null;
  let inFlight = false;
  let cardSeq = 0;

  return createStore<SearchState>()((set, get) => {
    function ask(query: string): void {
      wanted = query;
      if (!inFlight) void pump();
    }

    async function pump(): Promise<void> {
      inFlight = true;
      while (wanted !== null) {
        const query = wanted;
        wanted = null;
        try {
          const r = await deps.search(query, limit);
          if (get().query !== query) continue;
          // Keep the highlighted customer highlighted when the list is refreshed under it.
          const prev = get().answered === query ? get().hits[get().active]?.id : undefined;
          const kept = prev ? r.hits.findIndex((h) => h.id === prev) : -1;
          set({ status: 'done', hits: r.hits, answered: query, more: r.more, error: undefined, active: kept >= 0 ? kept : r.hits.length ? 0 : -1 });
        } catch (e) {
          if (get().query === query) set({ status: 'error', error: errorText(e) });
        }
      }
      inFlight = false;
    }

    /** `quiet`: refresh an open card in place (no loading state in between). */
    async function loadCard(id: string, quiet = false): Promise<void> {
      const seq = ++cardSeq;
      if (!quiet) set({ card: { id, status: 'loading' }, open: true });
      try {
        const customer = await deps.get(id);
        if (seq !== cardSeq) return;
        set({ card: customer ? { id, status: 'done', customer } : { id, status: 'missing' } });
      } catch (e) {
        if (seq === cardSeq) set({ card: { id, status: 'error', error: errorText(e) } });
      }
    }

    return {
      query: '',
      status: 'idle',
      hits: [],
      answered: '',
      more: false,
      open: false,
      active: -1,
      card: null,

      setQuery(query) {
        cardSeq++;
        if (!query.trim()) {
          wanted = null;
          set({ query, status: 'idle', hits: [], answered: '', more: false, error: undefined, active: -1, card: null, open: false });
          return;
        }
        set({ query, status: 'loading', open: true, card: null });
        ask(query);
      },
      move(delta) {
        const { hits, active, open, card } = get();
        if (!open || card) {
          // The first arrow shows the list again (and leaves an opened card).
          cardSeq++;
          set({ open: get().query.trim() !== '', card: null });
          return;
        }
        if (!hits.length) return;
        const from = active < 0 ? (delta > 0 ? -1 : hits.length) : active;
        set({ active: Math.max(0, Math.min(hits.length - 1, from + delta)) });
      },
      moveTo(index) {
        if (index >= 0 && index < get().hits.length) set({ active: index });
      },
      async openResult(index) {
        const i = index ?? get().active;
        const hit = get().hits[i];
        if (!hit) return;
        set({ active: i });
        await loadCard(hit.id);
      },
      closeCard() {
        cardSeq++;
        set({ card: null });
      },
      close() {
        set({ open: false });
      },
      reopen() {
        if (get().query.trim()) set({ open: true });
      },
      clear() {
        get().setQuery('');
      },
      refresh() {
        const { query, card } = get();
        if (query.trim()) ask(query);
        if (card && card.status !== 'loading') void loadCard(card.id, true);
      },
    };
  });
}

export type SearchStore = ReturnType<typeof createSearchStore>;
