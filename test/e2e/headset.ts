// End-to-end tests of issue 6: a USB headset in the real agent desktop (the app's build through its web
// host, agent 1's Chromium), on real calls from the SIP.js caller through the project's Kamailio. The
// headset is test/e2e/headset/fake-webhid.ts: an in-page WebHID device whose collections come from a real
// descriptor and which sends the input reports a real one would; the tests read the LEDs from the output
// reports the app wrote. Run by test/e2e/run.ts (agent 1's page gets the fake WebHID before the app loads).
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import type { CallRig } from './call-control';
import { headsetSpec } from './headset/devices';
import type { FakeDeviceSpec } from './headset/fake-webhid';
import { check, hears, hearsNone, sleep, until, type AgentUi } from './lib/harness';

const JABRA = '0b0e-0307.bin'; // Jabra EVOLVE LINK MS: hook 2/0, mute 2/2, reject 4/5; LEDs in report 2
const POLY = '047f-c053.bin'; // Poly Blackwire C5220: hook 8/1, one output report per LED
const L = { caller: 440, agent: 1000, agent2: 660, pstn: 800 } as const;
const ALL = [L.caller, L.agent, L.agent2, L.pstn];
const others = (f: number) => ALL.filter((x) => x !== f);
const OFF = { offHook: false, ring: false, mute: false, hold: false };

type Leds = Record<string, boolean | null>;

/** The headset as the test holds it: buttons to press, LEDs to look at. */
class Headset {
  constructor(
    readonly agent: AgentUi,
    readonly spec: FakeDeviceSpec,
  ) {}

  get key(): string {
    return this.spec.key;
  }

  plug(): Promise<void> {
    return this.agent.page.evaluate((s) => window.lianluoHid!.plug(s), this.spec);
  }

  unplug(): Promise<void> {
    return this.agent.page.evaluate((k) => window.lianluoHid!.unplug(k), this.key);
  }

  hook(level: 0 | 1): Promise<number> {
    return this.agent.page.evaluate(([k, l]) => window.lianluoHid!.setHook(k, l), [this.key, level] as const);
  }

  press(control: string): Promise<number> {
    return this.agent.page.evaluate(([k, c]) => window.lianluoHid!.press(k, c), [this.key, control] as const);
  }

  leds(): Promise<Leds> {
    return this.agent.page.evaluate((k) => window.lianluoHid!.leds(k), this.key);
  }

  opened(): Promise<boolean> {
    return this.agent.page.evaluate((k) => window.lianluoHid!.opened(k), this.key);
  }

  writes(): Promise<number> {
    return this.agent.page.evaluate((k) => window.lianluoHid!.sent(k).length, this.key);
  }

  /** Wait until the LEDs show `want` (the ones named; the others as in OFF unless named). */
  async showsLeds(what: string, want: Partial<Record<keyof typeof OFF, boolean>>): Promise<void> {
    const all: Record<string, boolean> = { ...OFF, ...want };
    await until(`the headset's LEDs: ${what} ${JSON.stringify(want)}`, async () => {
      const got = await this.leds();
      return Object.entries(all).every(([k, v]) => got[k] === null || got[k] === v) ? got : undefined;
    });
  }
}

export function headsetTests(get: () => CallRig): { name: string; fn: () => Promise<void>; cleanup: () => Promise<void> }[] {
  let jabra: Headset | undefined;
  const headset = (): Headset => {
    check(jabra, 'the headset is not plugged in (the first headset test plugs it)');
    return jabra;
  };
  const panel = () => get().agent.page.getByTestId('headset');
  const panelState = async () => (await panel().getAttribute('data-state', { timeout: 2000 })) ?? '';
  const lastEvent = async () => {
    const el = get().agent.page.getByTestId('headset-last-event');
    return { action: await el.getAttribute('data-action', { timeout: 2000 }), control: await el.getAttribute('data-control'), text: ((await el.textContent()) ?? '').trim() };
  };
  const target = () => `sip:1001@${get().domain}`;

  async function ring(fromUser: string = STORY_NUMBERS.single): Promise<void> {
    const { agent, caller } = get();
    check((await agent.status()) === 'Ready', `agent 1 should be Ready before a call, it is "${await agent.status()}"`);
    await caller.call({ target: target(), fromUser, fromDisplayName: 'Customer' });
    await agent.waitState('ringing');
  }

  async function cleanup(): Promise<void> {
    const r = get();
    await r.caller.settle();
    const hang = r.agent.page.getByTestId('call-panel').getByRole('button', { name: 'Hang up', exact: true });
    if (await hang.count()) await hang.first().click().catch(() => undefined);
    await r.agent.waitStatus('Ready', 10_000).catch(async () => {
      r.say('  agent 1 not Ready after the headset test; reloading its page');
      await r.agent.page.reload();
      await r.agent.waitStatus('Ready', 15_000);
    });
  }

  // ---------------------------------------------------------------- connect, status, test ring

  async function testConnectAndTestRing(): Promise<void> {
    const { agent } = get();
    check((await panelState()) === 'no_device', `no headset yet: the panel says "${await panelState()}"`);
    // A plain browser: the page sees the headset only after the agent picks it in the chooser.
    jabra = new Headset(agent, headsetSpec(JABRA, { key: 'jabra', granted: false }));
    await headset().plug();
    await sleep(300);
    check((await panelState()) === 'no_device', 'a headset not granted to the page must stay invisible to it');
    await agent.press('Connect a headset…', 'page');
    await until('the headset panel "ready"', async () => (await panelState()) === 'ready');
    check((await agent.text('headset-model')) === 'Jabra EVOLVE LINK MS', `model: "${await agent.text('headset-model')}"`);
    check(await headset().opened(), 'the app should have opened the device');
    check((await headset().writes()) >= 1, 'connecting resets the LEDs: a report must be written');
    await headset().showsLeds('after connecting', {});

    await agent.press('Test ring', 'page');
    await headset().showsLeds('test ring', { ring: true });
    check(await agent.visible('headset-ringing'), 'the panel should say the headset rings');
    await headset().press('phoneMute'); // the agent finds the headset and presses a button
    await headset().showsLeds('test ring answered by a button', {});
    const ev = await until('the mute button as last event', async () => {
      const e = await lastEvent();
      return e.control === 'phoneMute' ? e : undefined;
    });
    check(/mute button/.test(ev.text), `the last event should name the mute button: "${ev.text}"`);
    get().say(`  ${await agent.text('headset-status')} · ${ev.text}`);
  }

  // ---------------------------------------------------------------- a real call on the headset

  async function testAnswerMuteHangUp(): Promise<void> {
    const { agent, caller } = get();
    const h = headset();
    await ring();
    await headset().showsLeds('ringing', { ring: true });
    check((await caller.status()).state === 'Establishing', 'the caller should still be ringing');

    await h.hook(1); // the agent presses the call button
    const established = await caller.waitState('Established');
    check(established.final?.code === 200, `the caller should get 200 OK: ${JSON.stringify(established.final)}`);
    await agent.waitState('active');
    await h.showsLeds('in the call', { offHook: true });
    check((await lastEvent()).action === 'answer', `last event: ${JSON.stringify(await lastEvent())}`);
    await hears('the caller (answered from the headset)', () => caller.tones(ALL), L.agent, others(L.agent));
    await hears('agent 1', () => agent.tones(ALL), L.caller, others(L.caller));

    await h.press('phoneMute');
    await until('the call panel to say muted', () => agent.visible('muted-notice'));
    await h.showsLeds('muted (echoed)', { offHook: true, mute: true });
    await hearsNone('the caller (muted from the headset)', () => caller.tones(ALL), [L.agent]);
    await sleep(300);
    await h.press('phoneMute');
    await until('the muted notice to go', async () => !(await agent.visible('muted-notice')));
    await h.showsLeds('unmuted', { offHook: true, mute: false });
    await hears('the caller (unmuted from the headset)', () => caller.tones(ALL), L.agent, others(L.agent));

    await h.hook(0); // back on the hook
    const ended = await caller.waitState('Terminated');
    check(ended.endedBy === 'remote', `the caller should see the agent's BYE: ${JSON.stringify(ended)}`);
    await agent.waitStatus('Ready');
    check((await agent.text('call-end-reason')) === 'You hung up.', `end reason: "${await agent.text('call-end-reason')}"`);
    await h.showsLeds('after the call', {});
  }

  async function testRejectWhileRinging(): Promise<void> {
    const { agent, caller } = get();
    await ring(STORY_NUMBERS.unknown);
    await headset().showsLeds('ringing', { ring: true });
    await headset().press('reject'); // Jabra's reject, in its vendor mirror report
    const ended = await caller.waitState('Terminated');
    check(ended.final?.code === 486, `the caller should get 486 Busy Here: ${JSON.stringify(ended.final)}`);
    await agent.waitStatus('Ready');
    check((await agent.text('call-end-reason')) === 'You rejected the call.', `end reason: "${await agent.text('call-end-reason')}"`);
    await headset().showsLeds('after rejecting', {});
    check((await lastEvent()).action === 'reject', `last event: ${JSON.stringify(await lastEvent())}`);
  }

  async function testAnsweredOnScreen(): Promise<void> {
    const { agent, caller } = get();
    const h = headset();
    const before = await lastEvent();
    await ring();
    await agent.press('Answer');
    await caller.waitState('Established');
    await h.showsLeds('answered on screen', { offHook: true });
    await sleep(1000); // the device's hook echo (20 ms after the Off-Hook LED) has long arrived
    check((await agent.callState()) === 'active' && (await caller.status()).state === 'Established', 'the echo of Off-Hook must not end or re-answer the call');
    check(JSON.stringify(await lastEvent()) === JSON.stringify(before), `an echo is not a button press: ${JSON.stringify(await lastEvent())}`);
    await caller.hangup();
    await agent.waitStatus('Ready');
    await h.showsLeds('after the caller hung up', {});
    await sleep(500);
    check((await agent.status()) === 'Ready', 'the on-hook echo after the call must not do anything');
  }

  // ---------------------------------------------------------------- two headsets

  async function testPickerRemembered(): Promise<void> {
    const { agent, caller } = get();
    const poly = new Headset(agent, headsetSpec(POLY, { key: 'poly', granted: true, echoOffHook: false }));
    await poly.plug();
    const picker = agent.page.getByLabel('Headset to use', { exact: true });
    await until('the headset picker', () => picker.isVisible());
    const options = await picker.locator('option').allTextContents();
    check(options.includes('Jabra EVOLVE LINK MS') && options.includes(poly.spec.productName), `both headsets offered: ${JSON.stringify(options)}`);
    check((await agent.text('headset-model')) === 'Jabra EVOLVE LINK MS', 'plugging a second headset does not take the first one away');

    await picker.selectOption({ label: poly.spec.productName });
    await until('the Poly in use', async () => (await agent.text('headset-model')) === poly.spec.productName);
    check(await poly.opened(), 'the chosen headset is opened');
    await until('the Jabra let go', async () => !(await headset().opened()));

    // Remembered: after a reload the app finds both headsets without a chooser and uses the Poly.
    await agent.page.reload();
    await until('the headset panel after the reload', async () => (await panelState()) === 'ready', 15_000);
    check((await agent.text('headset-model')) === poly.spec.productName, `after a reload: "${await agent.text('headset-model')}"`);
    await agent.waitStatus('Ready', 15_000);

    // And it works: a call answered and ended on the Poly (its hook at bit 1 of report 8).
    await ring();
    await poly.showsLeds('Poly ringing', { ring: true });
    await poly.hook(1);
    await caller.waitState('Established');
    await poly.showsLeds('Poly in the call', { offHook: true });
    // A person talks for a moment: a hook report still showing "on hook" within 500 ms of the Off-Hook
    // change is taken as sent before the device saw it (quirks echoSettleMs), not as a hang-up.
    await sleep(800);
    await poly.hook(0);
    await caller.waitState('Terminated');
    await agent.waitStatus('Ready');
    await poly.showsLeds('Poly after the call', {});

    await picker.selectOption({ label: 'Any headset (the first found)' });
    await poly.unplug();
    await until('back to the Jabra', async () => (await agent.text('headset-model')) === 'Jabra EVOLVE LINK MS');
    await headset().unplug();
    await until('no headset', async () => (await panelState()) === 'no_device');
  }

  return [
    { name: 'headset: connect a headset in the browser, model shown, test ring lights its ring LED', fn: testConnectAndTestRing, cleanup },
    { name: 'headset: a real call answered by the hook switch, muted from the headset (LED echoed), hung up by the hook', fn: testAnswerMuteHangUp, cleanup },
    { name: 'headset: reject while ringing (caller gets 486)', fn: testRejectWhileRinging, cleanup },
    { name: 'headset: answered on screen, the device echo is not a second press', fn: testAnsweredOnScreen, cleanup },
    { name: 'headset: two headsets, the picker, the choice remembered after a reload', fn: testPickerRemembered, cleanup },
  ];
}
