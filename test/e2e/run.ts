// End-to-end tests, run by `npm run test:e2e` inside a private network namespace (test/rig/in-netns.sh).
// Everything is real: the project's Kamailio with digest auth (and rtpengine for plain-RTP callers), the
// app's build served by its real web host, the agent UI in one Chromium process (1000 Hz microphone) and
// a SIP.js caller in another (440 Hz). Issue 2's tests (the first real call) are here; issue 5's (call
// control, agent states, resilience) are in call-control.ts and add a second agent desktop (660 Hz), a
// second caller, a customer's phone and sipp. Tests act and assert like the agent would: through labels,
// roles, visible text and data-testid, and by what each side hears.
// `npm run test:e2e -- <substring> …` runs the tests whose names contain one of the substrings.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import type { Page } from 'playwright-core';
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import { DEFAULT_NUMBER_PLAN } from '../../shared/domain/defaults';
import type { CallRequest, CallStatus } from './caller/api';
import type { ToneReport } from './caller/tones';
import { callControlTests, type CallRig } from './call-control';
import { headsetTests } from './headset';
import { buildFakeWebHid } from './headset/devices';
import { searchTests } from './search';
import { WRAPUP_SIP, wrapUpTests } from './wrap-up';
import { launchParty, type Party } from './lib/browser';
import { buildCaller, serveFolder } from './lib/caller-build';
import { AgentUi, CallerUi, check, Failure, secs, until } from './lib/harness';
import { DtmfLog } from './lib/pstn';
import {
  buildApp,
  buildIsStale,
  killKamailio,
  makeTones,
  REPO,
  RIG,
  snapshotBuild,
  startKamailio,
  startRtpengine,
  startWebHost,
  stopKamailio,
  stopRtpengine,
  type WebHostProcess,
} from './lib/rig';

const WS = 'ws://127.0.0.1:8080';
const DOMAIN = '127.0.0.1';
const AGENT = { user: '1001', password: `agent-${randomBytes(6).toString('hex')}` };
const CALLER = { user: 'caller', password: `caller-${randomBytes(6).toString('hex')}` };
const AGENT2 = { user: '1002', password: `agent2-${randomBytes(6).toString('hex')}` };
const CALLER2 = { user: 'caller2', password: `caller2-${randomBytes(6).toString('hex')}` };
/** The customer 王芳's mobile, registered as a phone so the agent can call her back. */
const CUSTOMER = { user: '13800138000', password: `customer-${randomBytes(6).toString('hex')}` };
const PBX_ARGS = ['-A', 'WITH_RTPENGINE'];
const DEMO_PASSWORD = 'lianluo'; // test/rig/users, used by `npm run demo:call`
const UNREACHABLE_WS = 'ws://127.0.0.1:8099'; // nothing listens there inside the namespace
const DEMO_CUSTOMERS = 5000;

// ---------------------------------------------------------------- tiny runner

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}
const outcomes: Outcome[] = [];
const t0 = performance.now();
const say = (line: string) => console.log(`[e2e ${secs(performance.now() - t0).padStart(7)}] ${line}`);

// ---------------------------------------------------------------- the rig

mkdirSync(join(RIG, 'run'), { recursive: true }); // git-ignored, so absent in a fresh clone
const runDir = mkdtempSync(join(RIG, 'run', 'e2e-'));
const kamailioDir = join(runDir, 'kamailio');
const demoKamailioDir = join(runDir, 'demo-kamailio');
const rtpengineDir = join(runDir, 'rtpengine');
let agent: Party | undefined;
let caller: Party | undefined;
let agent2: Party | undefined;
let webhost: WebHostProcess | undefined;
let webhost2: WebHostProcess | undefined;
let dtmfLog: DtmfLog | undefined;
let usersFile = '';
let rig: CallRig | undefined;
let closeCallerServer: (() => Promise<void>) | undefined;
let callerUrl = '';
const dialogs: string[] = [];
const hostileRequests: string[] = [];

async function cleanup(): Promise<void> {
  await Promise.all([agent?.close(), caller?.close(), agent2?.close()]);
  await closeCallerServer?.();
  await Promise.all([webhost?.stop(), webhost2?.stop()]);
  await dtmfLog?.close();
  for (const dir of [kamailioDir, demoKamailioDir]) {
    try {
      stopKamailio(dir);
    } catch (e) {
      console.error(String(e));
    }
  }
  try {
    stopRtpengine(rtpengineDir);
  } catch (e) {
    console.error(String(e));
  }
}

/** Agent 2's desktop starts signed in (as after a first sign-in): its data folder holds the account. */
function agent2DataDir(): string {
  const dir = join(runDir, 'data2');
  mkdirSync(dir, { recursive: true });
  const account = { wsUrl: WS, sipUri: `sip:${AGENT2.user}@${DOMAIN}`, authUser: AGENT2.user, displayName: 'Agent 1002' };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 1, account, numberPlan: DEFAULT_NUMBER_PLAN, locale: 'en' }));
  writeFileSync(join(dir, 'secrets.web.json'), JSON.stringify({ 'sip.password': AGENT2.password }), { mode: 0o600 });
  return dir;
}

async function setUp(): Promise<void> {
  const stale = buildIsStale();
  if (stale) {
    say(`building the app (${stale})`);
    buildApp();
  }
  const outDir = snapshotBuild(join(runDir, 'app'));
  const tones = makeTones(join(RIG, 'run', 'tones'));
  usersFile = join(runDir, 'users');
  writeFileSync(usersFile, [AGENT, CALLER, AGENT2, CALLER2, CUSTOMER, WRAPUP_SIP].map((a) => `${a.user} ${a.password}\n`).join(''));
  dtmfLog = await DtmfLog.listen(5999);
  say(startRtpengine(rtpengineDir));
  say(startKamailio(kamailioDir, usersFile, PBX_ARGS));
  const bundle = await buildCaller(join(runDir, 'caller'));
  const server = await serveFolder(bundle.pageDir);
  closeCallerServer = server.close;
  [webhost, webhost2] = await Promise.all([
    startWebHost({ outDir, dataDir: join(runDir, 'data'), demoCustomers: DEMO_CUSTOMERS, logFile: join(runDir, 'webhost.log') }),
    startWebHost({ outDir, dataDir: agent2DataDir(), demoCustomers: DEMO_CUSTOMERS, logFile: join(runDir, 'webhost2.log') }),
  ]);
  say(`web hosts: ${webhost.url.replace(/token=.*/, 'token=…')}, ${webhost2.url.replace(/token=.*/, 'token=…')}`);
  const profiles = join(runDir, 'profiles');
  mkdirSync(profiles);
  [agent, caller, agent2] = await Promise.all([
    launchParty('agent', tones.agent, profiles),
    launchParty('caller', tones.caller, profiles),
    launchParty('agent2', tones.agent2, profiles),
  ]);
  await agent.page.addInitScript(bundle.probeScript);
  // Agent 1's page has a WebHID that the headset tests plug headsets into (test/e2e/headset/fake-webhid.ts).
  await agent.page.addInitScript(await buildFakeWebHid(join(runDir, 'fake-webhid')));
  await agent2.page.addInitScript(bundle.probeScript);
  const a2 = agent2;
  const c = caller;
  const callerPage = async (party: Party) => {
    const page = await party.context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => !!window.caller);
    return page;
  };
  const [callerBPage, customerPage] = await Promise.all([callerPage(a2), callerPage(c)]);
  const callerB = new CallerUi('caller 2', callerBPage);
  const customer = new CallerUi('the customer', customerPage);
  const registerCallers = async () => {
    await Promise.all([
      new CallerUi('caller', c.page).register({ wsUrl: WS, sipUri: `sip:${CALLER.user}@${DOMAIN}`, password: CALLER.password }),
      callerB.register({ wsUrl: WS, sipUri: `sip:${CALLER2.user}@${DOMAIN}`, password: CALLER2.password }),
      customer.register({ wsUrl: WS, sipUri: `sip:${CUSTOMER.user}@${DOMAIN}`, password: CUSTOMER.password, autoAnswer: true }),
    ]);
  };
  rig = {
    runDir,
    ws: WS,
    domain: DOMAIN,
    agent: new AgentUi('agent 1', agent.page),
    agent2: new AgentUi('agent 2', a2.page),
    caller: new CallerUi('the caller', c.page),
    callerB,
    customer,
    pstnTone: tones.pstn,
    dtmfLog,
    killPbx: () => killKamailio(kamailioDir),
    startPbx: () => startKamailio(kamailioDir, usersFile, PBX_ARGS),
    reregisterCallers: registerCallers,
    say,
  };
  await a2.page.goto(webhost2.url);
  await Promise.all([callerB, customer].map((x, i) => x.register(i === 0 ? { wsUrl: WS, sipUri: `sip:${CALLER2.user}@${DOMAIN}`, password: CALLER2.password } : { wsUrl: WS, sipUri: `sip:${CUSTOMER.user}@${DOMAIN}`, password: CUSTOMER.password, autoAnswer: true })));
  agent.page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  agent.page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/x') hostileRequests.push(r.url());
  });
  callerUrl = server.url;
}

// ---------------------------------------------------------------- the agent, as a user sees it

const agentPage = (): Page => {
  check(agent, 'the agent browser is not running');
  return agent.page;
};
const text = async (testId: string) => ((await agentPage().getByTestId(testId).first().textContent({ timeout: 2000 })) ?? '').trim();
const callState = async () => (await agentPage().getByTestId('call-panel').getAttribute('data-call-state', { timeout: 2000 })) ?? 'idle';

async function fillAccount(o: { wsUrl: string; password: string }): Promise<void> {
  const p = agentPage();
  const form = p.locator('form.account-form');
  if (!(await form.isVisible())) await p.getByRole('button', { name: 'Account', exact: true }).click();
  await form.waitFor({ state: 'visible', timeout: 5000 });
  await p.getByLabel('WebSocket URL', { exact: true }).fill(o.wsUrl);
  await p.getByLabel('SIP address', { exact: true }).fill(`sip:${AGENT.user}@${DOMAIN}`);
  await p.getByLabel('Authorisation user', { exact: true }).fill(AGENT.user);
  await p.getByLabel('Password', { exact: true }).fill(o.password);
  await p.getByRole('button', { name: 'Save and connect' }).click();
}

async function problemShown(key: string): Promise<string> {
  const banner = agentPage().locator(`[data-testid="problems"] [data-problem="${key}"]`);
  await until(`the "${key}" problem banner`, () => banner.isVisible(), 15_000);
  return ((await banner.textContent()) ?? '').trim();
}

async function agentReady(timeoutMs = 10_000): Promise<void> {
  await until('agent status "Ready"', async () => (await text('agent-status')) === 'Ready', timeoutMs);
}

// ---------------------------------------------------------------- the caller

const callerPage = (): Page => {
  check(caller, 'the caller browser is not running');
  return caller.page;
};
const callerStatus = (): Promise<CallStatus> => callerPage().evaluate(() => window.caller!.status());
const callerHangup = (): Promise<void> => callerPage().evaluate(() => window.caller!.hangup());
const callerTones = (): Promise<ToneReport | null> => callerPage().evaluate(() => window.caller!.remoteTones(1500));
const agentTones = (): Promise<ToneReport | null> => agentPage().evaluate(() => window.lianluoProbe!.remoteTones(1500));

async function call(req: Omit<CallRequest, 'target'>): Promise<void> {
  const status = await text('agent-status');
  check(status === 'Ready', `the agent should be Ready before a call, it is "${status}"`);
  const r: CallRequest = { target: `sip:${AGENT.user}@${DOMAIN}`, ...req };
  await callerPage().evaluate((x) => window.caller!.call(x), r);
}

/** The caller's phone is still ringing: 180 received, no final answer yet. */
async function stillRinging(): Promise<void> {
  const s = await callerStatus();
  check(s.state === 'Establishing' && !s.final, `the call should still ring on the caller's side, but it is ${JSON.stringify(s)}`);
  check(s.provisional.includes(180), `the caller should have heard 180 Ringing, got ${JSON.stringify(s.provisional)}`);
  check((await callState()) === 'ringing', `the agent's call panel should say ringing, it says ${await callState()}`);
}

async function callerEnded(): Promise<CallStatus> {
  return until('the call to end on the caller side', async () => {
    const s = await callerStatus();
    return s.state === 'Terminated' ? s : undefined;
  });
}

/** Measure tones until both expectations hold (audio takes a moment to start), at most 3 rounds. */
async function hears(who: string, measure: () => Promise<ToneReport | null>, want: number, notWant: number): Promise<ToneReport> {
  let last: ToneReport | null = null;
  for (let i = 0; i < 3; i++) {
    last = await measure();
    if (last && last.present.includes(want) && !last.present.includes(notWant)) return last;
  }
  throw new Failure(`${who} should hear ${want} Hz (and not ${notWant} Hz): ${JSON.stringify(last)}`);
}

/** After a call test: no call left on either side, agent Ready (reloading the page if it is stuck). */
async function settle(): Promise<void> {
  const s = await callerStatus().catch(() => undefined);
  if (s && s.state && s.state !== 'Terminated') await callerHangup().catch(() => undefined);
  await agentReady(10_000).catch(async () => {
    say('agent not Ready after the test; reloading its page');
    await agentPage().reload();
    await agentReady(15_000);
  });
}

// ---------------------------------------------------------------- tests

async function testWrongPassword(): Promise<void> {
  const p = agentPage();
  await p.locator('form.account-form').waitFor({ state: 'visible', timeout: 15_000 });
  await fillAccount({ wsUrl: WS, password: 'certainly-not-the-password' });
  const banner = await problemShown('wrong_password');
  check(/password/i.test(banner), `the banner should talk about the password: "${banner}"`);
  check((await text('registration')).startsWith('Not registered'), `registration should say Not registered: "${await text('registration')}"`);
  check((await text('agent-status')) === 'Offline', `agent should be Offline: "${await text('agent-status')}"`);
}

async function testServerUnreachable(): Promise<void> {
  await fillAccount({ wsUrl: UNREACHABLE_WS, password: AGENT.password });
  const banner = await problemShown('server_unreachable');
  check(/reach/i.test(banner), `the banner should say the server cannot be reached: "${banner}"`);
  check((await text('agent-status')) === 'Offline', `agent should be Offline: "${await text('agent-status')}"`);
}

async function testSignIn(): Promise<void> {
  await fillAccount({ wsUrl: WS, password: AGENT.password });
  await until('registration "Registered"', async () => (await text('registration')).startsWith('Registered'), 15_000);
  await agentReady();
  check(!(await agentPage().getByTestId('problems').isVisible()), 'no problem banner should be left once registered');
  const cache = await until('the demo customers in the cache status', async () => {
    const t = await text('cache-status');
    return /\d/.test(t) ? t : undefined;
  }, 30_000);
  say(`  cache: ${cache}`);
}

async function testKnownCaller(): Promise<void> {
  const p = agentPage();
  const asked = performance.now();
  await call({ fromUser: STORY_NUMBERS.single, fromDisplayName: 'Wang Fang' });
  const card = p.getByTestId('customer-card');
  await until('the customer card', () => card.isVisible());
  const popMs = performance.now() - asked;
  check((await card.getAttribute('data-customer-id')) === 'C-STORY-1', `wrong customer: ${await card.getAttribute('data-customer-id')}`);
  check((await text('customer-name')) === '王芳', `the card should show 王芳, it shows "${await text('customer-name')}"`);
  check((await text('customer-company')) === '北京华信科技有限公司', `company: "${await text('customer-company')}"`);
  check((await p.getByTestId('customer-history').locator('li').count()) >= 3, 'the card should list the last interactions');
  await stillRinging();
  check((await text('agent-status')) === 'Ringing', `agent status should be Ringing: "${await text('agent-status')}"`);
  say(`  card visible ${Math.round(popMs)} ms after the caller dialled, while ringing`);

  await p.getByRole('button', { name: 'Answer', exact: true }).click();
  await until('the caller to be connected', async () => (await callerStatus()).state === 'Established');
  await until('the agent call panel "active"', async () => (await callState()) === 'active');
  check((await text('agent-status')) === 'On call', `agent status should be On call: "${await text('agent-status')}"`);
  const atAgent = await hears('the agent', agentTones, 440, 1000);
  const atCaller = await hears('the caller', callerTones, 1000, 440);
  say(`  agent hears 440 Hz (+${atAgent.levels['440']} dB), caller hears 1000 Hz (+${atCaller.levels['1000']} dB)`);

  await p.getByRole('button', { name: 'Hang up', exact: true }).click();
  const ended = await callerEnded();
  check(ended.endedBy === 'remote', `the agent hung up, the caller should see a remote BYE: ${JSON.stringify(ended)}`);
  await agentReady();
  check((await text('call-end-reason')) === 'You hung up.', `end reason: "${await text('call-end-reason')}"`);
}

async function testTwoMatches(): Promise<void> {
  const p = agentPage();
  // The number arrives in P-Asserted-Identity, as from a trunk; From carries the gateway.
  await call({ fromUser: 'gateway', fromDisplayName: 'Harbor Logistics', pai: `<sip:${STORY_NUMBERS.shared}@${DOMAIN};user=phone>` });
  const picker = p.getByTestId('match-picker');
  await until('the customer picker', () => picker.isVisible());
  const names = (await picker.locator('.picker-name').allTextContents()).sort();
  check(JSON.stringify(names) === JSON.stringify(['Michael Chen', '刘洋']), `the picker should offer Michael Chen and 刘洋: ${JSON.stringify(names)}`);
  await stillRinging();
  await picker.getByRole('button', { name: /刘洋/ }).click();
  const card = p.getByTestId('customer-card');
  await until('the chosen card', () => card.isVisible());
  check((await card.getAttribute('data-customer-id')) === 'C-STORY-3', `wrong card: ${await card.getAttribute('data-customer-id')}`);
  check((await text('customer-name')) === '刘洋', `the card should show 刘洋: "${await text('customer-name')}"`);
  await stillRinging();
  await callerHangup();
  await callerEnded();
  await agentReady();
  check(/hung up before it was answered/.test(await text('call-end-reason')), `end reason: "${await text('call-end-reason')}"`);
}

async function testNoMatch(): Promise<void> {
  const p = agentPage();
  await call({ fromUser: STORY_NUMBERS.unknown, fromDisplayName: 'Someone New' });
  const card = p.getByTestId('new-customer');
  await until('the new-customer card', () => card.isVisible());
  const shown = await text('new-customer-number');
  check(shown.replace(/\D/g, '').endsWith(STORY_NUMBERS.unknown), `the new-customer card should be prefilled with ${STORY_NUMBERS.unknown}: "${shown}"`);
  check((await p.getByLabel('Name', { exact: true }).inputValue()) === '', 'the name field should be empty');
  check((await p.getByTestId('customer-card').count()) === 0, 'no customer card should show for an unknown number');
  await stillRinging();
  await p.getByRole('button', { name: 'Reject', exact: true }).click();
  const ended = await callerEnded();
  check(ended.final?.code === 486, `the caller should get 486 Busy Here: ${JSON.stringify(ended.final)}`);
  await agentReady();
}

async function testHostileDisplayName(): Promise<void> {
  const p = agentPage();
  const payload = '<img src=x onerror=alert(1)>';
  let hostile = '';
  while (hostile.length < 10 * 1024) hostile += `\u202E${payload}`;
  const before = await p.evaluate(() => ({ suspicious: window.lianluoProbe!.suspicious.length, csp: window.lianluoProbe!.cspViolations.length }));
  const dialogsBefore = dialogs.length;

  await call({ fromUser: STORY_NUMBERS.unknown, fromDisplayName: hostile });
  await until('the incoming call', async () => (await callState()) === 'ringing');
  await until('the display name on screen', async () => (await text('caller-name')).includes('onerror'));
  await new Promise((r) => setTimeout(r, 1000)); // time for an injected handler to fire, if there were one
  await stillRinging();

  const shown = await text('caller-name');
  check(shown.startsWith(payload), `the name should be shown as plain text: "${shown.slice(0, 120)}"`);
  check(shown.length <= 100, `the name should be cut short, it is ${shown.length} characters`);
  const page = await p.evaluate(() => ({
    rlo: document.documentElement.outerHTML.includes('\u202E') || document.title.includes('\u202E'),
    mentions: (document.body.textContent ?? '').split('onerror').length - 1,
    imgs: document.querySelectorAll('img').length,
    probe: { suspicious: window.lianluoProbe!.suspicious, csp: window.lianluoProbe!.cspViolations },
  }));
  check(!page.rlo, 'no right-to-left override (U+202E) may reach the DOM');
  check(page.mentions <= 6, `the hostile text should appear only bounded, a few times at most; found ${page.mentions} copies`);
  check(page.imgs === 0, `no <img> element may exist, found ${page.imgs}`);
  check(page.probe.suspicious.length === before.suspicious, `elements were injected: ${JSON.stringify(page.probe.suspicious.slice(before.suspicious))}`);
  check(page.probe.csp.length === before.csp, `content-security-policy violations: ${JSON.stringify(page.probe.csp.slice(before.csp))}`);
  check(dialogs.length === dialogsBefore, `a dialog fired: ${JSON.stringify(dialogs.slice(dialogsBefore))}`);
  check(hostileRequests.length === 0, `the page fetched the injected image: ${JSON.stringify(hostileRequests)}`);
  await callerHangup();
  await callerEnded();
  await agentReady();
}

/** The PBX itself: a WebSocket client that did not register and sends a wrong password cannot call. */
async function testInviteNeedsPassword(): Promise<void> {
  check(caller && callerUrl, 'the caller browser is not running');
  const page = await caller.context.newPage();
  try {
    await page.goto(callerUrl);
    await page.waitForFunction(() => !!window.caller);
    const conn = await page.evaluate((a) => window.caller!.register(a), {
      wsUrl: WS,
      sipUri: `sip:${CALLER.user}@${DOMAIN}`,
      password: 'wrong-password',
      register: false,
    });
    check(conn.ok, `could not connect: ${JSON.stringify(conn)}`);
    await page.evaluate((r) => window.caller!.call(r), { target: `sip:${AGENT.user}@${DOMAIN}`, fromUser: STORY_NUMBERS.single });
    const s = await until('the INVITE to be refused', async () => {
      const st = await page.evaluate(() => window.caller!.status());
      return st.state === 'Terminated' ? st : undefined;
    });
    check(s.final?.code === 403, `an INVITE with a wrong password should get 403, got ${JSON.stringify(s.final)}`);
    check((await callState()) !== 'ringing' && (await text('agent-status')) === 'Ready', 'the agent must not ring for a refused INVITE');
  } finally {
    await page.evaluate(() => window.caller?.stop()).catch(() => undefined);
    await page.close();
  }
}

/** `npm run demo:call` against its own Kamailio (test/rig/users), with the agent signed in as the demo account. */
async function testDemoCall(): Promise<void> {
  stopKamailio(kamailioDir); // the demo starts the project's PBX itself, on the same ports
  const p = agentPage();
  const out: string[] = [];
  const child = spawn('npm', ['run', '--silent', 'demo:call', '--', '--from', STORY_NUMBERS.single, '--ring', '40'], {
    cwd: REPO,
    env: { ...process.env, LIANLUO_RIG_RUN: demoKamailioDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  try {
    await until('the demo PBX to start', () => /Kamailio (started|already running)/.test(out.join('')), 60_000);
    await fillAccount({ wsUrl: WS, password: DEMO_PASSWORD });
    await until('registration "Registered" with the demo account', async () => (await text('registration')).startsWith('Registered'), 15_000);
    await until('the demo call to ring', async () => (await callState()) === 'ringing', 20_000);
    await until('王芳 on the card', async () => (await text('customer-name')) === '王芳');
    await p.getByRole('button', { name: 'Answer', exact: true }).click();
    await until('the demo caller to report the answer', () => /answered/i.test(out.join('')), 10_000);
    await hears('the agent', agentTones, 440, 1000);
    await p.getByRole('button', { name: 'Hang up', exact: true }).click();
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
    check(code === 0, `demo:call should exit 0 after the agent hangs up, got ${code}:\n${out.join('')}`);
    check(/hung up/i.test(out.join('')), `demo:call should say the agent hung up:\n${out.join('')}`);
    await agentReady();
    for (const line of out.join('').trim().split('\n')) say(`  | ${line}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  }
}

// In order: the first two leave the agent signed out on purpose, the third signs it in, and every call
// test starts from Ready.
const getRig = (): CallRig => {
  check(rig, 'the rig is not set up');
  return rig;
};
const TESTS: { name: string; fn: () => Promise<void>; call?: true; cleanup?: () => Promise<void> }[] = [
  { name: 'wrong password: plain-words problem banner', fn: testWrongPassword },
  { name: 'unreachable WebSocket server: plain-words problem banner', fn: testServerUnreachable },
  { name: 'agent fills in the account: Registered and Ready', fn: testSignIn },
  { name: 'known caller: card while ringing, two-way audio, Ready after hang-up', fn: testKnownCaller, call: true },
  { name: 'number shared by two customers: picker, then the chosen card', fn: testTwoMatches, call: true },
  { name: 'unknown number: new-customer card prefilled with the number', fn: testNoMatch, call: true },
  { name: 'hostile display name (markup, 10 KB, RTL override) shown inert', fn: testHostileDisplayName, call: true },
  { name: 'test PBX: an INVITE with a wrong password gets 403 and never rings', fn: testInviteNeedsPassword, call: true },
  ...callControlTests(getRig),
  ...headsetTests(getRig),
  ...searchTests(getRig),
  ...wrapUpTests(getRig),
  { name: 'npm run demo:call rings the demo agent 1001', fn: testDemoCall, call: true },
];

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  if (process.env.LIANLUO_IN_NETNS !== '1') {
    console.error('Run the end-to-end tests with `npm run test:e2e` (they need the private network namespace of test/rig/in-netns.sh).');
    return 2;
  }
  const only = process.argv.slice(2);
  try {
    await setUp();
    await agentPage().goto(webhost!.url);
    await callerPage().goto(callerUrl);
    await callerPage().waitForFunction(() => !!window.caller);
    const reg = await callerPage().evaluate((a) => window.caller!.register(a), { wsUrl: WS, sipUri: `sip:${CALLER.user}@${DOMAIN}`, password: CALLER.password });
    check(reg.ok, `the caller could not register: ${JSON.stringify(reg)}`);
    say(`set-up done: Kamailio, web host, agent and caller browsers (caller registered)`);
  } catch (e) {
    console.error(`SET-UP FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    outcomes.push({ name: 'set-up', ok: false, ms: performance.now() - t0, error: String(e) });
    return 1;
  }
  for (const { name, fn, call: isCall, cleanup: after } of TESTS) {
    if (only.length && !only.some((o) => name.includes(o))) continue;
    const start = performance.now();
    say(`▶ ${name}`);
    try {
      await fn();
      outcomes.push({ name, ok: true, ms: performance.now() - start });
    } catch (e) {
      const error = e instanceof Failure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
      outcomes.push({ name, ok: false, ms: performance.now() - start, error });
      say(`  FAILED: ${error}`);
      const shot = join(runDir, `failed-${outcomes.length}.png`);
      await agent?.page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      say(`  agent screenshot: ${shot}`);
      for (const line of agent?.log.slice(-8) ?? []) say(`  agent console ${line}`);
      if (rig) {
        await agent2?.page.screenshot({ path: join(runDir, `failed-${outcomes.length}-agent2.png`), fullPage: true }).catch(() => undefined);
        for (const line of agent2?.log.slice(-6) ?? []) say(`  agent2 console ${line}`);
      }
      for (const line of caller?.log.slice(-4) ?? []) say(`  caller console ${line}`);
    }
    if (isCall) await settle().catch((e: unknown) => say(`  could not bring the agent back to Ready: ${String(e)}`));
    if (after) await after().catch((e: unknown) => say(`  could not bring the agents back to Ready: ${String(e)}`));
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

let code: number;
const stop = async (signal: string) => {
  console.error(`\n${signal}: stopping the rig`);
  await cleanup();
  process.exit(130);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
try {
  code = await main();
} finally {
  await cleanup();
}
console.log('\nEnd-to-end results');
for (const o of outcomes) console.log(`  ${o.ok ? 'PASS' : 'FAIL'}  ${o.name}  (${secs(o.ms)})${o.ok ? '' : `\n        ${o.error?.split('\n').join('\n        ')}`}`);
const failed = outcomes.filter((o) => !o.ok).length;
console.log(`${outcomes.length - failed} passed, ${failed} failed, ${secs(performance.now() - t0)} in all`);
if (code === 0) rmSync(runDir, { recursive: true, force: true });
else console.log(`Logs kept in ${runDir} (kamailio/kamailio.log, webhost.log, failed-*.png)`);
process.exit(code);
