// The Electron shell: window, security, the app:// protocol and the IPC transport. Everything else is
// in electron/services (plain Node, tested without Electron). Keep this file small.
import { app, BrowserWindow, dialog, globalShortcut, ipcMain, net, Notification, powerMonitor, powerSaveBlocker, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCsp } from '../shared/security/csp';
import { bindIpc } from './ipc';
import { APP_ENTRY, APP_HOST, APP_SCHEME, chooseHidDevice, devicePermissionAllowed, externalUrlAllowed, hidPermissionCheckAllowed, isAppUrl, permissionAllowed } from './policy';
import { createSafeStorageSecretStore } from './safe-storage-secrets';
import { SECURE_WEB_PREFERENCES } from './secure-window';
import { startServices, type Services } from './services/app-services';
import { createDesktopShell } from './shell/desktop';
import { GlobalHotkeys } from './shell/hotkeys';
import { LinkQueue, linksInArgv } from './shell/links';
import { contentType, staticPath } from './services/static-files';
import { quitWarning } from './services/outbox/quit-warning';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadFile = join(here, '../preload/index.cjs');

app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

// A softphone must keep its timers and its SIP socket running when the window is hidden or covered
// (backgroundThrottling: false in secure-window.ts covers the page; these cover the whole renderer).
app.commandLine.appendSwitch('disable-background-timer-throttling');
app.commandLine.appendSwitch('disable-renderer-backgrounding');
app.commandLine.appendSwitch('disable-backgrounding-occluded-windows');

// One instance: a second start (e.g. a tel: link clicked in a browser) hands its link to the first.
if (!app.requestSingleInstanceLock()) app.quit();
app.setAppUserModelId('cn.lianluo.desktop'); // Windows: notifications need it

let services: Services | undefined;
let mainWindow: BrowserWindow | undefined;

function showWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

const links = new LinkQueue((link) => {
  services?.events.emit('shell.link', link);
  showWindow();
});
for (const l of linksInArgv(process.argv)) links.push(l);
app.on('open-url', (event, url) => {
  event.preventDefault();
  links.push(url);
});

function serveApp(): void {
  const csp = buildCsp();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? staticPath(rendererDir, url.pathname) : undefined;
    if (!file) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    return new Response(res.body, {
      status: 200,
      headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

function lockDown(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((wc, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(permissionAllowed({ permission, requestingUrl: details.requestingUrl ?? wc.getURL(), ...(mediaTypes ? { mediaTypes } : {}) }));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
    permission === 'hid'
      ? hidPermissionCheckAllowed({ requestingOrigin, securityOrigin: details.securityOrigin, embeddingOrigin: details.embeddingOrigin })
      : permissionAllowed({ permission, requestingUrl: requestingOrigin, ...(details.mediaType ? { mediaTypes: [details.mediaType] } : {}) }),
  );
  // Headsets (WebHID): granted to the app's page for telephony devices only, so getDevices() needs no chooser.
  ses.setDevicePermissionHandler((d) => devicePermissionAllowed({ deviceType: d.deviceType, origin: d.origin, device: d.device }));
  ses.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    callback(chooseHidDevice(details.frame?.url, details.deviceList));
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (externalUrlAllowed(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    title: 'Lianluo',
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadFile },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  return win;
}

app.on('second-instance', (_event, argv) => {
  for (const l of linksInArgv(argv)) links.push(l);
  showWindow();
});

const desktopShell = createDesktopShell({
  links,
  notification: (o) => (Notification.isSupported() ? new Notification(o) : null),
  windowHidden: () => !mainWindow || !mainWindow.isVisible() || mainWindow.isMinimized() || !mainWindow.isFocused(),
  answer: (callId) => {
    showWindow();
    services?.events.emit('shell.command', { command: 'answer', callId });
  },
  keepAwake: { start: () => powerSaveBlocker.start('prevent-app-suspension'), stop: (id) => powerSaveBlocker.stop(id) },
});

/** Global hotkeys from the settings, re-registered when they change. */
function bindShell(s: Services): void {
  const hotkeys = new GlobalHotkeys(globalShortcut, (command) => s.events.emit('shell.command', { command }));
  hotkeys.apply(s.settings.get().hotkeys);
  s.events.listen((event) => {
    if (event === 'settings.changed') hotkeys.apply(s.settings.get().hotkeys);
  });
  for (const state of ['suspend', 'resume', 'lock-screen', 'unlock-screen'] as const) {
    powerMonitor.on(state as 'suspend', () => s.events.emit('shell.power', { state }));
  }
  app.on('will-quit', () => {
    hotkeys.clear();
    desktopShell.dispose();
  });
}

app.whenReady().then(async () => {
  lockDown();
  serveApp();
  const dataDir = app.getPath('userData');
  try {
    services = await startServices({
      dataDir,
      transport: 'electron',
      version: app.getVersion(),
      platform: process.platform,
      secrets: await createSafeStorageSecretStore(join(dataDir, 'secrets.json'), (m) => console.warn(`[lianluo] ${m}`)),
      writerScript: { url: new URL('./db-writer.js', import.meta.url) },
      backend: { embeddedScript: { url: new URL('./embedded-backend.js', import.meta.url) }, ...(process.env.LIANLUO_BACKEND ? { override: process.env.LIANLUO_BACKEND } : {}) },
      shell: desktopShell,
    });
  } catch (e) {
    dialog.showErrorBox('Lianluo cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  bindIpc(ipcMain, services);
  bindShell(services);
  for (const scheme of ['tel', 'sip']) if (!app.isDefaultProtocolClient(scheme)) app.setAsDefaultProtocolClient(scheme);
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (!services || closing) return;
  // Saved work not yet delivered (issue 4): it stays and goes at the next start, but ask first.
  const warning = quitWarning(services.outbox.status(), services.settings.get().locale ?? app.getLocale());
  if (warning && dialog.showMessageBoxSync({ type: 'warning', ...warning }) !== 0) {
    event.preventDefault();
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    return;
  }
  event.preventDefault();
  closing = true;
  void services.close().finally(() => app.quit());
});
