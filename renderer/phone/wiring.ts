// Connects the phone to the rest of the app: the agent state machine, the ringer, the audio devices,
// desktop notifications, screen-reader announcements, and the desktop shell (OS links, global hotkeys,
// power events). Called once by main.tsx; returns a function that undoes all of it.
import { shallow } from 'zustand/shallow';
import type { LianluoBridge } from '../../shared/ipc';
import { unwrap } from '../bridge/api';
import type { AudioDevices } from '../audio/devices';
import { acceptsCall, type AgentStore } from '../stores/agent-store';
import { isEngaged, liveCalls, phoneSummary, type CallSnapshot, type PhoneStore } from '../stores/phone-store';
import type { PopStore } from '../stores/pop-store';
import type { SettingsStore } from '../stores/settings-store';
import type { CallUiStore } from './call-ui';
import { runCommand } from './commands';
import { watchConnectivity } from './connectivity';
import { setRemoteAudioSink } from './media';
import type { Phone } from './phone';
import type { Ringtone } from './ringtone';
import { afterNextPaint } from '../lib/after-paint';

export interface WiringDeps {
  api: LianluoBridge;
  transport: 'electron' | 'web';
  phone: Phone;
  phoneStore: PhoneStore;
  agentStore: AgentStore;
  popStore: PopStore;
  settingsStore: SettingsStore;
  callUi: CallUiStore;
  audio: AudioDevices;
  ringtone: Ringtone;
  t(key: string, params?: Record<string, string>): string;
  /** The wrap-up limit of the agent's team from the backend (issue 4); null: use the local setting. */
  wrapUpLimit?: { seconds(): number | null; subscribe(onChange: () => void): () => void };
}

/** Who is on the line, in words: the customer on screen, else the network's display name, else the number. */
export function callerName(call: CallSnapshot, pops: PopStore): string {
  const pop = pops.getState().pops[call.id];
  const customer = pop?.result?.customers.find((c) => c.id === pop.selectedId)?.name;
  return customer || call.displayName || call.number;
}

/** Whether a new call may ring now, by the agent's state and the team's policy. */
export function admitsCalls(agentStore: AgentStore, settingsStore: SettingsStore): boolean {
  return acceptsCall(agentStore.getState().state, settingsStore.getState().settings?.phone.whenNotReady ?? 'busy');
}

export function wireCalls(d: WiringDeps): () => void {
  const offs: (() => void)[] = [];
  const { phoneStore, agentStore, callUi } = d;

  // Phone → agent state machine; time → wrap-up end; settings → wrap-up length, DTMF mode, devices.
  offs.push(phoneStore.subscribe((s) => phoneSummary(s), (p) => agentStore.getState().dispatch({ type: 'phone', phone: p, at: Date.now() }), { equalityFn: shallow, fireImmediately: true }));
  const tick = setInterval(() => agentStore.getState().dispatch({ type: 'tick', at: Date.now() }), 1000);
  offs.push(() => clearInterval(tick));
  const applySettings = () => {
    const s = d.settingsStore.getState().settings;
    if (!s) return;
    agentStore.getState().dispatch({ type: 'configure', wrapUpMs: (d.wrapUpLimit?.seconds() ?? s.phone.wrapUpSeconds) * 1000, at: Date.now() });
    d.phone.setDtmfMode(s.phone.dtmfMode);
    d.audio.setPrefs(s.audio);
  };
  applySettings();
  offs.push(d.settingsStore.subscribe(applySettings));
  if (d.wrapUpLimit) offs.push(d.wrapUpLimit.subscribe(applySettings));

  // Devices: a new choice, or one unplugged / plugged back, applies at once, also in a call.
  offs.push(
    d.audio.onChange((now, before) => {
      if (now.microphone.deviceId !== before.microphone.deviceId) void d.phone.applyMicrophone();
      if (now.speaker.deviceId !== before.speaker.deviceId) void setRemoteAudioSink(now.speaker.deviceId);
      if (now.ringer.deviceId !== before.ringer.deviceId) void d.ringtone.setSink(now.ringer.deviceId);
    }),
  );
  offs.push(d.audio.start());
  void d.ringtone.setSink(d.audio.ringer());

  // The ringer: full ring when free, a soft call-waiting beep when already on a call. It stops at once and
  // starts after the ringing call has painted (WebAudio set-up took ~2 ms of the screen pop's frame); a
  // change in between (answered, ended) cancels the start.
  let ringerMode: 'full' | 'waiting' | 'off' = 'off';
  offs.push(
    phoneStore.subscribe(
      (s) => {
        const live = liveCalls(s);
        return live.some((c) => c.state === 'ringing') ? (live.some(isEngaged) ? 'waiting' : 'full') : 'off';
      },
      (mode) => {
        ringerMode = mode;
        d.ringtone.stop();
        if (mode !== 'off') {
          afterNextPaint(() => {
            if (ringerMode === mode) d.ringtone.start(mode);
          });
        }
      },
    ),
  );

  // Desktop notification with Answer while the window is hidden (Electron: the main process decides; a
  // browser: the Notifications API when the page is hidden).
  const shown = new Map<string, Notification | null>();
  offs.push(
    phoneStore.subscribe(
      (s) => liveCalls(s).filter((c) => c.state === 'ringing').map((c) => c.id),
      (ringing) => {
        for (const id of ringing) {
          if (shown.has(id)) continue;
          const call = phoneStore.getState().calls[id];
          if (!call) continue;
          // Runs in the ringing call's own task: the text is made only for a notification that will be shown.
          const body = () => `${callerName(call, d.popStore) || d.t('call.unknownCaller')} · ${d.t('notify.clickToAnswer')}`;
          shown.set(id, null);
          if (d.transport === 'electron') {
            void d.api.shell.notifyIncoming({ callId: id, title: d.t('call.incoming'), body: body(), answerLabel: d.t('call.answer') });
          } else if (typeof Notification !== 'undefined' && document.visibilityState === 'hidden' && Notification.permission === 'granted') {
            const n = new Notification(d.t('call.incoming'), { body: body(), tag: id, requireInteraction: true });
            n.onclick = () => {
              window.focus();
              void d.phone.answer(id);
              n.close();
            };
            shown.set(id, n);
          }
        }
        for (const [id, n] of shown) {
          if (ringing.includes(id)) continue;
          shown.delete(id);
          n?.close();
          if (d.transport === 'electron') void d.api.shell.dismissNotification({ callId: id });
        }
      },
      { equalityFn: shallow },
    ),
  );

  // Keep the app from being suspended by the OS while a call is live (Electron).
  if (d.transport === 'electron') {
    offs.push(phoneStore.subscribe((s) => liveCalls(s).length > 0, (inCall) => void d.api.shell.setInCall({ inCall })));
  }

  // Screen-reader announcements for call events and agent states.
  let before: Record<string, CallSnapshot> = {};
  offs.push(
    phoneStore.subscribe(
      (s) => s.calls,
      (calls) => {
        const say = callUi.getState().announce;
        for (const c of Object.values(calls)) {
          const p = before[c.id];
          const who = callerName(c, d.popStore) || d.t('call.unknownCaller');
          if (!p) {
            if (c.state === 'ringing') say(c.context ? 'announce.incomingTransfer' : 'announce.incoming', { who });
            else if (c.state === 'dialing') say('announce.dialing', { who });
            continue;
          }
          if (p.state !== c.state) {
            if (c.state === 'active' && p.state === 'held') say('announce.resumed', { who });
            else if (c.state === 'active') say('announce.connected', { who });
            else if (c.state === 'held') say('announce.held', { who });
            else if (c.state === 'ended') say(`announce.ended.${c.endReason ?? 'hangup_remote'}`, { who });
          } else if (p.muted !== c.muted) say(c.muted ? 'announce.muted' : 'announce.unmuted');
          else if (p.remoteHold !== c.remoteHold) say(c.remoteHold ? 'announce.remoteHold' : 'announce.remoteResume', { who });
          if (c.transfer?.state === 'failed' && p.transfer?.state !== 'failed') say('announce.transferFailed', { who });
        }
        before = calls;
      },
    ),
  );
  offs.push(
    phoneStore.subscribe(
      (s) => s.registration,
      (reg, prev) => {
        if (reg === 'registered' && prev !== 'connecting' && prev !== 'unconfigured') callUi.getState().announce('announce.reconnected');
        else if (prev === 'registered' && reg !== 'unconfigured') callUi.getState().announce('announce.disconnected');
      },
    ),
  );
  offs.push(
    agentStore.subscribe(
      (s) => s.state,
      (state) => callUi.getState().announce('announce.agentState', { state: d.t(`agent.${state}`) }),
    ),
  );

  // The desktop shell: tel:/sip: links (also those that started the app), global hotkeys, notification Answer.
  const openLink = (url: string) => callUi.getState().openDial(url, true);
  offs.push(d.api.on('shell.link', ({ url }) => openLink(url)));
  void unwrap(d.api.shell.takeLinks())
    .then(({ links }) => links.forEach((l) => openLink(l.url)))
    .catch(() => undefined);
  offs.push(
    d.api.on('shell.command', ({ command, callId }) => {
      void runCommand(command, { phone: d.phone, phoneStore, ui: callUi }, callId);
    }),
  );

  offs.push(
    watchConnectivity(d.phone, d.api, {
      onSuspend: () => agentStore.getState().dispatch({ type: 'suspend', at: Date.now() }),
    }),
  );

  return () => {
    for (const off of offs.reverse()) off();
  };
}
