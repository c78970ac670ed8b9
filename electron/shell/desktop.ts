// The desktop shell's services for the renderer (ShellPort): OS links, the incoming-call notification
// with Answer while the window is hidden, and keeping the app awake during a call. Electron objects are
// passed in by main.ts, so this runs and is tested in plain Node.
import type { IncomingNotification } from '../../shared/ipc';
import type { ShellPort } from '../services/app-services';
import type { LinkQueue } from './links';

/** The part of Electron's Notification this needs. */
export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click' | 'action' | 'close', listener: () => void): unknown;
}

export interface NotificationOptions {
  title: string;
  body: string;
  silent: boolean;
  urgency: 'critical';
  timeoutType: 'never';
  actions: { type: 'button'; text: string }[];
}

export interface DesktopShellDeps {
  links: LinkQueue;
  /** A shown-to-be notification, or null where the OS has none (asked each time: Electron must be ready). */
  notification(o: NotificationOptions): NotificationLike | null;
  /** The window is minimised, hidden or behind other windows: the agent would not see a ringing call. */
  windowHidden(): boolean;
  /** Bring the window to the front and tell the page to answer that call. */
  answer(callId: string): void;
  /** powerSaveBlocker: start returns an id, stop ends it. */
  keepAwake: { start(): number; stop(id: number): void };
}

export function createDesktopShell(d: DesktopShellDeps): ShellPort & { dispose(): void } {
  const shown = new Map<string, NotificationLike>();
  let awake: number | undefined;
  const dismiss = (callId: string) => {
    const n = shown.get(callId);
    shown.delete(callId);
    n?.close();
  };
  return {
    takeLinks: () => d.links.take(),
    notifyIncoming(n: IncomingNotification): boolean {
      if (!d.windowHidden() || shown.has(n.callId)) return false;
      const note = d.notification({
        title: n.title,
        body: n.body,
        silent: true, // the app's own ringer rings, on the device the agent chose
        urgency: 'critical',
        timeoutType: 'never',
        actions: [{ type: 'button', text: n.answerLabel }],
      });
      if (!note) return false;
      const answer = () => {
        dismiss(n.callId);
        d.answer(n.callId);
      };
      note.on('action', answer);
      note.on('click', answer);
      note.on('close', () => shown.delete(n.callId));
      shown.set(n.callId, note);
      note.show();
      return true;
    },
    dismissNotification: dismiss,
    setInCall(inCall: boolean): void {
      if (inCall && awake === undefined) awake = d.keepAwake.start();
      else if (!inCall && awake !== undefined) {
        d.keepAwake.stop(awake);
        awake = undefined;
      }
    },
    dispose() {
      for (const id of [...shown.keys()]) dismiss(id);
      if (awake !== undefined) d.keepAwake.stop(awake);
      awake = undefined;
    },
  };
}
