// The renderer's side of after-call work: the interaction record of every call (outcomes, ring / talk /
// hold times watched on the phone store, missed calls too), wrap-up drafts (dates typed by the agent,
// bad input caught before anything is sent, a draft removed only once saved), the pop's context, and
// "Nth contact in 7 days".
import { describe, expect, it, vi } from 'vitest';
import { CallRecord } from '../../../shared/outbox/items';
import type { SaveResult } from '../../../shared/outbox/desktop';
import type { LianluoBridge } from '../../../shared/ipc';
import { buildRecord, outcomeOf, recordCalls } from '../../../renderer/phone/interaction-record';
import { createPhoneStore, type CallSnapshot } from '../../../renderer/stores/phone-store';
import { contactNumber, createOutboxStore, draftToWrapUp, parseLocalDateTime, toLocalDateTime } from '../../../renderer/stores/outbox-store';
import { createPopStore } from '../../../renderer/stores/pop-store';

const T0 = 1_800_000_000_000;
const ID = '01J9Z3V6K6T4Q0W8S2E5H7M1NB';
const call = (over: Partial<CallSnapshot> = {}): CallSnapshot => ({
  id: ID,
  direction: 'inbound',
  number: '13800138000',
  displayName: 'Caller',
  state: 'ringing',
  inviteAt: 0,
  startedAt: T0,
  muted: false,
  ...over,
});

describe('interaction records', () => {
  it('says what the call ended as', () => {
    expect(outcomeOf({ direction: 'inbound', answeredAt: T0, endReason: 'hangup_remote' })).toBe('answered');
    expect(outcomeOf({ direction: 'inbound', endReason: 'missed' })).toBe('missed');
    expect(outcomeOf({ direction: 'inbound', endReason: 'missed', elsewhere: true })).toBe('elsewhere');
    expect(outcomeOf({ direction: 'inbound', endReason: 'busy' })).toBe('rejected');
    expect(outcomeOf({ direction: 'inbound', endReason: 'rejected' })).toBe('rejected');
    expect(outcomeOf({ direction: 'outbound', endReason: 'cancelled' })).toBe('cancelled');
    expect(outcomeOf({ direction: 'outbound', endReason: 'unanswered' })).toBe('unanswered');
    expect(outcomeOf({ direction: 'outbound', endReason: 'failed' })).toBe('failed');
  });

  it('builds a record the backend accepts, for answered and missed calls alike', () => {
    const answered = buildRecord({ call: call({ state: 'ended', answeredAt: T0 + 6000, endedAt: T0 + 126_000, endReason: 'hangup_local', sipCallId: 'x@y', quality: { at: T0, jitterMs: 3, lossPct: 0, rttMs: 20, mos: 4.4, rating: 'good' } }), holdMs: 20_000, customerId: 'C-1', customerName: '王芳' });
    expect(CallRecord.safeParse(answered).success).toBe(true);
    expect(answered).toMatchObject({ outcome: 'answered', ringMs: 6000, holdMs: 20_000, talkMs: 100_000, customerId: 'C-1', remoteName: '王芳', sipCallId: 'x@y', quality: { mos: 4.4 } });
    const missed = buildRecord({ call: call({ state: 'ended', endedAt: T0 + 15_000, endReason: 'missed' }), holdMs: 0, customerId: null, customerName: null });
    expect(CallRecord.safeParse(missed).success).toBe(true);
    expect(missed).toMatchObject({ outcome: 'missed', answeredAt: null, ringMs: 15_000, talkMs: 0, holdMs: 0, quality: null, remoteName: 'Caller' });
  });

  it('watches hold time and writes one record per call, opening a wrap-up for answered ones', async () => {
    const phone = createPhoneStore();
    let now = T0;
    const saved: CallRecord[] = [];
    const answered: string[] = [];
    const off = recordCalls({
      phoneStore: phone,
      customerOf: () => ({ id: 'C-1', name: 'Wang' }),
      save: async (r) => void saved.push(r),
      onAnswered: (c) => answered.push(c.id),
      now: () => now,
    });
    const s = phone.getState();
    s.addCall(call());
    now += 4000;
    s.updateCall(ID, { state: 'active', answeredAt: now });
    now += 10_000;
    s.updateCall(ID, { state: 'held' });
    now += 7000;
    s.updateCall(ID, { state: 'active' });
    now += 3000;
    s.updateCall(ID, { state: 'held' });
    now += 2000;
    s.updateCall(ID, { state: 'ended', endedAt: now, endReason: 'hangup_remote' });
    s.updateCall(ID, { quality: { at: now, jitterMs: 1, lossPct: 0, rttMs: 5, mos: 4.4, rating: 'good' } }); // late sample: no second record
    const missedId = '01J9Z3V6K6T4Q0W8S2E5H7M1NC';
    s.addCall(call({ id: missedId, startedAt: now }));
    now += 9000;
    s.updateCall(missedId, { state: 'ended', endedAt: now, endReason: 'missed' });
    await vi.waitFor(() => expect(saved).toHaveLength(2));
    await vi.waitFor(() => expect(answered).toHaveLength(1));
    expect(saved[0]).toMatchObject({ interactionId: ID, outcome: 'answered', ringMs: 4000, holdMs: 9000, talkMs: 13_000, customerId: 'C-1' });
    expect(saved[1]).toMatchObject({ interactionId: missedId, outcome: 'missed', ringMs: 9000 });
    expect(answered).toEqual([ID]);
    off();
  });
});

function bridge(answers: { submit?: SaveResult } = {}) {
  const submitWrapUp = vi.fn(async () => ({ ok: true as const, value: answers.submit ?? ({ ok: true, key: 'K', seq: 1 } as SaveResult) }));
  const api = {
    outbox: {
      submitWrapUp,
      callbacks: vi.fn(async () => ({ ok: true as const, value: { followups: [], fetchedAt: null } })),
      config: vi.fn(async () => ({ ok: true as const, value: { config: null } })),
    },
  } as unknown as LianluoBridge;
  return { api, submitWrapUp };
}

describe('wrap-up drafts', () => {
  it('reads the date and time the agent typed, and refuses impossible ones', () => {
    const at = parseLocalDateTime('2027-03-05T14:30');
    expect(new Date(at).getHours()).toBe(14);
    expect(toLocalDateTime(at)).toBe('2027-03-05T14:30');
    for (const bad of ['', '2027-02-30T10:00', '2027-13-01T10:00', 'tomorrow', '2027-03-05 14:30x', '2027-03-05T25:00']) expect(parseLocalDateTime(bad), bad).toBeNaN();
  });

  it('shows every problem of a bad wrap-up and sends nothing', async () => {
    const { api, submitWrapUp } = bridge();
    const store = createOutboxStore(api);
    store.getState().openDraft({ interactionId: ID, direction: 'inbound', number: '13800138000', endedAt: T0, customerId: 'C-1', customerSnapshot: null });
    const st = store.getState();
    st.editDraft(ID, { disposition: 'not_a_real_code', note: 'x'.repeat(2001) });
    st.addFollowup(ID, 'callback', T0);
    st.editFollowup(ID, 0, { due: '2027-02-30T10:00' });
    st.addFollowup(ID, 'callback', T0);
    st.editFollowup(ID, 1, { due: toLocalDateTime(T0 - 86_400_000), number: 'no number' });
    st.addFollowup(ID, 'ticket', T0);
    st.editFollowup(ID, 2, { description: ' ' });
    expect(await store.getState().submit(ID, T0 + 1000)).toBe(false);
    expect(submitWrapUp).not.toHaveBeenCalled();
    expect(store.getState().drafts[ID]?.issues.map((i) => i.field).sort()).toEqual(
      ['disposition', 'followups.0.dueAt', 'followups.1.dueAt', 'followups.1.number', 'followups.2.description', 'note'].sort(),
    );
    // Editing a field clears its problem only.
    store.getState().editDraft(ID, { note: 'short' });
    expect(store.getState().drafts[ID]?.issues.some((i) => i.field === 'note')).toBe(false);
    expect(store.getState().drafts[ID]?.issues.some((i) => i.field === 'disposition')).toBe(true);
  });

  it('keeps the draft with the main process’s reasons when it refuses, and drops it once saved', async () => {
    const refused = bridge({ submit: { ok: false, issues: [{ field: 'followups.0.dueAt', message: 'the callback time is in the past' }] } });
    const store = createOutboxStore(refused.api);
    store.getState().openDraft({ interactionId: ID, direction: 'inbound', number: '13800138000', endedAt: T0, customerId: null, customerSnapshot: null });
    store.getState().addFollowup(ID, 'callback', T0);
    expect(await store.getState().submit(ID, T0 + 5000)).toBe(false);
    expect(store.getState().drafts[ID]?.issues).toEqual([{ field: 'followups.0.dueAt', message: 'the callback time is in the past' }]);

    const ok = bridge();
    const good = createOutboxStore(ok.api);
    good.getState().openDraft({ interactionId: ID, direction: 'inbound', number: '13800138000', endedAt: T0, customerId: 'C-1', customerSnapshot: { name: 'W', company: '', number: '+8613800138000' } });
    good.getState().editDraft(ID, { note: '客户要求明天回电' });
    good.getState().addFollowup(ID, 'callback', T0);
    expect(await good.getState().submit(ID, T0 + 30_000)).toBe(true);
    expect(good.getState().drafts[ID]).toBeUndefined();
    expect(good.getState().lastSaved).toEqual({ interactionId: ID, at: T0 + 30_000 });
    const sent = (ok.submitWrapUp.mock.calls[0] as unknown as [{ wrapUp: { wrapMs: number; followups: { dueAt: number; number: string }[]; disposition: string } }])[0].wrapUp;
    expect(sent).toMatchObject({ wrapMs: 30_000, disposition: 'resolved', followups: [{ dueAt: T0 + 86_400_000 - ((T0 + 86_400_000) % 60_000), number: '+8613800138000' }] });
  });

  it('turns a draft into the wrap-up it saves', () => {
    const { wrapUp, issues } = draftToWrapUp(
      { interactionId: ID, direction: 'inbound', number: '1', endedAt: T0, customerId: null, customerSnapshot: null, disposition: 'sale', note: 'n', followups: [{ id: ID, kind: 'ticket', category: 'billing', priority: 'high', description: 'd' }], issues: [], saving: false },
      T0 + 5,
    );
    expect(issues).toEqual([]);
    expect(wrapUp).toEqual({ interactionId: ID, customerId: null, customerSnapshot: null, disposition: 'sale', note: 'n', wrapMs: 5, followups: [{ id: ID, kind: 'ticket', category: 'billing', priority: 'high', description: 'd' }] });
  });
});

describe('the pop’s customer context', () => {
  it('is fetched after the card, for the customer on screen only', async () => {
    const asked: string[] = [];
    const store = createPopStore({
      lookup: async () => ({
        number: { raw: '1', e164: '+861', display: '1', valid: true },
        match: 'exact',
        customers: [{ id: 'C-1', name: 'a', company: '', tier: 'standard', tags: [], notes: '', phones: [], lastContactAt: null, interactions: [] }],
        truncated: false,
        tookMs: 0,
      }),
      context: async (id) => {
        asked.push(id);
        return { context: { customerId: id, contacts7d: 2, lastDisposition: null, lastNote: null, openFollowups: [] }, source: 'server', pendingContacts: 0 };
      },
    });
    await store.getState().start(ID, '1');
    await vi.waitFor(() => expect(store.getState().pops[ID]?.context?.context?.contacts7d).toBe(2));
    expect(asked).toEqual(['C-1']);
    store.getState().created(ID, 'N-1');
    expect(store.getState().pops[ID]?.createdCustomerId).toBe('N-1');
  });

  it('counts this call: the backend’s contacts plus one, or, offline, recent history and waiting records', () => {
    const now = T0;
    expect(contactNumber({ context: { customerId: 'C', contacts7d: 1, lastDisposition: null, lastNote: null, openFollowups: [] }, source: 'server', pendingContacts: 0 }, [], now)).toBe(2);
    const history = [
      { at: now - 3_600_000, disposition: 'resolved' },
      { at: now - 2 * 86_400_000, disposition: 'elsewhere' },
      { at: now - 8 * 86_400_000, disposition: 'resolved' },
    ];
    expect(contactNumber({ context: null, source: 'local', pendingContacts: 1 }, history, now)).toBe(3);
    expect(contactNumber(null, history, now)).toBe(2);
  });
});
