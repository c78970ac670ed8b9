import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { HOTKEY_ACTIONS, type HotkeyAction, type PhonePrefs } from '../../shared/domain/settings';
import { unwrap } from '../bridge/api';
import { useAudioDevices, useDeps, useSettingsState } from '../app-context';
import type { DeviceRole, Resolved } from '../audio/devices';
import { SHORTCUTS } from '../phone/commands';

/** Audio devices (microphone, speaker, a separate ringer), call policy, DTMF and keyboard shortcuts. */
export function PhoneSettings() {
  const { t } = useTranslation();
  return (
    <details className="card phone-settings" data-testid="phone-settings">
      <summary>{t('settings.title')}</summary>
      <AudioDeviceSettings />
      <CallPolicySettings />
      <Shortcuts />
    </details>
  );
}

function AudioDeviceSettings() {
  const { t } = useTranslation();
  const { audio, ringtone, callUi } = useDeps();
  const st = useAudioDevices((s) => s);
  const act = (fn: () => Promise<void>) => void fn().catch((e: unknown) => callUi.getState().fail('error.deviceFailed', e instanceof Error ? e.message : String(e)));
  const select = (role: DeviceRole, list: { deviceId: string; label: string }[], r: Resolved, disabled = false) => (
    <DeviceSelect
      role={role}
      list={list}
      resolved={r}
      disabled={disabled}
      chosen={st.prefs[role]?.deviceId ?? ''}
      onChoose={(deviceId) => act(() => audio.choose(role, deviceId))}
    />
  );
  return (
    <section className="devices" aria-label={t('devices.title')}>
      <h3>{t('devices.title')}</h3>
      {st.labelsHidden ? (
        <p className="notice">
          {t('devices.namesHidden')}{' '}
          <button type="button" className="btn btn-link" onClick={() => act(() => audio.revealLabels())}>
            {t('devices.showNames')}
          </button>
        </p>
      ) : null}
      {select('microphone', st.inputs, st.resolved.microphone)}
      {select('speaker', st.outputs, st.resolved.speaker, !st.canChooseOutput)}
      {select('ringer', st.outputs, st.resolved.ringer, !st.canChooseOutput)}
      {!st.canChooseOutput ? <p className="muted">{t('devices.noOutputChoice')}</p> : null}
      <button type="button" className="btn btn-quiet" onClick={() => ringtone.test()}>
        {t('devices.testRinger')}
      </button>
    </section>
  );
}

function DeviceSelect(p: { role: DeviceRole; list: { deviceId: string; label: string }[]; resolved: Resolved; chosen: string; disabled: boolean; onChoose(id: string): void }) {
  const { t } = useTranslation();
  const id = useId();
  const present = p.list.some((d) => d.deviceId === p.resolved.deviceId);
  return (
    <div className="field">
      <label htmlFor={id}>{t(`devices.${p.role}`)}</label>
      <select id={id} value={present ? p.resolved.deviceId : ''} disabled={p.disabled} onChange={(e) => p.onChoose(e.target.value)} data-testid={`device-${p.role}`}>
        <option value="">{p.role === 'ringer' ? t('devices.sameAsSpeaker') : t('devices.systemDefault')}</option>
        {p.list.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || t('devices.unnamed', { n: i + 1 })}
          </option>
        ))}
      </select>
      {p.resolved.status === 'missing' ? (
        <div className="notice" role="status" data-testid={`device-${p.role}-missing`}>
          {t('devices.missing', { device: p.resolved.label || t('devices.unnamed', { n: 1 }) })}
        </div>
      ) : null}
    </div>
  );
}

function CallPolicySettings() {
  const { t } = useTranslation();
  const { api, callUi } = useDeps();
  const phone = useSettingsState((s) => s.settings?.phone);
  const id = useId();
  const [wrap, setWrap] = useState<string | undefined>(undefined);
  if (!phone) return null;
  const save = (patch: Partial<PhonePrefs>) =>
    void unwrap(api.settings.update({ phone: patch })).catch((e: unknown) => callUi.getState().fail('error.settingsFailed', e instanceof Error ? e.message : String(e)));
  const commitWrap = () => {
    if (wrap === undefined) return;
    const n = Number(wrap);
    if (Number.isInteger(n) && n >= 0 && n <= 1800) save({ wrapUpSeconds: n });
    setWrap(undefined);
  };
  return (
    <section className="policy" aria-label={t('policy.title')}>
      <h3>{t('policy.title')}</h3>
      <div className="field">
        <label htmlFor={`${id}-dtmf`}>{t('policy.dtmf')}</label>
        <select id={`${id}-dtmf`} value={phone.dtmfMode} onChange={(e) => save({ dtmfMode: e.target.value as PhonePrefs['dtmfMode'] })}>
          <option value="rfc4733">{t('dtmf.mode.rfc4733')}</option>
          <option value="info">{t('dtmf.mode.info')}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-wrap`}>{t('policy.wrapUp')}</label>
        <input
          id={`${id}-wrap`}
          type="number"
          min={0}
          max={1800}
          step={5}
          value={wrap ?? String(phone.wrapUpSeconds)}
          onChange={(e) => setWrap(e.target.value)}
          onBlur={commitWrap}
          onKeyDown={(e) => e.key === 'Enter' && commitWrap()}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-busy`}>{t('policy.whenNotReady')}</label>
        <select id={`${id}-busy`} value={phone.whenNotReady} onChange={(e) => save({ whenNotReady: e.target.value as PhonePrefs['whenNotReady'] })}>
          <option value="busy">{t('policy.busy')}</option>
          <option value="ring">{t('policy.ring')}</option>
        </select>
      </div>
    </section>
  );
}

function Shortcuts() {
  const { t } = useTranslation();
  const { api, callUi } = useDeps();
  const transport = useSettingsState((s) => s.app?.transport);
  const hotkeys = useSettingsState((s) => s.settings?.hotkeys);
  const [draft, setDraft] = useState<Partial<Record<HotkeyAction, string>>>({});
  const save = (a: HotkeyAction) => {
    const v = draft[a];
    if (v === undefined) return;
    void unwrap(api.settings.update({ hotkeys: { [a]: v.trim() ? v.trim() : null } }))
      .then(() => setDraft((d) => ({ ...d, [a]: undefined })))
      .catch(() => callUi.getState().fail('error.hotkeyInvalid'));
  };
  return (
    <section className="shortcuts" aria-label={t('shortcuts.title')}>
      <h3>{t('shortcuts.title')}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('shortcuts.action')}</th>
            <th scope="col">{t('shortcuts.inApp')}</th>
            {transport === 'electron' ? <th scope="col">{t('shortcuts.global')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {(Object.keys(SHORTCUTS) as (keyof typeof SHORTCUTS)[]).map((a) => (
            <tr key={a}>
              <th scope="row">{t(`shortcuts.${a}`)}</th>
              <td>
                <kbd>{SHORTCUTS[a].label}</kbd>
              </td>
              {transport === 'electron' ? (
                <td>
                  {(HOTKEY_ACTIONS as readonly string[]).includes(a) && hotkeys ? (
                    <input
                      aria-label={t('shortcuts.globalFor', { action: t(`shortcuts.${a}`) })}
                      value={draft[a as HotkeyAction] ?? hotkeys[a as HotkeyAction] ?? ''}
                      placeholder={t('shortcuts.none')}
                      maxLength={64}
                      onChange={(e) => setDraft((d) => ({ ...d, [a]: e.target.value }))}
                      onBlur={() => save(a as HotkeyAction)}
                    />
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {transport !== 'electron' ? <p className="muted">{t('shortcuts.globalOnlyDesktop')}</p> : null}
    </section>
  );
}
