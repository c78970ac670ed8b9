// The desktop's real services (app-services.ts: writer worker, read-only lookup connection, session,
// sync engine, live socket) in a temp data folder, pointed at a backend by URL, plus what the tests
// compare: the cache's content against a fresh pull from the server.
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { LOOKUP_HISTORY } from '../../../../shared/domain/customer';
import type { SessionInfo, SyncStatus } from '../../../../shared/domain/session';
import type { LookupResult } from '../../../../shared/domain/customer';
import { reversedDigits } from '../../../../shared/phone/ani';
import type { WireResult } from '../../../../shared/result';
import type { Mirror } from '../../../../backend/test/support/sync-client';
import { startServices, type Services, type ServicesOptions } from '../../../../electron/services/app-services';
import { cacheFile } from '../../../../electron/services/paths';
import { MemorySecretStore } from '../../../../electron/services/secrets/secret-store';

import { quiet, WRITER } from './services-env';

export { quiet, WRITER };

export interface Desktop {
  services: Services;
  dataDir: string;
  call<T>(channel: string, payload?: unknown): Promise<T>;
  sync(): Promise<SyncStatus>;
  session(): Promise<SessionInfo>;
  lookup(ani: string): Promise<LookupResult>;
  /** Wait until the sync is idle, caught up to at least `seq` on both streams when given. */
  settled(timeoutMs?: number): Promise<SyncStatus>;
  close(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function startDesktop(o: { dataDir: string; backendUrl: string; sync?: ServicesOptions['sync']; log?: ServicesOptions['log'] }): Promise<Desktop> {
  const services = await startServices({
    dataDir: o.dataDir,
    transport: 'web',
    version: '0.0.0-test',
    platform: process.platform,
    secrets: new MemorySecretStore(),
    writerScript: WRITER,
    log: o.log ?? quiet,
    backend: { override: o.backendUrl },
    sync: { retryMinMs: 100, retryMaxMs: 1000, ...o.sync },
  });
  await services.ready;
  const call = async <T,>(channel: string, payload: unknown = {}) => {
    const r = (await services.router.handle(channel, payload, { transport: 'web' })) as WireResult<T>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const sync = () => call<SyncStatus>('sync.status');
  return {
    services,
    dataDir: o.dataDir,
    call,
    sync,
    session: () => call<SessionInfo>('session.get'),
    lookup: (ani) => call<LookupResult>('customers.lookup', { ani }),
    settled: (timeoutMs = 60_000) =>
      waitFor(
        'the sync to be idle',
        async () => {
          const s = await sync();
          if (s.state === 'error') throw new Error(`sync error: ${s.error?.kind} ${s.error?.detail}`);
          return s.state === 'idle' ? s : undefined;
        },
        timeoutMs,
      ),
    close: () => services.close(),
  };
}

/** The cache file's rows, in the shape a server pull gives them. */
export function readCache(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return {
      customers: db.prepare('SELECT id, name, company, tier, tags, notes, updated_at, phones_json, history_json, last_contact_at FROM customers ORDER BY id').all(),
      phones: db.prepare('SELECT c.id, p.e164, p.digits_rev, p.label, p.display, p.position FROM customer_phones p JOIN customers c ON c.rid = p.customer_rid ORDER BY c.id, p.e164').all(),
      interactions: db.prepare('SELECT id, customer_id, at, direction, channel, agent, disposition, note, duration_s FROM interactions ORDER BY id').all(),
      cursors: db.prepare('SELECT stream, cursor FROM sync_state ORDER BY stream').all() as { stream: string; cursor: number }[],
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

/** What the cache must hold for this server state (same ordering and encodings as readCache). */
export function expectedCache(m: Mirror) {
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const customers = [...m.customers.values()].sort(byId).map((c) => {
    const mine = [...m.interactions.values()].filter((i) => i.customerId === c.id).sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
    return {
      id: c.id,
      name: c.name,
      company: c.company,
      tier: c.tier,
      tags: JSON.stringify(c.tags),
      notes: c.notes,
      updated_at: c.updatedAt,
      phones_json: JSON.stringify(c.phones.map((p) => [p.e164, p.display, p.label])),
      history_json: JSON.stringify(mine.slice(0, LOOKUP_HISTORY).map((i) => [i.id, i.at, i.direction, i.channel, i.agent, i.disposition, i.note, i.durationS])),
      last_contact_at: mine[0]?.at ?? null,
    };
  });
  const phones = [...m.customers.values()]
    .flatMap((c) => {
      const seen = new Set<string>();
      return c.phones.flatMap((p, position) => (seen.has(p.e164) ? [] : (seen.add(p.e164), [{ id: c.id, e164: p.e164, digits_rev: reversedDigits(p.e164), label: p.label, display: p.display, position }])));
    })
    .sort((a, b) => (a.id === b.id ? (a.e164 < b.e164 ? -1 : 1) : a.id < b.id ? -1 : 1));
  const interactions = [...m.interactions.values()]
    .sort(byId)
    .map((i) => ({ id: i.id, customer_id: i.customerId, at: i.at, direction: i.direction, channel: i.channel, agent: i.agent, disposition: i.disposition, note: i.note, duration_s: i.durationS }));
  return { customers, phones, interactions };
}

/** The cache equals the server's state, row for row; its cursors are the server's. */
export function expectCacheEqualsServer(dataDir: string, m: Mirror): void {
  const got = readCache(cacheFile(dataDir));
  expect(got.integrity).toBe('ok');
  const want = expectedCache(m);
  expect(got.customers.length).toBe(want.customers.length);
  expect(got.customers).toEqual(want.customers);
  expect(got.phones).toEqual(want.phones);
  expect(got.interactions).toEqual(want.interactions);
  expect(got.cursors).toEqual([
    { stream: 'customers', cursor: m.cursor.customers },
    { stream: 'interactions', cursor: m.cursor.interactions },
  ]);
}
