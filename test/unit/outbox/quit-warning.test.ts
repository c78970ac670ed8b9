// Quitting with saved work not yet delivered: asked only when something waits for a signed-in agent, in
// the agent's language, with "Stay" as the safe default.
import { describe, expect, it } from 'vitest';
import { quitWarning } from '../../../electron/services/outbox/quit-warning';
import type { OutboxStatus } from '../../../shared/outbox/desktop';

const status = (over: Partial<OutboxStatus>): OutboxStatus => ({
  signedIn: true,
  online: false,
  pending: 0,
  waitingForOthers: 0,
  oldestAt: null,
  needsAttention: 0,
  notices: 0,
  lastError: null,
  retryAt: null,
  lastDeliveredAt: null,
  sending: false,
  ...over,
});

describe('quitWarning', () => {
  it('says nothing when nothing waits or nobody is signed in', () => {
    expect(quitWarning(status({ pending: 0 }), 'en')).toBeNull();
    expect(quitWarning(status({ pending: 4, signedIn: false }), 'en')).toBeNull();
  });

  it('asks in English or Chinese, Stay being the default and the cancel', () => {
    const en = quitWarning(status({ pending: 3 }), 'en-GB');
    expect(en).toMatchObject({ message: '3 saved items have not reached the server yet.', buttons: ['Quit anyway', 'Stay'], defaultId: 1, cancelId: 1 });
    expect(quitWarning(status({ pending: 1 }), 'en')?.message).toBe('1 saved item has not reached the server yet.');
    expect(quitWarning(status({ pending: 2 }), 'zh-CN')).toMatchObject({ message: '还有 2 条已保存的记录尚未发送到服务器。', buttons: ['仍然退出', '不退出'] });
  });
});
