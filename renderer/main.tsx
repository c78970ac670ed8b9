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
import { AudioDevices } from './audio/devices';
import { navigatorHid, wireHeadset } from './headset/headset-wiring';
import { createCallUiStore } from './phone/call-ui';
import { Phone } from './phone/phone';
import { Ringtone } from './phone/ringtone';
import { admitsCalls, wireCalls } from './phone/wiring';
import { createAgentStore } from './stores/agent-store';
import { createHeadsetStore } from './stores/headset-store';
import { createPhoneStore } from './stores/phone-store';
import { createOutboxStore, wireOutbox, wrapUpLimitOf } from './stores/outbox-store';
import { createPopStore } from './stores/pop-store';
import { prefetchingLookup } from './stores/lookup-prefetch';
import { createPresenceStore, wirePresence } from './stores/presence-store';
import { createSettingsStore } from './stores/settings-store';
import { createSessionStore, needsSignIn, wireSession } from './stores/session-store';
import './styles.css';

async function boot() {
  const api = window.lianluo ?? createWebBridge();
  const settingsStore = createSettingsStore();
  const phoneStore = createPhoneStore();
  const outboxStore = createOutboxStore(api);
  const lookups = prefetchingLookup((ani) => unwrap(api.customers.lookup({ ani })));
  const popStore = createPopStore({ lookup: lookups.lookup, context: (customerId) => outboxStore.getState().context(customerId) });
  const agentStore = createAgentStore();
  const callUi = createCallUiStore();
  const audio = new AudioDevices({ save: (patch) => unwrap(api.settings.update({ audio: patch })).then(() => undefined) });
  const ringtone = new Ringtone();
  const phone = new Phone(
    phoneStore,
    {
      // The pop starts on the INVITE, before the UI even knows a call rings. A transferred call pops the
      // customer the first agent had (by the caller's number, preferring the same record).
      onIncoming: (callId, number, context) => {
        const asked = performance.now();
        return popStore
          .getState()
          .start(callId, number, context ? { fromInteraction: context.interactionId, ...(context.customerId ? { preferCustomerId: context.customerId } : {}) } : {})
          .then(() => performance.measure('lianluo.pop.lookup', { start: asked, end: performance.now(), detail: { callId } }));
      },
      prefetch: lookups.prefetch,
      onOutgoing: (callId, number, customerId) => void popStore.getState().start(callId, number, customerId ? { preferCustomerId: customerId } : {}),
      admit: () => admitsCalls(agentStore, settingsStore),
      customerFor: (callId) => popStore.getState().pops[callId]?.selectedId,
    },
    { media: audio },
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
  // Issue 3: the backend sign-in and the cache sync. The phone runs only while the workspace is open.
  const sessionStore = createSessionStore();
  await wireSession({ api, store: sessionStore, onWorkspace: () => void connect(), onSignInScreen: () => void phone.stop() });
  wireCalls({
    api,
    transport: settingsStore.getState().app?.transport ?? 'web',
    phone,
    phoneStore,
    agentStore,
    popStore,
    settingsStore,
    callUi,
    audio,
    ringtone,
    t: (k, p) => i18next.t(k, p ?? {}),
    wrapUpLimit: wrapUpLimitOf(outboxStore),
  });
  // Issue 4: every call's record, wrap-ups, my callbacks, the outbox's status.
  wireOutbox({ api, store: outboxStore, phoneStore, popStore, announce: (k, p) => callUi.getState().announce(k, p), t: (k, p) => i18next.t(k, p ?? {}) });
  // Issue 5: the agent's presence to the backend, the team's Not Ready reasons, a lead's team.
  const presenceStore = createPresenceStore(api);
  wirePresence({ api, store: presenceStore, agentStore, sessionStore });
  // The USB headset: its buttons drive the phone, the phone drives its lights (renderer/headset/).
  const headsetStore = createHeadsetStore();
  const headset = wireHeadset({
    hid: navigatorHid(),
    offerConnect: settingsStore.getState().app?.transport !== 'electron',
    phone,
    phoneStore,
    headsetStore,
    settingsStore,
    save: (deviceId) => unwrap(api.settings.update({ headset: { deviceId } })).then(() => undefined),
    onCommandFailed: (_c, detail) => callUi.getState().fail('error.actionFailed', detail),
    log: (m) => console.info(`[headset] ${m}`),
  });
  const deps: AppDeps = { api, phone, phoneStore, popStore, settingsStore, agentStore, callUi, audio, ringtone, headsetStore, headset: headset.actions, sessionStore, outboxStore, presenceStore, connect };
  if (settings.account && !needsSignIn(sessionStore.getState().session)) void connect();
  window.addEventListener('beforeunload', () => {
    void headset.stop();
    void phone.stop();
  });

  root.render(
    <StrictMode>
      <AppProvider deps={deps}>
        <App />
      </AppProvider>
    </StrictMode>,
  );
}

void boot();
