import { useTranslation } from 'react-i18next';
import type { CustomerCard as Card } from '../../shared/domain/customer';
import { useDeps, usePhoneState } from '../app-context';
import { useDialer } from './call-hooks';
import { dateTime, relativeTime } from './format';

/** The caller's record. Every value is rendered as text (React escapes it); nothing becomes markup. */
export function CustomerCard({ customer, matchedBy }: { customer: Card; matchedBy: 'exact' | 'suffix' }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const dial = useDialer();
  const { callUi } = useDeps();
  const registered = usePhoneState((s) => s.registration === 'registered');
  return (
    <article className="customer-card" data-testid="customer-card" data-customer-id={customer.id} aria-label={customer.name}>
      <header className="customer-head">
        <div>
          <h2 className="customer-name" data-testid="customer-name" data-paint-mark="">
            {customer.name}
          </h2>
          {customer.company ? (
            <div className="customer-company" data-testid="customer-company">
              {customer.company}
            </div>
          ) : null}
        </div>
        <span className={`tier tier-${customer.tier}`} title={t('pop.tier')} data-testid="customer-tier">
          {t(`tier.${customer.tier}`)}
        </span>
      </header>
      {matchedBy === 'suffix' ? <p className="notice">{t('pop.suffix')}</p> : null}
      <p className="muted last-contact">
        {customer.lastContactAt ? t('pop.lastContact', { when: relativeTime(customer.lastContactAt, locale) }) : t('pop.neverContacted')}
      </p>
      {customer.tags.length ? (
        <ul className="tags" aria-label={t('pop.tags')}>
          {customer.tags.map((tag) => (
            <li key={tag} className="tag">
              {tag}
            </li>
          ))}
        </ul>
      ) : null}
      {customer.notes ? (
        <section className="notes">
          <h3>{t('pop.notes')}</h3>
          <p data-testid="customer-notes">{customer.notes}</p>
        </section>
      ) : null}
      <section>
        <h3>{t('pop.phones')}</h3>
        <ul className="phones">
          {customer.phones.map((p) => (
            <li key={p.e164}>
              <span className="phone-number">{p.display}</span>
              {p.label ? <span className="phone-label">{p.label}</span> : null}
              {/* Click-to-dial: the record's E.164 number, dialled the way the site's PBX expects. */}
              <button
                type="button"
                className="btn btn-link dial-number"
                disabled={!registered}
                aria-label={t('call.callNumber', { number: p.display })}
                onClick={() => void dial(p.e164, 'record', customer.id).then((ok) => ok && callUi.getState().closeDial())}
              >
                {t('call.callShort')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h3>{t('pop.history')}</h3>
        {customer.interactions.length ? (
          <ol className="history" data-testid="customer-history">
            {customer.interactions.map((h) => (
              <li key={h.id}>
                <div className="history-meta">
                  <time dateTime={new Date(h.at).toISOString()}>{dateTime(h.at, locale)}</time>
                  <span>{t(`pop.direction.${h.direction}`)}</span>
                  {h.disposition ? <span className="disposition">{h.disposition}</span> : null}
                  {h.agent ? <span className="muted">{h.agent}</span> : null}
                  <span className="muted">{t('pop.duration', { min: Math.floor(h.durationS / 60), sec: h.durationS % 60 })}</span>
                </div>
                {h.note ? <p className="history-note">{h.note}</p> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">{t('pop.noHistory')}</p>
        )}
      </section>
    </article>
  );
}
