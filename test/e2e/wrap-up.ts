// End-to-end test of after-call work (issue 4), all real: the backend as its own process (PGlite, demo
// data), an agent desktop (the app's web host signed in to that backend) in its own Chromium with its own
// SIP account on the project's Kamailio, and the test caller.
//
// An unknown number calls; the agent saves the caller as a new customer from the card and talks; after
// hang-up, in wrap-up with the team's countdown, the backend is stopped; the form refuses bad input
// (oversized notes, a callback time in the past) with clear errors and saves nothing, then saves the
// fixed wrap-up (disposition, notes, a callback for tomorrow) while offline; the backend is started
// again and everything arrives without the agent doing anything: the call record, the notes and the
// callback are on the server. The next call from the same number pops the customer with "2nd contact
// in 7 days", the open callback and the previous note.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CallView, CustomerContext, FollowupList } from '../../shared/outbox/followups';
import { startBackendProcess, type BackendProcess } from '../integration/sync/support/backend-process';
import type { CallRig } from './call-control';
import { launchParty, type Party } from './lib/browser';
import { AgentUi, check, until } from './lib/harness';
import { makeTones, RIG, startWebHost, type WebHostProcess } from './lib/rig';

/** The SIP account of this test's agent (run.ts adds it to Kamailio's users file). */
export const WRAPUP_SIP = { user: '1003', password: `wrapup-${randomBytes(6).toString('hex')}` };
const AGENT = { username: 'wrapup-agent', password: `Wrap-up ${randomBytes(6).toString('hex')}` };
/** A number no demo customer has (the generator keeps it free). */
const NEW_CALLER = '13911112222';
const NOTE = '客户要求明天上午回电，确认新的发票地址。Invoice address changes on Friday.';

function localDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function wrapUpTests(get: () => CallRig): { name: string; fn: () => Promise<void>; cleanup: () => Promise<void> }[] {
  let backend: BackendProcess | undefined;
  let host: WebHostProcess | undefined;
  let party: Party | undefined;

  async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: T }> {
    check(backend, 'no backend');
    return backend.api<T>(token, method, path, body);
  }

  async function login(username: string, password: string): Promise<string> {
    check(backend, 'no backend');
    const res = await fetch(`${backend.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    check(res.status === 200, `login ${username}: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  async function offlineWrapUp(): Promise<void> {
    const r = get();
    const say = r.say;
    // ---- the backend, with this test's agent and a team wrap-up limit
    backend = await startBackendProcess({ kind: 'pglite', customers: 300 });
    const admin = await backend.login('admin');
    const teams = await api<{ id: number; name: string }[]>('GET', '/v1/teams', admin);
    const team = teams.json[0];
    check(team, 'the demo backend has no team');
    const created = await api('POST', '/v1/users', admin, {
      username: AGENT.username,
      displayName: 'Wrap-up Agent',
      role: 'agent',
      teamId: team.id,
      password: AGENT.password,
      sip: { wsUrl: r.ws, sipUri: `sip:${WRAPUP_SIP.user}@${r.domain}`, authUser: WRAPUP_SIP.user, displayName: 'Wrap-up Agent', password: WRAPUP_SIP.password },
    });
    check(created.status === 201, `could not create the agent: ${JSON.stringify(created)}`);
    check((await api('PUT', `/v1/teams/${team.id}/wrapup`, admin, { seconds: 120 })).status === 200, 'could not set the wrap-up limit');
    say(`  backend at ${backend.url}, agent ${AGENT.username} (sip ${WRAPUP_SIP.user}), team wrap-up 120 s`);

    // ---- the agent's desktop, signed in to it
    const dataDir = join(r.runDir, 'data-wrapup');
    mkdirSync(dataDir, { recursive: true });
    host = await startWebHost({ outDir: join(r.runDir, 'app', 'out'), dataDir, demoCustomers: 0, logFile: join(r.runDir, 'webhost-wrapup.log'), backend: backend.url });
    const profiles = join(r.runDir, 'profiles');
    mkdirSync(profiles, { recursive: true });
    party = await launchParty('wrapup-agent', makeTones(join(RIG, 'run', 'tones')).agent, profiles);
    const agent = new AgentUi('the wrap-up agent', party.page);
    const page = party.page;
    page.on('dialog', (d) => void d.accept());
    await page.goto(host.url);
    await page.getByTestId('sign-in').waitFor({ timeout: 30_000 });
    await page.getByLabel('User name', { exact: true }).fill(AGENT.username);
    await page.getByLabel('Password', { exact: true }).fill(AGENT.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await agent.registered(30_000);
    await agent.waitStatus('Ready', 15_000);
    await until('the customers synced', async () => (await page.getByTestId('sync-status').getAttribute('data-state')) === 'idle', 60_000);
    await until('the outbox online', async () => (await page.getByTestId('outbox-status').getAttribute('data-online')) === 'online', 20_000);
    const customersBefore = Number(((await agent.text('sync-customers')).match(/[\d,]+/)?.[0] ?? '0').replace(/,/g, ''));

    // ---- call 1: an unknown number; the agent saves the caller as a new customer and talks
    await r.caller.call({ target: `sip:${WRAPUP_SIP.user}@${r.domain}`, fromUser: NEW_CALLER, fromDisplayName: 'New caller' });
    await agent.waitState('ringing');
    await until('the new-customer card', () => page.getByTestId('new-customer').isVisible());
    await page.getByLabel('Name', { exact: true }).fill('赵新 Zhao Xin');
    await page.getByLabel('Company', { exact: true }).fill('新客户有限公司');
    await agent.press('Answer');
    await r.caller.waitState('Established');
    await agent.waitState('active');
    await page.getByRole('button', { name: 'Save as new customer', exact: true }).click();
    await until('the caller saved as a customer', () => page.getByTestId('new-customer-saved').isVisible());
    await new Promise((res) => setTimeout(res, 1500)); // talk a little
    await agent.press('Hang up');
    await r.caller.waitState('Terminated');

    // ---- wrap-up with the team's countdown; the backend goes away
    const form = page.getByTestId('wrapup');
    await until('the wrap-up form', () => form.isVisible());
    const interactionId = await form.getAttribute('data-interaction-id');
    check(interactionId, 'the wrap-up form names no interaction');
    check((await agent.status()) === 'Wrap-up', `the agent should be in Wrap-up, is "${await agent.status()}"`);
    const countdown = await agent.text('wrapup-countdown');
    check(/^(0[01]|02):\d\d left$/.test(countdown), `the countdown should show the team's 120 s running down: "${countdown}"`);
    await backend.stop();
    say('  backend stopped; filling the wrap-up');

    // Bad input: clear errors under the fields, nothing saved.
    const pendingBefore = Number(await page.getByTestId('outbox-status').getAttribute('data-pending'));
    await form.getByLabel('Disposition').selectOption({ label: 'Callback needed' });
    await form.getByLabel('Notes', { exact: true }).fill('长'.repeat(2001));
    await form.getByRole('button', { name: 'Add a callback' }).click();
    await form.getByLabel('Callback date and time').fill(localDateTime(Date.now() - 2 * 3_600_000));
    await form.getByRole('button', { name: 'Save wrap-up' }).click();
    const noteError = String(await until('the notes error', async () => (await form.getByTestId('wrapup-error-note').isVisible()) && (await form.getByTestId('wrapup-error-note').textContent())));
    check(/too long.*2000/.test(noteError), `the notes error should say the limit: "${noteError}"`);
    const dueError = (await form.getByTestId('wrapup-error-followups.0.dueAt').textContent()) ?? '';
    check(/past/.test(dueError), `the callback time error should say it is in the past: "${dueError}"`);
    check(Number(await page.getByTestId('outbox-status').getAttribute('data-pending')) === pendingBefore, 'a refused wrap-up must not be saved');
    await form.getByLabel('Callback date and time').fill(localDateTime(Date.now() + 400 * 86_400_000));
    await form.getByRole('button', { name: 'Save wrap-up' }).click();
    await until('the far-future error', async () => /a year/.test((await form.getByTestId('wrapup-error-followups.0.dueAt').textContent().catch(() => '')) ?? ''));

    // Fixed: saved while the backend is down.
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(10, 0, 0, 0);
    await form.getByLabel('Notes', { exact: true }).fill(NOTE);
    await form.getByLabel('Callback date and time').fill(localDateTime(tomorrow.getTime()));
    await form.getByLabel('What it is about').fill('invoice address');
    await form.getByRole('button', { name: 'Save wrap-up' }).click();
    await until('"saved"', () => page.getByTestId('wrapup-saved').isVisible());
    await agent.waitStatus('Ready', 5000);
    const status = page.getByTestId('outbox-status');
    // The record and the new customer went while the backend was up; the wrap-up waits.
    await until('the outbox to say offline with the wrap-up waiting', async () => (await status.getAttribute('data-online')) === 'offline' && Number(await status.getAttribute('data-pending')) >= 1, 20_000);
    say(`  offline: ${await agent.text('outbox-waiting')} · ${await agent.text('outbox-error').catch(() => '')}`);

    // ---- the backend comes back: everything arrives by itself
    await backend.restart({ samePort: true });
    const back = performance.now();
    await until('everything delivered', async () => (await status.getAttribute('data-pending')) === '0' && (await status.getAttribute('data-online')) === 'online', 60_000);
    say(`  delivered ${((performance.now() - back) / 1000).toFixed(1)} s after the backend came back`);

    const token = await login(AGENT.username, AGENT.password);
    const call = await api<CallView>('GET', `/v1/calls/${interactionId}`, token);
    check(call.status === 200, `the call record is not on the server: ${JSON.stringify(call)}`);
    const rec = call.json;
    check(rec.outcome === 'answered' && rec.agent === 'Wrap-up Agent' && rec.direction === 'inbound', `call record: ${JSON.stringify(rec)}`);
    check(rec.remoteNumber.endsWith(NEW_CALLER), `the record's number: ${rec.remoteNumber}`);
    check(rec.talkMs >= 1000 && rec.ringMs > 0 && (rec.wrapMs ?? 0) > 0, `durations: ring ${rec.ringMs}, talk ${rec.talkMs}, wrap ${rec.wrapMs}`);
    check(rec.disposition === 'callback' && rec.note === NOTE, `disposition and note: ${rec.disposition} / ${rec.note}`);
    check(rec.customerId?.startsWith('N-'), `the record should be linked to the new customer: ${rec.customerId}`);
    const customerId = rec.customerId as string;
    const ctx = await api<CustomerContext>('GET', `/v1/customers/${customerId}/context`, token);
    check(ctx.json.openFollowups.some((f) => f.kind === 'callback' && f.dueAt === tomorrow.getTime() && (f.number ?? '').replace(/\D/g, '').endsWith(NEW_CALLER) && f.note === 'invoice address'), `the callback is not on the server: ${JSON.stringify(ctx.json.openFollowups)}`);
    check(ctx.json.lastNote?.note === NOTE, `the note on the server: ${JSON.stringify(ctx.json.lastNote)}`);
    const mine = await api<FollowupList>('GET', '/v1/followups', token);
    check(mine.json.followups.some((f) => f.customerId === customerId), 'the callback should be in the agent’s callbacks on the server');
    await until('the callback in My callbacks', async () => ((await page.getByTestId('callbacks').textContent()) ?? '').includes('赵新 Zhao Xin'), 20_000);

    // ---- call 2 from the same number: the pop remembers
    await until('the new customer synced to the desktop', async () => Number(((await agent.text('sync-customers')).match(/[\d,]+/)?.[0] ?? '0').replace(/,/g, '')) > customersBefore, 30_000);
    await r.caller.call({ target: `sip:${WRAPUP_SIP.user}@${r.domain}`, fromUser: NEW_CALLER, fromDisplayName: 'New caller' });
    await agent.waitState('ringing');
    const card = page.getByTestId('customer-card');
    await until('the customer card', () => card.isVisible());
    check((await card.getAttribute('data-customer-id')) === customerId, `the pop should show ${customerId}, shows ${await card.getAttribute('data-customer-id')}`);
    const contacts = String(await until('the contact count', async () => (await page.getByTestId('pop-contacts').isVisible()) && (await page.getByTestId('pop-contacts').textContent())));
    check(contacts.startsWith('2nd contact in 7 days'), `the pop should say "2nd contact in 7 days": "${contacts}"`);
    const open = (await page.getByTestId('pop-open-followups').textContent()) ?? '';
    check(/Callback due/.test(open) && open.includes(NEW_CALLER.slice(-4)), `the pop should show the open callback: "${open}"`);
    const lastNote = (await page.getByTestId('pop-last-note').textContent()) ?? '';
    check(lastNote.includes(NOTE), `the pop should show the previous note: "${lastNote}"`);
    check(((await page.getByTestId('pop-last-disposition').textContent()) ?? '').includes('Callback needed'), 'the pop should show the last disposition');
    say(`  second call pops: ${contacts}`);
    await r.caller.hangup();
    await r.caller.waitState('Terminated');
  }

  async function cleanup(): Promise<void> {
    await get().caller.settle();
    await party?.close();
    await host?.stop();
    await backend?.drop();
    party = undefined;
    host = undefined;
    backend = undefined;
  }

  /** On failure: this desktop's screenshot and console next to the rig's logs. */
  async function withReport(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      const shot = join(get().runDir, 'wrapup-failed.png');
      await party?.page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      get().say(`  wrap-up agent screenshot: ${shot}`);
      for (const line of party?.log.slice(-8) ?? []) get().say(`  wrap-up agent console ${line}`);
      throw e;
    }
  }

  return [
    {
      name: 'wrap-up while the backend is down: bad input refused, saved offline, delivered on its return; the next call pops "2nd contact", the callback and the note',
      fn: () => withReport(offlineWrapUp),
      cleanup,
    },
  ];
}
