import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps, usePhoneState, usePopState } from '../app-context';
import { focusCall, type CallSnapshot } from '../stores/phone-store';
import { clock } from './format';
import { RING_PAINT_MEASURE, usePaintMark } from './paint-mark';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** Who is on the line, in one line of text: the chosen customer, else the network's display name, else the number. */
function useCallerName(call: CallSnapshot | undefined): string {
  const { t } = useTranslation();
  const customer = usePopState((s) => {
    const pop = call ? s.pops[call.id] : undefined;
    return pop?.result?.customers.find((c) => c.id === pop.selectedId)?.name;
  });
  if (!call) return '';
  return customer || call.displayName || call.number || t('call.withheld');
}

export function CallPanel() {
  const { t } = useTranslation();
  const { phone, phoneStore } = useDeps();
  const call = usePhoneState((s) => focusCall(s));
  const name = useCallerName(call);
  const now = useNow(call?.state === 'active');
  const answerRef = useRef<HTMLButtonElement>(null);
  const ringingId = call?.state === 'ringing' ? call.id : undefined;
  usePaintMark(RING_PAINT_MEASURE, ringingId, call?.inviteAt, !!ringingId);

  useEffect(() => {
    if (ringingId) answerRef.current?.focus();
  }, [ringingId]);

  if (!call) {
    return (
      <section className="card call-panel idle" aria-label={t('call.waiting')} data-testid="call-panel">
        <h2>{t('call.waiting')}</h2>
        <p className="muted">{t('call.waitingHint')}</p>
      </section>
    );
  }

  const heading =
    call.state === 'ringing' ? t('call.incoming') : call.state === 'connecting' ? t('call.connecting') : call.state === 'active' ? t('call.active') : t('call.ended');

  return (
    <section className={`card call-panel call-${call.state}`} aria-label={heading} data-testid="call-panel" data-call-state={call.state}>
      <div className="call-heading">
        <h2>{heading}</h2>
        {call.state === 'active' && call.answeredAt ? (
          <span className="call-timer" aria-label="duration">
            {clock(now - call.answeredAt)}
          </span>
        ) : null}
      </div>
      <div className="caller">
        <div className="caller-name" data-testid="caller-name">
          {name}
        </div>
        {call.number && call.number !== name ? (
          <div className="caller-number" data-testid="caller-number">
            {call.number}
          </div>
        ) : null}
        {call.displayName && call.displayName !== name ? (
          <div className="caller-display muted" data-testid="caller-display">
            {call.displayName}
          </div>
        ) : null}
      </div>
      <div className="actions">
        {call.state === 'ringing' ? (
          <>
            <button ref={answerRef} className="btn btn-answer" type="button" onClick={() => void phone.answer(call.id)}>
              {t('call.answer')}
            </button>
            <button className="btn btn-reject" type="button" onClick={() => void phone.reject(call.id)}>
              {t('call.reject')}
            </button>
          </>
        ) : null}
        {call.state === 'active' || call.state === 'connecting' ? (
          <button className="btn btn-reject" type="button" onClick={() => void phone.hangup(call.id)}>
            {t('call.hangup')}
          </button>
        ) : null}
        {call.state === 'ended' ? (
          <>
            <p className="call-reason" data-testid="call-end-reason">
              {call.endReason ? t(`call.reason.${call.endReason}`) : null}
            </p>
            <button className="btn btn-quiet" type="button" onClick={() => phoneStore.getState().clearEnded()}>
              {t('call.dismiss')}
            </button>
          </>
        ) : null}
      </div>
    </section>
  );
}

/** Screen-reader announcements for call events. */
export function CallAnnouncer() {
  const { t } = useTranslation();
  const call = usePhoneState((s) => focusCall(s));
  const name = useCallerName(call);
  const text =
    call?.state === 'ringing' ? t('call.announceIncoming', { who: name || t('call.unknownCaller') }) : call?.state === 'ended' ? t('call.announceEnded') : '';
  return (
    <div className="visually-hidden" aria-live="assertive" role="status">
      {text}
    </div>
  );
}
