// "Save as new customer" on an unmatched caller's card: the draft the agent typed while talking becomes
// a customer (an outbox item, so it works offline). Its id is made here, so the call's record and its
// wrap-up link to it at once; the backend keeps the id.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ulid } from 'ulid';
import type { FieldIssue } from '../../shared/outbox/items';
import { useDeps } from '../app-context';
import type { Pop } from '../stores/pop-store';

export function SaveNewCustomer({ pop }: { pop: Pop }) {
  const { t } = useTranslation();
  const { outboxStore, popStore } = useDeps();
  const [problems, setProblems] = useState<FieldIssue[]>([]);
  const [busy, setBusy] = useState(false);
  if (pop.createdCustomerId) {
    return (
      <p className="notice" role="status" data-testid="new-customer-saved">
        {t('wrapup.customerSaved')}
      </p>
    );
  }
  const draft = pop.draft ?? { name: '', company: '', notes: '' };
  const number = pop.result?.number.e164 ?? pop.result?.number.raw ?? pop.number;
  const save = async () => {
    setBusy(true);
    const id = `N-${ulid()}`;
    try {
      const r = await outboxStore.getState().createCustomer({
        id,
        name: draft.name.trim(),
        company: draft.company.trim(),
        notes: draft.notes,
        phones: [{ number, label: '' }],
        interactionId: pop.callId,
      });
      if (!r.ok) {
        setProblems(r.issues);
        return;
      }
      setProblems([]);
      popStore.getState().created(pop.callId, id);
    } catch (e) {
      setProblems([{ field: '', message: e instanceof Error ? e.message : String(e) }]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions">
      {problems.map((p, i) => (
        <p key={i} className="form-error" role="alert">
          {t(p.field === 'name' ? 'wrapup.problem.name' : p.field === 'phones' ? 'wrapup.problem.phone' : 'wrapup.problem.other', { message: p.message })}
        </p>
      ))}
      <button type="button" className="btn btn-quiet" disabled={busy} onClick={() => void save()} data-testid="save-new-customer">
        {t('wrapup.saveCustomer')}
      </button>
    </div>
  );
}
