// The renderer's session mirror (renderer/stores/session-store.ts): the sign-in screen shows exactly
// when a backend is configured and nobody is signed in, and the phone is told when the workspace opens
// (connect) and closes (stop), once per change.
import { describe, expect, it } from 'vitest';
import type { SessionInfo, SyncStatus } from '../../../shared/domain/session';
import type { LianluoBridge } from '../../../shared/ipc';
import { ok } from '../../../shared/result';
import { createSessionStore, needsSignIn, wireSession } from '../../../renderer/stores/session-store';

const info = (status: SessionInfo['status'], mode: SessionInfo['backend']['mode'] = 'embedded', ended: SessionInfo['ended'] = null): SessionInfo => ({
  status,
  backend: { mode, url: null, state: 'ready' },
  user: status === 'signed_in' ? { username: 'agent1001', displayName: 'Agent', role: 'agent', team: null } : null,
  expiresAt: null,
  ended,
  error: null,
  demoUser: null,
});
const SYNC: SyncStatus = { state: 'off', phase: null, lastSyncedAt: null, customers: 0, interactions: 0, progress: null, error: null, retryAt: null, live: false };

describe('session store', () => {
  it('asks for a sign-in only with a backend and nobody signed in', () => {
    expect(needsSignIn(undefined)).toBe(false);
    expect(needsSignIn(info('signed_out'))).toBe(true);
    expect(needsSignIn(info('signing_in'))).toBe(true);
    expect(needsSignIn(info('signed_in'))).toBe(false);
    expect(needsSignIn(info('signed_out', 'off'))).toBe(false);
    expect(needsSignIn(info('signed_out', 'remote', 'revoked'))).toBe(true);
  });

  it('follows the events and opens and closes the workspace once per change', async () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const api = {
      on: (e: string, l: (p: unknown) => void) => {
        listeners.set(e, l);
        return () => listeners.delete(e);
      },
      session: { get: async () => ok(info('signed_out')) },
      sync: { status: async () => ok(SYNC) },
    } as unknown as LianluoBridge;
    const store = createSessionStore();
    const log: string[] = [];
    await wireSession({ api, store, onWorkspace: () => log.push('open'), onSignInScreen: () => log.push('close') });
    expect(store.getState().session?.status).toBe('signed_out');
    const emit = (e: string, p: unknown) => listeners.get(e)?.(p);
    emit('session.changed', info('signing_in'));
    emit('session.changed', info('signed_in'));
    emit('sync.changed', { ...SYNC, state: 'syncing' });
    emit('session.changed', info('signed_in'));
    emit('session.changed', info('signed_out', 'embedded', 'expired'));
    expect(log).toEqual(['open', 'close']);
    expect(store.getState().sync?.state).toBe('syncing');
    expect(store.getState().session?.ended).toBe('expired');
  });
});
