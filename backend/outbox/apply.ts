// Applying a desktop's outbox items exactly once (shared/outbox/items.ts; research sync-anchors.md §2.3,
// the Replicache/Zero push contract):
//
// - One transaction per request, under the change-sequence lock (writeChanges): items touch synced
//   tables (customers, interactions), and taking the lock first also serialises two deliveries of the
//   same items (a desktop that resent after a timeout while the first request was still running): the
//   second one waits, then finds every key already recorded.
// - Each item's key is inserted into outbox_applied in the same transaction as the item's effects, so an
//   item is applied at most once; a key seen before is answered `duplicate` with the stored answer.
// - A permanent problem with one item is a `rejected` result for that item alone, recorded like an
//   applied one (so a resend gets the same answer) and consumed: the queue never wedges.
// - Items run without savepoints (fast: most requests are clean). An unexpected error in one item rolls
//   the request back whole and it is applied again with a savepoint per item: that item alone is rolled
//   back and recorded as rejected `internal`. Errors that say the database is unavailable (lost
//   connection, serialisation failure, shutdown) abort the whole request instead: the desktop retries.
import type { Principal } from '../auth/accounts';
import { parsePayload, OutboxKind, type ItemResult, type OutboxPayload, type PushRequest, type WireItem } from '../../shared/outbox/items';
import type { NumberPlan } from '../../shared/domain/settings';
import type { Db } from '../db/db';
import { sqlState } from '../db/db';
import { writeChanges } from '../db/changes';
import { refreshWindow } from '../customers/store';
import { activeCodes } from '../config/wrapup';
import { applyCallRecord, applyWrapUp } from './calls';
import { applyNewCustomer } from './new-customer';
import { updateFollowup } from '../followups/store';
import { reject, type ApplyContext, type Outcome } from './outcome';

interface Stored {
  key: string;
  user_id: number;
  status: 'applied' | 'rejected';
  result: string;
}

/** SQLSTATE classes that mean "the database cannot do this now", not "this item is wrong". */
const TRANSIENT = /^(08|40|53|57|58)/;

export interface ApplyLog {
  error(obj: object, msg: string): void;
}

async function applyOne(c: ApplyContext, value: OutboxPayload): Promise<Outcome> {
  switch (value.kind) {
    case 'call.record':
      return applyCallRecord(c, value.payload);
    case 'wrapup.submit':
      return applyWrapUp(c, value.payload);
    case 'customer.create':
      return applyNewCustomer(c, value.payload);
    case 'followup.update': {
      const r = await updateFollowup(c.tx, c.principal, value.payload);
      return r.ok ? { status: 'applied', notices: [], customerId: r.customerId } : reject(r.code, r.message);
    }
  }
}

export async function pushItems(db: Db, principal: Principal, plan: NumberPlan, req: PushRequest, log: ApplyLog): Promise<ItemResult[]> {
  // Schema checks need no database: done before the transaction.
  const parsed: Parsed[] = req.items.map((item): Parsed => {
    const kind = OutboxKind.safeParse(item.kind);
    if (!kind.success) return { item, outcome: reject('unknown_kind', `this backend does not know items of kind "${item.kind.slice(0, 40)}"; update it`) };
    const p = parsePayload(kind.data, item.payload);
    if (!p.ok) {
      const first = p.issues[0];
      return { item, outcome: reject('invalid', p.issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ').slice(0, 500), first?.field || undefined) };
    }
    return { item, value: p.value };
  });

  // Fast path: no savepoints. Handlers decide to reject before they write, so only an exception needs
  // undoing; one sends the whole request down the slow path, a savepoint per item (it was rolled back
  // whole, so nothing is applied twice).
  try {
    return await applyAll(db, principal, plan, req, parsed, log, false);
  } catch (err) {
    if (!(err instanceof SlowPath)) throw err;
    return applyAll(db, principal, plan, req, parsed, log, true);
  }
}

type Parsed = { item: WireItem; outcome: Outcome } | { item: WireItem; value: OutboxPayload };

/** One item, on the fast path (an exception aborts the request) or in its own savepoint. */
async function applyItem(ctx: ApplyContext, value: OutboxPayload, savepoints: boolean, log: ApplyLog): Promise<Outcome> {
  const { tx, item } = ctx;
  if (!savepoints) {
    try {
      return await applyOne(ctx, value);
    } catch (err) {
      const state = sqlState(err);
      if (state && TRANSIENT.test(state)) throw err;
      throw new SlowPath(err);
    }
  }
  await tx.query('SAVEPOINT outbox_item');
  try {
    const outcome = await applyOne(ctx, value);
    if (outcome.status === 'rejected') await tx.query('ROLLBACK TO SAVEPOINT outbox_item');
    await tx.query('RELEASE SAVEPOINT outbox_item');
    return outcome;
  } catch (err) {
    try {
      await tx.query('ROLLBACK TO SAVEPOINT outbox_item');
      await tx.query('RELEASE SAVEPOINT outbox_item');
    } catch {
      throw err; // the transaction itself is gone: the whole request fails and is retried
    }
    const state = sqlState(err);
    if (state && TRANSIENT.test(state)) throw err;
    log.error({ err, key: item.key, kind: item.kind }, 'an outbox item could not be applied');
    return reject('internal', 'the backend could not apply this item; the details are in its log');
  }
}

function applyAll(db: Db, principal: Principal, plan: NumberPlan, req: PushRequest, parsed: readonly Parsed[], log: ApplyLog, savepoints: boolean): Promise<ItemResult[]> {
  return writeChanges(db, async (tx, changes) => {
    const stored = new Map<string, Stored>();
    for (const s of await tx.query<Stored>('SELECT key, user_id, status, result FROM outbox_applied WHERE key = ANY($1::text[])', [req.items.map((i) => i.key)])) {
      stored.set(s.key, s);
    }
    const [dispositions, categories] = [await activeCodes(tx, 'disposition'), await activeCodes(tx, 'category')];
    const touchedCustomers = new Set<string>();
    const touchedInteractions = new Set<string>();
    const results: ItemResult[] = [];
    const fresh: { item: WireItem; status: 'applied' | 'rejected'; result: string }[] = [];

    for (const p of parsed) {
      const { item } = p;
      const seen = stored.get(item.key);
      if (seen) {
        if (seen.user_id !== principal.userId) {
          // Someone else's key: say nothing about what it was.
          results.push({ key: item.key, status: 'rejected', error: { code: 'conflict', message: 'this item key is already used; the desktop must make a new one' }, notices: [] });
          continue;
        }
        const first = JSON.parse(seen.result) as Omit<ItemResult, 'key' | 'status'>;
        results.push({ ...first, key: item.key, status: 'duplicate', original: seen.status });
        continue;
      }
      const outcome =
        'outcome' in p
          ? p.outcome
          : await applyItem({ tx, changes, principal, plan, item, dispositions, categories, touchedCustomers, touchedInteractions }, p.value, savepoints, log);
      const body: Omit<ItemResult, 'key' | 'status'> =
        outcome.status === 'applied'
          ? { notices: outcome.notices, ...(outcome.customerId !== undefined ? { customerId: outcome.customerId } : {}) }
          : { notices: [], error: outcome.error };
      results.push({ ...body, key: item.key, status: outcome.status });
      fresh.push({ item, status: outcome.status, result: JSON.stringify(body) });
      // The same key twice in one request: the second is a duplicate of the first.
      stored.set(item.key, { key: item.key, user_id: principal.userId, status: outcome.status, result: JSON.stringify(body) });
    }

    if (fresh.length) {
      await tx.query(
        `INSERT INTO outbox_applied (key, user_id, client_id, seq, kind, status, result, applied_at)
         SELECT t.key, $1, $2, t.seq, t.kind, t.status, t.result, $3
           FROM unnest($4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[]) AS t(key, seq, kind, status, result)`,
        [principal.userId, req.clientId, Date.now(), fresh.map((f) => f.item.key), fresh.map((f) => f.item.seq), fresh.map((f) => f.item.kind), fresh.map((f) => f.status), fresh.map((f) => f.result)],
      );
    }
    if (touchedCustomers.size) await refreshWindow(tx, changes, [...touchedCustomers], [...touchedInteractions]);
    return results;
  });
}

/** An item failed unexpectedly on the fast path: the request is applied again with a savepoint per item. */
class SlowPath extends Error {
  constructor(cause: unknown) {
    super('an item failed: applying the request again item by item', { cause });
  }
}
