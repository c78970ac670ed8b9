// Demo data for the embedded backend (and benchmarks): a team with a supervisor and two agents whose SIP
// accounts match the project's local test PBX (Kamailio on ws://127.0.0.1:8080, accounts in
// test/rig/users), an admin, and the deterministic demo customers of shared/demo with their history.
import { randomBytes } from 'node:crypto';
import { demoCustomers, type DemoOptions } from '../../shared/demo/demo-customers';
import { toCustomerRecord } from '../../shared/domain/customer-input';
import type { NumberPlan } from '../../shared/domain/settings';
import { INTERACTION_WINDOW, type SyncInteraction } from '../../shared/sync/protocol';
import type { Role } from '../../shared/sync/api';
import { createTeam, createUser, type AccountsConfig } from '../auth/accounts';
import type { Db } from '../db/db';
import { writeChanges } from '../db/changes';
import { customerDoc } from '../customers/store';
import { interactionDoc } from '../interactions/store';

/** The test PBX's demo accounts 1001 and 1002 (test/rig/users): loopback-only demo credentials, not secrets. */
export const DEMO_PBX = { wsUrl: 'ws://127.0.0.1:8080', host: '127.0.0.1', password: 'lianluo' } as const;
export const DEMO_CUSTOMERS = 5000;

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
  sipUri: string | null;
}

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.query<{ users: number; customers: number }>('SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM customers)::int AS customers');
  return row?.users === 0 && row.customers === 0;
}

/** Demo users with fresh random passwords (returned: the caller shows or stores them). */
export async function seedDemoUsers(db: Db, cfg: AccountsConfig): Promise<DemoAccount[]> {
  const team = await createTeam(db, 'Demo team 演示组');
  const people: { username: string; displayName: string; role: Role; ext: string | null }[] = [
    { username: 'admin', displayName: 'Admin 管理员', role: 'admin', ext: null },
    { username: 'lead', displayName: 'Team Lead 组长', role: 'supervisor', ext: null },
    { username: 'agent1001', displayName: 'Agent 1001', role: 'agent', ext: '1001' },
    { username: 'agent1002', displayName: 'Agent 1002', role: 'agent', ext: '1002' },
  ];
  const out: DemoAccount[] = [];
  for (const p of people) {
    const password = randomBytes(12).toString('base64url');
    const sip = p.ext
      ? { wsUrl: DEMO_PBX.wsUrl, sipUri: `sip:${p.ext}@${DEMO_PBX.host}`, authUser: p.ext, displayName: p.displayName, password: DEMO_PBX.password }
      : undefined;
    await createUser(db, cfg, {
      username: p.username,
      displayName: p.displayName,
      role: p.role,
      teamId: p.role === 'admin' ? null : team.id,
      password,
      ...(sip ? { sip } : {}),
    });
    out.push({ username: p.username, password, role: p.role, sipUri: sip?.sipUri ?? null });
  }
  return out;
}

export interface SeedCustomersOptions extends DemoOptions {
  plan: NumberPlan;
  /** Customers per transaction. */
  chunk?: number;
  /** Leave out the interaction history (pure customer-stream benchmarks). */
  withoutHistory?: boolean;
  onProgress?: (done: number) => void;
}

/** Insert `count` demo customers (validated like any import) with their history, in chunked transactions. */
export async function seedDemoCustomers(db: Db, count: number, opts: SeedCustomersOptions): Promise<number> {
  const chunk = opts.chunk ?? 5000;
  const now = opts.now ?? Date.now();
  const gen = demoCustomers(count, { ...opts, now });
  let done = 0;
  for (;;) {
    const ids: string[] = [];
    const docs: string[] = [];
    const history: SyncInteraction[] = [];
    const inWindow: boolean[] = [];
    while (ids.length < chunk) {
      const next = gen.next();
      if (next.done) break;
      const r = toCustomerRecord(next.value.customer, opts.plan, now);
      if (!r.ok) throw new Error(`demo customer ${next.value.customer.id} is invalid: ${r.errors.join('; ')}`);
      ids.push(r.record.id);
      docs.push(customerDoc(r.record));
      if (opts.withoutHistory) continue;
      const newestFirst = [...next.value.interactions].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
      newestFirst.forEach((i, k) => {
        history.push(i);
        inWindow.push(k < INTERACTION_WINDOW);
      });
    }
    if (!ids.length) break;
    await writeChanges(db, async (tx, changes) => {
      const t = Date.now();
      await tx.query(
        `INSERT INTO customers (id, seq, doc, changed_at) SELECT c.id, $3 + c.ord, c.doc, $4 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(id, doc, ord)`,
        [ids, docs, changes.current, t],
      );
      changes.advance('customers', ids.length);
      if (history.length) {
        await tx.query(
          `INSERT INTO interactions (id, customer_id, at, doc, seq, in_window, changed_at)
           SELECT h.id, h.cid, h.at, h.doc, $6 + h.ord, h.w, $7
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::boolean[]) WITH ORDINALITY AS h(id, cid, at, doc, w, ord)`,
          [history.map((i) => i.id), history.map((i) => i.customerId), history.map((i) => i.at), history.map(interactionDoc), inWindow, changes.current, t],
        );
        changes.advance('interactions', history.length);
      }
    });
    done += ids.length;
    opts.onProgress?.(done);
  }
  return done;
}
