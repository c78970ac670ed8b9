// "My team": a team lead's view of their team (supervisors; admins choose a team), every member with
// state, Not Ready reason and time in state, updated live. Shown only to supervisors and admins.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import { useDeps, useSessionState } from '../app-context';
import { isLead, reasonLabelIn } from '../stores/presence-store';
import { useNow } from './call-hooks';
import { clock } from './format';
import './team.css';

export function TeamPanel() {
  const role = useSessionState((s) => s.session?.user?.role);
  if (!isLead(role)) return null;
  return <TeamList />;
}

function TeamList() {
  const { t, i18n } = useTranslation();
  const { presenceStore } = useDeps();
  const view = useStore(presenceStore, (s) => s.team);
  const id = useId();
  const now = useNow();
  const team = view?.team ?? null;
  const offset = view?.clockOffsetMs ?? 0;
  return (
    <section className="card team" aria-label={t('team.title')} data-testid="team-panel">
      <h2>
        {t('team.title')} {team ? <span className="muted">· {team.teamName}</span> : null}{' '}
        <span className={view?.live ? 'pill pill-ready' : 'pill pill-offline'} data-testid="team-live">
          {view?.live ? t('team.live') : t('team.notLive')}
        </span>
      </h2>
      {view && view.teams.length > 1 ? (
        <p>
          <label htmlFor={`${id}-team`}>{t('team.choose')}</label>{' '}
          <select id={`${id}-team`} value={team?.teamId ?? ''} onChange={(e) => void presenceStore.getState().selectTeam(Number(e.target.value))} data-testid="team-choice">
            {view.teams.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      {view?.error ? (
        <p className="muted" role="status">
          {t('team.error', { error: view.error })}
        </p>
      ) : null}
      {!team ? <p className="muted">{t('team.none')}</p> : null}
      {team ? (
        <table className="team-table" data-testid="team-members">
          <thead>
            <tr>
              <th scope="col">{t('team.member')}</th>
              <th scope="col">{t('team.state')}</th>
              <th scope="col">{t('team.reason')}</th>
              <th scope="col">{t('team.time')}</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((m) => {
              const p = m.presence;
              return (
                <tr key={m.userId} data-testid="team-member" data-username={m.username} data-state={p?.state ?? 'unknown'}>
                  <th scope="row">{m.displayName}</th>
                  <td>
                    <span className={`pill pill-${p?.state ?? 'offline'}`} data-testid="team-member-state">
                      {p ? t(`agent.${p.state}`) : t('team.never')}
                    </span>
                  </td>
                  <td data-testid="team-member-reason">{p?.state === 'not_ready' && p.reasonId ? reasonLabelIn(team.reasons, p.reasonId, i18n.language) : ''}</td>
                  <td data-testid="team-member-time">{p ? clock(now + offset - p.since) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
