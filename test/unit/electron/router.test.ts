// The transport-agnostic router: nothing reaches a handler unvalidated, nothing leaves outside the
// contract, nothing is thrown across the boundary. And the event hub validates what it pushes.
import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, type Channel } from '../../../shared/ipc-channels';
import { AppError } from '../../../shared/result';
import { createRouter, EventHub, type CallContext, type Handlers, type Logger } from '../../../electron/services/router';

const ctx: CallContext = { transport: 'web' };

const SETTINGS = {
  account: { wsUrl: 'wss://pbx.example.com:8089/ws', sipUri: 'sip:1001@pbx.example.com', authUser: '1001', displayName: 'Agent' },
  hasPassword: true,
  numberPlan: { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' },
  locale: null,
  phone: { dtmfMode: 'rfc4733' as const, wrapUpSeconds: 30, whenNotReady: 'busy' as const },
  audio: { microphone: { deviceId: 'abc', label: 'Jabra Evolve2 65' }, speaker: null, ringer: null },
  hotkeys: { answer: 'CommandOrControl+Alt+A', hangup: null, mute: null, hold: null, transfer: null, dial: null },
  headset: { deviceId: '0b0e:0307:Jabra EVOLVE LINK MS' },
};
const SESSION = {
  status: 'signed_in' as const,
  backend: { mode: 'embedded' as const, url: 'http://127.0.0.1:40123', state: 'ready' as const },
  user: { username: 'agent1001', displayName: 'Agent 1001', role: 'agent' as const, team: 'Demo team' },
  expiresAt: 1_900_000_000_000,
  ended: null,
  error: null,
  demoUser: 'agent1001',
};
const SYNC = { state: 'idle' as const, phase: null, lastSyncedAt: 1_800_000_000_000, customers: 5000, interactions: 6646, progress: null, error: null, retryAt: null, live: true };
const STATUS = { customers: 1, phones: 1, interactions: 0, schemaVersion: 1, source: 'demo' as const };
const LOOKUP = {
  number: { raw: '13800138000', e164: '+8613800138000', display: '138 0013 8000', valid: true },
  match: 'none' as const,
  customers: [],
  truncated: false,
  tookMs: 0.1,
};

const OUTBOX = {
  record: {
    interactionId: '01J9Z3V6K6T4Q0W8S2E5H7M1NB',
    direction: 'inbound',
    outcome: 'answered',
    endReason: 'hangup_remote',
    remoteNumber: '13800138000',
    remoteName: 'Wang Fang',
    customerId: 'C-STORY-1',
    queue: null,
    startedAt: 1_800_000_000_000,
    answeredAt: 1_800_000_005_000,
    endedAt: 1_800_000_100_000,
    ringMs: 5000,
    talkMs: 95_000,
    holdMs: 0,
    transferredFrom: null,
    sipCallId: 'abc@127.0.0.1',
    quality: { mos: 4.4, jitterMs: 2, lossPct: 0, rttMs: 10, rating: 'good' },
  },
  wrapUp: {
    interactionId: '01J9Z3V6K6T4Q0W8S2E5H7M1NB',
    customerId: 'C-STORY-1',
    customerSnapshot: { name: '王芳', company: '', number: '+8613800138000' },
    disposition: 'resolved',
    note: 'Invoice re-issued.',
    wrapMs: 15_000,
    followups: [{ id: '01J9Z3V6K6T4Q0W8S2E5H7M1ND', kind: 'callback', dueAt: 1_800_086_400_000, number: '138 0013 8000', assignee: 'me', note: 'confirm' }],
  },
  customer: { id: 'N-01J9Z3V6K6T4Q0W8S2E5H7M1NE', name: '新客户', company: '', notes: '', phones: [{ number: '13911112222', label: 'mobile' }], interactionId: null },
  status: { signedIn: true, online: false, pending: 3, waitingForOthers: 0, oldestAt: 1_800_000_000_000, needsAttention: 1, notices: 0, lastError: { message: 'the backend cannot be reached (ECONNREFUSED)', at: 1_800_000_001_000 }, retryAt: 1_800_000_004_000, lastDeliveredAt: null, sending: false },
  saved: { ok: true as const, key: '01J9Z3V6K6T4Q0W8S2E5H7M1NF', seq: 12 },
};

/** A valid request for every channel. A new channel must add one here (the first test says so). */
const VALID: Record<Channel, Record<string, unknown>> = {
  'app.info': {},
  'settings.get': {},
  'settings.saveAccount': { ...SETTINGS.account, password: 'secret' },
  'settings.forgetAccount': {},
  'settings.update': {
    numberPlan: { defaultRegion: 'CN', localAreaCode: '10', outsideLinePrefix: '9' },
    locale: 'zh-CN',
    phone: { dtmfMode: 'info', wrapUpSeconds: 60 },
    audio: { ringer: { deviceId: 'def', label: 'Speakers' } },
    hotkeys: { answer: 'Ctrl+Shift+F9' },
    headset: { deviceId: null },
  },
  'sip.credentials': {},
  'customers.lookup': { ani: '13800138000' },
  'customers.search': { query: '王芳 138', limit: 50 },
  'customers.get': { id: 'C-STORY-1' },
  'cache.status': {},
  'shell.takeLinks': {},
  'shell.notifyIncoming': { callId: '01J9Z3V6K6T4Q0W8S2E5H7M1NB', title: 'Incoming call', body: '王芳', answerLabel: 'Answer' },
  'shell.dismissNotification': { callId: '01J9Z3V6K6T4Q0W8S2E5H7M1NB' },
  'shell.setInCall': { inCall: true },
  'session.get': {},
  'session.signIn': { backendUrl: 'https://lianluo.example.com', username: 'agent1001', password: 'secret' },
  'session.signInDemo': {},
  'session.signOut': {},
  'sync.status': {},
  'sync.now': {},
  'outbox.status': {},
  'outbox.list': {},
  'outbox.recordCall': OUTBOX.record,
  'outbox.submitWrapUp': { wrapUp: OUTBOX.wrapUp },
  'outbox.createCustomer': { customer: OUTBOX.customer },
  'outbox.updateFollowup': { followupId: '01J9Z3V6K6T4Q0W8S2E5H7M1NC', state: 'done', note: 'called back' },
  'outbox.resend': { seq: 7, payload: OUTBOX.wrapUp },
  'outbox.pushNow': {},
  'outbox.ackNotices': { seqs: [1, 2] },
  'outbox.config': { refresh: true },
  'outbox.callbacks': { refresh: false },
  'outbox.context': { customerId: 'C-STORY-1' },
  'presence.report': { state: 'wrap_up', reasonId: null, since: 1_800_000_000_000, wrapUpUntil: 1_800_000_030_000 },
  'presence.reasons': { refresh: true },
  'presence.team': { teamId: 3 },
};

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'app.info': () => ({ name: 'Lianluo', version: '1.0.0', transport: 'web', platform: 'linux' }),
    'settings.get': () => SETTINGS,
    'settings.saveAccount': () => SETTINGS,
    'settings.forgetAccount': () => ({ ...SETTINGS, account: null }),
    'settings.update': () => SETTINGS,
    'sip.credentials': () => ({ password: 'secret' }),
    'customers.lookup': () => LOOKUP,
    'customers.search': ({ query }) => ({ query, hits: [], more: false, tookMs: 0.2 }),
    'customers.get': () => ({ customer: null }),
    'cache.status': () => STATUS,
    'shell.takeLinks': () => ({ links: [{ url: 'tel:+861088886666' }] }),
    'shell.notifyIncoming': () => ({ shown: false }),
    'shell.dismissNotification': () => ({}),
    'shell.setInCall': () => ({}),
    'session.get': () => SESSION,
    'session.signIn': () => SESSION,
    'session.signInDemo': () => SESSION,
    'session.signOut': () => ({ ...SESSION, status: 'signed_out' as const, user: null, expiresAt: null }),
    'sync.status': () => SYNC,
    'sync.now': () => SYNC,
    'outbox.status': () => OUTBOX.status,
    'outbox.list': () => ({ attention: [], pending: [], notices: [] }),
    'outbox.recordCall': () => OUTBOX.saved,
    'outbox.submitWrapUp': () => OUTBOX.saved,
    'outbox.createCustomer': () => OUTBOX.saved,
    'outbox.updateFollowup': () => OUTBOX.saved,
    'outbox.resend': () => ({ ok: false as const, issues: [{ field: 'disposition', message: 'choose a disposition from the list' }] }),
    'outbox.pushNow': () => OUTBOX.status,
    'outbox.ackNotices': () => OUTBOX.status,
    'outbox.config': () => ({ config: null }),
    'outbox.callbacks': () => ({ followups: [], fetchedAt: null }),
    'outbox.context': () => ({ context: null, source: 'local' as const, pendingContacts: 0 }),
    'presence.report': () => ({}),
    'presence.reasons': () => ({ reasons: [{ id: 'lunch', label: { en: 'Lunch', 'zh-CN': '午餐' } }], source: 'default' as const }),
    'presence.team': () => ({ team: null, teams: [], clockOffsetMs: 0, live: false, error: null }),
    ...overrides,
  };
}

function quietLog() {
  return { info: vi.fn<Logger['info']>(), warn: vi.fn<Logger['warn']>(), error: vi.fn<Logger['error']>() };
}

/** Every string in a payload, each replaced by a 100 KB one. */
function oversized(payload: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === 'string') out.push({ ...payload, [k]: 'x'.repeat(100_000) });
    else if (v && typeof v === 'object') for (const inner of oversized(v as Record<string, unknown>)) out.push({ ...payload, [k]: inner });
  }
  return out;
}

describe('router', () => {
  it('has a sample request for every channel of the contract', () => {
    expect(Object.keys(VALID).sort()).toEqual([...CHANNELS].sort());
  });

  it('answers every channel with a valid request', async () => {
    const router = createRouter(handlers(), quietLog());
    for (const c of CHANNELS) {
      const r = await router.handle(c, VALID[c], ctx);
      expect(r.ok, c).toBe(true);
    }
  });

  it('refuses unknown channels without calling anything', async () => {
    const log = quietLog();
    const h = handlers();
    const spies = Object.fromEntries(CHANNELS.map((c) => [c, vi.fn(h[c])])) as unknown as Handlers;
    const router = createRouter(spies, log);
    for (const channel of ['nope', 'app.infoo', 'APP.INFO', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 42, null, undefined, {}, ['app.info']]) {
      const r = await router.handle(channel, {}, ctx);
      expect(r, String(channel)).toEqual({ ok: false, error: { code: 'unknown_channel', message: expect.stringMatching(/^unknown IPC method/) } });
    }
    for (const c of CHANNELS) expect(spies[c]).not.toHaveBeenCalled();
  });

  it('bounds the channel name it echoes back', async () => {
    const r = await createRouter(handlers(), quietLog()).handle('x'.repeat(10_000), {}, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message.length).toBeLessThan(100);
  });

  describe.each(CHANNELS)('%s rejects invalid payloads before its handler runs', (channel) => {
    const bad: [string, unknown][] = [
      ['a number', 42],
      ['a string', 'hello'],
      ['null', null],
      ['an array', [VALID[channel]]],
      ['a boolean', true],
      ['an extra key', { ...VALID[channel], unexpected: 1 }],
      ['a prototype key', JSON.parse(`{"__proto__": {"polluted": 1}, ${JSON.stringify(VALID[channel]).slice(1, -1) || '"x": 1'}}`)],
      ...oversized(VALID[channel]).map((p, i): [string, unknown] => [`oversized string #${i + 1}`, p]),
      ...Object.keys(VALID[channel]).flatMap((k): [string, unknown][] => [
        // A number where a string belongs; where a number belongs, a negative one (no field here takes one).
        [`${k} as a number`, { ...VALID[channel], [k]: typeof VALID[channel][k] === 'number' ? -1 : 12345 }],
        [`${k} as an object`, { ...VALID[channel], [k]: { toString: 'x' } }],
      ]),
    ];
    it.each(bad)('%s', async (_what, payload) => {
      const handler = vi.fn(handlers()[channel]);
      const router = createRouter(handlers({ [channel]: handler }), quietLog());
      const r = await router.handle(channel, payload, ctx);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_request');
        expect(r.error.message).toBe(`invalid request for ${channel}`);
        expect(r.error.issues?.length).toBeGreaterThan(0);
        expect(r.error.issues?.length).toBeLessThanOrEqual(10);
      }
      expect(handler).not.toHaveBeenCalled();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  it('says where a payload is wrong', async () => {
    const r = await createRouter(handlers(), quietLog()).handle('settings.saveAccount', { ...VALID['settings.saveAccount'], wsUrl: 'http://evil' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_request', issues: [expect.stringMatching(/^wsUrl: must be a ws:\/\/ or wss:\/\/ URL/)] } });
  });

  it('hands the handler the parsed request and the call context', async () => {
    const handler = vi.fn(() => SETTINGS);
    const router = createRouter(handlers({ 'settings.saveAccount': handler }), quietLog());
    await router.handle('settings.saveAccount', { ...VALID['settings.saveAccount'], wsUrl: '  wss://pbx.example.com:8089/ws  ' }, { transport: 'electron' });
    expect(handler).toHaveBeenCalledWith({ ...VALID['settings.saveAccount'], wsUrl: 'wss://pbx.example.com:8089/ws' }, { transport: 'electron' });
  });

  it('turns an AppError into its code and message, without logging it as a bug', async () => {
    const log = quietLog();
    const router = createRouter(
      handlers({
        'sip.credentials': () => {
          throw new AppError('not_found', 'no SIP account is configured');
        },
      }),
      log,
    );
    expect(await router.handle('sip.credentials', {}, ctx)).toEqual({ ok: false, error: { code: 'not_found', message: 'no SIP account is configured' } });
    expect(log.error).not.toHaveBeenCalled();
  });

  it('turns any other exception (sync or async, even a non-Error) into "internal" and logs it', async () => {
    for (const thrower of [
      () => {
        throw new TypeError('db is closed');
      },
      async () => {
        throw new Error('db is closed');
      },
      () => Promise.reject('a string'),
    ]) {
      const log = quietLog();
      const router = createRouter(handlers({ 'cache.status': thrower as Handlers['cache.status'] }), log);
      const r = await router.handle('cache.status', {}, ctx);
      expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
      expect(log.error).toHaveBeenCalledTimes(1);
    }
  });

  it('never lets a response outside the contract reach the caller', async () => {
    const cases: Partial<Handlers>[] = [
      { 'customers.lookup': () => ({ ...LOOKUP, match: 'maybe' }) as never },
      { 'customers.lookup': () => ({ ...LOOKUP, customers: Array.from({ length: 21 }, () => ({})) }) as never },
      { 'app.info': () => ({ name: 'Lianluo', version: '1', transport: 'carrier-pigeon', platform: 'x' }) as never },
      { 'sip.credentials': () => undefined as never },
      { 'cache.status': () => ({ ...STATUS, customers: 1.5 }) },
    ];
    for (const h of cases) {
      const log = quietLog();
      const [channel] = Object.keys(h) as Channel[];
      const r = await createRouter(handlers(h), log).handle(channel as Channel, VALID[channel as Channel], ctx);
      expect(r, channel).toEqual({ ok: false, error: { code: 'internal', message: `${channel} produced an invalid response` } });
      expect(log.error).toHaveBeenCalledTimes(1);
    }
  });

  it('strips unknown keys from responses', async () => {
    const r = await createRouter(handlers({ 'sip.credentials': () => ({ password: 'p', leaked: 'x' }) as never }), quietLog()).handle('sip.credentials', {}, ctx);
    expect(r).toEqual({ ok: true, value: { password: 'p' } });
  });
});

describe('EventHub', () => {
  it('validates payloads and fans them out until a listener leaves', () => {
    const hub = new EventHub();
    const a = vi.fn();
    const b = vi.fn();
    const offA = hub.listen(a);
    hub.listen(b);
    hub.emit('cache.changed', STATUS);
    offA();
    hub.emit('cache.changed', { ...STATUS, customers: 2 });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    expect(b).toHaveBeenLastCalledWith('cache.changed', { ...STATUS, customers: 2 });
  });

  it('refuses unknown events and payloads outside the contract', () => {
    const hub = new EventHub();
    const l = vi.fn();
    hub.listen(l);
    expect(() => hub.emit('nope' as never, {} as never)).toThrow(/unknown event/);
    expect(() => hub.emit('cache.changed', { ...STATUS, source: 'elsewhere' } as never)).toThrow();
    expect(l).not.toHaveBeenCalled();
  });
});
