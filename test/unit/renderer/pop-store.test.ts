// The pop store: one screen pop per call, started at the INVITE, done with the lookup's answer or an
// error; the agent's choice and draft. A fresh store and a controllable lookup per test.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomerCard, LookupResult } from '../../../shared/domain/customer';
import { createPopStore, type PopStore } from '../../../renderer/stores/pop-store';

const card = (id: string): CustomerCard => ({ id, name: id, company: '', tier: 'standard', tags: [], notes: '', phones: [], lastContactAt: null, interactions: [] });
const result = (...ids: string[]): LookupResult => ({
  number: { raw: '13800138000', e164: '+8613800138000', display: '138 0013 8000', valid: true },
  match: ids.length ? 'exact' : 'none',
  customers: ids.map(card),
  truncated: false,
  tookMs: 0.05,
});

/** A lookup whose answers the test releases by hand, to observe the loading state and races. */
function controllableLookup() {
  const pending = new Map<string, { resolve: (r: LookupResult) => void; reject: (e: unknown) => void }>();
  const calls: string[] = [];
  return {
    calls,
    lookup: (ani: string) =>
      new Promise<LookupResult>((resolve, reject) => {
        calls.push(ani);
        pending.set(ani, { resolve, reject });
      }),
    answer: (ani: string, r: LookupResult) => pending.get(ani)?.resolve(r),
    fail: (ani: string, e: unknown) => pending.get(ani)?.reject(e),
  };
}

let l: ReturnType<typeof controllableLookup>;
let store: PopStore;
beforeEach(() => {
  l = controllableLookup();
  store = createPopStore({ lookup: l.lookup });
});
const pop = (id: string) => store.getState().pops[id];

describe('pop store', () => {
  it('is loading as soon as the call starts, and looks up the caller number', async () => {
    const done = store.getState().start('call-1', '013800138000');
    expect(pop('call-1')).toEqual({ callId: 'call-1', number: '013800138000', status: 'loading' });
    expect(l.calls).toEqual(['013800138000']);
    l.answer('013800138000', result('C1', 'C2'));
    await done;
    expect(pop('call-1')).toMatchObject({ status: 'done', result: { customers: [{ id: 'C1' }, { id: 'C2' }] } });
    expect(pop('call-1')?.selectedId).toBeUndefined(); // several matches: the agent picks
  });

  it('selects a single match automatically, and nothing when there is none', async () => {
    const one = store.getState().start('a', '1');
    const none = store.getState().start('b', '2');
    l.answer('1', result('ONLY'));
    l.answer('2', result());
    await Promise.all([one, none]);
    expect(pop('a')?.selectedId).toBe('ONLY');
    expect(pop('b')).toMatchObject({ status: 'done', selectedId: undefined, result: { match: 'none' } });
  });

  it('shows an error when the lookup fails, Error or not', async () => {
    const a = store.getState().start('a', '1');
    const b = store.getState().start('b', '2');
    l.fail('1', new Error('cache unavailable'));
    l.fail('2', 'socket closed');
    await Promise.all([a, b]);
    expect(pop('a')).toMatchObject({ status: 'error', error: 'cache unavailable' });
    expect(pop('b')).toMatchObject({ status: 'error', error: 'socket closed' });
  });

  it('lets the agent pick among several and change their mind', async () => {
    const p = store.getState().start('a', '1');
    l.answer('1', result('C1', 'C2'));
    await p;
    store.getState().select('a', 'C2');
    expect(pop('a')?.selectedId).toBe('C2');
    store.getState().select('a', undefined);
    expect(pop('a')?.selectedId).toBeUndefined();
    store.getState().select('unknown-call', 'C1');
    expect(pop('unknown-call')).toBeUndefined();
  });

  it('keeps the new-customer draft field by field', async () => {
    const p = store.getState().start('a', '1');
    l.answer('1', result());
    await p;
    store.getState().editDraft('a', { name: '李雷' });
    store.getState().editDraft('a', { company: 'ACME' });
    expect(pop('a')?.draft).toEqual({ name: '李雷', company: 'ACME', notes: '' });
    store.getState().editDraft('unknown-call', { name: 'x' });
    expect(pop('unknown-call')).toBeUndefined();
  });

  it('drop forgets a pop, and a late answer does not bring it back', async () => {
    const p = store.getState().start('a', '1');
    store.getState().start('b', '2');
    store.getState().drop('a');
    expect(pop('a')).toBeUndefined();
    l.answer('1', result('C1'));
    await p;
    expect(pop('a')).toBeUndefined();
    expect(pop('b')?.status).toBe('loading');
  });

  it('keeps pops of concurrent calls apart, whatever order the answers come in', async () => {
    const a = store.getState().start('a', '1');
    const b = store.getState().start('b', '2');
    l.answer('2', result('B'));
    await b;
    expect(pop('a')?.status).toBe('loading');
    l.answer('1', result('A'));
    await a;
    expect(pop('a')?.selectedId).toBe('A');
    expect(pop('b')?.selectedId).toBe('B');
  });
});
