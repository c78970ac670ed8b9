import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useDeps, usePhoneState } from '../app-context';
import type { PhoneProblem } from '../stores/phone-store';
import { useNow } from './call-hooks';

/** Registration and microphone problems, in plain words, each with what to do about it. */
export function ProblemBanner() {
  const { t } = useTranslation();
  const { phone } = useDeps();
  const { problem, detail, registration, microphone, retryAt } = usePhoneState(
    useShallow((s) => ({ problem: s.problem, detail: s.problemDetail, registration: s.registration, microphone: s.microphone, retryAt: s.retryAt })),
  );
  const now = useNow(retryAt !== undefined);
  const items: { key: PhoneProblem; detail?: string }[] = [];
  if (problem && registration !== 'registered' && registration !== 'unconfigured') items.push({ key: problem, ...(detail ? { detail } : {}) });
  if (microphone !== 'unknown' && microphone !== 'ok') items.push({ key: microphone });
  if (!items.length) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      {items.map((p) => (
        <div key={p.key} className={`problem problem-${p.key}`} data-problem={p.key}>
          <strong>{t(`problem.${p.key}.title`)}</strong> <span>{t(`problem.${p.key}.action`)}</span>
          {p.detail ? <div className="problem-detail">{t('problem.detail', { detail: p.detail })}</div> : null}
          {p.key === problem && registration !== 'registered' && p.key !== 'wrong_password' && p.key !== 'no_password' ? (
            <div className="problem-retry">
              {retryAt !== undefined ? <span data-testid="retry-in">{t('problem.retryIn', { s: Math.max(0, Math.ceil((retryAt - now) / 1000)) })} </span> : null}
              <button type="button" className="btn btn-quiet" onClick={() => void phone.nudge('manual')}>
                {t('problem.retryNow')}
              </button>
            </div>
          ) : null}
        </div>
      ))}
    </div>
  );
}
