import { memo, useEffect, useId, useRef, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCallUi, useDeps, usePhoneState } from '../app-context';
import { useDialer } from './call-hooks';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/**
 * Outbound calls: a number, an extension or a SIP address; filled by tel:/sip: links from the OS for the agent to confirm.
 * Memoised: it has no props, and the call panel around it re-renders with every call change (a ringing call included).
 */
export const DialPad = memo(function DialPad() {
  const { t } = useTranslation();
  const { callUi } = useDeps();
  const id = useId();
  const value = useCallUi((s) => s.dialValue);
  const fromLink = useCallUi((s) => s.dialFromLink);
  const focus = useCallUi((s) => s.dialFocus);
  const open = useCallUi((s) => s.dialOpen);
  const registered = usePhoneState((s) => s.registration === 'registered');
  const dial = useDialer();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focus > 0) input.current?.focus();
  }, [focus]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await dial(value, fromLink ? 'link' : 'typed')) callUi.getState().closeDial();
  };

  return (
    <form className="card dial-pad" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="dial-pad">
      <h3 id={`${id}-title`}>{t('dial.title')}</h3>
      {fromLink ? <p className="notice">{t('dial.fromLink')}</p> : null}
      <div className="field">
        <label htmlFor={`${id}-number`}>{t('dial.number')}</label>
        <input
          id={`${id}-number`}
          ref={input}
          value={value}
          maxLength={512}
          inputMode="tel"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => callUi.getState().setDialValue(e.target.value)}
        />
      </div>
      <div className="keys" role="group" aria-label={t('dial.keys')}>
        {KEYS.map((k) => (
          <button key={k} type="button" className="key" onClick={() => callUi.getState().setDialValue(value + k)} aria-label={t('dial.key', { key: k })}>
            {k}
          </button>
        ))}
      </div>
      <div className="actions">
        <button className="btn btn-answer" type="submit" disabled={!registered || !value.trim()}>
          {t('dial.call')}
        </button>
        {open ? (
          <button className="btn btn-quiet" type="button" onClick={() => callUi.getState().closeDial()}>
            {t('dial.close')}
          </button>
        ) : null}
      </div>
    </form>
  );
});
