import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { unwrap } from '../bridge/api';
import { useDeps } from '../app-context';
import { createSearchStore, type SearchStore } from '../stores/search-store';
import { CustomerCard } from './CustomerCard';
import { isSearchShortcut, SEARCH_SHORTCUT, searchKeyAction } from './search-keys';
import { pageRows } from './search-window';
import { SEARCH_ROW_PX, SearchResults } from './SearchResults';
import './search.css';

const typingIn = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && !['button', 'checkbox', 'radio'].includes(t.type)));

/**
 * Search as you type in the header: a combobox whose list (or the customer opened from it) unfolds
 * below. Keyboard: Ctrl+K or "/" focuses it, arrows move, Enter opens, Esc goes back / closes. It
 * takes focus only when the agent asks: a ringing call's Answer button keeps it, and a new call (in or
 * out) folds the list away so the caller's card is in view; the query stays for later.
 */
export function SearchPanel() {
  const { t } = useTranslation();
  const { api, phoneStore } = useDeps();
  const [store] = useState<SearchStore>(() =>
    createSearchStore({
      search: (query, limit) => unwrap(api.customers.search({ query, limit })),
      get: (id) => unwrap(api.customers.get({ id })).then((r) => r.customer),
    }),
  );
  const s = useStore(
    store,
    useShallow((x) => ({ query: x.query, status: x.status, open: x.open, count: x.hits.length, more: x.more, error: x.error, active: x.active, card: x.card, answered: x.answered })),
  );
  const [text, setText] = useState('');
  const composing = useRef(false);
  const input = useRef<HTMLInputElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const uid = useId();
  const listId = `${uid}-results`;
  const optionId = (i: number) => `${uid}-opt-${i}`;

  // The store can clear the query (Esc): show what it holds, unless an input method is mid-word.
  useEffect(() => {
    if (!composing.current) setText(s.query);
  }, [s.query]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!isSearchShortcut(e, typingIn(e.target))) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
      store.getState().reopen();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  // Fresh data (a sync page, an import) refreshes what is on screen.
  useEffect(() => api.on('cache.changed', () => store.getState().refresh()), [api, store]);

  // A new call, ringing or dialled, folds the list away. Focus is left where it is.
  useEffect(
    () =>
      phoneStore.subscribe(
        (st) => st.order,
        (order, prev) => {
          if (order.some((id) => !prev.includes(id))) store.getState().close();
        },
      ),
    [phoneStore, store],
  );

  // A click elsewhere closes it.
  useEffect(() => {
    if (!s.open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) store.getState().close();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [s.open, store]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (composing.current) return;
    const a = searchKeyAction(e, pageRows(Math.min(window.innerHeight * 0.6, SEARCH_ROW_PX * 20), SEARCH_ROW_PX));
    if (!a) return;
    const st = store.getState();
    if (a.kind === 'move') {
      e.preventDefault();
      st.move(a.delta);
    } else if (a.kind === 'open') {
      if (st.open && !st.card && st.active >= 0) {
        e.preventDefault();
        void st.openResult();
      }
    } else if (st.card || st.open || st.query) {
      e.preventDefault();
      escape();
    }
  };

  const escape = () => {
    const st = store.getState();
    if (st.card) st.closeCard();
    else if (st.open) st.close();
    else {
      st.clear();
      setText('');
    }
  };

  // Esc from inside an opened card (its buttons) goes back to the list, focus back to the box.
  const onPanelKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Escape' || e.target === input.current) return;
    e.preventDefault();
    escape();
    input.current?.focus();
  };

  const expanded = s.open && !s.card && s.count > 0;
  const status =
    s.status === 'error'
      ? t('search.error', { error: s.error ?? '' })
      : s.status === 'idle'
        ? ''
        : s.status === 'loading' && s.answered !== s.query && !s.count
          ? t('search.searching')
          : s.count === 0
            ? t('search.none', { query: s.answered || s.query })
            : s.more
              ? t('search.more', { count: s.count })
              : t('search.found', { count: s.count });

  return (
    <div className="search" ref={root} onKeyDown={onPanelKeyDown} data-testid="search">
      <label className="visually-hidden" htmlFor={`${uid}-input`}>
        {t('search.label')}
      </label>
      <input
        ref={input}
        id={`${uid}-input`}
        className="search-input"
        type="search"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        placeholder={t('search.placeholder', { shortcut: SEARCH_SHORTCUT.label })}
        aria-keyshortcuts={SEARCH_SHORTCUT.aria}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={s.open && !s.card ? listId : undefined}
        aria-activedescendant={expanded && s.active >= 0 ? optionId(s.active) : undefined}
        aria-describedby={`${uid}-status`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (!composing.current) store.getState().setQuery(e.target.value);
        }}
        onCompositionStart={() => (composing.current = true)}
        onCompositionEnd={(e) => {
          composing.current = false;
          store.getState().setQuery(e.currentTarget.value);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => store.getState().reopen()}
        data-testid="search-input"
      />
      <div id={`${uid}-status`} className="visually-hidden" role="status" aria-live="polite">
        {s.open && !s.card ? status : ''}
      </div>
      {s.open ? (
        <div className="search-popup" data-testid="search-popup">
          {s.card ? (
            <OpenedCard store={store} />
          ) : (
            <>
              {status ? (
                <p className={`search-status${s.status === 'error' ? ' form-error' : ' muted'}`} data-testid="search-status">
                  {status}
                </p>
              ) : null}
              {/* Always in the DOM while open: aria-controls names it. */}
              <SearchResults store={store} listId={listId} optionId={optionId} label={t('search.results')} />
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

function OpenedCard({ store }: { store: SearchStore }) {
  const { t } = useTranslation();
  const card = useStore(store, (x) => x.card);
  if (!card) return null;
  return (
    <div className="search-card" data-testid="search-card" data-status={card.status}>
      <div className="search-card-bar">
        <button type="button" className="btn btn-link" onClick={() => store.getState().closeCard()}>
          {t('search.back')}
        </button>
        <button type="button" className="btn btn-link" onClick={() => store.getState().close()} aria-label={t('search.close')}>
          ×
        </button>
      </div>
      {card.status === 'loading' ? <p className="muted">{t('search.opening')}</p> : null}
      {card.status === 'missing' ? <p className="notice">{t('search.missing')}</p> : null}
      {card.status === 'error' ? (
        <p className="form-error" role="alert">
          {t('search.openFailed', { error: card.error ?? '' })}
        </p>
      ) : null}
      {card.customer ? <CustomerCard customer={card.customer} matchedBy="exact" /> : null}
    </div>
  );
}
