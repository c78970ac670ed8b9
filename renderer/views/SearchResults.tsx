import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { SearchHit } from '../../shared/domain/search';
import type { SearchStore } from '../stores/search-store';
import { revealRow, visibleRows } from './search-window';

/** Row height in px (search.css gives .search-row the same height): the list is windowed on it. */
export const SEARCH_ROW_PX = 40;

/**
 * The results as a listbox, virtualised: only the rows in view (and a few around them) are in the
 * DOM, so a few hundred results scroll like twenty. Focus stays in the search box (combobox pattern:
 * aria-activedescendant names the highlighted row, which is therefore always rendered).
 */
export function SearchResults({ store, listId, optionId, label }: { store: SearchStore; listId: string; optionId: (i: number) => string; label: string }) {
  const hits = useStore(store, (s) => s.hits);
  const active = useStore(store, (s) => s.active);
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(SEARCH_ROW_PX * 12);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // The list grows with its rows (up to its max height): measure in the same commit, so the window is never
  // the one of a shorter list until the observer's callback comes.
  const count = hits.length;
  useLayoutEffect(() => {
    if (ref.current) setViewport(ref.current.clientHeight);
  }, [count]);

  // Keep the highlighted row in view as the arrows move it (or a new answer resets it).
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || active < 0) return;
    const next = revealRow(active, el.scrollTop, el.clientHeight, SEARCH_ROW_PX);
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(el.scrollTop);
    }
  }, [active, hits]);

  const { start, end } = visibleRows(scrollTop, viewport, SEARCH_ROW_PX, hits.length);
  const rows: number[] = [];
  for (let i = start; i < end; i++) rows.push(i);
  if (active >= 0 && active < hits.length && (active < start || active >= end)) rows.push(active);

  return (
    <div
      ref={ref}
      className="search-list"
      id={listId}
      role="listbox"
      aria-label={label}
      data-testid="search-results"
      data-count={hits.length}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div className="search-list-inner" role="presentation" style={{ height: hits.length * SEARCH_ROW_PX }}>
        {rows.map((i) => (
          <SearchRow key={(hits[i] as SearchHit).id} hit={hits[i] as SearchHit} index={i} count={hits.length} active={i === active} id={optionId(i)} store={store} />
        ))}
      </div>
    </div>
  );
}

function SearchRow({ hit, index, count, active, id, store }: { hit: SearchHit; index: number; count: number; active: boolean; id: string; store: SearchStore }) {
  const { t } = useTranslation();
  return (
    <div
      id={id}
      role="option"
      aria-selected={active}
      aria-setsize={count}
      aria-posinset={index + 1}
      className={`search-row${active ? ' search-row-active' : ''}`}
      style={{ top: index * SEARCH_ROW_PX }}
      data-customer-id={hit.id}
      // The box keeps focus (and the caret) while a row is clicked.
      onMouseDown={(e) => e.preventDefault()}
      onMouseMove={() => !active && store.getState().moveTo(index)}
      onClick={() => void store.getState().openResult(index)}
    >
      <span className="search-name">{hit.name}</span>
      <span className="search-company">{hit.company}</span>
      <span className={`search-phone${hit.phoneMatched ? ' search-phone-matched' : ''}`}>
        {hit.phone ? hit.phone.display : ''}
        {hit.phoneMatched ? <span className="visually-hidden"> {t('search.matchedNumber')}</span> : null}
      </span>
      <span className={`tier tier-${hit.tier}`}>{t(`tier.${hit.tier}`)}</span>
    </div>
  );
}
