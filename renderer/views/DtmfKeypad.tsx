import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps, useSettingsState } from '../app-context';
import type { CallSnapshot } from '../stores/phone-store';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** DTMF during a call (IVRs, PINs): RFC 4733 or SIP INFO as the account's setting says. Digits typed on the keyboard work too. */
export function DtmfKeypad({ call }: { call: CallSnapshot }) {
  const { t } = useTranslation();
  const { phone, callUi } = useDeps();
  const mode = useSettingsState((s) => s.settings?.phone.dtmfMode ?? 'rfc4733');
  const send = (d: string) => void phone.sendDtmf(call.id, d).catch((e: unknown) => callUi.getState().fail('error.dtmfFailed', e instanceof Error ? e.message : String(e)));
  const onKey = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (/^[0-9*#]$/.test(e.key)) {
      e.preventDefault();
      send(e.key);
    }
  };
  return (
    <div className="dtmf" role="group" aria-label={t('dtmf.title')} onKeyDown={onKey} data-testid="dtmf-keypad">
      <div className="keys">
        {KEYS.map((k) => (
          <button key={k} type="button" className="key" onClick={() => send(k)} aria-label={t('dtmf.key', { key: k })}>
            {k}
          </button>
        ))}
      </div>
      <p className="muted">
        {t('dtmf.sent')}: <span data-testid="dtmf-sent">{call.dtmf ?? ''}</span> · {t(`dtmf.mode.${mode}`)}
      </p>
    </div>
  );
}
