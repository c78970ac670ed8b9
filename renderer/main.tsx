// Renderer entry: build the stores and the phone, connect them, render. The bridge is the preload's
// window.lianluo under Electron, or the web transport when served by the web host.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import i18next from 'i18next';
import { App } from './App';
import { AppProvider, type AppDeps } from './app-context';
import { unwrap } from './bridge/api';
import { createWebBridge } from './bridge/web-transport';
import { initI18n, pickLocale, setLocale } from './i18n';
import { Phone } from './phone/phone';
import { Ringtone } from './phone/ringtone';
import { createPhoneStore } from './stores/phone-store';
import { createPopStore } from './stores/pop-store';
import { createSettingsStore } from './stores/settings-store';
import './styles.css';

async function boot() {
  const api = window.lianluo ?? createWebBridge();
  const settingsStore = createSettingsStore();
  const phoneStore = createPhoneStore();
  const popStore = createPopStore({ lookup: (ani) => unwrap(api.customers.lookup({ ani })) });
  const phone = new Phone(phoneStore, {
    // The pop starts on the INVITE, before the UI even knows a call rings.
    onIncoming: (callId, number) => {
      const asked = performance.now();
      return popStore
        .getState()
        .start(callId, number)
        .then(() => performance.measure('lianluo.pop.lookup', { start: asked, end: performance.now(), detail: { callId } }));
    },
  });

  const ringtone = new Ringtone();
  phoneStore.subscribe(
    (s) => s.order.some((id) => s.calls[id]?.state === 'ringing'),
    (ringing) => (ringing ? ringtone.start() : ringtone.stop()),
  );
  // A pop lives as long as its call is on screen.
  phoneStore.subscribe(
    (s) => s.order,
    (order) => {
      for (const id of Object.keys(popStore.getState().pops)) if (!order.includes(id)) popStore.getState().drop(id);
    },
  );

  const root = createRoot(document.getElementById('root') as HTMLElement);
  let settings;
  try {
    const [s, app, cache] = await Promise.all([unwrap(api.settings.get()), unwrap(api.app.info()), unwrap(api.cache.status())]);
    settings = s;
    settingsStore.getState().set({ settings: s, app, cache });
  } catch (e) {
    await initI18n(pickLocale(null, navigator.languages));
    root.render(<p className="fatal">{i18next.t('bridge.error', { error: (e as Error).message })}</p>);
    return;
  }
  await initI18n(pickLocale(settings.locale, navigator.languages));
  api.on('settings.changed', (s) => {
    settingsStore.getState().set({ settings: s });
    void setLocale(pickLocale(s.locale, navigator.languages));
  });
  api.on('cache.changed', (cache) => settingsStore.getState().set({ cache }));

  const connect = async () => {
    const s = await unwrap(api.settings.get());
    settingsStore.getState().set({ settings: s });
    if (!s.account) return;
    const { password } = await unwrap(api.sip.credentials());
    await phone.start(s.account, password);
  };
  const deps: AppDeps = { api, phone, phoneStore, popStore, settingsStore, connect };
  if (settings.account) void connect();
  window.addEventListener('beforeunload', () => void phone.stop());

  root.render(
    <StrictMode>
      <AppProvider deps={deps}>
        <App />
      </AppProvider>
    </StrictMode>,
  );
}

void boot();
