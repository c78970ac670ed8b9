// The search box in the real renderer (the app's build, in Debian's Chromium) over the real web host and
// services, 5,000 demo customers: the keyboard (Ctrl+K and "/", arrows, Page Down, Enter, Esc), the
// combobox/listbox semantics a screen reader reads, the virtualised list (a few hundred results, a
// window of rows in the DOM), opening the same customer card the screen pop shows, clicks.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_LIMIT } from '../../../shared/domain/search';
import type { Services } from '../../../electron/services/app-services';
import { startTestServices } from '../support/services';
import { startWebHost, type WebHost } from '../../../electron/webhost';
import { CHROMIUM } from '../../e2e/lib/browser';
import { buildApp, buildIsStale, REPO } from '../../e2e/lib/rig';
import { tempDir } from '../support/temp-dir';

const dir = tempDir('lianluo-search-ui-');
let services: Services;
let host: WebHost;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (buildIsStale()) buildApp();
  // A copy, so a rebuild elsewhere in this checkout cannot change the page under the test.
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  cpSync(join(REPO, 'out/renderer'), rendererDir, { recursive: true });
  services = await startTestServices(join(dir, 'data'), { demoCustomers: 5000 });
  await services.ready;
  host = await startWebHost({ services, rendererDir });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(host.url);
  await page.getByRole('combobox', { name: 'Search customers' }).waitFor({ timeout: 20_000 });
  expect(errors).toEqual([]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await services?.close();
});

const box = () => page.getByRole('combobox', { name: 'Search customers' });
const options = () => page.getByTestId('search-results').getByRole('option');
const focusedIsBox = () => page.evaluate(() => document.activeElement?.getAttribute('role') === 'combobox');
const activeOption = async () => {
  const id = await box().getAttribute('aria-activedescendant');
  return id ? page.locator(`[id="${id}"]`) : undefined;
};

async function clearBox() {
  await box().focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Escape');
}

describe('search box in the app', () => {
  it('takes focus from Ctrl+K and from "/", and only then', async () => {
    expect(await focusedIsBox()).toBe(false); // never on its own
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Control+K');
    expect(await focusedIsBox()).toBe(true);
    await page.keyboard.type('/x'); // typed inside the box, "/" is a character
    await expect.poll(() => box().inputValue()).toBe('/x');
    await clearBox();
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    expect(await focusedIsBox()).toBe(false);
    await page.keyboard.press('/');
    expect(await focusedIsBox()).toBe(true);
    expect(await box().inputValue()).toBe('');
    expect(await box().getAttribute('aria-expanded')).toBe('false');
  });

  it('shows matches as you type, the first highlighted, announced as a listbox', async () => {
    await box().focus();
    await page.keyboard.type('王芳');
    const first = options().first();
    await expect.poll(() => first.textContent(), { timeout: 5000 }).toContain('王芳');
    expect(await box().getAttribute('aria-expanded')).toBe('true');
    const listId = await box().getAttribute('aria-controls');
    expect(await page.locator(`[id="${listId}"]`).getAttribute('role')).toBe('listbox');
    const active = await activeOption();
    expect(await active?.getAttribute('aria-selected')).toBe('true');
    expect(await active?.textContent()).toContain('王芳');
    expect(await page.getByRole('status').first().textContent()).toMatch(/customers? found|Showing the first/);
    expect(await focusedIsBox()).toBe(true); // the list never takes the focus
  });

  it('Enter opens the same customer card the screen pop shows; Esc goes back, closes, clears', async () => {
    await clearBox();
    await page.keyboard.type('王芳 华信');
    await expect.poll(() => options().count(), { timeout: 5000 }).toBe(1);
    await page.keyboard.press('Enter');
    const card = page.getByTestId('customer-card');
    await card.waitFor({ timeout: 5000 });
    expect(await card.getAttribute('data-customer-id')).toBe('C-STORY-1');
    expect(await page.getByTestId('customer-name').textContent()).toBe('王芳');
    // Click-to-dial is there; disabled while the phone is not registered (no SIP account here).
    const dial = card.getByRole('button', { name: /Call 138 0013 8000/ });
    expect(await dial.count()).toBe(1);
    expect(await dial.isDisabled()).toBe(true);
    expect(await page.getByTestId('customer-history').locator('li').count()).toBeGreaterThan(0);

    await page.keyboard.press('Escape');
    await options().first().waitFor();
    expect(await card.count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('search-popup').count()).toBe(0);
    expect(await box().inputValue()).toBe('王芳 华信'); // kept
    await page.keyboard.press('ArrowDown'); // shows the list again
    await options().first().waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await expect.poll(() => box().inputValue()).toBe('');
  });

  it('finds by number as printed, and marks the matched number', async () => {
    await clearBox();
    await page.keyboard.type('010-8888 6666');
    await expect.poll(() => options().count(), { timeout: 5000 }).toBe(2);
    const texts = await options().allTextContents();
    expect(texts.join(' ')).toContain('Michael Chen');
    expect(texts.join(' ')).toContain('刘洋');
    for (const t of texts) expect(t).toContain('010 8888 6666');
  });

  it('virtualises a few hundred results: a window of rows in the DOM, the highlighted one always in view', async () => {
    await clearBox();
    await page.keyboard.type('1');
    const list = page.getByTestId('search-results');
    await expect.poll(() => list.getAttribute('data-count'), { timeout: 5000 }).toBe(String(SEARCH_LIMIT));
    expect(await page.getByTestId('search-status').textContent()).toMatch(/Showing the first 200/);
    const rendered = await options().count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    expect(await options().first().getAttribute('aria-setsize')).toBe(String(SEARCH_LIMIT));

    for (let i = 0; i < 6; i++) await page.keyboard.press('PageDown');
    const active = (await activeOption())!;
    const pos = Number(await active.getAttribute('aria-posinset'));
    expect(pos).toBeGreaterThan(60);
    const [a, l] = [await active.boundingBox(), await list.boundingBox()];
    expect(a!.y).toBeGreaterThanOrEqual(l!.y - 0.5);
    expect(a!.y + a!.height).toBeLessThanOrEqual(l!.y + l!.height + 0.5);
    expect(await options().count()).toBeLessThan(40);

    for (let i = 0; i < 20; i++) await page.keyboard.press('PageDown');
    expect(await (await activeOption())!.getAttribute('aria-posinset')).toBe(String(SEARCH_LIMIT));
    // Scrolled back to the top by the wheel, the first rows are rendered again.
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => page.locator('[role="option"][aria-posinset="1"]').count()).toBe(1);
    expect(await options().count()).toBeLessThan(40);
  });

  it('a click on a row opens it, a click elsewhere closes the list', async () => {
    await clearBox();
    await page.keyboard.type('michael chen');
    const row = page.locator('[role="option"][data-customer-id="C-STORY-2"]');
    await row.waitFor({ timeout: 5000 });
    await row.click();
    await page.getByTestId('customer-card').waitFor();
    expect(await page.getByTestId('customer-name').textContent()).toBe('Michael Chen');
    expect(await focusedIsBox()).toBe(true); // the click did not move the focus
    await page.getByRole('button', { name: '← Back to results' }).click();
    await row.waitFor();
    await page.locator('body').click({ position: { x: 5, y: 600 } });
    expect(await page.getByTestId('search-popup').count()).toBe(0);
  });

  it('answers hostile input with no results and no error', async () => {
    await clearBox();
    await page.keyboard.type('"*) NEAR( OR');
    await expect.poll(() => page.getByTestId('search-status').textContent(), { timeout: 5000 }).toMatch(/No customer matches/);
    expect(await page.locator('.form-error').count()).toBe(0);
  });
});
