import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { usePhoneState } from '../app-context';
import type { PhoneProblem } from '../stores/phone-store';

/** Registration and microphone problems, in plain words, each with what to do about it. */
export function ProblemBanner() {
  const { t } = useTranslation();
  const { problem, detail, registration, microphone } = usePhoneState(
    useShallow((s) => ({ problem: s.problem, detail: s.problemDetail, registration: s.registration, microphone: s.microphone })),
  );
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
        </div>
      ))}
    </div>
  );
}
