// The interactions stream carries each live customer's newest INTERACTION_WINDOW interactions: older
// ones leave as tombstones, a deleted customer's history leaves, a merged customer's history follows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTION_WINDOW } from '../../shared/sync/protocol';
import { addInteractions } from '../interactions/store';
import { DB_KINDS, startTestBackend, type TestBackend } from './support/backend';
import { interaction, mobile, serverWindow } from './support/data';
import { fetchPage, Mirror } from './support/sync-client';

describe.each(DB_KINDS)('interactions sync on %s', (kind) => {
  let b: TestBackend;
  let token: string;
  beforeAll(async () => {
    b = await startTestBackend(kind, { syncBatchRows: 4 });
    token = b.tokens.agentB;
    for (const id of ['H-1', 'H-2', 'H-3']) {
      const r = await b.client.req('POST', '/v1/customers', { token: b.tokens.admin, json: { id, name: id, phones: [{ number: mobile(Number(id.slice(2)) + 700) }] } });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => b?.close());

  it('sends only the newest window per customer to a fresh client', async () => {
    const t0 = 1_700_000_000_000;
    await addInteractions(b.db, Array.from({ length: INTERACTION_WINDOW + 3 }, (_, i) => interaction('H-1', i, t0 + i * 1000)));
    await addInteractions(b.db, [interaction('H-2', 0, t0), interaction('H-3', 0, t0)]);
    const m = new Mirror();
    await m.pull(b.url, token, 'interactions', 5);
    const h1 = [...m.interactions.values()].filter((i) => i.customerId === 'H-1');
    expect(h1).toHaveLength(INTERACTION_WINDOW);
    expect(Math.min(...h1.map((i) => i.at))).toBe(t0 + 3000);
    expect(m.interactions).toEqual(await serverWindow(b.db));
  });

  it('moves the window as new interactions arrive, with tombstones for the ones pushed out', async () => {
    const m = new Mirror();
    await m.pull(b.url, token, 'interactions');
    const before = m.cursor.interactions;
    await addInteractions(b.db, [interaction('H-1', 100, 1_800_000_000_000), interaction('H-1', 101, 1_800_000_001_000)]);
    const r = await fetchPage(b.url, token, 'interactions', { after: before, epoch: m.epoch.interactions! });
    if (r.kind !== 'page') throw new Error('unexpected reset');
    expect(r.page.changes.filter((c) => c.type === 'upsert').map((c) => (c.type === 'upsert' ? c.interaction.id : ''))).toEqual(['H-1-I100', 'H-1-I101']);
    expect(r.page.changes.filter((c) => c.type === 'tombstone').map((c) => c.id).sort()).toEqual(['H-1-I3', 'H-1-I4']);
    m.apply('interactions', r.page);
    expect(m.interactions).toEqual(await serverWindow(b.db));
  });

  it('removes a deleted customer’s history and moves a merged customer’s history to the survivor', async () => {
    const m = new Mirror();
    await m.pull(b.url, token, 'interactions');
    expect((await b.client.req('DELETE', '/v1/customers/H-2', { token: b.tokens.admin })).status).toBe(200);
    expect((await b.client.req('POST', '/v1/customers/H-1/merge', { token: b.tokens.admin, json: { into: 'H-3' } })).status).toBe(200);
    await m.pull(b.url, token, 'interactions');
    const owners = new Set([...m.interactions.values()].map((i) => i.customerId));
    expect(owners).toEqual(new Set(['H-3']));
    expect([...m.interactions.values()]).toHaveLength(INTERACTION_WINDOW);
    expect(m.interactions.has('H-3-I0')).toBe(false); // the oldest of the united history fell out of the window
    expect(m.interactions).toEqual(await serverWindow(b.db));
  });
});
