import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { AFTER_CALL_REASON, DEFAULT_NOT_READY_REASONS } from '../../shared/domain/agent-state';
import { useAgentState, useDeps } from '../app-context';
import { reasonLabelIn } from '../stores/presence-store';
import { useNow } from './call-hooks';
import { clock } from './format';

/** A built-in reason's label in the UI language (the configured ones: reasonLabelIn with the team's list). */
export function reasonLabel(id: string, language: string): string {
  return reasonLabelIn(DEFAULT_NOT_READY_REASONS, id, language);
}

/** Ask once, on a click, for browser notifications (the web host); Electron shows its own. */
function askForNotifications(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
}

/** The agent's state with the time in it, always visible; the choice for when no call needs them; "Not Ready after this call". */
export function AgentStateControl() {
  const { t, i18n } = useTranslation();
  const { agentStore, presenceStore } = useDeps();
  // The team's reasons as admins configured them (the last list the backend gave when offline).
  const configured = useStore(presenceStore, (x) => x.reasons.reasons);
  const id = useId();
  const s = useAgentState(
    useShallow((x) => ({ state: x.state, reason: x.reason, since: x.since, wrapUpUntil: x.wrapUpUntil, afterCall: x.afterCall, availability: x.availability })),
  );
  const now = useNow();
  const dispatch = agentStore.getState().dispatch;
  const choice = s.availability.kind === 'ready' ? 'ready' : `nr:${s.availability.reason}`;
  const choose = (v: string) => {
    askForNotifications();
    if (v === 'ready') dispatch({ type: 'set_ready', at: Date.now() });
    else dispatch({ type: 'set_not_ready', reason: v.slice(3), at: Date.now() });
  };
  const reasons = configured.filter((r) => !r.automatic || (s.availability.kind === 'not_ready' && s.availability.reason === r.id));
  // A reason chosen before the list changed stays selectable (and visible) until the agent picks another.
  const current = s.availability.kind === 'not_ready' ? s.availability.reason : null;
  if (current && !reasons.some((r) => r.id === current)) reasons.push({ id: current, label: { en: current, 'zh-CN': current } });
  return (
    <div className="agent-state" data-state={s.state}>
      <span className={`pill pill-${s.state}`} data-testid="agent-status">
        {t(`agent.${s.state}`)}
      </span>
      <span className="agent-time" data-testid="agent-time" title={t('agent.timeInState')} aria-label={`${t('agent.timeInState')} ${clock(now - s.since)}`}>
        {clock(now - s.since)}
      </span>
      <label className="visually-hidden" htmlFor={`${id}-choice`}>
        {t('agent.choose')}
      </label>
      <select id={`${id}-choice`} value={choice} onChange={(e) => choose(e.target.value)} data-testid="agent-choice">
        <option value="ready">{t('agent.ready')}</option>
        {reasons.map((r) => (
          <option key={r.id} value={`nr:${r.id}`}>
            {t('agent.notReadyWith', { reason: reasonLabelIn(configured, r.id, i18n.language) })}
          </option>
        ))}
      </select>
      {/* The second line is always there, so the header keeps its size and nothing in it moves as the state
          changes (it grew or shrank by a few pixels as a call rang, shifting the whole page under the agent). */}
      <div className="agent-extra">
        {s.state === 'not_ready' && s.reason ? (
          <span className="agent-reason" data-testid="agent-reason">
            {reasonLabelIn(configured, s.reason, i18n.language)}
          </span>
        ) : null}
        {s.state === 'wrap_up' && s.wrapUpUntil ? (
          <>
            <span className="wrap-up-left" data-testid="wrap-up-left">
              {t('agent.wrapUpLeft', { time: clock(s.wrapUpUntil - now) })}
            </span>
            <button type="button" className="btn btn-quiet" onClick={() => dispatch({ type: 'set_ready', at: Date.now() })}>
              {t('agent.readyNow')}
            </button>
          </>
        ) : null}
        {s.state === 'on_call' || s.state === 'ringing' ? (
          <label className="after-call">
            <input
              type="checkbox"
              checked={s.afterCall !== null}
              onChange={(e) => dispatch({ type: 'after_call', reason: e.target.checked ? AFTER_CALL_REASON : null, at: Date.now() })}
            />{' '}
            {t('agent.notReadyAfterCall')}
          </label>
        ) : null}
      </div>
    </div>
  );
}
