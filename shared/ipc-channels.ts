// Names only, no schemas: the sandboxed preload imports this file (and ipc-bridge.ts) and nothing heavier.
// test/unit/shared/ipc-contract.test.ts proves these lists equal the keys of the contract in ipc.ts.

export const CHANNELS = [
  'app.info',
  'settings.get',
  'settings.saveAccount',
  'settings.forgetAccount',
  'settings.update',
  'sip.credentials',
  'customers.lookup',
  'customers.search',
  'customers.get',
  'cache.status',
  'shell.takeLinks',
  'shell.notifyIncoming',
  'shell.dismissNotification',
  'shell.setInCall',
  'session.get',
  'session.signIn',
  'session.signInDemo',
  'session.signOut',
  'sync.status',
  'sync.now',
  'outbox.status',
  'outbox.list',
  'outbox.recordCall',
  'outbox.submitWrapUp',
  'outbox.createCustomer',
  'outbox.updateFollowup',
  'outbox.resend',
  'outbox.pushNow',
  'outbox.ackNotices',
  'outbox.config',
  'outbox.callbacks',
  'outbox.context',
  'presence.report',
  'presence.reasons',
  'presence.team',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const EVENTS = ['settings.changed', 'cache.changed', 'shell.link', 'shell.power', 'shell.command', 'session.changed', 'sync.changed', 'outbox.changed', 'outbox.callbacks', 'presence.reasons', 'presence.team'] as const;
export type EventName = (typeof EVENTS)[number];

/** Prefix of every Electron IPC channel, so main can refuse anything that is not ours. */
export const IPC_PREFIX = 'lianluo:';
export const IPC_EVENT_CHANNEL = 'lianluo:event';
