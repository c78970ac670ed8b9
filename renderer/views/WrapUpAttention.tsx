// "Needs attention": items the backend refused, with its reason, for the agent to fix and send again
// (a wrap-up: a disposition that was retired, a callback time gone by …); nothing is ever dropped. And
// notices: items the backend applied differently than written (the customer was merged or deleted
// meanwhile), so the agent knows where their work went.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { OutboxEntry } from '../../shared/outbox/desktop';
import { WrapUp, type FieldIssue, type Notice } from '../../shared/outbox/items';
import { useDeps } from '../app-context';
import { dispositionsOf } from '../stores/outbox-store';
import { codeLabel } from './WrapUpPanel';
import { dateTime } from './format';
import './wrapup.css';

function NoticeLine({ n }: { n: Notice }) {
  const { t } = useTranslation();
  switch (n.code) {
    case 'customer_merged':
      return <li>{t('attention.notice.merged', { from: n.from, to: n.to })}</li>;
    case 'customer_deleted':
      return <li>{t('attention.notice.deleted', { id: n.customerId })}</li>;
    case 'customer_unknown':
      return <li>{t('attention.notice.unknown', { id: n.customerId })}</li>;
    case 'answered_elsewhere':
      return <li>{t('attention.notice.elsewhere')}</li>;
  }
}

export function WrapUpAttention() {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const list = useStore(outboxStore, (s) => s.list);
  if (!list.attention.length && !list.notices.length) return null;
  return (
    <section className="card attention" id="needs-attention" aria-label={t('attention.title')} data-testid="needs-attention">
      {list.attention.length ? (
        <>
          <h2>{t('attention.title')}</h2>
          <p className="muted">{t('attention.hint')}</p>
          <ul className="attention-list">
            {list.attention.map((e) => (
              <AttentionItem key={e.seq} entry={e} />
            ))}
          </ul>
        </>
      ) : null}
      {list.notices.length ? (
        <>
          <h2>{t('attention.noticesTitle')}</h2>
          <ul className="attention-list" data-testid="outbox-notices">
            {list.notices.map((e) => (
              <li key={e.seq}>
                <span className="muted">{t(`attention.kind.${e.kind.replace('.', '_')}`)}</span>
                <ul>
                  {e.notices.map((n, i) => (
                    <NoticeLine key={i} n={n} />
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          <button type="button" className="btn btn-quiet" onClick={() => void outboxStore.getState().ack(list.notices.map((n) => n.seq))}>
            {t('attention.ok')}
          </button>
        </>
      ) : null}
    </section>
  );
}

function AttentionItem({ entry }: { entry: OutboxEntry }) {
  const { t, i18n } = useTranslation();
  const { outboxStore } = useDeps();
  const config = useStore(outboxStore, (s) => s.config);
  const wrap = entry.kind === 'wrapup.submit' ? WrapUp.safeParse(entry.payload) : null;
  const [disposition, setDisposition] = useState(wrap?.success ? wrap.data.disposition : '');
  const [note, setNote] = useState(wrap?.success ? wrap.data.note : '');
  const [dropFollowups, setDropFollowups] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const dispositions = dispositionsOf(config);
  const resend = async () => {
    let payload: unknown = entry.payload;
    if (wrap?.success) payload = { ...wrap.data, disposition, note, followups: dropFollowups ? [] : wrap.data.followups };
    const r = await outboxStore.getState().resend(entry.seq, payload);
    if (!r.ok) setIssues(r.issues);
  };
  const fid = `att-${entry.seq}`;
  return (
    <li className="attention-item" data-testid="attention-item" data-kind={entry.kind}>
      <div>
        <strong>{t(`attention.kind.${entry.kind.replace('.', '_')}`)}</strong> <span className="muted">{dateTime(entry.createdAt, i18n.language)}</span>
      </div>
      <p className="form-error" data-testid="attention-reason">
        {t(`attention.reason.${entry.error?.code ?? 'internal'}`, { message: entry.error?.message ?? '' })}
      </p>
      {wrap?.success ? (
        <div className="attention-fix">
          <div className="field">
            <label htmlFor={`${fid}-disp`}>{t('wrapup.disposition')}</label>
            <select id={`${fid}-disp`} value={disposition} onChange={(e) => setDisposition(e.target.value)}>
              {dispositions.some((d) => d.code === disposition) ? null : <option value={disposition}>{disposition}</option>}
              {dispositions.map((d) => (
                <option key={d.code} value={d.code}>
                  {codeLabel(dispositions, d.code, i18n.language)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${fid}-note`}>{t('wrapup.note')}</label>
            <textarea id={`${fid}-note`} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          {wrap.data.followups.length ? (
            <label>
              <input type="checkbox" checked={dropFollowups} onChange={(e) => setDropFollowups(e.target.checked)} /> {t('attention.withoutFollowups', { count: wrap.data.followups.length })}
            </label>
          ) : null}
        </div>
      ) : null}
      {issues.map((i, k) => (
        <p key={k} className="form-error" role="alert">
          {t('wrapup.problem.other', { message: i.field ? `${i.field}: ${i.message}` : i.message })}
        </p>
      ))}
      <button type="button" className="btn btn-primary" onClick={() => void resend()}>
        {t('attention.resend')}
      </button>
    </li>
  );
}
