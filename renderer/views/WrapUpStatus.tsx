// The outbox in one line, always visible: online or offline, how many saved items wait and for how
// long, the last error in plain words, and "Send now". Items of another agent who used this desktop are
// counted apart (they go when that agent signs in again).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { TFunction } from 'i18next';
import { useDeps } from '../app-context';
import { useNow } from './call-hooks';
import './wrapup.css';

export function age(t: TFunction, since: number, now: number): string {
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return t('outbox.ageSeconds', { count: s });
  if (s < 3600) return t('outbox.ageMinutes', { count: Math.floor(s / 60) });
  if (s < 86_400) return t('outbox.ageHours', { count: Math.floor(s / 3600) });
  return t('outbox.ageDays', { count: Math.floor(s / 86_400) });
}

export function WrapUpStatus() {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const s = useStore(outboxStore, (x) => x.status);
  const now = useNow(!!s && (s.pending > 0 || s.retryAt !== null));
  if (!s) return null;
  const net = !s.signedIn ? 'signedOut' : s.online === false ? 'offline' : s.online ? 'online' : 'unknown';
  return (
    <div
      className={`outbox-status outbox-${net}`}
      data-testid="outbox-status"
      data-online={net}
      data-pending={s.pending}
      data-attention={s.needsAttention}
      role="status"
      aria-label={t('outbox.label')}
    >
      <span className={`outbox-net outbox-net-${net}`} data-testid="outbox-net">
        {t(`outbox.net.${net}`)}
      </span>
      <span className="outbox-waiting" data-testid="outbox-waiting">
        {s.pending > 0 ? t('outbox.waiting', { count: s.pending, age: s.oldestAt !== null ? age(t, s.oldestAt, now) : '' }) : t('outbox.allSent')}
      </span>
      {s.waitingForOthers > 0 ? <span className="muted">{t('outbox.others', { count: s.waitingForOthers })}</span> : null}
      {s.needsAttention > 0 ? (
        <a className="outbox-attention" href="#needs-attention" data-testid="outbox-attention-link">
          {t('outbox.attention', { count: s.needsAttention })}
        </a>
      ) : null}
      {s.lastError && s.pending > 0 ? (
        <span className="outbox-error" data-testid="outbox-error">
          {t('outbox.lastError', { message: s.lastError.message })}
          {s.retryAt !== null ? ` ${t('outbox.retryIn', { s: Math.max(0, Math.ceil((s.retryAt - now) / 1000)) })}` : ''}
        </span>
      ) : null}
      {s.pending > 0 && s.signedIn ? (
        <button type="button" className="btn btn-link" onClick={() => void outboxStore.getState().pushNow()}>
          {t('outbox.sendNow')}
        </button>
      ) : null}
    </div>
  );
}

/** Sign out, after a warning when saved work has not been delivered yet (it stays and goes at the next sign-in). */
export function SignOutButton({ onSignOut, label }: { onSignOut(): void; label: string }) {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const pending = useStore(outboxStore, (x) => x.status?.pending ?? 0);
  const [asking, setAsking] = useState(false);
  if (asking && pending > 0) {
    return (
      <span className="outbox-leave" role="alertdialog" aria-label={t('outbox.leaveTitle')} data-testid="signout-warning">
        <span>{t('outbox.leaveWarning', { count: pending })}</span>
        <button type="button" className="btn btn-quiet" onClick={() => setAsking(false)}>
          {t('outbox.stay')}
        </button>
        <button
          type="button"
          className="btn btn-link"
          onClick={() => {
            setAsking(false);
            onSignOut();
          }}
        >
          {t('outbox.leaveAnyway')}
        </button>
      </span>
    );
  }
  return (
    <button type="button" className="btn btn-quiet session-signout" onClick={() => (pending > 0 ? setAsking(true) : onSignOut())}>
      {label}
    </button>
  );
}
