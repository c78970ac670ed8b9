// The desktop shell's pure parts: dial links from the OS, global hotkeys, the incoming-call
// notification with Answer while the window is hidden, keeping the app awake in a call.
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_HOTKEYS } from '../../../shared/domain/defaults';
import { createDesktopShell, type NotificationLike, type NotificationOptions } from '../../../electron/shell/desktop';
import { GlobalHotkeys, type ShortcutRegistry } from '../../../electron/shell/hotkeys';
import { dialLink, LinkQueue, linksInArgv } from '../../../electron/shell/links';

describe('dial links', () => {
  it('accepts tel:, sip:, sips: and callto: links only', () => {
    expect(dialLink('tel:+86-10-8888-6666')).toBe('tel:+86-10-8888-6666');
    expect(dialLink('SIP:1002@pbx.example.com')).toBe('SIP:1002@pbx.example.com');
    expect(dialLink('callto://+8613800138000')).toBe('callto://+8613800138000');
    for (const bad of ['https://evil.example', 'javascript:alert(1)', 'tel:', `tel:${'1'.repeat(600)}`, 'tel:<script>', 'file:///etc/passwd', 42, null]) expect(dialLink(bad)).toBeUndefined();
  });

  it('finds links in a command line, ignoring the app’s own arguments', () => {
    expect(linksInArgv(['/opt/Lianluo/lianluo', '--no-sandbox', 'tel:13800138000', '.'])).toEqual(['tel:13800138000']);
  });

  it('keeps links until the page asks, then delivers new ones at once; a flood keeps the newest', () => {
    const delivered: string[] = [];
    const q = new LinkQueue((l) => delivered.push(l.url), 3);
    for (let i = 0; i < 5; i++) q.push(`tel:10${i}`);
    q.push('https://not-a-dial-link');
    expect(delivered).toEqual([]);
    expect(q.take()).toEqual([{ url: 'tel:102' }, { url: 'tel:103' }, { url: 'tel:104' }]);
    q.push('sip:1002@pbx');
    expect(delivered).toEqual(['sip:1002@pbx']);
    expect(q.take()).toEqual([]);
  });
});

class FakeShortcuts implements ShortcutRegistry {
  held = new Map<string, () => void>();
  constructor(private readonly takenElsewhere: string[] = []) {}
  register(acc: string, cb: () => void): boolean {
    if (this.takenElsewhere.includes(acc) || this.held.has(acc)) return false;
    this.held.set(acc, cb);
    return true;
  }
  unregister(acc: string): void {
    this.held.delete(acc);
  }
}

describe('global hotkeys', () => {
  it('registers the configured ones, reports those another app holds, and re-registers on change', () => {
    const reg = new FakeShortcuts(['CommandOrControl+Alt+M']);
    const seen: string[] = [];
    const h = new GlobalHotkeys(reg, (a) => seen.push(a));
    expect(h.apply(DEFAULT_HOTKEYS)).toEqual(['mute']);
    reg.held.get('CommandOrControl+Alt+A')?.();
    expect(seen).toEqual(['answer']);
    expect(h.apply({ ...DEFAULT_HOTKEYS, answer: 'Ctrl+Shift+F9', hangup: 'ctrl+shift+f9' })).toEqual(['hangup', 'mute']); // the same key twice: first wins
    expect(reg.held.has('CommandOrControl+Alt+A')).toBe(false);
    expect(reg.held.has('Ctrl+Shift+F9')).toBe(true);
    h.clear();
    expect(reg.held.size).toBe(0);
  });
});

class FakeNotification implements NotificationLike {
  static made: FakeNotification[] = [];
  listeners = new Map<string, () => void>();
  shown = false;
  closed = false;
  constructor(readonly o: NotificationOptions) {
    FakeNotification.made.push(this);
  }
  show() {
    this.shown = true;
  }
  close() {
    this.closed = true;
  }
  on(e: 'click' | 'action' | 'close', l: () => void) {
    this.listeners.set(e, l);
  }
}

describe('desktop shell', () => {
  const make = (hidden: boolean) => {
    const answer = vi.fn();
    const keepAwake = { start: vi.fn(() => 7), stop: vi.fn() };
    const shell = createDesktopShell({ links: new LinkQueue(() => undefined), notification: (o) => new FakeNotification(o), windowHidden: () => hidden, answer, keepAwake });
    return { shell, answer, keepAwake };
  };
  const noNotifications = () => createDesktopShell({ links: new LinkQueue(() => undefined), notification: () => null, windowHidden: () => true, answer: vi.fn(), keepAwake: { start: () => 1, stop: vi.fn() } });
  const N = { callId: 'c1', title: 'Incoming call', body: '王芳 · Click to answer', answerLabel: 'Answer' };

  it('notifies only while the window is hidden, silently (the app rings on the chosen ringer), with Answer', () => {
    FakeNotification.made = [];
    expect(make(false).shell.notifyIncoming(N)).toBe(false);
    const { shell, answer } = make(true);
    expect(shell.notifyIncoming(N)).toBe(true);
    expect(shell.notifyIncoming(N)).toBe(false); // once per call
    const n = FakeNotification.made[0] as FakeNotification;
    expect(n.o).toMatchObject({ title: 'Incoming call', silent: true, actions: [{ type: 'button', text: 'Answer' }] });
    expect(n.shown).toBe(true);
    n.listeners.get('action')?.();
    expect(answer).toHaveBeenCalledWith('c1');
    expect(n.closed).toBe(true);
  });

  it('says "not shown" where the OS has no notifications', () => {
    expect(noNotifications().notifyIncoming(N)).toBe(false);
  });

  it('dismisses the notification when the call stops ringing', () => {
    FakeNotification.made = [];
    const { shell, answer } = make(true);
    shell.notifyIncoming(N);
    shell.dismissNotification('c1');
    expect(FakeNotification.made[0]?.closed).toBe(true);
    expect(answer).not.toHaveBeenCalled();
  });

  it('keeps the app awake exactly while a call is live', () => {
    const { shell, keepAwake } = make(false);
    shell.setInCall(true);
    shell.setInCall(true);
    expect(keepAwake.start).toHaveBeenCalledTimes(1);
    shell.setInCall(false);
    expect(keepAwake.stop).toHaveBeenCalledWith(7);
    shell.setInCall(false);
    expect(keepAwake.stop).toHaveBeenCalledTimes(1);
  });
});
