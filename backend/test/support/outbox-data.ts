// Outbox items for tests, the crash harness and the benchmarks: valid by default, every field overridable.
import { monotonicFactory } from 'ulid';
import type { CallRecord, NewCustomer, OutboxKind, PayloadOf, WireItem, WrapUp } from '../../../shared/outbox/items';

const next = monotonicFactory();
export const newUlid = (): string => next();

export function callRecord(over: Partial<CallRecord> = {}): CallRecord {
  const startedAt = over.startedAt ?? Date.now() - 120_000;
  return {
    interactionId: newUlid(),
    direction: 'inbound',
    outcome: 'answered',
    endReason: 'hangup_remote',
    remoteNumber: '13800138000',
    remoteName: 'Caller',
    customerId: null,
    queue: null,
    startedAt,
    answeredAt: startedAt + 5000,
    endedAt: startedAt + 95_000,
    ringMs: 5000,
    talkMs: 80_000,
    holdMs: 10_000,
    transferredFrom: null,
    sipCallId: null,
    quality: { mos: 4.3, jitterMs: 3, lossPct: 0, rttMs: 20, rating: 'good' },
    ...over,
  };
}

export function wrapUp(interactionId: string, over: Partial<WrapUp> = {}): WrapUp {
  return {
    interactionId,
    customerId: null,
    customerSnapshot: null,
    disposition: 'resolved',
    note: 'Explained the invoice.',
    wrapMs: 20_000,
    followups: [],
    ...over,
  };
}

export function newCustomer(over: Partial<NewCustomer> = {}): NewCustomer {
  return { id: `N-${newUlid()}`, name: '新客户', company: '', notes: '', phones: [{ number: '13911112222', label: 'mobile' }], interactionId: null, ...over };
}

let seq = 0;
export function item<K extends OutboxKind>(kind: K, payload: PayloadOf<K> | Record<string, unknown>, over: Partial<WireItem> = {}): WireItem {
  return { key: newUlid(), seq: ++seq, kind, createdAt: Date.now(), payload, ...over };
}
