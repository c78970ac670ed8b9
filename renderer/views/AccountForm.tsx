import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEMO_ACCOUNT } from '../../shared/domain/defaults';
import { IpcError, unwrap } from '../bridge/api';
import { useDeps, useSettingsState } from '../app-context';

export function AccountForm({ onDone }: { onDone?: () => void }) {
  const { t } = useTranslation();
  const { api, connect, phone } = useDeps();
  const settings = useSettingsState((s) => s.settings);
  const saved = settings?.account;
  const initial = saved ?? DEMO_ACCOUNT;
  const [wsUrl, setWsUrl] = useState(initial.wsUrl);
  const [sipUri, setSipUri] = useState(initial.sipUri);
  const [authUser, setAuthUser] = useState(initial.authUser);
  const [displayName, setDisplayName] = useState(initial.displayName);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(
        api.settings.saveAccount({ wsUrl, sipUri, authUser, displayName, ...(password || !settings?.hasPassword ? { password } : {}) }),
      );
      setPassword('');
      await connect();
      onDone?.();
    } catch (err) {
      setError(err instanceof IpcError && err.issues.length ? t('account.invalid', { issues: err.issues.join('; ') }) : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  };

  const forget = async () => {
    await phone.stop();
    await unwrap(api.settings.forgetAccount());
    onDone?.();
  };

  const field = (key: string, label: string, value: string, set: (v: string) => void, opts: { hint?: string; type?: string; required?: boolean; autoComplete?: string } = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        name={key}
        type={opts.type ?? 'text'}
        value={value}
        required={opts.required}
        autoComplete={opts.autoComplete ?? 'off'}
        spellCheck={false}
        aria-describedby={opts.hint ? `${id}-${key}-hint` : undefined}
        onChange={(e) => set(e.target.value)}
      />
      {opts.hint ? (
        <div className="hint" id={`${id}-${key}-hint`}>
          {opts.hint}
        </div>
      ) : null}
    </div>
  );

  return (
    <form className="card account-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('account.title')}</h2>
      <p className="muted">{t('account.intro')}</p>
      {!saved ? <p className="hint demo-hint">{t('account.demoHint')}</p> : null}
      {field('wsUrl', t('account.wsUrl'), wsUrl, setWsUrl, { hint: t('account.wsUrlHint'), required: true })}
      {field('sipUri', t('account.sipUri'), sipUri, setSipUri, { hint: t('account.sipUriHint'), required: true })}
      {field('authUser', t('account.authUser'), authUser, setAuthUser, { hint: t('account.authUserHint') })}
      {field('password', t('account.password'), password, setPassword, {
        type: 'password',
        autoComplete: 'current-password',
        ...(settings?.hasPassword ? { hint: t('account.passwordKept') } : {}),
      })}
      {field('displayName', t('account.displayName'), displayName, setDisplayName)}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="actions">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? t('account.saving') : t('account.save')}
        </button>
        {onDone && saved ? (
          <button className="btn btn-quiet" type="button" onClick={onDone}>
            {t('account.cancel')}
          </button>
        ) : null}
        {saved ? (
          <button className="btn btn-danger-quiet" type="button" onClick={() => void forget()}>
            {t('account.forget')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
