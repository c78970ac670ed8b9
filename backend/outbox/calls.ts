// Call records and wrap-ups from the outbox. A call record is written by the desktop's phone layer for
// every call, answered or not; a call with a known customer also becomes a row of the synced history
// (interactions), so the next screen pop anywhere shows it. The wrap-up adds the disposition, the note
// and follow-ups to the record and to that history row.
import type { CallRecord, CustomerSnapshot, Notice, WrapUp } from '../../shared/outbox/items';
import { dueProblem } from '../../shared/outbox/items';
import type { SyncInteraction } from '../../shared/sync/protocol';
import { cleanText } from '../../shared/text';
import { interactionDoc } from '../interactions/store';
import { insertFollowups } from '../followups/store';
import { linkCustomer } from './customer-link';
import { reject, type ApplyContext, type Outcome } from './outcome';

/** Outcomes that are a contact with the customer and appear in their history. */
const IN_HISTORY = new Set(['answered', 'missed', 'rejected', 'unanswered', 'cancelled']);

interface RecordRow {
  id: string;
  user_id: number;
  customer_id: string | null;
  direction: 'inbound' | 'outbound';
  outcome: string;
  started_at: number;
  talk_ms: number;
  disposition: string | null;
  note: string;
}

type HistoryContext = Pick<ApplyContext, 'tx' | 'changes' | 'touchedCustomers' | 'touchedInteractions'>;

/** Write (or rewrite) the history row of a call: the customer's synced interaction. */
export async function writeHistory(c: HistoryContext & Pick<ApplyContext, 'principal'>, r: RecordRow, customerId: string): Promise<void> {
  await upsertHistory(c, {
    id: r.id,
    customerId,
    at: r.started_at,
    direction: r.direction,
    channel: 'voice',
    agent: c.principal.displayName,
    // Until the agent wraps up, the history says what happened (missed, unanswered …); answered calls stay blank.
    disposition: r.disposition ?? (r.outcome === 'answered' ? '' : r.outcome),
    note: r.note,
    durationS: Math.round(r.talk_ms / 1000),
  });
}

/** Insert or replace a history row; both its old and new customer get their window re-evaluated. */
async function upsertHistory(c: HistoryContext, doc: SyncInteraction): Promise<void> {
  const [prev] = await c.tx.query<{ customer_id: string }>('SELECT customer_id FROM interactions WHERE id = $1 FOR UPDATE', [doc.id]);
  await c.tx.query(
    `INSERT INTO interactions (id, customer_id, at, doc, seq, in_window, changed_at) VALUES ($1, $2, $3, $4, $5, false, $6)
     ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, at = EXCLUDED.at, doc = EXCLUDED.doc, changed_at = EXCLUDED.changed_at`,
    [doc.id, doc.customerId, doc.at, interactionDoc(doc), c.changes.next('interactions'), Date.now()],
  );
  if (prev && prev.customer_id !== doc.customerId) c.touchedCustomers.add(prev.customer_id);
  c.touchedCustomers.add(doc.customerId);
  c.touchedInteractions.add(doc.id);
}

export async function applyCallRecord(c: ApplyContext, rec: CallRecord): Promise<Outcome> {
  const { tx, principal: p } = c;
  const [existing] = await tx.query<{ user_id: number; customer_id: string | null }>('SELECT user_id, customer_id FROM call_records WHERE id = $1 FOR UPDATE', [rec.interactionId]);
  if (existing) {
    // The same call sent again under a new key (the agent resent it from "needs attention"): nothing new.
    if (existing.user_id !== p.userId) return reject('conflict', 'another agent already recorded a call with this interaction id', 'interactionId');
    return { status: 'applied', notices: [], customerId: existing.customer_id };
  }
  const linked = await linkCustomer(tx, rec.customerId);
  const notices: Notice[] = [...linked.notices];
  let outcome: string = rec.outcome;
  const sipCallId = rec.sipCallId === null ? null : cleanText(rec.sipCallId, { max: 256 }) || null;

  // One agent, two desktops, one forked call: both desktops record it. The answered one is the call;
  // the other is kept as "answered elsewhere" (not a missed call, not a second contact).
  if (sipCallId) {
    const twins = await tx.query<{ id: string; outcome: string; customer_id: string | null }>(
      `SELECT id, outcome, customer_id FROM call_records WHERE user_id = $1 AND sip_call_id = $2 AND id <> $3 FOR UPDATE`,
      [p.userId, sipCallId, rec.interactionId],
    );
    const answered = twins.find((t) => t.outcome === 'answered');
    if (outcome !== 'answered' && (answered || outcome === 'elsewhere')) {
      outcome = 'elsewhere';
      if (answered) notices.push({ code: 'answered_elsewhere', interactionId: answered.id as string });
    } else if (outcome === 'answered') {
      for (const t of twins.filter((x) => x.outcome !== 'answered' && x.outcome !== 'elsewhere')) {
        await tx.query(`UPDATE call_records SET outcome = 'elsewhere' WHERE id = $1`, [t.id]);
        // Its history row (if any) says so, and stops counting as a contact.
        const [h] = await tx.query<{ doc: string; customer_id: string }>('SELECT doc, customer_id FROM interactions WHERE id = $1', [t.id]);
        if (h) {
          await upsertHistory(c, { ...(JSON.parse(h.doc) as SyncInteraction), disposition: 'elsewhere' });
        }
      }
    }
  }

  const snapshot: CustomerSnapshot | null = linked.customerId === null && rec.customerId !== null ? { name: rec.remoteName, company: '', number: rec.remoteNumber } : null;
  await tx.query(
    `INSERT INTO call_records (id, user_id, team_id, agent, customer_id, customer_snapshot, direction, outcome, end_reason, remote_number,
                               remote_name, queue, started_at, answered_at, ended_at, ring_ms, talk_ms, hold_ms, quality,
                               transferred_from, sip_call_id, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [
      rec.interactionId,
      p.userId,
      p.teamId,
      p.displayName,
      linked.customerId,
      snapshot ? JSON.stringify(snapshot) : null,
      rec.direction,
      outcome,
      rec.endReason,
      cleanText(rec.remoteNumber, { max: 64 }),
      cleanText(rec.remoteName, { max: 120 }),
      rec.queue === null ? null : cleanText(rec.queue, { max: 64 }),
      rec.startedAt,
      rec.answeredAt,
      rec.endedAt,
      rec.ringMs,
      rec.talkMs,
      rec.holdMs,
      rec.quality ? JSON.stringify(rec.quality) : null,
      rec.transferredFrom,
      sipCallId,
      Date.now(),
    ],
  );
  if (linked.customerId !== null && IN_HISTORY.has(outcome)) {
    await writeHistory(c, { id: rec.interactionId, user_id: p.userId, customer_id: linked.customerId, direction: rec.direction, outcome, started_at: rec.startedAt, talk_ms: rec.talkMs, disposition: null, note: '' }, linked.customerId);
  }
  return { status: 'applied', notices, customerId: linked.customerId };
}

export async function applyWrapUp(c: ApplyContext, w: WrapUp): Promise<Outcome> {
  const { tx, principal: p } = c;
  if (!c.dispositions.has(w.disposition)) {
    return reject('unknown_disposition', `the disposition "${w.disposition}" is not (or no longer) configured on the backend: choose another one`, 'disposition');
  }
  for (const [i, f] of w.followups.entries()) {
    if (f.kind === 'callback') {
      const problem = dueProblem(f.dueAt, c.item.createdAt);
      if (problem) return reject('invalid_due', problem, `followups.${i}.dueAt`);
    } else if (!c.categories.has(f.category)) {
      return reject('unknown_category', `the ticket category "${f.category}" is not (or no longer) configured on the backend: choose another one`, `followups.${i}.category`);
    }
  }
  const [rec] = await tx.query<RecordRow>(
    'SELECT id, user_id, customer_id, direction, outcome, started_at, talk_ms, disposition, note FROM call_records WHERE id = $1 FOR UPDATE',
    [w.interactionId],
  );
  if (!rec) return reject('call_missing', 'the backend has no record of the call this wrap-up is for: send the call record first', 'interactionId');
  if (rec.user_id !== p.userId) return reject('forbidden', 'that call was handled by another agent', 'interactionId');

  const linked = await linkCustomer(tx, w.customerId ?? rec.customer_id);
  const note = cleanText(w.note, { max: 2000, multiline: true });
  const snapshot = linked.customerId === null ? w.customerSnapshot : null;
  await tx.query(
    `UPDATE call_records SET disposition = $2, note = $3, wrap_ms = $4, wrapped_at = $5, customer_id = $6,
            customer_snapshot = COALESCE($7, customer_snapshot) WHERE id = $1`,
    [rec.id, w.disposition, note, w.wrapMs, Date.now(), linked.customerId, snapshot ? JSON.stringify(snapshot) : null],
  );
  if (linked.customerId !== null && (IN_HISTORY.has(rec.outcome) || rec.outcome === 'answered')) {
    await writeHistory(c, { ...rec, customer_id: linked.customerId, disposition: w.disposition, note }, linked.customerId);
  }
  await insertFollowups(tx, p, w.followups, { customerId: linked.customerId, snapshot, interactionId: rec.id, createdAt: c.item.createdAt });
  return { status: 'applied', notices: linked.notices, customerId: linked.customerId };
}
