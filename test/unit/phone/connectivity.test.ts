// The world around the phone: network up/down, sleep (told by Electron, or noticed by a frozen timer),
// screen unlock and page visibility become the phone's nudges and the agent's suspend.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SLEEP_GAP_MS, watchConnectivity } from '../../../renderer/phone/connectivity';

type Listener = (p: { state: 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' }) => void;

function setup() {
  const win = Object.assign(new EventTarget(), { document: Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState }) });
  const nudges: string[] = [];
  const phone = { nudge: vi.fn(async (r: string) => void nudges.push(r)) };
  let power: Listener | undefined;
  const api = { on: vi.fn((_e: string, l: Listener) => ((power = l), () => (power = undefined))) };
  const onSuspend = vi.fn();
  const stop = watchConnectivity(phone, api as never, { onSuspend }, win as unknown as Window);
  return { win, nudges, onSuspend, power: (s: Parameters<Listener>[0]['state']) => power?.({ state: s }), stop, hasPower: () => !!power };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('connectivity', () => {
  it('maps online, offline and the page becoming visible to nudges', () => {
    const t = setup();
    t.win.dispatchEvent(new Event('offline'));
    t.win.dispatchEvent(new Event('online'));
    t.win.document.visibilityState = 'hidden';
    t.win.document.dispatchEvent(new Event('visibilitychange'));
    t.win.document.visibilityState = 'visible';
    t.win.document.dispatchEvent(new Event('visibilitychange'));
    expect(t.nudges).toEqual(['offline', 'online', 'visible']);
    t.stop();
  });

  it('Electron power events: suspend tells the agent machine; resume and unlock nudge the phone; a second resume soon after is dropped', () => {
    const t = setup();
    t.power('suspend');
    expect(t.onSuspend).toHaveBeenCalledTimes(1);
    t.power('resume');
    t.power('resume');
    t.power('lock-screen');
    t.power('unlock-screen');
    expect(t.nudges).toEqual(['resume', 'unlock']);
    t.stop();
    expect(t.hasPower()).toBe(false);
  });

  it('notices a sleep in a browser by a timer that fired far too late', () => {
    const t = setup();
    vi.advanceTimersByTime(15_000); // normal ticks
    expect(t.nudges).toEqual([]);
    vi.setSystemTime(Date.now() + SLEEP_GAP_MS + 5000); // the machine slept: the clock jumped, no tick ran
    vi.advanceTimersByTime(5000);
    expect(t.onSuspend).toHaveBeenCalledTimes(1);
    expect(t.nudges).toEqual(['resume']);
    t.stop();
    t.win.dispatchEvent(new Event('online'));
    expect(t.nudges).toEqual(['resume']);
  });
});
