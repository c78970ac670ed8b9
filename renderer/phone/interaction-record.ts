// The interaction record of every call, answered or not: built from the phone store's snapshots when a
// call ends, with the time it spent on hold (watched here, as the store only knows "held" now) and the
// customer the agent had on screen. Pure functions plus one subscription; the record goes to the
// outbox (the main process commits it before answering), and answered calls open a wrap-up.
import type { CallOutcome, CallQualitySummary, CallRecord } from '../../shared/outbox/items';
import type { CallSnapshot, PhoneStore } from '../stores/phone-store';

/** What the call ended as, for reports: answered, missed, rejected, answered elsewhere, … */
export function outcomeOf(c: Pick<CallSnapshot, 'direction' | 'answeredAt' | 'endReason' | 'elsewhere'>): CallOutcome {
  if (c.answeredAt !== undefined) return 'answered';
  const r = c.endReason;
  if (c.direction === 'inbound') {
    if (c.elsewhere) return 'elsewhere';
    if (r === 'rejected' || r === 'busy') return 'rejected';
    if (r === 'failed' || r === 'connection_lost') return 'failed';
    return 'missed';
  }
  if (r === 'cancelled') return 'cancelled';
  if (r === 'failed' || r === 'connection_lost') return 'failed';
  return 'unanswered';
}

function quality(c: CallSnapshot): CallQualitySummary | null {
  const q = c.quality;
  if (!q || !Number.isFinite(q.mos)) return null;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(v) ? v : lo));
  return { mos: clamp(q.mos, 1, 5), jitterMs: clamp(q.jitterMs, 0, 60_000), lossPct: clamp(q.lossPct, 0, 100), rttMs: q.rttMs === null ? null : clamp(q.rttMs, 0, 60_000), rating: q.rating };
}

const WEEK = 7 * 24 * 3_600_000;
const span = (ms: number) => Math.min(WEEK, Math.max(0, Math.round(ms)));

export interface RecordInput {
  call: CallSnapshot;
  /** Total time on hold, ms. */
  holdMs: number;
  customerId: string | null;
  customerName: string | null;
}

export function buildRecord({ call, holdMs, customerId, customerName }: RecordInput): CallRecord {
  const endedAt = Math.max(call.endedAt ?? Date.now(), call.startedAt);
  const answeredAt = call.answeredAt !== undefined ? Math.min(Math.max(call.answeredAt, call.startedAt), endedAt) : null;
  const outcome = outcomeOf(call);
  const hold = span(Math.min(holdMs, answeredAt === null ? 0 : endedAt - answeredAt));
  return {
    interactionId: call.id,
    direction: call.direction,
    outcome,
    endReason: call.endReason ?? 'hangup_remote',
    remoteNumber: call.number.slice(0, 64),
    remoteName: (customerName || call.displayName).slice(0, 120),
    customerId,
    queue: null,
    startedAt: call.startedAt,
    answeredAt: outcome === 'answered' ? answeredAt : null,
    endedAt,
    ringMs: span((answeredAt ?? endedAt) - call.startedAt),
    talkMs: answeredAt === null ? 0 : span(endedAt - answeredAt - hold),
    holdMs: hold,
    transferredFrom: call.context?.interactionId ?? null,
    sipCallId: call.sipCallId ? call.sipCallId.slice(0, 256) : null,
    quality: outcome === 'answered' ? quality(call) : null,
  };
}

export interface RecorderDeps {
  phoneStore: PhoneStore;
  /** The customer on screen for a call (picked, or created from the card), and their name. */
  customerOf(callId: string): { id: string | null; name: string | null };
  /** Save the record (resolves once the outbox committed it). */
  save(record: CallRecord): Promise<unknown>;
  /** An answered call ended: time for its wrap-up. */
  onAnswered?(call: CallSnapshot, record: CallRecord): void;
  onError?(e: unknown): void;
  now?: () => number;
}

/** Watch every call; when one ends, write its record once. Returns a function that stops watching. */
export function recordCalls(d: RecorderDeps): () => void {
  const now = d.now ?? Date.now;
  const hold = new Map<string, { since: number | null; total: number }>();
  const done = new Set<string>();
  const track = (calls: Record<string, CallSnapshot>) => {
    for (const c of Object.values(calls)) {
      if (done.has(c.id)) continue;
      let h = hold.get(c.id);
      if (!h) {
        h = { since: null, total: 0 };
        hold.set(c.id, h);
      }
      if (c.state === 'held' && h.since === null) h.since = now();
      if (c.state !== 'held' && h.since !== null) {
        h.total += now() - h.since;
        h.since = null;
      }
      if (c.state !== 'ended') continue;
      done.add(c.id);
      hold.delete(c.id);
      const who = d.customerOf(c.id);
      const record = buildRecord({ call: c, holdMs: h.total, customerId: who.id, customerName: who.name });
      // The wrap-up opens even if saving the record failed: the agent's notes are worth keeping anyway.
      void d
        .save(record)
        .catch((e: unknown) => d.onError?.(e))
        .finally(() => {
          if (record.outcome === 'answered') d.onAnswered?.(c, record);
        });
    }
    // Forget calls the store dropped (the set of finished ids stays bounded by the store's size).
    for (const id of done) if (!calls[id]) done.delete(id);
  };
  track(d.phoneStore.getState().calls);
  return d.phoneStore.subscribe((s) => s.calls, track);
}
