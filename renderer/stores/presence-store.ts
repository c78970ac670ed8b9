// Presence in the renderer: the Not Ready reasons of the agent's team (the backend's, the last ones it
// gave when offline, or the built-in list) and, for team leads, their team live. The agent store's
// presence is reported to the main process from subscribePresence(); the main process sends it on.
import { createStore } from 'zustand/vanilla';
import { DEFAULT_NOT_READY_REASONS, type NotReadyReason } from '../../shared/domain/agent-state';
import type { LianluoBridge } from '../../shared/ipc';
import type { ReasonsView, TeamView } from '../../shared/presence/desktop';
import { unwrap } from '../bridge/api';
import { afterNextPaint } from '../lib/after-paint';
import { subscribePresence, type AgentStore } from './agent-store';
import type { SessionStore } from './session-store';

export interface PresenceState {
  reasons: ReasonsView;
  team: TeamView | null;
  setReasons(r: ReasonsView): void;
  setTeam(t: TeamView): void;
  /** Show another team (admins). */
  selectTeam(teamId: number): Promise<void>;
}

export function createPresenceStore(api?: Pick<LianluoBridge, 'presence'>) {
  return createStore<PresenceState>()((set) => ({
    reasons: { reasons: [...DEFAULT_NOT_READY_REASONS], source: 'default' },
    team: null,
    setReasons: (reasons) => set({ reasons }),
    setTeam: (team) => set({ team }),
    selectTeam: async (teamId) => {
      if (!api) return;
      set({ team: await unwrap(api.presence.team({ teamId })) });
    },
  }));
}

export type PresenceStore = ReturnType<typeof createPresenceStore>;

/** A reason's label in the UI language; an id nobody labelled shows as itself. */
export function reasonLabelIn(reasons: readonly NotReadyReason[], id: string, language: string): string {
  const r = reasons.find((x) => x.id === id) ?? DEFAULT_NOT_READY_REASONS.find((x) => x.id === id);
  if (!r) return id;
  return language.startsWith('zh') ? r.label['zh-CN'] : r.label.en;
}

/** Team leads (session role supervisor or admin) see "My team". */
export const isLead = (role: string | undefined | null) => role === 'supervisor' || role === 'admin';

export interface PresenceWiring {
  api: LianluoBridge;
  store: PresenceStore;
  agentStore: AgentStore;
  sessionStore: SessionStore;
}

/** Report every presence change to the main process, follow the reasons and the team. */
export function wirePresence(w: PresenceWiring): () => void {
  const offs = [
    w.api.on('presence.reasons', (r) => w.store.getState().setReasons(r)),
    w.api.on('presence.team', (t) => w.store.getState().setTeam(t)),
    // Reported after the next paint: a call's Ringing must not share the screen pop's frame (order is kept).
    subscribePresence(w.agentStore, (p) => afterNextPaint(() => void w.api.presence.report(p))),
  ];
  const load = () => {
    void unwrap(w.api.presence.reasons({}))
      .then((r) => w.store.getState().setReasons(r))
      .catch(() => undefined);
    if (isLead(w.sessionStore.getState().session?.user?.role)) {
      void unwrap(w.api.presence.team({}))
        .then((t) => w.store.getState().setTeam(t))
        .catch(() => undefined);
    }
  };
  load();
  let who = w.sessionStore.getState().session?.user?.username ?? null;
  offs.push(
    w.sessionStore.subscribe((s) => {
      const now = s.session?.user?.username ?? null;
      if (now === who) return;
      who = now;
      load();
    }),
  );
  return () => offs.forEach((off) => off());
}
