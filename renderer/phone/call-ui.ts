// What the call views show besides the calls themselves: which panel is open (dial pad, keypad,
// transfer), what the dial pad holds, the last screen-reader announcement and the last failed action.
// Shortcuts, global hotkeys and the views all act through this store and the phone.
import { createStore } from 'zustand/vanilla';

export interface Announcement {
  /** i18n key under announce.* */
  key: string;
  params?: Record<string, string>;
  /** Increases with every announcement, so the same words said twice are read twice. */
  seq: number;
}

export interface CallUiState {
  dialOpen: boolean;
  dialValue: string;
  /** The dial pad was filled from a tel:/sip: link: the agent confirms with Call. */
  dialFromLink: boolean;
  /** Increases each time the dial pad should take focus (Alt+D, a link). */
  dialFocus: number;
  keypadFor?: string;
  transferFor?: string;
  announcement?: Announcement;
  /** An action that failed, in words for the agent (i18n key under error.*) and detail for admins. */
  error?: { key: string; detail?: string; seq: number };

  openDial(value?: string, fromLink?: boolean): void;
  closeDial(): void;
  setDialValue(v: string): void;
  toggleKeypad(callId: string): void;
  toggleTransfer(callId: string, open?: boolean): void;
  closePanels(): void;
  announce(key: string, params?: Record<string, string>): void;
  fail(key: string, detail?: string): void;
  clearError(): void;
}

export function createCallUiStore() {
  let seq = 0;
  return createStore<CallUiState>()((set) => ({
    dialOpen: false,
    dialValue: '',
    dialFromLink: false,
    dialFocus: 0,
    openDial: (value, fromLink = false) =>
      set((s) => ({ dialOpen: true, dialValue: value ?? s.dialValue, dialFromLink: fromLink, dialFocus: s.dialFocus + 1 })),
    closeDial: () => set({ dialOpen: false, dialValue: '', dialFromLink: false }),
    setDialValue: (dialValue) => set({ dialValue, dialFromLink: false }),
    toggleKeypad: (callId) => set((s) => ({ keypadFor: s.keypadFor === callId ? undefined : callId, transferFor: undefined })),
    toggleTransfer: (callId, open) =>
      set((s) => ({ transferFor: (open ?? s.transferFor !== callId) ? callId : undefined, keypadFor: undefined })),
    closePanels: () => set({ keypadFor: undefined, transferFor: undefined }),
    announce: (key, params) => set({ announcement: { key, ...(params ? { params } : {}), seq: ++seq } }),
    fail: (key, detail) => set({ error: { key, ...(detail ? { detail } : {}), seq: ++seq } }),
    clearError: () => set({ error: undefined }),
  }));
}

export type CallUiStore = ReturnType<typeof createCallUiStore>;
