import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps } from '../app-context';
import { toTarget } from '../phone/commands';
import { MAX_REASON } from '../phone/context-header';
import type { CallSnapshot } from '../stores/phone-store';

/**
 * Transfer a call: now (blind, REFER) or after talking to the target first (consult on a second line,
 * then complete or cancel). The reason travels with the call, so the next agent reads it before answering.
 */
export function TransferPanel({ call }: { call: CallSnapshot }) {
  const { t } = useTranslation();
  const { phone, settingsStore, callUi } = useDeps();
  const id = useId();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const go = async (kind: 'blind' | 'consult') => {
    const s = settingsStore.getState().settings;
    const r = toTarget(target, 'typed', s?.numberPlan ?? { defaultRegion: 'CN', localAreaCode: '', outsideLinePrefix: '' }, s?.account?.sipUri);
    if (!r.ok) {
      callUi.getState().fail(r.key);
      return;
    }
    setBusy(true);
    try {
      if (kind === 'blind') await phone.blindTransfer(call.id, r.target, reason.trim() || undefined);
      else await phone.consult(call.id, r.target, reason.trim() || undefined);
      callUi.getState().toggleTransfer(call.id, false);
    } catch (e) {
      callUi.getState().fail('error.transferFailed', e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void go('blind');
  };

  return (
    <form className="transfer" onSubmit={submit} aria-labelledby={`${id}-title`} data-testid="transfer-panel">
      <h3 id={`${id}-title`}>{t('transfer.title')}</h3>
      <div className="field">
        <label htmlFor={`${id}-target`}>{t('transfer.target')}</label>
        <input id={`${id}-target`} value={target} maxLength={512} autoComplete="off" spellCheck={false} autoFocus onChange={(e) => setTarget(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t('transfer.reason')}</label>
        <input id={`${id}-reason`} value={reason} maxLength={MAX_REASON} onChange={(e) => setReason(e.target.value)} />
      </div>
      <div className="actions">
        <button className="btn btn-answer" type="submit" disabled={busy || !target.trim()}>
          {t('transfer.blind')}
        </button>
        <button className="btn" type="button" disabled={busy || !target.trim()} onClick={() => void go('consult')}>
          {t('transfer.consult')}
        </button>
        <button className="btn btn-quiet" type="button" onClick={() => callUi.getState().toggleTransfer(call.id, false)}>
          {t('transfer.close')}
        </button>
      </div>
    </form>
  );
}
