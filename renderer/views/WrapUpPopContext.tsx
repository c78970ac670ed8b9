// Above the caller's card: what earlier contacts left, so the customer does not repeat themselves —
// "3rd contact in 7 days", the last disposition, the last note and the open follow-ups. It arrives a
// moment after the card (the card never waits for it); offline it comes from this computer's outbox.
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { CustomerCard } from '../../shared/domain/customer';
import { useDeps } from '../app-context';
import { contactNumber, dispositionsOf } from '../stores/outbox-store';
import type { Pop } from '../stores/pop-store';
import { codeLabel } from './WrapUpPanel';
import { useNow } from './call-hooks';
import { dateTime, ordinalRule, relativeTime } from './format';
import './wrapup.css';

/** "1st", "2nd", "3rd", "4th" … (English); other languages say it in their sentence. */
export function ordinal(n: number, lang: string): string {
  if (!lang.startsWith('en')) return String(n);
  const rule = ordinalRule(n, 'en');
  return `${n}${{ one: 'st', two: 'nd', few: 'rd', other: 'th', zero: 'th', many: 'th' }[rule]}`;
}

export function WrapUpPopContext({ pop, customer }: { pop: Pop; customer: CustomerCard }) {
  const { t, i18n } = useTranslation();
  const { outboxStore } = useDeps();
  const config = useStore(outboxStore, (s) => s.config);
  const ctx = pop.context;
  const lang = i18n.language;
  const now = useNow(false);
  if (ctx === undefined) return null; // not asked yet / on its way
  const n = contactNumber(ctx, customer.interactions, now);
  const c = ctx?.context ?? null;
  const history0 = customer.interactions[0];
  const lastDisposition = c?.lastDisposition ?? (history0?.disposition ? { code: history0.disposition, at: history0.at } : null);
  const lastNote = c?.lastNote ?? (history0?.note ? { note: history0.note, at: history0.at, agent: history0.agent, interactionId: history0.id } : null);
  const open = c?.openFollowups ?? [];
  const dispositions = config?.dispositions ?? dispositionsOf(null);
  return (
    <div className="pop-context" data-testid="pop-context" data-source={ctx?.source ?? 'local'}>
      <p className={n >= 3 ? 'pop-contacts repeat' : 'pop-contacts'} data-testid="pop-contacts" data-count={n}>
        {n === 1 ? t('popContext.first') : t('popContext.nth', { ordinal: ordinal(n, lang), count: n })}
        {lastDisposition ? (
          <span data-testid="pop-last-disposition">
            {' · '}
            {t('popContext.lastDisposition', { label: codeLabel(dispositions, lastDisposition.code, lang), when: relativeTime(lastDisposition.at, lang, now) })}
          </span>
        ) : null}
      </p>
      {lastNote ? (
        <p className="pop-last-note" data-testid="pop-last-note">
          <span className="muted">{t('popContext.lastNote', { who: lastNote.agent || t('popContext.someone'), when: relativeTime(lastNote.at, lang, now) })} </span>
          {lastNote.note}
        </p>
      ) : null}
      {open.length ? (
        <ul className="pop-open" data-testid="pop-open-followups" aria-label={t('popContext.open')}>
          {open.map((f) => (
            <li key={f.id} data-kind={f.kind}>
              {f.kind === 'callback'
                ? t('popContext.openCallback', { when: f.dueAt !== null ? dateTime(f.dueAt, lang) : '', number: f.number ?? '' })
                : t('popContext.openTicket', { priority: t(`wrapup.priority.${f.priority ?? 'normal'}`), text: f.description.slice(0, 120) })}
              {f.pending ? <span className="muted"> ({t('callbacks.notSent')})</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
