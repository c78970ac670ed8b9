// "My callbacks": the open callbacks for me and for my team, due first, with a Call button and Done.
// Callbacks saved on this computer and not yet delivered are in the list too (marked so); the list is
// the backend's last answer when offline.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { Followup } from '../../shared/outbox/followups';
import { useDeps, usePhoneState } from '../app-context';
import { useDialer, useNow } from './call-hooks';
import { dateTime, relativeTime } from './format';
import './wrapup.css';

export function CallbacksPanel() {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const callbacks = useStore(outboxStore, (s) => s.callbacks);
  const list = callbacks.followups.filter((f) => f.kind === 'callback');
  const now = useNow(list.length > 0);
  const due = list.filter((f) => f.dueAt !== null && f.dueAt <= now).length;
  return (
    <section className="card callbacks" aria-label={t('callbacks.title')} data-testid="callbacks">
      <h2>
        {t('callbacks.title')} {due > 0 ? <span className="pill pill-wrap" data-testid="callbacks-due">{t('callbacks.dueCount', { count: due })}</span> : null}
      </h2>
      {list.length === 0 ? <p className="muted">{t('callbacks.none')}</p> : null}
      <ul className="callbacks-list">
        {list.map((f) => (
          <CallbackItem key={f.id} f={f} now={now} />
        ))}
      </ul>
      <button type="button" className="btn btn-link" onClick={() => void outboxStore.getState().refreshCallbacks(true)}>
        {t('callbacks.refresh')}
      </button>
    </section>
  );
}

function CallbackItem({ f, now }: { f: Followup; now: number }) {
  const { t, i18n } = useTranslation();
  const { outboxStore } = useDeps();
  const dial = useDialer();
  const registered = usePhoneState((s) => s.registration === 'registered');
  const [closing, setClosing] = useState(false);
  const overdue = f.dueAt !== null && f.dueAt <= now;
  const who = f.customerSnapshot?.name || t('callbacks.unknownCustomer');
  return (
    <li className={overdue ? 'callback due' : 'callback'} data-testid="callback" data-due={overdue ? 'yes' : 'no'} data-followup-id={f.id}>
      <div className="callback-head">
        <strong data-testid="callback-who">{who}</strong>
        {f.customerSnapshot?.company ? <span className="muted"> · {f.customerSnapshot.company}</span> : null}
        {f.assignee === 'team' ? <span className="pill">{t('wrapup.assignee.team')}</span> : null}
        {f.pending ? <span className="pill pill-not">{t('callbacks.notSent')}</span> : null}
      </div>
      <div className="callback-when">
        {f.dueAt !== null ? (
          <time dateTime={new Date(f.dueAt).toISOString()} data-testid="callback-due">
            {dateTime(f.dueAt, i18n.language)} ({relativeTime(f.dueAt, i18n.language, now)})
          </time>
        ) : null}
        <span className="phone-number"> {f.number}</span>
      </div>
      {f.note ? <p className="history-note">{f.note}</p> : null}
      <div className="actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={!registered || !f.number}
          aria-label={t('callbacks.callLabel', { who, number: f.number ?? '' })}
          onClick={() => void dial(f.number ?? '', 'typed', f.customerId ?? undefined)}
        >
          {t('callbacks.call')}
        </button>
        <button
          type="button"
          className="btn btn-quiet"
          disabled={closing || f.pending === true}
          onClick={() => {
            setClosing(true);
            void outboxStore
              .getState()
              .completeCallback(f.id, '')
              .finally(() => setClosing(false));
          }}
        >
          {t('callbacks.done')}
        </button>
      </div>
    </li>
  );
}
