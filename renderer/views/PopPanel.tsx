import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps, usePhoneState, usePopState } from '../app-context';
import { focusCall } from '../stores/phone-store';
import type { Pop } from '../stores/pop-store';
import { CustomerCard } from './CustomerCard';
import { WrapUpPopContext } from './WrapUpPopContext';
import { SaveNewCustomer } from './WrapUpNewCustomer';
import { POP_PAINT_MEASURE, usePaintMark } from './paint-mark';

export function PopPanel() {
  const { t } = useTranslation();
  const call = usePhoneState((s) => focusCall(s));
  const pop = usePopState((s) => (call ? s.pops[call.id] : undefined));
  const section = useRef<HTMLElement>(null);
  usePaintMark(POP_PAINT_MEASURE, call?.id, call?.inviteAt, pop?.status === 'done', section);

  if (!call || !pop) return null;
  return (
    <section key={call.id} ref={section} className="pop" aria-label={t('pop.history')} data-testid="pop" data-pop-status={pop.status} data-match={pop.result?.match}>
      <PopBody pop={pop} />
    </section>
  );
}

function PopBody({ pop }: { pop: Pop }) {
  const { t } = useTranslation();
  const { popStore } = useDeps();
  if (pop.status === 'loading') return <p className="card muted">{t('pop.looking')}</p>;
  if (pop.status === 'error' || !pop.result) {
    return (
      <p className="card form-error" role="alert" data-paint-mark="">
        {t('pop.error', { error: pop.error ?? '' })}
      </p>
    );
  }
  const r = pop.result;
  if (r.match === 'withheld') return <p className="card notice" data-paint-mark="">{t('pop.withheld')}</p>;
  if (r.match === 'service') return <p className="card notice" data-paint-mark="">{t('pop.service')}</p>;
  if (r.match === 'none') return <NewCustomerCard pop={pop} />;

  const selected = r.customers.find((c) => c.id === pop.selectedId);
  if (selected) {
    return (
      <div className="card">
        {r.customers.length > 1 ? (
          <button className="btn btn-link change" type="button" onClick={() => popStore.getState().select(pop.callId, undefined)}>
            {t('pop.change')}
          </button>
        ) : null}
        <WrapUpPopContext pop={pop} customer={selected} />
        <CustomerCard customer={selected} matchedBy={r.match} />
      </div>
    );
  }
  return (
    <div className="card picker" data-testid="match-picker">
      <h2 data-paint-mark="">{r.truncated ? t('pop.severalTruncated', { count: r.customers.length }) : t('pop.several', { count: r.customers.length })}</h2>
      {r.match === 'suffix' ? <p className="notice">{t('pop.suffix')}</p> : null}
      <ul className="picker-list">
        {r.customers.map((c) => (
          <li key={c.id}>
            <button type="button" className="picker-item" onClick={() => popStore.getState().select(pop.callId, c.id)} data-customer-id={c.id}>
              <span className="picker-name">{c.name}</span>
              <span className="picker-company muted">{c.company}</span>
              <span className={`tier tier-${c.tier}`}>{t(`tier.${c.tier}`)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function NewCustomerCard({ pop }: { pop: Pop }) {
  const { t } = useTranslation();
  const { popStore } = useDeps();
  const draft = pop.draft ?? { name: '', company: '', notes: '' };
  const edit = (patch: Partial<typeof draft>) => popStore.getState().editDraft(pop.callId, patch);
  const number = pop.result?.number;
  return (
    <div className="card new-customer" data-testid="new-customer">
      <h2 data-paint-mark="">{t('pop.newCustomer')}</h2>
      <p className="muted">{t('pop.newCustomerHint')}</p>
      <div className="field">
        <label>{t('pop.phones')}</label>
        <div className="phone-number" data-testid="new-customer-number">
          {number?.display || number?.raw || pop.number}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`draft-name-${pop.callId}`}>{t('pop.draftName')}</label>
        <input id={`draft-name-${pop.callId}`} value={draft.name} maxLength={120} onChange={(e) => edit({ name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`draft-company-${pop.callId}`}>{t('pop.draftCompany')}</label>
        <input id={`draft-company-${pop.callId}`} value={draft.company} maxLength={160} onChange={(e) => edit({ company: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={`draft-notes-${pop.callId}`}>{t('pop.draftNotes')}</label>
        <textarea id={`draft-notes-${pop.callId}`} value={draft.notes} maxLength={4000} rows={3} onChange={(e) => edit({ notes: e.target.value })} />
      </div>
      <SaveNewCustomer pop={pop} />
    </div>
  );
}
