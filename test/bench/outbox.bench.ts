// outbox.drain_10k_s: 10,000 items saved in a desktop's outbox while the backend was down (5,000 calls:
// a record and a wrap-up each, every other one with a callback), then the backend comes back: seconds
// until the last one is delivered. The real OutboxService and pusher over HTTP to the real backend
// (Fastify + PGlite, the embedded default). When the backend is reachable again the app nudges the
// pusher (a sync or live-socket recovery does), so the drain starts at once instead of after a backoff.
// Baseline in the same run: the backend applying the same 10,000 items with no desktop and no HTTP
// (pushItems in-process, batches of 200), so the difference is what the pipeline adds.
// outbox.lost / outbox.duplicated: the crash harness (test/integration/outbox/support/crash-harness.ts),
// 100 kill -9 with 20 % injected faults, checked against the backend's database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../backend/app';
import { TEST_COST } from '../../backend/auth/passwords';
import { SecretBox } from '../../backend/auth/secret-box';
import { migrate } from '../../backend/db/migrate';
import { PgliteDb } from '../../backend/db/pglite-db';
import { pushItems } from '../../backend/outbox/apply';
import { Client, createFixture } from '../../backend/test/support/backend';
import { callRecord, newUlid, wrapUp } from '../../backend/test/support/outbox-data';
import { OutboxService } from '../../electron/services/outbox/outbox-service';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import type { OutboxKind, WireItem } from '../../shared/outbox/items';
import { runCrashHarness } from '../integration/outbox/support/crash-harness';
import type { BenchContext } from './report';

const CALLS = 5000;
const quiet = { info: () => undefined, warn: () => undefined, error: (m: string, e?: unknown) => console.error(m, e) };

function payloads(): { kind: OutboxKind; payload: unknown }[] {
  const out: { kind: OutboxKind; payload: unknown }[] = [];
  for (let i = 0; i < CALLS; i++) {
    const rec = callRecord({ remoteName: `bench ${i}` });
    out.push({ kind: 'call.record', payload: rec });
    out.push({
      kind: 'wrapup.submit',
      payload: wrapUp(rec.interactionId, {
        note: `drain bench ${i}`,
        followups: i % 2 ? [{ id: newUlid(), kind: 'callback', dueAt: Date.now() + 86_400_000, number: '13800138000', assignee: 'me', note: '' }] : [],
      }),
    });
  }
  return out;
}

async function backend(dataDir: string, port = 0) {
  const box = SecretBox.fromKey(Buffer.alloc(32, 7));
  const db = await PgliteDb.open(dataDir);
  await migrate(db);
  const app = await buildApp({ db, box, passwordCost: TEST_COST });
  await app.listen({ host: '127.0.0.1', port });
  return { db, app, box, port: (app.server.address() as AddressInfo).port, close: async () => (await app.close(), await db.close()) };
}

async function drain(ctx: BenchContext, dir: string): Promise<{ seconds: number; firstRequestS: number; requests: number }> {
  let b = await backend(join(dir, 'pg'));
  await createFixture(b.db, { box: b.box, cost: TEST_COST, sessionTtlMs: 3_600_000 });
  const url = `http://127.0.0.1:${b.port}`;
  const token = await new Client(url).login('agent-a');
  let requests = 0;
  let firstRequestAt = 0;
  const outbox = new OutboxService({ dataDir: join(dir, 'desktop'), events: { emit: () => undefined }, log: quiet, plan: () => DEFAULT_NUMBER_PLAN, refreshMs: 3_600_000 });
  outbox.setLink({
    baseUrl: url,
    owner: 'bench agent-a',
    unauthorized: () => undefined,
    fetch: (u, init) => {
      if (u.endsWith('/v1/outbox')) {
        requests++;
        if (!firstRequestAt) firstRequestAt = performance.now();
      }
      return fetch(u, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
    },
  });
  const port = b.port;
  await b.close();
  const t0 = performance.now();
  for (const p of payloads()) outbox.save({ ...p, customerId: null, interactionId: null });
  ctx.log(`  10,000 items saved (synchronous=FULL, one commit each) in ${((performance.now() - t0) / 1000).toFixed(1)} s while the backend was down`);
  await new Promise((r) => setTimeout(r, 300));
  if (outbox.status().pending !== 2 * CALLS) throw new Error(`expected ${2 * CALLS} pending, have ${outbox.status().pending}`);

  b = await backend(join(dir, 'pg'), port);
  requests = 0;
  firstRequestAt = 0;
  const back = performance.now();
  outbox.pusher.retryNow(); // the app's nudge when the backend is reachable again
  while (outbox.status().pending > 0) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - back) / 1000;
  const [applied] = await b.db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox_applied WHERE status = 'applied'");
  if (applied?.n !== 2 * CALLS) throw new Error(`the backend applied ${applied?.n} items, expected ${2 * CALLS}`);
  await outbox.close();
  await b.close();
  return { seconds, firstRequestS: (firstRequestAt - back) / 1000, requests };
}

async function baseline(dir: string): Promise<number> {
  const b = await backend(join(dir, 'pg-baseline'));
  try {
    await createFixture(b.db, { box: b.box, cost: TEST_COST, sessionTtlMs: 3_600_000 });
    const [u] = await b.db.query<{ id: number; team_id: number | null }>("SELECT id, team_id FROM users WHERE username = 'agent-a'");
    const principal = { userId: u!.id, username: 'agent-a', displayName: 'agent-a', role: 'agent' as const, teamId: u!.team_id, tokenHash: '', expiresAt: Date.now() + 3_600_000 };
    const items: WireItem[] = payloads().map((p, i) => ({ key: newUlid(), seq: i + 1, kind: p.kind, createdAt: Date.now(), payload: p.payload }));
    const clientId = newUlid();
    // Warm up (JIT, PGlite's caches) on other items, as the drain's backend is warm by the time it applies.
    const warm: WireItem[] = payloads().slice(0, 1000).map((p, i) => ({ key: newUlid(), seq: i + 1, kind: p.kind, createdAt: Date.now(), payload: p.payload }));
    for (let i = 0; i < warm.length; i += 200) await pushItems(b.db, principal, DEFAULT_NUMBER_PLAN, { protocol: 1, clientId: newUlid(), items: warm.slice(i, i + 200) }, { error: () => undefined });
    const t0 = performance.now();
    for (let i = 0; i < items.length; i += 200) await pushItems(b.db, principal, DEFAULT_NUMBER_PLAN, { protocol: 1, clientId, items: items.slice(i, i + 200) }, { error: () => undefined });
    return (performance.now() - t0) / 1000;
  } finally {
    await b.close();
  }
}

export async function benchOutbox(ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lianluo-outbox-bench-'));
  try {
    const base = await baseline(dir);
    ctx.log(`  baseline: the backend applies 10,000 items in-process in ${base.toFixed(2)} s`);
    const d = await drain(ctx, dir);
    ctx.metric('outbox.drain_10k_s', Math.round(d.seconds * 100) / 100, 's', 10, 'max', {
      items: 2 * CALLS,
      requests: d.requests,
      firstRequestS: Math.round(d.firstRequestS * 1000) / 1000,
      baselineServerApplyS: Math.round(base * 100) / 100,
      backend: 'PGlite (embedded default), loopback HTTP',
    });
    const r = await runCrashHarness({ dir: join(dir, 'crash'), kills: 100, faultRate: 0.2, log: (l) => (l.includes('kills') ? ctx.log(`  crash harness: ${l}`) : undefined) });
    const detail = { kills: r.kills, saved: r.saved, committed: r.committed, applied: r.applied, rejected: r.rejected, requests: r.requests, faults: r.faults, seconds: r.seconds };
    ctx.metric('outbox.lost', r.lost, 'items', 0, 'max', detail);
    ctx.metric('outbox.duplicated', r.duplicated, 'items', 0, 'max', detail);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
