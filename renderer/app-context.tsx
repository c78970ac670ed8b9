// What views may use: the stores (through selectors) and the phone's actions. Passed by context, not
// module singletons, so every test and every window builds its own.
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { LianluoBridge } from '../shared/ipc';
import type { AudioDevices, AudioDevicesState } from './audio/devices';
import type { HeadsetActions } from './headset/headset-wiring';
import type { CallUiState, CallUiStore } from './phone/call-ui';
import type { Phone } from './phone/phone';
import type { Ringtone } from './phone/ringtone';
import type { AgentStore, AgentStoreState } from './stores/agent-store';
import type { HeadsetState, HeadsetStore } from './stores/headset-store';
import type { OutboxStore } from './stores/outbox-store';
import type { PhoneState, PhoneStore } from './stores/phone-store';
import type { PopState, PopStore } from './stores/pop-store';
import type { PresenceStore } from './stores/presence-store';
import type { SessionState, SessionStore } from './stores/session-store';
import type { SettingsState, SettingsStore } from './stores/settings-store';

export interface AppDeps {
  api: LianluoBridge;
  phone: Phone;
  phoneStore: PhoneStore;
  popStore: PopStore;
  settingsStore: SettingsStore;
  agentStore: AgentStore;
  callUi: CallUiStore;
  audio: AudioDevices;
  ringtone: Ringtone;
  headsetStore: HeadsetStore;
  /** The USB headset: test ring, choose, connect (renderer/headset/headset-wiring.ts). */
  headset: HeadsetActions;
  /** Sign-in to the backend and cache sync status (issue 3). */
  sessionStore: SessionStore;
  /** After-call work: wrap-up drafts, the outbox's status, my callbacks (issue 4). */
  outboxStore: OutboxStore;
  /** Presence (issue 5): the team's Not Ready reasons, a lead's team. */
  presenceStore: PresenceStore;
  /** Save the account and (re)connect the phone. */
  connect(): Promise<void>;
}

const Ctx = createContext<AppDeps | null>(null);

export function AppProvider({ deps, children }: { deps: AppDeps; children: ReactNode }) {
  return <Ctx.Provider value={deps}>{children}</Ctx.Provider>;
}

export function useDeps(): AppDeps {
  const d = useContext(Ctx);
  if (!d) throw new Error('AppProvider is missing');
  return d;
}

export const usePhoneState = <T,>(sel: (s: PhoneState) => T): T => useStore(useDeps().phoneStore, sel);
export const usePopState = <T,>(sel: (s: PopState) => T): T => useStore(useDeps().popStore, sel);
export const useSettingsState = <T,>(sel: (s: SettingsState) => T): T => useStore(useDeps().settingsStore, sel);
export const useAgentState = <T,>(sel: (s: AgentStoreState) => T): T => useStore(useDeps().agentStore, sel);
export const useCallUi = <T,>(sel: (s: CallUiState) => T): T => useStore(useDeps().callUi, sel);
export const useHeadsetState = <T,>(sel: (s: HeadsetState) => T): T => useStore(useDeps().headsetStore, sel);
export const useSessionState = <T,>(sel: (s: SessionState) => T): T => useStore(useDeps().sessionStore, sel);
export const useAudioDevices = <T,>(sel: (s: AudioDevicesState) => T): T => useStore(useDeps().audio.store, sel);
