// The wrap-up form of a call that ended: the team's countdown, a disposition (the backend's codes, in
// the agent's language), notes, and follow-ups (a callback: when, which number, for me or my team; a
// ticket: category, priority, description). Every problem shows under its field and nothing is saved
// until all are fixed; "Saved" means committed to this computer's outbox, whatever the network does.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import { ulid } from 'ulid';
import { OUTBOX_LIMITS, PRIORITIES, type FieldIssue } from '../../shared/outbox/items';
import type { CodeLabel } from '../../shared/outbox/followups';
import { useAgentState, useDeps } from '../app-context';
import { categoriesOf, dispositionsOf, type DraftFollowup, type WrapDraft } from '../stores/outbox-store';
import { useNow } from './call-hooks';
import { clock } from './format';
import './wrapup.css';

/** A code's label in the agent's language (unknown codes show as they are). */
export function codeLabel(list: readonly CodeLabel[] | undefined, code: string, lang: string): string {
  const c = list?.find((x) => x.code === code);
  if (!c) return code;
  return lang.startsWith('zh') ? c.zh : c.en;
}

function FieldError({ issues, field, id }: { issues: FieldIssue[]; field: string; id: string }) {
  const { t } = useTranslation();
  const i = issues.find((x) => x.field === field);
  if (!i) return null;
  return (
    <p className="form-error" id={id} role="alert" data-testid={`wrapup-error-${field}`}>
      {t(`wrapup.problem.${problemKey(field, i.message)}`, { message: i.message, max: OUTBOX_LIMITS.note })}
    </p>
  );
}

/** Map a check's message to a translated sentence (the message itself is English, for logs). */
function problemKey(field: string, message: string): string {
  if (field === 'note') return 'noteTooLong';
  if (field === 'disposition') return 'disposition';
  if (field.endsWith('.dueAt')) return /past/.test(message) ? 'duePast' : /year/.test(message) ? 'dueFar' : 'dueInvalid';
  if (field.endsWith('.number')) return 'number';
  if (field.endsWith('.category')) return 'category';
  if (field.endsWith('.description')) return 'description';
  if (field === 'followups') return 'tooMany';
  return 'other';
}

export function WrapUpPanel() {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const order = useStore(outboxStore, (s) => s.order);
  const draft = useStore(outboxStore, (s) => (s.order[0] ? s.drafts[s.order[0]] : undefined));
  const lastSaved = useStore(outboxStore, (s) => s.lastSaved);
  const now = useNow(!!lastSaved);
  if (!draft) {
    return lastSaved && now - lastSaved.at < 8000 ? (
      <p className="card notice wrapup-saved" role="status" data-testid="wrapup-saved">
        {t('wrapup.saved')}
      </p>
    ) : null;
  }
  return <WrapUpForm key={draft.interactionId} draft={draft} more={order.length - 1} />;
}

function WrapUpForm({ draft, more }: { draft: WrapDraft; more: number }) {
  const { t, i18n } = useTranslation();
  const { outboxStore, agentStore } = useDeps();
  const config = useStore(outboxStore, (s) => s.config);
  const wrapUpUntil = useAgentState((s) => (s.state === 'wrap_up' ? s.wrapUpUntil : null));
  const now = useNow(wrapUpUntil !== null);
  const st = outboxStore.getState();
  const id = draft.interactionId;
  const dispositions = dispositionsOf(config);
  const issues = draft.issues;
  const general = issues.filter((i) => !i.field);
  const lang = i18n.language;

  const save = async () => {
    const ok = await st.submit(id);
    if (!ok) return;
    // Saved: wrap-up is over, the agent goes back to what they chose (Ready, or Not Ready with a reason).
    const a = agentStore.getState();
    if (a.state === 'wrap_up') a.dispatch(a.availability.kind === 'ready' ? { type: 'set_ready', at: Date.now() } : { type: 'set_not_ready', reason: a.availability.reason, at: Date.now() });
  };

  return (
    <section className="card wrapup" aria-label={t('wrapup.title')} data-testid="wrapup" data-interaction-id={id}>
      <header className="wrapup-head">
        <h2>{t('wrapup.title')}</h2>
        {wrapUpUntil !== null ? (
          <span className="wrapup-countdown" role="timer" aria-live="off" data-testid="wrapup-countdown">
            {t('wrapup.left', { time: clock(Math.max(0, wrapUpUntil - now)) })}
          </span>
        ) : null}
      </header>
      <p className="muted wrapup-who" data-testid="wrapup-who">
        {draft.customerSnapshot?.name ? `${draft.customerSnapshot.name} · ` : ''}
        {draft.number}
        {more > 0 ? ` · ${t('wrapup.more', { count: more })}` : ''}
      </p>
      {draft.customerId === null ? <SaveCallerInline draft={draft} /> : null}
      {general.map((g, i) => (
        <p key={i} className="form-error" role="alert">
          {t('wrapup.problem.other', { message: g.message })}
        </p>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <div className="field">
          <label htmlFor={`wu-disp-${id}`}>{t('wrapup.disposition')}</label>
          <select
            id={`wu-disp-${id}`}
            data-testid="wrapup-disposition"
            value={draft.disposition}
            aria-invalid={issues.some((i) => i.field === 'disposition')}
            aria-describedby={`wu-disp-err-${id}`}
            onChange={(e) => st.editDraft(id, { disposition: e.target.value })}
          >
            {dispositions.some((d) => d.code === draft.disposition) ? null : <option value={draft.disposition}>{draft.disposition || t('wrapup.choose')}</option>}
            {dispositions.map((d) => (
              <option key={d.code} value={d.code}>
                {codeLabel(dispositions, d.code, lang)}
              </option>
            ))}
          </select>
          <FieldError issues={issues} field="disposition" id={`wu-disp-err-${id}`} />
        </div>
        <div className="field">
          <label htmlFor={`wu-note-${id}`}>{t('wrapup.note')}</label>
          <textarea
            id={`wu-note-${id}`}
            data-testid="wrapup-note"
            rows={4}
            value={draft.note}
            aria-invalid={issues.some((i) => i.field === 'note')}
            aria-describedby={`wu-note-count-${id} wu-note-err-${id}`}
            onChange={(e) => st.editDraft(id, { note: e.target.value })}
          />
          <span id={`wu-note-count-${id}`} className={draft.note.length > OUTBOX_LIMITS.note ? 'wrapup-count over' : 'wrapup-count muted'}>
            {t('wrapup.count', { count: draft.note.length, max: OUTBOX_LIMITS.note })}
          </span>
          <FieldError issues={issues} field="note" id={`wu-note-err-${id}`} />
        </div>
        <fieldset className="wrapup-followups">
          <legend>{t('wrapup.followups')}</legend>
          {draft.followups.map((f, i) => (
            <FollowupEditor key={f.id} draft={draft} index={i} f={f} />
          ))}
          <FieldError issues={issues} field="followups" id={`wu-fu-err-${id}`} />
          <div className="actions">
            <button type="button" className="btn btn-quiet" disabled={draft.followups.length >= OUTBOX_LIMITS.followups} onClick={() => st.addFollowup(id, 'callback')}>
              {t('wrapup.addCallback')}
            </button>
            <button type="button" className="btn btn-quiet" disabled={draft.followups.length >= OUTBOX_LIMITS.followups} onClick={() => st.addFollowup(id, 'ticket')}>
              {t('wrapup.addTicket')}
            </button>
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={draft.saving} data-testid="wrapup-save">
            {draft.saving ? t('wrapup.saving') : t('wrapup.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

function FollowupEditor({ draft, index, f }: { draft: WrapDraft; index: number; f: DraftFollowup }) {
  const { t, i18n } = useTranslation();
  const { outboxStore } = useDeps();
  const config = useStore(outboxStore, (s) => s.config);
  const st = outboxStore.getState();
  const id = draft.interactionId;
  const p = `followups.${index}`;
  const fid = `wu-${id}-${index}`;
  const edit = (patch: Record<string, string>) => st.editFollowup(id, index, patch);
  const bad = (field: string) => draft.issues.some((i) => i.field === `${p}.${field}`);
  if (f.kind === 'callback') {
    return (
      <div className="wrapup-followup" data-testid="wrapup-callback" role="group" aria-label={t('wrapup.callback')}>
        <strong>{t('wrapup.callback')}</strong>
        <div className="field">
          <label htmlFor={`${fid}-due`}>{t('wrapup.callbackWhen')}</label>
          <input id={`${fid}-due`} type="datetime-local" value={f.due} aria-invalid={bad('dueAt')} onChange={(e) => edit({ due: e.target.value })} />
          <FieldError issues={draft.issues} field={`${p}.dueAt`} id={`${fid}-due-err`} />
        </div>
        <div className="field">
          <label htmlFor={`${fid}-number`}>{t('wrapup.callbackNumber')}</label>
          <input id={`${fid}-number`} inputMode="tel" maxLength={32} value={f.number} aria-invalid={bad('number')} onChange={(e) => edit({ number: e.target.value })} />
          <FieldError issues={draft.issues} field={`${p}.number`} id={`${fid}-number-err`} />
        </div>
        <div className="field wrapup-assignee" role="radiogroup" aria-label={t('wrapup.callbackFor')}>
          <span>{t('wrapup.callbackFor')}</span>
          {(['me', 'team'] as const).map((a) => (
            <label key={a}>
              <input type="radio" name={`${fid}-assignee`} checked={f.assignee === a} onChange={() => edit({ assignee: a })} /> {t(`wrapup.assignee.${a}`)}
            </label>
          ))}
        </div>
        <div className="field">
          <label htmlFor={`${fid}-note`}>{t('wrapup.callbackNote')}</label>
          <input id={`${fid}-note`} maxLength={OUTBOX_LIMITS.callbackNote} value={f.note} onChange={(e) => edit({ note: e.target.value })} />
        </div>
        <button type="button" className="btn btn-link" onClick={() => st.removeFollowup(id, index)}>
          {t('wrapup.remove')}
        </button>
      </div>
    );
  }
  const categories = categoriesOf(config);
  return (
    <div className="wrapup-followup" data-testid="wrapup-ticket" role="group" aria-label={t('wrapup.ticket')}>
      <strong>{t('wrapup.ticket')}</strong>
      <div className="field">
        <label htmlFor={`${fid}-cat`}>{t('wrapup.ticketCategory')}</label>
        <select id={`${fid}-cat`} value={f.category} aria-invalid={bad('category')} onChange={(e) => edit({ category: e.target.value })}>
          {categories.some((c) => c.code === f.category) ? null : <option value={f.category}>{f.category || t('wrapup.choose')}</option>}
          {categories.map((c) => (
            <option key={c.code} value={c.code}>
              {codeLabel(categories, c.code, i18n.language)}
            </option>
          ))}
        </select>
        <FieldError issues={draft.issues} field={`${p}.category`} id={`${fid}-cat-err`} />
      </div>
      <div className="field">
        <label htmlFor={`${fid}-prio`}>{t('wrapup.ticketPriority')}</label>
        <select id={`${fid}-prio`} value={f.priority} onChange={(e) => edit({ priority: e.target.value })}>
          {PRIORITIES.map((x) => (
            <option key={x} value={x}>
              {t(`wrapup.priority.${x}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${fid}-desc`}>{t('wrapup.ticketDescription')}</label>
        <textarea id={`${fid}-desc`} rows={3} maxLength={OUTBOX_LIMITS.ticketDescription + 100} value={f.description} aria-invalid={bad('description')} onChange={(e) => edit({ description: e.target.value })} />
        <FieldError issues={draft.issues} field={`${p}.description`} id={`${fid}-desc-err`} />
      </div>
      <button type="button" className="btn btn-link" onClick={() => st.removeFollowup(id, index)}>
        {t('wrapup.remove')}
      </button>
    </div>
  );
}

/** The caller matched no customer: save them as a new one now, so the record and follow-ups link to them. */
function SaveCallerInline({ draft }: { draft: WrapDraft }) {
  const { t } = useTranslation();
  const { outboxStore } = useDeps();
  const [name, setName] = useState('');
  const [company, setCompany] = useState('');
  const [problems, setProblems] = useState<FieldIssue[]>([]);
  const [busy, setBusy] = useState(false);
  const id = draft.interactionId;
  const save = async () => {
    setBusy(true);
    const customerId = `N-${ulid()}`;
    try {
      const r = await outboxStore
        .getState()
        .createCustomer({ id: customerId, name: name.trim(), company: company.trim(), notes: '', phones: [{ number: draft.number, label: '' }], interactionId: id });
      if (!r.ok) {
        setProblems(r.issues);
        return;
      }
      outboxStore.getState().editDraft(id, { customerId, customerSnapshot: { name: name.trim(), company: company.trim(), number: draft.number } });
    } catch (e) {
      setProblems([{ field: '', message: e instanceof Error ? e.message : String(e) }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="wrapup-newcustomer" data-testid="wrapup-new-customer">
      <p className="muted">{t('wrapup.unknownCaller')}</p>
      <div className="field">
        <label htmlFor={`wu-nc-name-${id}`}>{t('pop.draftName')}</label>
        <input id={`wu-nc-name-${id}`} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`wu-nc-company-${id}`}>{t('pop.draftCompany')}</label>
        <input id={`wu-nc-company-${id}`} value={company} maxLength={160} onChange={(e) => setCompany(e.target.value)} />
      </div>
      {problems.map((p, i) => (
        <p key={i} className="form-error" role="alert">
          {t(p.field === 'name' ? 'wrapup.problem.name' : p.field === 'phones' ? 'wrapup.problem.phone' : 'wrapup.problem.other', { message: p.message })}
        </p>
      ))}
      <button type="button" className="btn btn-quiet" disabled={busy} onClick={() => void save()}>
        {t('wrapup.saveCustomer')}
      </button>
    </div>
  );
}
