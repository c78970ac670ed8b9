// The world around the phone: network up/down, the computer sleeping and waking, the screen being
// unlocked, the page becoming visible. Electron's main process forwards powerMonitor events
// (shell.power); in a browser the page's own online/offline/visibility events stand in, and a timer
// that notices it was frozen for a while tells that the computer slept (both run under Electron too:
// the duplicate wake-up is dropped).
import type { LianluoBridge } from '../../shared/ipc';

export interface ConnectivityTarget {
  nudge(reason: 'online' | 'offline' | 'resume' | 'unlock' | 'visible' | 'manual'): Promise<void>;
}

export interface ConnectivityHooks {
  /** The computer is going to sleep (or was found to have slept). */
  onSuspend(): void;
}

/** A timer late by more than this means the computer (or the page) was frozen. */
export const SLEEP_GAP_MS = 20_000;
const TICK_MS = 5000;
const RESUME_DEBOUNCE_MS = 10_000;

export function watchConnectivity(phone: ConnectivityTarget, api: Pick<LianluoBridge, 'on'>, hooks: ConnectivityHooks, w: Window = window): () => void {
  let lastResume = 0;
  const resume = () => {
    const now = Date.now();
    if (now - lastResume < RESUME_DEBOUNCE_MS) return;
    lastResume = now;
    void phone.nudge('resume');
  };
  const online = () => void phone.nudge('online');
  const offline = () => void phone.nudge('offline');
  const visible = () => {
    if (w.document.visibilityState === 'visible') void phone.nudge('visible');
  };
  w.addEventListener('online', online);
  w.addEventListener('offline', offline);
  w.document.addEventListener('visibilitychange', visible);

  let last = Date.now();
  const tick = setInterval(() => {
    const now = Date.now();
    if (now - last > SLEEP_GAP_MS) {
      hooks.onSuspend();
      resume();
    }
    last = now;
  }, TICK_MS);

  const off = api.on('shell.power', ({ state }) => {
    if (state === 'suspend') hooks.onSuspend();
    else if (state === 'resume') resume();
    else if (state === 'unlock-screen') void phone.nudge('unlock');
  });

  return () => {
    w.removeEventListener('online', online);
    w.removeEventListener('offline', offline);
    w.document.removeEventListener('visibilitychange', visible);
    clearInterval(tick);
    off();
  };
}
