// tel:/sip: links handed to the app by the OS (a CRM page, an e-mail signature): as the first process's
// argv (Windows, Linux), a second instance's argv (forwarded by the single-instance lock) or macOS's
// open-url event. Only well-formed dial links pass; the renderer fills the dial pad with them and the
// agent confirms, so a web page cannot make the phone call anyone by itself.
import type { DialLink } from '../../shared/ipc';

export const DIAL_SCHEMES = ['tel', 'sip', 'sips', 'callto'] as const;
export const MAX_LINK = 512;
const LINK = /^(tel|sip|sips|callto):[^\s<>"'`\\]{1,500}$/i;

/** The argument as a dial link, or undefined. */
export function dialLink(arg: unknown): string | undefined {
  if (typeof arg !== 'string' || arg.length > MAX_LINK) return undefined;
  const s = arg.trim();
  return LINK.test(s) ? s : undefined;
}

/** Dial links in a command line (the app's own flags and path are ignored). */
export function linksInArgv(argv: readonly string[]): string[] {
  return argv.map(dialLink).filter((l): l is string => l !== undefined);
}

/**
 * Links wait here until the page asks (at start-up it may not listen yet); once it has asked, new links
 * go out at once as events. Bounded: a flood of links keeps the newest ones.
 */
export class LinkQueue {
  private pending: string[] = [];
  private listening = false;

  constructor(
    private readonly deliver: (link: DialLink) => void,
    private readonly max = 20,
  ) {}

  push(url: string): void {
    const link = dialLink(url);
    if (!link) return;
    if (this.listening) this.deliver({ url: link });
    else this.pending = [...this.pending, link].slice(-this.max);
  }

  take(): DialLink[] {
    this.listening = true;
    const out = this.pending.map((url) => ({ url }));
    this.pending = [];
    return out;
  }
}
