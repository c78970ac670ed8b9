// The search store: latest query wins (one request at a time, no answer to an older keystroke shown),
// the highlight, opening a customer, refresh when the cache changes. A fresh store and a search whose
// answers the test releases by hand, per test.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomerCard } from '../../../shared/domain/customer';
import type { SearchHit, SearchResult } from '../../../shared/domain/search';
import { createSearchStore, type SearchStore } from '../../../renderer/stores/search-store';

const hit = (id: string): SearchHit => ({ id, name: id, company: '', tier: 'standard', lastContactAt: null, phone: null, phoneMatched: false });
const card = (id: string): CustomerCard => ({ id, name: id, company: '', tier: 'gold', tags: [], notes: '', phones: [], lastContactAt: null, interactions: [] });

function controllable() {
  const searches: { query: string; resolve: (r: SearchResult) => void; reject: (e: unknown) => void }[] = [];
  const gets: { id: string; resolve: (c: CustomerCard | null) => void; reject: (e: unknown) => void }[] = [];
  return {
    searches,
    gets,
    deps: {
      search: (query: string) => new Promise<SearchResult>((resolve, reject) => searches.push({ query, resolve, reject })),
      get: (id: string) => new Promise<CustomerCard | null>((resolve, reject) => gets.push({ id, resolve, reject })),
    },
    answer(i: number, ...ids: string[]) {
      const s = searches[i]!;
      s.resolve({ query: s.query, hits: ids.map(hit), more: false, tookMs: 0.1 });
    },
  };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

let c: ReturnType<typeof controllable>;
let store: SearchStore;
beforeEach(() => {
  c = controllable();
  store = createSearchStore(c.deps);
});
const st = () => store.getState();

describe('search store', () => {
  it('asks once per answer, always the newest query, and never shows an older answer', async () => {
    st().setQuery('王');
    st().setQuery('王芳');
    st().setQuery('王芳 1');
    expect(c.searches.map((s) => s.query)).toEqual(['王']); // one request at a time
    expect(st()).toMatchObject({ query: '王芳 1', status: 'loading', open: true });
    c.answer(0, 'OLD');
    await tick();
    expect(st().hits).toEqual([]); // the answer to '王' is not for what is typed now
    expect(c.searches.map((s) => s.query)).toEqual(['王', '王芳 1']); // '王芳' was skipped
    c.answer(1, 'A', 'B');
    await tick();
    expect(st()).toMatchObject({ status: 'done', answered: '王芳 1', active: 0 });
    expect(st().hits.map((h) => h.id)).toEqual(['A', 'B']);
  });

  it('clearing the box forgets results and a late answer', async () => {
    st().setQuery('a');
    st().setQuery('');
    c.answer(0, 'A');
    await tick();
    expect(st()).toMatchObject({ query: '', status: 'idle', hits: [], open: false, active: -1 });
    expect(c.searches).toHaveLength(1);
  });

  it('a failed search says so, and the next keystroke tries again', async () => {
    st().setQuery('x');
    c.searches[0]!.reject(new Error('database is locked'));
    await tick();
    expect(st()).toMatchObject({ status: 'error', error: 'database is locked' });
    st().setQuery('xy');
    c.answer(1, 'X');
    await tick();
    expect(st()).toMatchObject({ status: 'done', error: undefined });
  });

  it('moves the highlight within the results; the first arrow after closing only reopens', async () => {
    st().setQuery('a');
    c.answer(0, 'A', 'B', 'C');
    await tick();
    st().move(1);
    st().move(1);
    st().move(1);
    expect(st().active).toBe(2); // clamped at the last
    st().move(-10);
    expect(st().active).toBe(0);
    st().close();
    st().move(1);
    expect(st()).toMatchObject({ open: true, active: 0 });
    st().moveTo(2);
    expect(st().active).toBe(2);
    st().moveTo(9);
    expect(st().active).toBe(2);
  });

  it('opens the highlighted customer; Esc-like steps go back to the list, then close', async () => {
    st().setQuery('a');
    c.answer(0, 'A', 'B');
    await tick();
    st().move(1);
    const opening = st().openResult();
    expect(st().card).toEqual({ id: 'B', status: 'loading' });
    c.gets[0]!.resolve(card('B'));
    await opening;
    expect(st().card).toMatchObject({ id: 'B', status: 'done', customer: { id: 'B' } });
    st().closeCard();
    expect(st()).toMatchObject({ card: null, open: true, active: 1 });
    st().close();
    expect(st().open).toBe(false);
    st().reopen();
    expect(st().open).toBe(true);
  });

  it('a customer deleted meanwhile, or a failure, is shown as such; a newer choice wins over a slow one', async () => {
    st().setQuery('a');
    c.answer(0, 'A', 'B');
    await tick();
    const first = st().openResult(0);
    const second = st().openResult(1);
    c.gets[1]!.resolve(null);
    c.gets[0]!.resolve(card('A')); // late answer for the first choice
    await Promise.all([first, second]);
    expect(st().card).toEqual({ id: 'B', status: 'missing' });
    const third = st().openResult(0);
    c.gets[2]!.reject(new Error('gone'));
    await third;
    expect(st().card).toEqual({ id: 'A', status: 'error', error: 'gone' });
  });

  it('typing again leaves the opened card for the list', async () => {
    st().setQuery('a');
    c.answer(0, 'A');
    await tick();
    void st().openResult(0);
    st().setQuery('ab');
    expect(st().card).toBeNull();
    c.gets[0]!.resolve(card('A'));
    await tick();
    expect(st().card).toBeNull();
  });

  it('refresh asks the same query again, keeps the highlighted customer, and reloads an open card in place', async () => {
    st().setQuery('a');
    c.answer(0, 'A', 'B', 'C');
    await tick();
    st().moveTo(1);
    st().refresh();
    expect(c.searches.map((s) => s.query)).toEqual(['a', 'a']);
    c.answer(1, 'NEW', 'A', 'B');
    await tick();
    expect(st().hits[st().active]?.id).toBe('B');
    const opening = st().openResult();
    c.gets[0]!.resolve(card('B'));
    await opening;
    st().refresh();
    expect(st().card?.status).toBe('done'); // no flash of "loading"
    c.answer(2, 'B');
    c.gets[1]!.resolve({ ...card('B'), name: 'B renamed' });
    await tick();
    expect(st().card?.customer?.name).toBe('B renamed');
  });

  it('a refresh while a search is on its way is asked after it (the answer may predate the change)', async () => {
    st().setQuery('a');
    st().refresh();
    expect(c.searches).toHaveLength(1);
    c.answer(0, 'A');
    await tick();
    expect(c.searches.map((s) => s.query)).toEqual(['a', 'a']);
  });
});
