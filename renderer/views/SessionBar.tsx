import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { SyncStatus } from '../../shared/domain/session';
import { unwrap } from '../bridge/api';
import { useDeps, useSessionState } from '../app-context';
import { useNow } from './call-hooks';
import { count, mib } from './format';
import { SignOutButton } from './WrapUpStatus';
import './session.css';

/** "3 min ago", in the agent's language. */
function ago(t: TFunction, at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 10) return t('sync.justNow');
  if (s < 60) return t('sync.secondsAgo', { count: s });
  if (s < 3600) return t('sync.minutesAgo', { count: Math.floor(s / 60) });
  if (s < 86_400) return t('sync.hoursAgo', { count: Math.floor(s / 3600) });
  return t('sync.daysAgo', { count: Math.floor(s / 86_400) });
}

/** The cache sync, in plain words: how many customers, when last synced, a progress bar while loading, offline or error. */
export function SyncStatusView({ sync }: { sync: SyncStatus }) {
  const { t, i18n } = useTranslation();
  const { api } = useDeps();
  const now = useNow(sync.state === 'error' || sync.lastSyncedAt !== null);
  const loading = sync.progress && (sync.phase === 'initial' || sync.phase === 'rebuild');
  const pct = loading ? Math.round((sync.progress?.fraction ?? 0) * 100) : 0;
  return (
    <div className={`sync sync-${sync.state}`} data-testid="sync-status" data-state={sync.state} data-phase={sync.phase ?? ''} data-live={sync.live ? 'yes' : 'no'}>
      <span className="sync-count" data-testid="sync-customers">
        {t('sync.customers', { count: sync.customers, formatted: count(sync.customers, i18n.language) })}
      </span>
      {loading ? (
        <span className="sync-progress">
          <span data-testid="sync-progress-text">
            {sync.progress?.download
              ? t('sync.downloading', { received: mib(sync.progress.download.received, i18n.language), total: mib(sync.progress.download.total, i18n.language) })
              : t(sync.phase === 'rebuild' ? 'sync.rebuilding' : 'sync.loading', { rows: count(sync.progress?.rows ?? 0, i18n.language) })}
          </span>
          <progress max={100} value={pct} aria-label={t('sync.progressLabel')} data-testid="sync-progress">
            {pct}%
          </progress>
          <span>{pct}%</span>
        </span>
      ) : sync.state === 'syncing' ? (
        <span className="sync-when">{t('sync.updating')}</span>
      ) : sync.lastSyncedAt !== null ? (
        <span className="sync-when" data-testid="sync-last">
          {t('sync.lastSynced', { when: ago(t, sync.lastSyncedAt, now) })}
        </span>
      ) : null}
      {sync.state === 'idle' || sync.state === 'syncing' ? <span className={sync.live ? 'sync-live on' : 'sync-live'}>{t(sync.live ? 'sync.live' : 'sync.notLive')}</span> : null}
      {sync.state === 'error' && sync.error ? (
        <span className="sync-error" role="alert" data-testid="sync-error" data-kind={sync.error.kind}>
          <strong>{t(`sync.error.${sync.error.kind}`)}</strong>{' '}
          {sync.retryAt !== null ? <span>{t('sync.retryIn', { s: Math.max(0, Math.ceil((sync.retryAt - now) / 1000)) })} </span> : null}
          <button type="button" className="btn btn-link" onClick={() => void unwrap(api.sync.now())}>
            {t('sync.retryNow')}
          </button>
          <span className="problem-detail">{t('problem.detail', { detail: sync.error.detail })}</span>
        </span>
      ) : null}
    </div>
  );
}

/** Who is signed in, to which backend, the sync status, and Sign out. */
export function SessionBar() {
  const { t } = useTranslation();
  const { api } = useDeps();
  const session = useSessionState((s) => s.session);
  const sync = useSessionState((s) => s.sync);
  if (!session || session.backend.mode === 'off' || session.status !== 'signed_in') return null;
  const where = session.backend.mode === 'embedded' ? t('session.builtIn') : (session.backend.url ?? '');
  return (
    <div className="session-bar" data-testid="session-bar">
      <span className="session-user" data-testid="session-user">
        {t('session.signedInAs', { name: session.user?.displayName ?? '', where })}
      </span>
      {sync ? <SyncStatusView sync={sync} /> : null}
      <SignOutButton label={t('session.signOut')} onSignOut={() => void unwrap(api.session.signOut())} />
    </div>
  );
}
