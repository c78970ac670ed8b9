import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { SessionInfo } from '../../shared/domain/session';
import { IpcError, unwrap } from '../bridge/api';
import { useDeps, useSessionState } from '../app-context';
import './session.css';

/** Why the agent sees this screen, in plain words: a session that ended, a failed attempt, a backend that is starting. */
function notice(s: SessionInfo, t: TFunction): { text: string; detail?: string; alert: boolean } | null {
  if (s.error) return { text: t(`signIn.error.${s.error.code}`), ...(s.error.detail ? { detail: s.error.detail } : {}), alert: true };
  if (s.ended) return { text: t(`signIn.ended.${s.ended}`), alert: true };
  if (s.backend.mode === 'embedded' && s.backend.state === 'starting') return { text: t('signIn.starting'), alert: false };
  return null;
}

/** Sign in to the backend: one password brings the customer cache and the SIP account. */
export function SignIn() {
  const { t } = useTranslation();
  const { api } = useDeps();
  const session = useSessionState((s) => s.session);
  const [where, setWhere] = useState<'embedded' | 'remote'>(session?.backend.mode === 'remote' ? 'remote' : 'embedded');
  const [url, setUrl] = useState(session?.backend.mode === 'remote' ? (session.backend.url ?? '') : '');
  const [username, setUsername] = useState(session?.user?.username ?? '');
  const [password, setPassword] = useState('');
  const [formError, setFormError] = useState<string>();
  const id = useId();
  if (!session) return null;
  const busy = session.status === 'signing_in';
  const n = notice(session, t);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(undefined);
    try {
      await unwrap(api.session.signIn({ backendUrl: where === 'embedded' ? null : url.trim(), username: username.trim(), password }));
      setPassword('');
    } catch (err) {
      setFormError(err instanceof IpcError && err.issues.length ? t('signIn.invalid', { issues: err.issues.join('; ') }) : (err as Error).message);
    }
  };

  const demo = async () => {
    setFormError(undefined);
    try {
      await unwrap(api.session.signInDemo());
    } catch (err) {
      setFormError((err as Error).message);
    }
  };

  return (
    <form className="card sign-in" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`} data-testid="sign-in">
      <h2 id={`${id}-title`}>{t('signIn.title')}</h2>
      <p className="muted">{t('signIn.intro')}</p>
      {n ? (
        <div className={n.alert ? 'form-error sign-in-notice' : 'notice sign-in-notice'} role={n.alert ? 'alert' : 'status'} data-testid="sign-in-notice">
          {n.text}
          {n.detail ? <div className="problem-detail">{t('problem.detail', { detail: n.detail })}</div> : null}
        </div>
      ) : null}
      <fieldset className="sign-in-where">
        <legend>{t('signIn.server')}</legend>
        <label>
          <input type="radio" name="where" checked={where === 'embedded'} onChange={() => setWhere('embedded')} /> {t('signIn.builtIn')}
        </label>
        <label>
          <input type="radio" name="where" checked={where === 'remote'} onChange={() => setWhere('remote')} /> {t('signIn.remote')}
        </label>
      </fieldset>
      {where === 'remote' ? (
        <div className="field">
          <label htmlFor={`${id}-url`}>{t('signIn.url')}</label>
          <input id={`${id}-url`} type="url" value={url} required spellCheck={false} autoComplete="url" aria-describedby={`${id}-url-hint`} onChange={(e) => setUrl(e.target.value)} />
          <div className="hint" id={`${id}-url-hint`}>
            {t('signIn.urlHint')}
          </div>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-user`}>{t('signIn.username')}</label>
        <input id={`${id}-user`} value={username} required spellCheck={false} autoComplete="username" onChange={(e) => setUsername(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>{t('signIn.password')}</label>
        <input id={`${id}-password`} type="password" value={password} required autoComplete="current-password" onChange={(e) => setPassword(e.target.value)} />
      </div>
      {formError ? (
        <div className="form-error" role="alert">
          {formError}
        </div>
      ) : null}
      <div className="actions">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? t('signIn.signingIn') : t('signIn.submit')}
        </button>
        {where === 'embedded' && session.demoUser ? (
          <button className="btn btn-quiet" type="button" disabled={busy} onClick={() => void demo()}>
            {t('signIn.demo', { user: session.demoUser })}
          </button>
        ) : null}
      </div>
      <p className="hint">{t('signIn.sipNote')}</p>
    </form>
  );
}
