// A desktop's outbox as a child process the crash harness kills with SIGKILL at any moment: the real
// OutboxService (outbox.sqlite with synchronous=FULL, the pusher) on a folder that survives the kills.
//   OUTBOX_DIR   the data folder          BASE_URL  the backend (through the harness's fault proxy)
//   TOKEN        the agent's session      OWNER     whose items these are
//   MODE=write   save items without pause (a call record, then its wrap-up with a callback), printing
//                "S <key>" after each save returned (the moment the UI would say "saved")
//   MODE=drain   save nothing; exit 0 printing "DRAINED" once nothing waits
import { monotonicFactory } from 'ulid';
import { OutboxService } from '../../../../electron/services/outbox/outbox-service';
import type { CallContext } from '../../../../electron/services/router';
import { DEFAULT_NUMBER_PLAN } from '../../../../shared/domain/defaults';
import type { CallRecord, WrapUp } from '../../../../shared/outbox/items';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const quiet = { info: () => undefined, warn: () => undefined, error: (m: string, e?: unknown) => console.error(m, e) };
const ctx: CallContext = { transport: 'web' };
const token = env('TOKEN');
const service = new OutboxService({
  dataDir: env('OUTBOX_DIR'),
  events: { emit: () => undefined },
  log: quiet,
  plan: () => DEFAULT_NUMBER_PLAN,
  pusher: { backoffBaseMs: 20, backoffMaxMs: 250, timeoutMs: Number(process.env.TIMEOUT_MS ?? 800), maxItems: 40 },
  refreshMs: 3_600_000,
  contextTimeoutMs: 300,
});
service.setLink({
  baseUrl: env('BASE_URL'),
  owner: env('OWNER'),
  fetch: (url, init) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } }),
  unauthorized: () => {
    console.error('unauthorized');
    process.exit(3);
  },
});

const ulid = monotonicFactory();
const say = (line: string) => process.stdout.write(`${line}\n`);

if (env('MODE') === 'drain') {
  const timer = setInterval(() => {
    const s = service.status();
    if (s.pending === 0) {
      clearInterval(timer);
      say(`DRAINED attention=${s.needsAttention}`);
      void service.close().then(() => process.exit(0));
    }
  }, 20);
} else {
  const write = () => {
    const now = Date.now();
    const rec: CallRecord = {
      interactionId: ulid(),
      direction: 'inbound',
      outcome: 'answered',
      endReason: 'hangup_remote',
      remoteNumber: '13800138000',
      remoteName: 'crash harness',
      customerId: null,
      queue: null,
      startedAt: now - 60_000,
      answeredAt: now - 55_000,
      endedAt: now,
      ringMs: 5000,
      talkMs: 55_000,
      holdMs: 0,
      transferredFrom: null,
      sipCallId: null,
      quality: null,
    };
    const a = service.handlers['outbox.recordCall'](rec, ctx);
    if (!('ok' in a) || !a.ok) throw new Error('record not saved');
    say(`S ${a.key}`);
    const w: WrapUp = {
      interactionId: rec.interactionId,
      customerId: null,
      customerSnapshot: null,
      disposition: 'resolved',
      note: 'crash harness',
      wrapMs: 1000,
      followups: [{ id: ulid(), kind: 'callback', dueAt: now + 86_400_000, number: '13800138000', assignee: 'me', note: '' }],
    };
    const b = service.handlers['outbox.submitWrapUp']({ wrapUp: w }, ctx);
    if (!('ok' in b) || !b.ok) throw new Error(`wrap-up not saved: ${JSON.stringify(b)}`);
    say(`S ${b.key}`);
    // Yield to the pusher now and then, as a real app would between saves.
    setTimeout(write, Math.floor(Math.random() * 6));
  };
  write();
}
