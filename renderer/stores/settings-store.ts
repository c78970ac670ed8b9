// Mirror of the main process's settings (the source of truth), plus app info and cache status.
import { createStore } from 'zustand/vanilla';
import type { Settings } from '../../shared/domain/settings';
import type { AppInfo, CacheStatus } from '../../shared/ipc';

export interface SettingsState {
  settings?: Settings;
  app?: AppInfo;
  cache?: CacheStatus;
  loadError?: string;
  set(patch: Partial<Pick<SettingsState, 'settings' | 'app' | 'cache' | 'loadError'>>): void;
}

export function createSettingsStore() {
  return createStore<SettingsState>()((set) => ({
    set: (patch) => set(patch),
  }));
}

export type SettingsStore = ReturnType<typeof createSettingsStore>;
