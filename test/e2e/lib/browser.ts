// Headless Debian Chromium for the end-to-end tests and the demo caller: one browser process per party,
// each with its own fake microphone (a WAV tone, looped) and a fresh profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.LIANLUO_CHROMIUM ?? '/usr/bin/chromium';

// A later --disable-features replaces Playwright's own (the last switch wins), so its list for this
// playwright-core version is repeated before ours.
const PLAYWRIGHT_DISABLED = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
];

export function chromiumArgs(toneWav: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream', // grant the microphone without a prompt
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${toneWav}`, // the microphone plays this file, looped
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection', // without it: no ICE candidates on 127.0.0.1
    `--disable-features=${[...PLAYWRIGHT_DISABLED, 'Translate', 'WebRtcHideLocalIpsWithMdns'].join(',')}`,
  ];
}

export interface Party {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors, for the failure report. */
  log: string[];
  close(): Promise<void>;
}

export async function launchParty(name: string, toneWav: string, profilesDir: string): Promise<Party> {
  const profile = mkdtempSync(join(profilesDir, `${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: chromiumArgs(toneWav),
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const log: string[] = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.push(`${stamp()} ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.push(`${stamp()} pageerror: ${e.message}`));
  return {
    name,
    context,
    page,
    log,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
