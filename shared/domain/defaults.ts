// Default values, free of zod so the renderer can import them without the schema library.
import type { NumberPlan, SipAccount } from './settings';

export const DEFAULT_NUMBER_PLAN: NumberPlan = { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' };

/** The account the desktop offers on first start: the project's own local test PBX (`npm run demo:call`). */
export const DEMO_ACCOUNT: SipAccount = {
  wsUrl: 'ws://127.0.0.1:8080',
  sipUri: 'sip:1001@127.0.0.1',
  authUser: '1001',
  displayName: 'Agent 1001',
};
