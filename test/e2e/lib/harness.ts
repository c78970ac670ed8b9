// The end-to-end tests' small vocabulary: fail with a message, wait for a condition, and act on an agent
// desktop or a caller page the way a person (or a phone) would.
import type { Page } from 'playwright-core';
import type { CallRequest, CallStatus } from '../caller/api';
import type { ToneReport } from '../caller/tones';

export class Failure extends Error {}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Failure(message);
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Poll until fn returns a truthy value; fail with what was last seen. */
export async function until<T>(what: string, fn: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 100): Promise<NonNullable<T>> {
  const end = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (performance.now() > end) throw new Failure(`timed out after ${secs(timeoutMs)} waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Measure tones until `want` is present and `notWant` absent (audio takes a moment to settle), at most 3 rounds. */
export async function hears(who: string, measure: () => Promise<ToneReport | null>, want: number, notWant: number[]): Promise<ToneReport> {
  let last: ToneReport | null = null;
  for (let i = 0; i < 3; i++) {
    last = await measure();
    if (last && last.present.includes(want) && !notWant.some((f) => last?.present.includes(f))) return last;
  }
  throw new Failure(`${who} should hear ${want} Hz (and not ${notWant.join(', ')} Hz): ${JSON.stringify(last)}`);
}

/** Measure until none of `tones` is heard (silence or something else), at most 3 rounds. */
export async function hearsNone(who: string, measure: () => Promise<ToneReport | null>, tones: number[]): Promise<ToneReport | null> {
  let last: ToneReport | null = null;
  for (let i = 0; i < 3; i++) {
    last = await measure();
    if (!last || !tones.some((f) => last?.present.includes(f))) return last;
  }
  throw new Failure(`${who} should hear none of ${tones.join(', ')} Hz: ${JSON.stringify(last)}`);
}

/** An agent desktop (the real app through its web host) as its user sees it. */
export class AgentUi {
  constructor(
    readonly name: string,
    readonly page: Page,
  ) {}

  async text(testId: string, within?: string): Promise<string> {
    const root = within ? this.page.getByTestId(within).first() : this.page;
    return ((await root.getByTestId(testId).first().textContent({ timeout: 2000 })) ?? '').trim();
  }

  async visible(testId: string): Promise<boolean> {
    return this.page.getByTestId(testId).first().isVisible();
  }

  status(): Promise<string> {
    return this.text('agent-status');
  }

  async callState(): Promise<string> {
    return (await this.page.getByTestId('call-panel').first().getAttribute('data-call-state', { timeout: 2000 })) ?? 'idle';
  }

  /** Click a button in the main call panel (or the whole page) by its accessible name. */
  async press(name: string | RegExp, scope: 'call' | 'page' | 'lines' = 'call'): Promise<void> {
    const root = scope === 'call' ? this.page.getByTestId('call-panel').first() : scope === 'lines' ? this.page.getByTestId('other-lines') : this.page;
    await root.getByRole('button', { name, exact: typeof name === 'string' }).first().click({ timeout: 3000 });
  }

  async waitState(state: string, timeoutMs = 10_000): Promise<void> {
    await until(`${this.name}'s call panel "${state}"`, async () => (await this.callState()) === state, timeoutMs);
  }

  async waitStatus(status: string, timeoutMs = 10_000): Promise<void> {
    await until(`${this.name}'s status "${status}"`, async () => (await this.status()) === status, timeoutMs);
  }

  async registered(timeoutMs = 10_000): Promise<void> {
    await until(`${this.name} registered`, async () => (await this.text('registration')).startsWith('Registered'), timeoutMs);
  }

  tones(freqs: number[], ms = 1200): Promise<ToneReport | null> {
    return this.page.evaluate(([f, m]) => window.lianluoProbe!.remoteTones(m, f), [freqs, ms] as const);
  }

  /** Open the audio and phone settings (a closed <details> by default). */
  async openSettings(): Promise<void> {
    const d = this.page.getByTestId('phone-settings');
    if (!(await d.evaluate((el) => (el as HTMLDetailsElement).open))) await d.locator('summary').click();
  }
}

/** A SIP.js caller page (test/e2e/caller). */
export class CallerUi {
  constructor(
    readonly name: string,
    readonly page: Page,
  ) {}

  status(): Promise<CallStatus> {
    return this.page.evaluate(() => window.caller!.status());
  }

  call(req: CallRequest): Promise<void> {
    return this.page.evaluate((r) => window.caller!.call(r), req);
  }

  hangup(): Promise<void> {
    return this.page.evaluate(() => window.caller!.hangup());
  }

  tones(freqs: number[], ms = 1200): Promise<ToneReport | null> {
    return this.page.evaluate(([f, m]) => window.caller!.remoteTones(m, f), [freqs, ms] as const);
  }

  async register(a: { wsUrl: string; sipUri: string; password: string; autoAnswer?: boolean }): Promise<void> {
    const r = await this.page.evaluate((x) => window.caller!.register(x), a);
    check(r.ok, `${this.name} could not register: ${JSON.stringify(r)}`);
  }

  async waitState(state: string, timeoutMs = 10_000): Promise<CallStatus> {
    return until(`${this.name}'s call "${state}"`, async () => {
      const s = await this.status();
      return s.state === state ? s : undefined;
    }, timeoutMs);
  }

  /** Hang up if a call is still up, and wait for it to end. */
  async settle(): Promise<void> {
    const s = await this.status().catch(() => undefined);
    if (s?.state && s.state !== 'Terminated') {
      await this.hangup().catch(() => undefined);
      await this.waitState('Terminated', 5000).catch(() => undefined);
    }
  }
}
