// Follow-ups on the server: callbacks (for an agent or a team, due at a time) and tickets (category,
// priority, description). They arrive through the outbox (backend/outbox/apply.ts) and are listed for
// "my callbacks" and for the screen pop's customer context. Plain functions of (db, args).
import type { Principal } from '../auth/accounts';
import { CONTACT_WINDOW_MS, type CallView, type CustomerContext, type Followup } from '../../shared/outbox/followups';
import type { CustomerSnapshot, FollowupUpdate, NewFollowup } from '../../shared/outbox/items';
import { cleanText } from '../../shared/text';
import type { Queryable } from '../db/db';
import { readCustomer } from '../customers/store';
import { notFound } from '../http/errors';

interface FollowupRow {
  id: string;
  kind: 'callback' | 'ticket';
  state: 'open' | 'done' | 'cancelled';
  customer_id: string | null;
  customer_snapshot: string | null;
  interaction_id: string | null;
  created_at: number;
  created_by_name: string;
  due_at: number | null;
  number: string | null;
  assignee: 'me' | 'team' | null;
  owner_user_id: number | null;
  team_id: number | null;
  note: string;
  category: string | null;
  priority: Followup['priority'];
  description: string;
  /** The customer's current name/company/first number (live customers), for lists. */
  live_doc: string | null;
}

const COLUMNS = `f.id, f.kind, f.state, f.customer_id, f.customer_snapshot, f.interaction_id, f.created_at, f.created_by_name, f.due_at,
  f.number, f.assignee, f.owner_user_id, f.team_id, f.note, f.category, f.priority, f.description, c.doc AS live_doc`;
const FROM = 'followups f LEFT JOIN customers c ON c.id = f.customer_id';

function snapshotOf(r: FollowupRow): CustomerSnapshot | null {
  if (r.live_doc) {
    try {
      const d = JSON.parse(r.live_doc) as { name?: string; company?: string; phones?: { e164?: string }[] };
      return { name: d.name ?? '', company: d.company ?? '', number: d.phones?.[0]?.e164 ?? '' };
    } catch {
      /* fall through to the stored snapshot */
    }
  }
  if (!r.customer_snapshot) return null;
  try {
    return JSON.parse(r.customer_snapshot) as CustomerSnapshot;
  } catch {
    return null;
  }
}

const toFollowup = (r: FollowupRow): Followup => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  // A deleted customer's follow-up keeps only the snapshot.
  customerId: r.live_doc ? r.customer_id : null,
  customerSnapshot: snapshotOf(r),
  interactionId: r.interaction_id,
  createdAt: r.created_at,
  createdBy: r.created_by_name,
  dueAt: r.due_at,
  number: r.number,
  assignee: r.assignee,
  ownerUserId: r.owner_user_id,
  teamId: r.team_id,
  note: r.note,
  category: r.category,
  priority: r.priority,
  description: r.description,
});

export interface FollowupContext {
  customerId: string | null;
  snapshot: CustomerSnapshot | null;
  interactionId: string | null;
  createdAt: number;
}

/** Insert the follow-ups of a wrap-up (inside its transaction). An id seen before is left as it is. */
export async function insertFollowups(tx: Queryable, p: Principal, list: readonly NewFollowup[], c: FollowupContext): Promise<void> {
  const now = Date.now();
  for (const f of list) {
    if (f.kind === 'callback') {
      const forTeam = f.assignee === 'team' && p.teamId !== null;
      await tx.query(
        `INSERT INTO followups (id, kind, customer_id, customer_snapshot, interaction_id, created_by, created_by_name, created_at,
                                assignee, owner_user_id, team_id, due_at, number, note, updated_at)
         VALUES ($1, 'callback', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
        [
          f.id,
          c.customerId,
          c.snapshot ? JSON.stringify(c.snapshot) : null,
          c.interactionId,
          p.userId,
          p.displayName,
          c.createdAt,
          forTeam ? 'team' : 'me',
          forTeam ? null : p.userId,
          p.teamId,
          f.dueAt,
          f.number.replace(/[^\d+]/g, ''),
          cleanText(f.note, { max: 500, multiline: true }),
          now,
        ],
      );
    } else {
      await tx.query(
        `INSERT INTO followups (id, kind, customer_id, customer_snapshot, interaction_id, created_by, created_by_name, created_at,
                                owner_user_id, team_id, category, priority, description, updated_at)
         VALUES ($1, 'ticket', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
        [
          f.id,
          c.customerId,
          c.snapshot ? JSON.stringify(c.snapshot) : null,
          c.interactionId,
          p.userId,
          p.displayName,
          c.createdAt,
          p.userId,
          p.teamId,
          f.category,
          f.priority,
          cleanText(f.description, { max: 4000, multiline: true }),
          now,
        ],
      );
    }
  }
}

export type UpdateOutcome = { ok: true; customerId: string | null } | { ok: false; code: 'followup_missing' | 'forbidden'; message: string };

/** Close (done / cancelled) or reopen a follow-up: its owner, anyone in its team, its creator, a lead of its team, an admin. */
export async function updateFollowup(tx: Queryable, p: Principal, u: FollowupUpdate): Promise<UpdateOutcome> {
  const [f] = await tx.query<{ owner_user_id: number | null; team_id: number | null; created_by: number; customer_id: string | null; note: string }>(
    'SELECT owner_user_id, team_id, created_by, customer_id, note FROM followups WHERE id = $1 FOR UPDATE',
    [u.followupId],
  );
  if (!f) return { ok: false, code: 'followup_missing', message: `follow-up ${u.followupId} does not exist` };
  const mayChange =
    p.role === 'admin' || f.owner_user_id === p.userId || f.created_by === p.userId || (f.team_id !== null && f.team_id === p.teamId && (f.owner_user_id === null || p.role === 'supervisor'));
  if (!mayChange) return { ok: false, code: 'forbidden', message: 'that follow-up is neither yours nor your team’s' };
  const extra = cleanText(u.note, { max: 500, multiline: true });
  const note = extra ? cleanText(f.note ? `${f.note}\n${extra}` : extra, { max: 500, multiline: true }) : f.note;
  const now = Date.now();
  await tx.query(
    `UPDATE followups SET state = $2::text, note = $3, updated_at = $4::bigint, closed_at = CASE WHEN $2::text = 'open' THEN NULL ELSE $4::bigint END,
            closed_by = CASE WHEN $2::text = 'open' THEN NULL ELSE $5::bigint END WHERE id = $1`,
    [u.followupId, u.state, note, now, p.userId],
  );
  return { ok: true, customerId: f.customer_id };
}

/** Open callbacks: mine = for me or for my team; team = every open follow-up of my team (leads). */
export async function listFollowups(db: Queryable, p: Principal, scope: 'mine' | 'team'): Promise<Followup[]> {
  const rows =
    scope === 'mine'
      ? await db.query<FollowupRow>(
          `SELECT ${COLUMNS} FROM ${FROM}
            WHERE f.state = 'open' AND f.kind = 'callback' AND (f.owner_user_id = $1 OR (f.owner_user_id IS NULL AND f.team_id = $2))
            ORDER BY f.due_at NULLS LAST, f.id LIMIT 500`,
          [p.userId, p.teamId],
        )
      : await db.query<FollowupRow>(
          `SELECT ${COLUMNS} FROM ${FROM} WHERE f.state = 'open' AND f.team_id = $1 ORDER BY f.due_at NULLS LAST, f.id LIMIT 500`,
          [p.teamId],
        );
  return rows.map(toFollowup);
}

/**
 * What a screen pop shows next to the card, so the customer does not have to repeat themselves: how
 * many contacts in the last 7 days, the last disposition and note, the open follow-ups. A merged
 * customer answers for its survivor; a deleted one is 404.
 */
export async function customerContext(db: Queryable, id: string, now = Date.now()): Promise<CustomerContext> {
  let cur = id;
  for (let hops = 0; ; hops++) {
    const s = await readCustomer(db, cur);
    if (s?.state === 'live') break;
    if (s?.state === 'deleted' && s.mergedInto && hops < 32) {
      cur = s.mergedInto;
      continue;
    }
    throw notFound(s ? `customer ${id} was deleted` : `customer ${id} does not exist`);
  }
  const [counts] = await db.query<{ contacts: number }>(
    `SELECT count(*)::int AS contacts FROM interactions
      WHERE customer_id = $1 AND at > $2 AND COALESCE((doc::jsonb)->>'disposition', '') NOT IN ('elsewhere', 'failed')`,
    [cur, now - CONTACT_WINDOW_MS],
  );
  const [disp] = await db.query<{ disposition: string; at: number }>(
    `SELECT (doc::jsonb)->>'disposition' AS disposition, at FROM interactions
      WHERE customer_id = $1 AND COALESCE((doc::jsonb)->>'disposition', '') NOT IN ('', 'missed', 'rejected', 'unanswered', 'cancelled', 'elsewhere', 'failed')
      ORDER BY at DESC, id DESC LIMIT 1`,
    [cur],
  );
  const [note] = await db.query<{ id: string; note: string; at: number; agent: string }>(
    `SELECT id, (doc::jsonb)->>'note' AS note, at, COALESCE((doc::jsonb)->>'agent', '') AS agent FROM interactions
      WHERE customer_id = $1 AND COALESCE((doc::jsonb)->>'note', '') <> '' ORDER BY at DESC, id DESC LIMIT 1`,
    [cur],
  );
  const open = await db.query<FollowupRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE f.customer_id = $1 AND f.state = 'open' ORDER BY f.due_at NULLS LAST, f.id LIMIT 50`, [cur]);
  return {
    customerId: cur,
    contacts7d: counts?.contacts ?? 0,
    lastDisposition: disp ? { code: disp.disposition, at: disp.at } : null,
    lastNote: note ? { note: note.note, at: note.at, agent: note.agent, interactionId: note.id } : null,
    openFollowups: open.map(toFollowup),
  };
}

/** A recorded call (for a transfer's receiving agent, for checks): 404 when there is none. */
export async function getCall(db: Queryable, id: string): Promise<CallView> {
  const [r] = await db.query<{
    id: string;
    agent: string;
    customer_id: string | null;
    direction: 'inbound' | 'outbound';
    outcome: string;
    remote_number: string;
    started_at: number;
    answered_at: number | null;
    ended_at: number;
    ring_ms: number;
    talk_ms: number;
    hold_ms: number;
    wrap_ms: number | null;
    disposition: string | null;
    note: string;
    queue: string | null;
    transferred_from: string | null;
  }>(
    `SELECT id, agent, customer_id, direction, outcome, remote_number, started_at, answered_at, ended_at, ring_ms, talk_ms, hold_ms, wrap_ms,
            disposition, note, queue, transferred_from FROM call_records WHERE id = $1`,
    [id],
  );
  if (!r) throw notFound(`no call ${id} was recorded`);
  return {
    id: r.id,
    agent: r.agent,
    customerId: r.customer_id,
    direction: r.direction,
    outcome: r.outcome,
    remoteNumber: r.remote_number,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    ringMs: r.ring_ms,
    talkMs: r.talk_ms,
    holdMs: r.hold_ms,
    wrapMs: r.wrap_ms,
    disposition: r.disposition,
    note: r.note,
    queue: r.queue,
    transferredFrom: r.transferred_from,
  };
}
