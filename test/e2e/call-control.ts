// End-to-end tests of issue 5: full call control, agent states, and a phone that survives the real
// world. Every party is its own Chromium process with its own tone, through the project's Kamailio (with
// rtpengine for the plain-RTP caller): agent 1 (the app, 1000 Hz), agent 2 (the app, 660 Hz), a caller
// (440 Hz), a second caller in agent 2's browser process (660 Hz), a customer's phone answering the
// agent's outbound calls (440 Hz), and sipp as a PSTN trunk (800 Hz, PCMU). Run by test/e2e/run.ts.
import { join } from 'node:path';
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import { check, hears, hearsNone, sleep, until, type AgentUi, type CallerUi } from './lib/harness';
import { captureUdp, pcmuTones, pstnCall, type DtmfLog } from './lib/pstn';

export interface CallRig {
  runDir: string;
  ws: string;
  domain: string;
  agent: AgentUi;
  agent2: AgentUi;
  caller: CallerUi;
  callerB: CallerUi;
  customer: CallerUi;
  pstnTone: string;
  dtmfLog: DtmfLog;
  /** SIGKILL the PBX (its whole process group). */
  killPbx(): void;
  /** Start the PBX again (same accounts, same ports, with rtpengine). */
  startPbx(): string;
  /** Register a caller page again (after a PBX restart its socket is gone). */
  reregisterCallers(): Promise<void>;
  say(line: string): void;
}

const L = { caller: 440, agent: 1000, agent2: 660, pstn: 800 } as const;
/** What a trunk might send to make the desktop pop 王芳 instead of the caller's own record. */
const FORGED = '01J9Z3V6K6T4Q0W8S2E5H7M1NB;ani=13800138000;customer=C-STORY-1;reason=forged';
const ALL = [L.caller, L.agent, L.agent2, L.pstn];
const others = (f: number) => ALL.filter((x) => x !== f);

export function callControlTests(get: () => CallRig): { name: string; fn: () => Promise<void>; cleanup: () => Promise<void> }[] {
  const agentTarget = (user: string) => `sip:${user}@${get().domain}`;

  /** The caller (440 Hz) calls agent 1; agent 1 answers; both hear each other. */
  async function connectCaller(fromUser: string = STORY_NUMBERS.single, pick?: string): Promise<void> {
    const { agent, caller } = get();
    check((await agent.status()) === 'Ready', `agent 1 should be Ready before a call, it is "${await agent.status()}"`);
    await caller.call({ target: agentTarget('1001'), fromUser, fromDisplayName: 'Customer' });
    await agent.waitState('ringing');
    if (pick) {
      await until('the picker', () => agent.page.getByTestId('match-picker').isVisible());
      await agent.page.getByTestId('match-picker').getByRole('button', { name: new RegExp(pick) }).click();
      await until('the chosen card', () => agent.page.getByTestId('customer-card').isVisible());
    }
    await agent.press('Answer');
    await caller.waitState('Established');
    await agent.waitState('active');
    await hears('agent 1', () => agent.tones(ALL), L.caller, others(L.caller));
    await hears('the caller', () => caller.tones(ALL), L.agent, others(L.agent));
  }

  async function cleanup(): Promise<void> {
    const r = get();
    for (const c of [r.caller, r.callerB, r.customer]) await c.settle();
    for (const a of [r.agent, r.agent2]) {
      // Hang up whatever is left, end wrap-up, back to Ready.
      for (let i = 0; i < 3; i++) {
        const hang = a.page.getByTestId('call-panel').getByRole('button', { name: 'Hang up', exact: true });
        if (await hang.count()) await hang.first().click().catch(() => undefined);
        const lineHang = a.page.getByTestId('other-lines').getByRole('button', { name: /^Hang up / });
        if (await lineHang.count()) await lineHang.first().click().catch(() => undefined);
      }
      if ((await a.status().catch(() => '')) !== 'Ready') await a.page.getByTestId('agent-choice').selectOption('ready').catch(() => undefined);
      await a.waitStatus('Ready', 10_000).catch(async () => {
        r.say(`  ${a.name} not Ready after the test; reloading its page`);
        await a.page.reload();
        await a.waitStatus('Ready', 15_000);
      });
    }
  }

  // ---------------------------------------------------------------- hold, mute, devices, quality

  async function testHoldMuteDevices(): Promise<void> {
    const { agent, caller } = get();
    await connectCaller();
    await until('the call-quality badge', () => agent.visible('quality'), 8000);
    const mos = Number(await agent.page.getByTestId('quality').getAttribute('data-mos'));
    check(mos >= 4 && mos <= 4.5, `MOS on loopback should be good, it is ${mos}`);

    await agent.press('Mute');
    await hearsNone('the caller (agent muted)', () => caller.tones(ALL), [L.agent]);
    await hears('agent 1 (muted, still listening)', () => agent.tones(ALL), L.caller, others(L.caller));
    await agent.press('Unmute');
    await hears('the caller (unmuted)', () => caller.tones(ALL), L.agent, others(L.agent));

    await agent.press('Hold');
    await agent.waitState('held');
    await until('the hold re-INVITE to finish', async () => !(await agent.page.getByTestId('call-panel').getByRole('button', { name: 'Resume', exact: true }).isDisabled()));
    await hearsNone('the caller (on hold)', () => caller.tones(ALL), [L.agent]);
    await hearsNone('agent 1 (holding)', () => agent.tones(ALL), [L.caller]);
    await agent.press('Resume');
    await agent.waitState('active');
    await hears('agent 1 after resume', () => agent.tones(ALL), L.caller, others(L.caller));
    await hears('the caller after resume', () => caller.tones(ALL), L.agent, others(L.agent));

    // Twice more, so a second hold/resume cycle is as good as the first (one-way audio shows up there).
    for (let i = 0; i < 2; i++) {
      await agent.press('Hold');
      await agent.waitState('held');
      await until('Resume enabled', async () => !(await agent.page.getByTestId('call-panel').getByRole('button', { name: 'Resume', exact: true }).isDisabled()));
      await agent.press('Resume');
      await agent.waitState('active');
    }
    await hears('agent 1 after three holds', () => agent.tones(ALL), L.caller, others(L.caller));
    await hears('the caller after three holds', () => caller.tones(ALL), L.agent, others(L.agent));

    // Switch the microphone and the speaker during the call: audio keeps flowing both ways.
    await agent.openSettings();
    const mic = agent.page.getByTestId('device-microphone');
    const mics = (await mic.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).filter(Boolean);
    check(mics.length >= 1, `the fake microphones should be listed: ${JSON.stringify(mics)}`);
    await mic.selectOption(mics[mics.length - 1] as string);
    const speaker = agent.page.getByTestId('device-speaker');
    const speakers = (await speaker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).filter(Boolean);
    if (speakers.length) await speaker.selectOption(speakers[speakers.length - 1] as string);
    await sleep(500);
    await hears('the caller after the microphone switch', () => caller.tones(ALL), L.agent, others(L.agent));
    await hears('agent 1 after the speaker switch', () => agent.tones(ALL), L.caller, others(L.caller));
    if (speakers.length) {
      const sinks = await agent.page.evaluate(() => window.lianluoProbe!.audioElements());
      check(sinks.sinks.every((s) => s === speakers[speakers.length - 1]), `call audio should play on the chosen speaker: ${JSON.stringify(sinks)} vs ${speakers.at(-1)}`);
    }
    get().say(`  MOS ${mos}; ${mics.length} microphones and ${speakers.length} speakers offered; switched both in the call`);
    await mic.selectOption('');
    if (speakers.length) await speaker.selectOption('');

    await agent.press('Hang up');
    const s = await caller.waitState('Terminated');
    check(s.endedBy === 'remote', `the caller should see the agent's BYE: ${JSON.stringify(s)}`);
    await agent.waitStatus('Ready');
    check(await agent.visible('quality-final'), 'the last quality sample should stay with the ended call');
  }

  // ---------------------------------------------------------------- DTMF over INFO

  async function testDtmfInfo(): Promise<void> {
    const { agent, caller } = get();
    await agent.openSettings();
    await agent.page.getByLabel('Keypad tones', { exact: true }).selectOption('info');
    try {
      const before = (await caller.status()).infos.length;
      await connectCaller();
      await agent.press('Keypad');
      for (const d of ['1', '5', '9', '#']) await agent.page.getByRole('button', { name: `Send tone ${d}`, exact: true }).click();
      const infos = await until('four INFO requests at the caller', async () => {
        const s = await caller.status();
        return s.infos.length - before >= 4 ? s.infos.slice(before) : undefined;
      });
      const digits = infos.map((b) => /Signal=(.)/.exec(b)?.[1] ?? '?').join('');
      check(digits === '159#', `the caller should receive INFO Signal=1,5,9,#, got ${JSON.stringify(infos)}`);
      check(infos.every((b) => /Duration=\d+/.test(b)), `INFO bodies should carry a duration: ${JSON.stringify(infos)}`);
      // The keypad shows a tone once its INFO is answered, which can come a moment after the caller has it.
      await until('the keypad to show 159# as sent', async () => (await agent.text('dtmf-sent')) === '159#', 5000);
      await agent.press('Hang up');
      await caller.waitState('Terminated');
    } finally {
      await agent.openSettings();
      await agent.page.getByLabel('Keypad tones', { exact: true }).selectOption('rfc4733');
    }
  }

  // ---------------------------------------------------------------- transfers

  async function transferTo(agent: AgentUi, target: string, reason: string, how: 'Transfer now' | 'Consult first'): Promise<void> {
    await agent.press('Transfer');
    await agent.page.getByLabel('Transfer to', { exact: true }).fill(target);
    await agent.page.getByLabel('Reason (the next agent sees it)', { exact: true }).fill(reason);
    await agent.press(how);
  }

  /** Agent 2's screen while it rings: the same customer, the context, before answering. */
  async function agent2Pops(customerId: string, name: string, reason: string): Promise<void> {
    const { agent2 } = get();
    await agent2.waitState('ringing');
    const card = agent2.page.getByTestId('customer-card');
    await until(`${name}'s card on agent 2's screen`, () => card.isVisible());
    check((await card.getAttribute('data-customer-id')) === customerId, `agent 2 should see ${customerId}, sees ${await card.getAttribute('data-customer-id')}`);
    check((await agent2.text('customer-name')) === name, `agent 2's card: "${await agent2.text('customer-name')}"`);
    check((await agent2.text('transfer-context')).includes('Transferred by Agent 1001'), `agent 2 should see who transferred: "${await agent2.text('transfer-context')}"`);
    check((await agent2.text('transfer-reason')).includes(reason), `agent 2 should see the reason: "${await agent2.text('transfer-reason')}"`);
    check((await agent2.callState()) === 'ringing' && (await agent2.status()) === 'Ringing', 'all of this before answering');
  }

  async function testBlindTransfer(): Promise<void> {
    const { agent, agent2, caller } = get();
    // The shared switchboard number: agent 1 picks 刘洋, and agent 2 must get 刘洋 too, not the picker.
    await connectCaller(STORY_NUMBERS.shared, '刘洋');
    await transferTo(agent, '1002', 'Billing question 账单', 'Transfer now');
    await agent2Pops('C-STORY-3', '刘洋', 'Billing question 账单');
    const s = await caller.status();
    check(s.transfers === 1 && !s.lastRefer?.replaces, `the caller should have followed a blind REFER: ${JSON.stringify(s.lastRefer)}`);
    check(/^[0-9A-Z]{26};ani=/.test(s.lastRefer?.context ?? ''), `the REFER should carry X-Lianluo-Context: ${s.lastRefer?.context}`);
    await agent.waitStatus('Ready');
    check((await agent.text('call-end-reason')) === 'The call was transferred.', `agent 1's end reason: "${await agent.text('call-end-reason')}"`);
    await agent2.press('Answer');
    await agent2.waitState('active');
    await hears('the caller after the transfer', () => caller.tones(ALL), L.agent2, others(L.agent2));
    await hears('agent 2', () => agent2.tones(ALL), L.caller, others(L.caller));
    await caller.hangup();
    await agent2.waitStatus('Ready');
  }

  async function consult(reason: string): Promise<void> {
    const { agent, agent2, caller } = get();
    await connectCaller();
    await transferTo(agent, '1002', reason, 'Consult first');
    await agent2Pops('C-STORY-1', '王芳', reason);
    await hearsNone('the caller while agent 1 consults', () => caller.tones(ALL), [L.agent, L.agent2]);
    await agent2.press('Answer');
    await agent2.waitState('active');
    await agent.waitState('active'); // the consult line is the one on screen
    check((await agent.page.getByTestId('other-lines').getByTestId('other-line').getAttribute('data-call-state')) === 'held', 'the caller waits on hold');
    await hears('agent 1 consulting', () => agent.tones(ALL), L.agent2, others(L.agent2));
    await hears('agent 2 consulted', () => agent2.tones(ALL), L.agent, others(L.agent));
  }

  async function testAttendedComplete(): Promise<void> {
    const { agent, agent2, caller } = get();
    await consult('VIP renewal 续约');
    await agent.press('Complete transfer');
    await until('the caller to follow the REFER with Replaces', async () => {
      const s = await caller.status();
      return s.transfers === 1 && s.lastRefer?.replaces && s.state === 'Established';
    });
    await agent.waitStatus('Ready');
    await hears('the caller after the attended transfer', () => caller.tones(ALL), L.agent2, others(L.agent2));
    await hears('agent 2 after the attended transfer', () => agent2.tones(ALL), L.caller, others(L.caller));
    check((await agent2.callState()) === 'active', `agent 2's line stays up: ${await agent2.callState()}`);
    check((await agent2.text('customer-name')) === '王芳', `agent 2 keeps the customer's card: "${await agent2.text('customer-name')}"`);
    check((await agent2.page.getByTestId('other-lines').count()) === 0, 'agent 2 has one line (the consult was replaced, not added)');
    await caller.hangup();
    await agent2.waitStatus('Ready');
  }

  async function testAttendedCancel(): Promise<void> {
    const { agent, agent2, caller } = get();
    await consult('Second opinion');
    await agent.press('Cancel transfer');
    await agent2.waitStatus('Ready');
    await agent.waitState('active');
    check((await agent.page.getByTestId('other-lines').count()) === 0, 'agent 1 is back to one line');
    await hears('agent 1 back with the caller', () => agent.tones(ALL), L.caller, others(L.caller));
    await hears('the caller back with agent 1', () => caller.tones(ALL), L.agent, others(L.agent));
    check((await caller.status()).transfers === 0, 'the caller was never transferred');
    await agent.press('Hang up');
    await caller.waitState('Terminated');
  }

  // ---------------------------------------------------------------- call waiting

  async function testCallWaiting(): Promise<void> {
    const { agent, caller, callerB } = get();
    await connectCaller();
    await callerB.call({ target: agentTarget('1001'), fromUser: STORY_NUMBERS.unknown, fromDisplayName: 'Second caller' });
    await agent.waitState('ringing'); // the new call is the one on screen; the first is listed
    check((await agent.page.getByTestId('other-line').getAttribute('data-call-state')) === 'active', 'the first call is still active while the second rings');
    check((await agent.status()) === 'On call', `agent stays On call: ${await agent.status()}`);
    await hears('agent 1 while the second call rings', () => agent.tones(ALL), L.caller, others(L.caller));
    await agent.press('Answer');
    await agent.waitState('active');
    await callerB.waitState('Established');
    await hears('agent 1 with the second caller', () => agent.tones(ALL), L.agent2, others(L.agent2));
    await hears('the second caller', () => callerB.tones(ALL), L.agent, others(L.agent));
    await hearsNone('the first caller, now on hold', () => caller.tones(ALL), [L.agent]);
    // Swap back to the first caller.
    await agent.page.getByTestId('other-lines').getByRole('button', { name: /^Resume / }).click();
    await until('the first call back on screen', async () => (await agent.text('caller-name')) === '王芳');
    await hears('agent 1 back with the first caller', () => agent.tones(ALL), L.caller, others(L.caller));
    await hearsNone('the second caller, now on hold', () => callerB.tones(ALL), [L.agent]);
    await agent.press('Hang up');
    await caller.waitState('Terminated');
    // The held second call is what is left; resume it and end it.
    await agent.waitState('held');
    await agent.press('Resume');
    await agent.waitState('active');
    await hears('the second caller resumed', () => callerB.tones(ALL), L.agent, others(L.agent));
    await agent.press('Hang up');
    await callerB.waitState('Terminated');
    await agent.waitStatus('Ready');

    // Rejecting a waiting call leaves the first one alone.
    await connectCaller();
    await callerB.call({ target: agentTarget('1001'), fromUser: STORY_NUMBERS.unknown, fromDisplayName: 'Second caller' });
    await agent.waitState('ringing');
    await agent.press('Reject');
    const b = await callerB.waitState('Terminated');
    check(b.final?.code === 486, `a rejected waiting call gets 486: ${JSON.stringify(b.final)}`);
    await agent.waitState('active');
    await hears('the first caller, undisturbed', () => caller.tones(ALL), L.agent, others(L.agent));
    await agent.press('Hang up');
    await caller.waitState('Terminated');
  }

  // ---------------------------------------------------------------- agent states

  async function testNotReadyBusy(): Promise<void> {
    const { agent, caller } = get();
    await agent.page.getByTestId('agent-choice').selectOption('nr:lunch');
    await agent.waitStatus('Not ready');
    check((await agent.text('agent-reason')) === 'Lunch', `reason: "${await agent.text('agent-reason')}"`);
    check(/^\d\d:\d\d$/.test(await agent.text('agent-time')), `time in state: "${await agent.text('agent-time')}"`);
    await caller.call({ target: agentTarget('1001'), fromUser: STORY_NUMBERS.single });
    const s = await caller.waitState('Terminated');
    check(s.final?.code === 486, `a call while Not Ready gets 486 Busy Here: ${JSON.stringify(s.final)}`);
    check((await agent.callState()) !== 'ringing', 'the agent never rang');
    await agent.page.getByTestId('agent-choice').selectOption('ready');
    await agent.waitStatus('Ready');
  }

  async function testWrapUpNotReadyAfterCall(): Promise<void> {
    const { agent, caller } = get();
    await agent.openSettings();
    const wrap = agent.page.getByLabel('Wrap-up after a call (seconds)', { exact: true });
    await wrap.fill('3');
    await wrap.press('Enter');
    try {
      await sleep(300);
      await connectCaller();
      await agent.page.getByLabel('Not ready after this call', { exact: true }).check();
      await caller.hangup();
      await agent.waitStatus('Wrap-up');
      check(/left/.test(await agent.text('wrap-up-left')), `wrap-up countdown: "${await agent.text('wrap-up-left')}"`);
      await agent.waitStatus('Not ready', 6000);
      check((await agent.text('agent-reason')) === 'Follow-up work', `reason after the call: "${await agent.text('agent-reason')}"`);
    } finally {
      await agent.openSettings();
      await wrap.fill('0');
      await wrap.press('Enter');
      await agent.page.getByTestId('agent-choice').selectOption('ready');
    }
    await agent.waitStatus('Ready');
  }

  // ---------------------------------------------------------------- keyboard and screen reader

  async function testKeyboard(): Promise<void> {
    const { agent, caller } = get();
    const said = () => agent.text('announcer');
    await caller.call({ target: agentTarget('1001'), fromUser: STORY_NUMBERS.single, fromDisplayName: 'Customer' });
    await agent.waitState('ringing');
    await until('the incoming call announced', async () => (await said()).startsWith('Incoming call from 王芳'));
    await agent.page.keyboard.press('Alt+KeyA');
    await caller.waitState('Established');
    await agent.waitState('active');
    await until('"connected" announced', async () => (await said()) === 'Connected with 王芳');
    await agent.page.keyboard.press('Alt+KeyM');
    await until('muted by Alt+M', async () => (await agent.visible('muted-notice')) && (await said()) === 'Microphone muted');
    await agent.page.keyboard.press('Alt+KeyM');
    await until('unmuted by Alt+M', async () => !(await agent.visible('muted-notice')));
    await agent.page.keyboard.press('Alt+KeyP');
    await agent.waitState('held');
    await until('"on hold" announced', async () => (await said()) === '王芳 is on hold');
    await until('Resume enabled', async () => !(await agent.page.getByTestId('call-panel').getByRole('button', { name: 'Resume', exact: true }).isDisabled()));
    await agent.page.keyboard.press('Alt+KeyP');
    await agent.waitState('active');
    await agent.page.keyboard.press('Alt+KeyT');
    await until('the transfer panel opened by Alt+T', () => agent.visible('transfer-panel'));
    await agent.page.getByRole('button', { name: 'Close', exact: true }).first().click();
    await agent.page.keyboard.press('Alt+KeyH');
    const s = await caller.waitState('Terminated');
    check(s.endedBy === 'remote', `Alt+H should hang up: ${JSON.stringify(s)}`);
    await until('"hung up" announced', async () => /You hung up on 王芳|Your state: Ready/.test(await said()));
    await agent.page.keyboard.press('Alt+KeyD');
    await until('the dial pad focused by Alt+D', async () => agent.page.evaluate(() => document.activeElement?.id ?? '').then((id) => id.endsWith('-number')));
  }

  // ---------------------------------------------------------------- outbound

  async function testOutboundFromCard(): Promise<void> {
    const { agent, caller, customer } = get();
    // A call from 王芳 leaves her card on screen when it ends; the agent calls her back from it.
    await connectCaller();
    await caller.hangup();
    await agent.waitStatus('Ready');
    const card = agent.page.getByTestId('customer-card');
    check((await card.getAttribute('data-customer-id')) === 'C-STORY-1', 'her card stays on screen after the call');
    await card.getByRole('button', { name: 'Call 138 0013 8000', exact: true }).click();
    await agent.waitState('dialing', 3000).catch(() => undefined);
    await customer.waitState('Established');
    await agent.waitState('active');
    check((await agent.status()) === 'On call', `an outbound call is On call: ${await agent.status()}`);
    check((await card.getAttribute('data-customer-id')) === 'C-STORY-1', 'the outbound call pops the same customer');
    check((await customer.status()).direction === 'inbound', 'the customer’s phone was called');
    await hears('agent 1 calling out', () => agent.tones(ALL), L.caller, others(L.caller));
    await hears('the customer', () => customer.tones(ALL), L.agent, others(L.agent));
    await agent.press('Hang up');
    await customer.waitState('Terminated');
    await agent.waitStatus('Ready');

    // The dial pad: the same number typed the way people write it.
    await agent.page.getByLabel('Number to call', { exact: true }).fill('138-0013 8000');
    await agent.page.getByTestId('dial-pad').getByRole('button', { name: 'Call', exact: true }).click();
    await customer.waitState('Established');
    await agent.waitState('active');
    await hears('the customer, called from the dial pad', () => customer.tones(ALL), L.agent, others(L.agent));
    await agent.press('Hang up');
    await customer.waitState('Terminated');
    await agent.waitStatus('Ready');
  }

  // ---------------------------------------------------------------- resilience

  async function testPbxRestart(): Promise<void> {
    const r = get();
    const { agent, agent2, caller } = r;
    r.killPbx();
    await agent.waitStatus('Offline', 5000);
    const banner = agent.page.locator('[data-testid="problems"] [data-problem="connection_lost"]');
    await until('the "connection lost" banner', () => banner.isVisible(), 5000);
    await sleep(2000); // the PBX is down for a while; the desktop keeps trying with backoff
    const t0 = performance.now();
    r.startPbx();
    await agent.registered(10_000);
    const ms = performance.now() - t0;
    r.say(`  agent 1 registered again ${Math.round(ms)} ms after the PBX restarted`);
    check(ms <= 5000, `re-registration took ${Math.round(ms)} ms (budget 5000)`);
    await agent.waitStatus('Ready');
    await agent2.registered(10_000);
    check(!(await agent.page.getByTestId('problems').isVisible()), 'no banner left once registered');
    await r.reregisterCallers();
    await connectCaller();
    await caller.hangup();
    await agent.waitStatus('Ready');
  }

  async function testPstnCaller(): Promise<void> {
    const r = get();
    const { agent } = r;
    const logDir = r.runDir;
    for (const [i, v] of [
      // The trunk also tries to choose the card (a forged context): the PBX strips it from outside calls.
      { fromUser: '0086%2010%208888%206666', fromName: '0086 10 8888 6666', label: '0086 10 8888 6666 in From', pai: `X-Lianluo-Context: ${FORGED}` },
      { fromUser: 'gateway', fromName: 'Trunk', pai: 'P-Asserted-Identity: <sip:010-88886666@127.0.0.1;user=phone>', label: '010-88886666 in P-Asserted-Identity' },
    ].entries()) {
      const mediaPort = 6000 + i * 10;
      const capture = await captureUdp(mediaPort, join(logDir, `pstn-${i}.pcap`));
      const dtmfBefore = r.dtmfLog.events.length;
      const sipp = pstnCall({ target: '1001', ...v, tone: r.pstnTone, sipPort: 5070 + i, mediaPort, timeoutS: 40, logDir });
      try {
        await agent.waitState('ringing');
        const picker = agent.page.getByTestId('match-picker');
        await until(`the picker for ${v.label}`, () => picker.isVisible());
        const names = (await picker.locator('.picker-name').allTextContents()).sort();
        check(JSON.stringify(names) === JSON.stringify(['Michael Chen', '刘洋']), `${v.label}: the pop should offer both customers of 010-8888 6666: ${JSON.stringify(names)}`);
        check(!(await agent.visible('transfer-context')), `${v.label}: a context from outside must not reach the desktop`);
        await picker.getByRole('button', { name: /Michael Chen/ }).click();
        await agent.press('Answer');
        await agent.waitState('active');
        const heard = await hears(`agent 1 hearing the PSTN caller (${v.label})`, () => agent.tones(ALL), L.pstn, [L.caller, L.agent2]);
        if (i === 0) {
          await agent.press('Keypad');
          for (const d of ['1', '5', '9', '#']) await agent.page.getByRole('button', { name: `Send tone ${d}`, exact: true }).click();
          await until('the keypad to show 159# as played (tonechange)', async () => (await agent.text('dtmf-sent')) === '159#', 5000);
          await until('rtpengine to decode the RFC 4733 events', () => r.dtmfLog.digits(dtmfBefore) === '159#', 5000).catch(() => undefined);
          const digits = r.dtmfLog.digits(dtmfBefore);
          check(digits === '159#', `rtpengine should log DTMF 1,5,9,# from the agent, got "${digits}" (${r.dtmfLog.events.length - dtmfBefore} events)`);
        }
        await sleep(1000);
        await agent.press('Hang up');
        const code = await Promise.race([sipp.exited, sleep(8000).then(() => 'still running')]);
        check(code === 0, `sipp should end its call cleanly after the agent's BYE, got ${code}:\n${sipp.output().slice(-1500)}`);
        const pcap = await capture.stop();
        const t = pcmuTones(pcap, [L.agent, L.caller, L.pstn]);
        check(t.packets > 50, `the PSTN caller should receive RTP, got ${t.packets} PCMU packets`);
        check(t.voiced > 25 && (t.shares[L.agent] ?? 0) > 0.8 && (t.shares[L.caller] ?? 0) < 0.1, `the PSTN caller should hear the agent's 1000 Hz: ${JSON.stringify(t)}`);
        r.say(`  ${v.label}: agent hears 800 Hz (+${heard.levels['800']} dB); the trunk got ${t.packets} PCMU packets, ${t.voiced} with sound, median ${Math.round((t.shares[L.agent] ?? 0) * 100)} % of their power at 1000 Hz`);
        await agent.waitStatus('Ready');
      } finally {
        await sipp.stop();
        await capture.stop().catch(() => undefined);
      }
    }
  }

  async function testCallSurvivesPbxRestart(): Promise<void> {
    const r = get();
    const { agent, agent2 } = r;
    // Agent 2 has been registered since the set-up, more than a minute ago: its heartbeat (OPTIONS every
    // 30 s) has been answered by the PBX since, so a socket that died silently would have been noticed.
    const reg = agent2.page.getByTestId('registration');
    const registeredAt = Number(await reg.getAttribute('data-registered-at'));
    const lastSeen = Number(await reg.getAttribute('data-last-seen'));
    const now = await agent2.page.evaluate(() => Date.now());
    if (now - registeredAt > 35_000) {
      check(lastSeen > registeredAt && now - lastSeen < 35_000, `agent 2's heartbeat should be answered (registered ${now - registeredAt} ms ago, last seen ${now - lastSeen} ms ago)`);
      r.say(`  agent 2: registered ${Math.round((now - registeredAt) / 1000)} s ago, PBX last answered its heartbeat ${Math.round((now - lastSeen) / 1000)} s ago`);
    }
    const sipp = pstnCall({ target: '1001', fromUser: '13800138000', fromName: 'PSTN', tone: r.pstnTone, sipPort: 5080, mediaPort: 6100, timeoutS: 40, logDir: r.runDir });
    try {
      await agent.waitState('ringing');
      await agent.press('Answer');
      await agent.waitState('active');
      await hears('agent 1 before the restart', () => agent.tones(ALL), L.pstn, [L.caller]);
      r.killPbx();
      await agent.waitStatus('Offline', 5000);
      check((await agent.callState()) === 'active', `the call stays up while the signalling is down: ${await agent.callState()}`);
      await hears('agent 1 while the PBX is down (media keeps flowing)', () => agent.tones(ALL), L.pstn, [L.caller]);
      r.startPbx();
      await agent.registered(10_000);
      check((await agent.status()) === 'On call', `back On call once registered: ${await agent.status()}`);
      await sleep(1000); // the desktop refreshes the call (re-INVITE) so the far end can reach it again
      await hears('agent 1 after the restart', () => agent.tones(ALL), L.pstn, [L.caller]);
      await agent.press('Hang up');
      const code = await Promise.race([sipp.exited, sleep(8000).then(() => 'still running')]);
      check(code === 0, `the hang-up should reach the trunk after the PBX restart, sipp: ${code}\n${sipp.output().slice(-1500)}`);
      await agent.waitStatus('Ready');
      await r.reregisterCallers();
    } finally {
      await sipp.stop();
    }
  }

  return [
    { name: 'hold/resume: audio stops and comes back both ways; mute; devices switched in a call; quality badge', fn: testHoldMuteDevices, cleanup },
    { name: 'DTMF over SIP INFO reaches the caller', fn: testDtmfInfo, cleanup },
    { name: 'blind transfer: agent 2 pops the same customer with the reason before answering; the caller then hears agent 2', fn: testBlindTransfer, cleanup },
    { name: 'attended transfer: consult, then complete (REFER with Replaces)', fn: testAttendedComplete, cleanup },
    { name: 'attended transfer: consult, then cancel', fn: testAttendedCancel, cleanup },
    { name: 'call waiting: answer holds the first call, swap back, reject declines', fn: testCallWaiting, cleanup },
    { name: 'Not Ready: an arriving call is declined with 486 Busy Here', fn: testNotReadyBusy, cleanup },
    { name: 'wrap-up, then Not Ready after this call', fn: testWrapUpNotReadyAfterCall, cleanup },
    { name: 'keyboard: Alt+A answers, Alt+M mutes, Alt+P holds, Alt+T transfer, Alt+H hangs up, Alt+D dials; the screen reader hears each event', fn: testKeyboard, cleanup },
    { name: 'outbound call from a customer card, and from the dial pad', fn: testOutboundFromCard, cleanup },
    { name: 'PSTN caller (sipp, plain RTP via rtpengine): pop for 0086 10 8888 6666 and 010-88886666, two-way audio, RFC 4733 DTMF', fn: testPstnCaller, cleanup },
    { name: 'a call survives a PBX restart; the hang-up reaches the trunk afterwards', fn: testCallSurvivesPbxRestart, cleanup },
    { name: 'PBX killed and restarted mid-shift: registered again within 5 s, the next call works', fn: testPbxRestart, cleanup },
  ];
}
