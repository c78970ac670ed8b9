// "My team" and the Not Ready reasons in the real renderer (the app's build in Debian's Chromium) over the
// real web host and services, signed in as the demo team lead to a real backend process: the panel lists
// the team with state, the configured reason's label and time in state, and follows an agent's changes
// live; the lead's own state control offers the team's reasons as the admin configured them.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServices, type Services } from '../../../electron/services/app-services';
import { PresenceService } from '../../../electron/services/presence/presence-service';
import { LiveConnection } from '../../../electron/services/session/live-connection';
import { MemorySecretStore } from '../../../electron/services/secrets/secret-store';
import { startWebHost, type WebHost } from '../../../electron/webhost';
import { CHROMIUM } from '../../e2e/lib/browser';
import { buildApp, buildIsStale, REPO } from '../../e2e/lib/rig';
import { startBackendProcess, type BackendProcess } from '../sync/support/backend-process';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-team-ui-');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
let bp: BackendProcess;
let services: Services;
let host: WebHost;
let browser: Browser;
let page: Page;
let agent: PresenceService;
let agentLive: LiveConnection;

beforeAll(async () => {
  if (buildIsStale()) buildApp();
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  cpSync(join(REPO, 'out/renderer'), rendererDir, { recursive: true });
  bp = await startBackendProcess({ kind: 'pglite', customers: 10 });
  // The admin gives the demo team its own reasons before anyone signs in.
  const admin = await bp.login('admin');
  const teams = await bp.api<{ id: number }[]>(admin, 'GET', '/v1/teams');
  const put = await bp.api(admin, 'PUT', `/v1/teams/${teams.json[0]!.id}/presence-reasons`, [
    { id: 'coaching', label: { en: 'Coaching', 'zh-CN': '辅导' } },
    { id: 'lunch', label: { en: 'Lunch', 'zh-CN': '午餐' } },
    { id: 'away', label: { en: 'Away (computer slept)', 'zh-CN': '离开（电脑休眠）' }, automatic: true },
  ]);
  expect(put.status).toBe(200);

  services = await startServices({
    dataDir: join(dir, 'data'),
    transport: 'web',
    version: '0.0.0-test',
    platform: process.platform,
    secrets: new MemorySecretStore(),
    writerScript: { url: new URL('../support/writer-worker-from-source.mjs', import.meta.url) },
    demoCustomers: 0,
    backend: { override: bp.url },
    sync: { live: null },
    log: quiet,
  });
  await services.ready;
  const signed = await services.router.handle('session.signIn', { backendUrl: bp.url, username: 'lead', password: bp.passwords.lead }, { transport: 'web' });
  expect(signed).toMatchObject({ ok: true, value: { status: 'signed_in', user: { role: 'supervisor' } } });

  // agent1001's desktop, without a window: its presence service reports as the real one does.
  agentLive = new LiveConnection({ onUnauthorized: () => undefined });
  agent = new PresenceService({ dataDir: join(dir, 'agent'), events: { emit: () => undefined }, log: quiet, coalesceMs: 20, live: agentLive });
  const agentLink = { baseUrl: bp.url, token: await bp.login('agent1001'), owner: 'ui agent1001', role: 'agent' as const, unauthorized: () => undefined };
  agentLive.open(agentLink);
  agent.setLink(agentLink);
  agent.report({ state: 'not_ready', reasonId: 'coaching', since: Date.now() - 65_000, wrapUpUntil: null });

  host = await startWebHost({ services, rendererDir });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await page.goto(host.url);
}, 240_000);

afterAll(async () => {
  agent?.close();
  agentLive?.close();
  await browser?.close();
  await host?.close();
  await services?.close();
  await bp?.drop();
});

const row = (username: string) => page.locator(`[data-testid="team-member"][data-username="${username}"]`);

describe('My team', () => {
  it('lists the team with state, the configured reason in the UI language and time in state', async () => {
    await page.getByTestId('team-panel').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('region', { name: 'My team' }).count()).toBe(1);
    await expect.poll(() => row('agent1001').getAttribute('data-state'), { timeout: 10_000 }).toBe('not_ready');
    expect(await row('agent1001').getByTestId('team-member-state').textContent()).toBe('Not ready');
    expect(await row('agent1001').getByTestId('team-member-reason').textContent()).toBe('Coaching');
    const time = (await row('agent1001').getByTestId('team-member-time').textContent()) ?? '';
    const [m, sec] = time.split(':').map(Number);
    const seconds = (m ?? 0) * 60 + (sec ?? 0);
    expect(seconds).toBeGreaterThanOrEqual(65); // since the agent's own clock said so, 65 s before reporting
    expect(seconds).toBeLessThan(180);
    // The lead and the other agent are members too; agent1002 never connected.
    expect(await row('agent1002').getByTestId('team-member-state').textContent()).toBe('Not seen yet');
    expect(await row('lead').count()).toBe(1);
    expect(await page.getByTestId('team-live').textContent()).toBe('Live');
  });

  it('follows an agent’s changes live', async () => {
    agent.report({ state: 'on_call', reasonId: null, since: Date.now(), wrapUpUntil: null });
    await expect.poll(() => row('agent1001').getAttribute('data-state'), { timeout: 5000 }).toBe('on_call');
    expect(await row('agent1001').getByTestId('team-member-state').textContent()).toBe('On call');
    expect(await row('agent1001').getByTestId('team-member-reason').textContent()).toBe('');
  });

  it('offers the team’s configured reasons in the state control', async () => {
    const options = await page.getByTestId('agent-choice').locator('option').allTextContents();
    expect(options).toEqual(['Ready', 'Not ready: Coaching', 'Not ready: Lunch']);
  });

  it('shows labels in Chinese when the UI is in Chinese', async () => {
    await services.router.handle('settings.update', { locale: 'zh-CN' }, { transport: 'web' });
    agent.report({ state: 'not_ready', reasonId: 'lunch', since: Date.now(), wrapUpUntil: null });
    await expect.poll(() => row('agent1001').getByTestId('team-member-reason').textContent(), { timeout: 5000 }).toBe('午餐');
    expect(await page.getByRole('region', { name: '我的团队' }).count()).toBe(1);
    expect(await page.getByTestId('agent-choice').locator('option').allTextContents()).toEqual(['就绪', '未就绪：辅导', '未就绪：午餐']);
  });
});

describe('an agent', () => {
  it('never sees the panel', async () => {
    const r = await services.router.handle('session.signIn', { backendUrl: bp.url, username: 'agent1002', password: bp.passwords.agent1002 }, { transport: 'web' });
    expect(r).toMatchObject({ ok: true, value: { user: { role: 'agent' } } });
    await vi.waitFor(async () => expect(await page.getByTestId('agent-choice').count()).toBe(1), { timeout: 10_000 });
    await expect.poll(() => page.getByTestId('team-panel').count(), { timeout: 5000 }).toBe(0);
  });
});
