// The Electron shell: window, security, the app:// protocol and the IPC transport. Everything else is
// in electron/services (plain Node, tested without Electron). Keep this file small.
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCsp } from '../shared/security/csp';
import { bindIpc } from './ipc';
import { APP_ENTRY, APP_HOST, APP_SCHEME, externalUrlAllowed, isAppUrl, permissionAllowed, TELEPHONY_USAGE_PAGE } from './policy';
import { createSafeStorageSecretStore } from './safe-storage-secrets';
import { SECURE_WEB_PREFERENCES } from './secure-window';
import { startServices, type Services } from './services/app-services';
import { contentType, staticPath } from './services/static-files';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadFile = join(here, '../preload/index.cjs');

app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

if (!app.requestSingleInstanceLock()) app.quit();

let services: Services | undefined;
let mainWindow: BrowserWindow | undefined;

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
    permissionAllowed({ permission, requestingUrl: requestingOrigin, ...(details.mediaType ? { mediaTypes: [details.mediaType] } : {}) }),
  );
  ses.setDevicePermissionHandler((d) => d.deviceType === 'hid' && isAppUrl(d.origin));
  ses.on('select-hid-device', (event, details, callback) => {
    event.preventDefault();
    const headset = details.deviceList.find((d) => d.collections?.some((c) => c.usagePage === TELEPHONY_USAGE_PAGE));
    callback(headset?.deviceId);
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

app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

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
    });
  } catch (e) {
    dialog.showErrorBox('Lianluo cannot start', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  bindIpc(ipcMain, services);
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
  event.preventDefault();
  closing = true;
  void services.close().finally(() => app.quit());
});
