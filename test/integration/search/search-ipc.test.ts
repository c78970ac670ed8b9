// customers.search and customers.get through the real services (router, read-only connection, writer
// worker that seeded the demo customers): what the renderer gets, and how bad requests are answered.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../../electron/services/app-services';
import { startTestServices } from '../support/services';
import type { SearchResult } from '../../../shared/domain/search';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-search-ipc-');
let services: Services;
const ctx = { transport: 'web' as const };

beforeAll(async () => {
  services = await startTestServices(join(dir, 'data'), { demoCustomers: 500 });
  await services.ready;
});
afterAll(async () => {
  await services?.close();
});

const call = (channel: string, payload: unknown) => services.router.handle(channel, payload, ctx);

describe('customers.search over IPC', () => {
  it('finds the demo customers by name, company and number (the home region from the settings)', async () => {
    const r = await call('customers.search', { query: '王芳' });
    expect(r.ok).toBe(true);
    const v = (r as { value: SearchResult }).value;
    expect(v.query).toBe('王芳');
    expect(v.hits[0]).toMatchObject({ id: 'C-STORY-1', name: '王芳', company: '北京华信科技有限公司', tier: 'gold' });

    const byNumber = (await call('customers.search', { query: '+86 10 8888 6666' })) as { ok: true; value: SearchResult };
    expect(byNumber.value.hits.map((h) => h.id).sort()).toEqual(['C-STORY-2', 'C-STORY-3']);
    expect(byNumber.value.hits.every((h) => h.phoneMatched && h.phone?.display === '010 8888 6666')).toBe(true);
  });

  it('honours the limit and says there is more', async () => {
    const r = (await call('customers.search', { query: '1', limit: 5 })) as { ok: true; value: SearchResult };
    expect(r.value.hits).toHaveLength(5);
    expect(r.value.more).toBe(true);
  });

  it('refuses requests outside the contract with a clear error, and answers hostile text normally', async () => {
    for (const bad of [{}, { query: 'x'.repeat(257) }, { query: 'a', limit: 0 }, { query: 'a', limit: 501 }, { query: 'a', extra: 1 }, { query: 42 }]) {
      const r = await call('customers.search', bad);
      expect(r, JSON.stringify(bad).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
    for (const query of ['"', 'NEAR(a b', '*', 'a OR b -c', '\u202e王芳', '王'.repeat(256)]) {
      const r = await call('customers.search', { query });
      expect(r.ok, query.slice(0, 20)).toBe(true);
    }
  });
});

describe('customers.get over IPC', () => {
  it('returns the whole card the screen pop shows', async () => {
    const r = await call('customers.get', { id: 'C-STORY-1' });
    expect(r).toMatchObject({ ok: true, value: { customer: { id: 'C-STORY-1', name: '王芳', phones: [{ e164: '+8613800138000' }, { e164: '+861065528899' }] } } });
  });

  it('null for a customer that is not cached; invalid ids refused', async () => {
    expect(await call('customers.get', { id: 'C9999999' })).toEqual({ ok: true, value: { customer: null } });
    for (const id of ['', 'a b', '../x', 'x'.repeat(65)]) expect(await call('customers.get', { id })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });
});
