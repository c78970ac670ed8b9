// Mirror of the main process's sign-in (SessionInfo) and cache sync (SyncStatus). The token never
// reaches the renderer: the main process holds it in its secret store.
import { createStore } from 'zustand/vanilla';
import type { SessionInfo, SyncStatus } from '../../shared/domain/session';
import type { LianluoBridge } from '../../shared/ipc';
import { unwrap } from '../bridge/api';

export interface SessionState {
  session?: SessionInfo;
  sync?: SyncStatus;
  set(patch: Partial<Pick<SessionState, 'session' | 'sync'>>): void;
}

export function createSessionStore() {
  return createStore<SessionState>()((set) => ({
    set: (patch) => set(patch),
  }));
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** The workspace needs a sign-in first: a backend is configured and nobody is signed in to it. */
export function needsSignIn(s: SessionInfo | undefined): boolean {
  return !!s && s.backend.mode !== 'off' && s.status !== 'signed_in';
}

export interface SessionWiring {
  api: LianluoBridge;
  store: SessionStore;
  /** Signed in (or no backend): the phone may connect. */
  onWorkspace(): void;
  /** Back at the sign-in screen: the phone must not ring for someone who is not signed in. */
  onSignInScreen(): void;
}

/** Load the session and sync status, follow their events, and tell the phone when the workspace opens or closes. */
export async function wireSession(w: SessionWiring): Promise<void> {
  w.api.on('session.changed', (session) => w.store.getState().set({ session }));
  w.api.on('sync.changed', (sync) => w.store.getState().set({ sync }));
  const [session, sync] = await Promise.all([unwrap(w.api.session.get()), unwrap(w.api.sync.status())]);
  w.store.getState().set({ session, sync });
  let gated = needsSignIn(session);
  w.store.subscribe((s) => {
    const now = needsSignIn(s.session);
    if (now === gated) return;
    gated = now;
    if (now) w.onSignInScreen();
    else w.onWorkspace();
  });
}
