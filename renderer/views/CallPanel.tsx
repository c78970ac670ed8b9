import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { useCallUi, useDeps, usePhoneState } from '../app-context';
import { SHORTCUTS } from '../phone/commands';
import { focusCall, isEngaged, liveCalls, type CallSnapshot } from '../stores/phone-store';
import { useCallerName, useCallShortcuts, useNow } from './call-hooks';
import { DialPad } from './DialPad';
import { DtmfKeypad } from './DtmfKeypad';
import { clock } from './format';
import { RING_PAINT_MEASURE, usePaintMark } from './paint-mark';
import { QualityBadge } from './QualityBadge';
import { TransferPanel } from './TransferPanel';
import { afterNextPaint } from '../lib/after-paint';

/** Run a phone action from a button; a failure is shown in words, never thrown into React. */
function useAct() {
  const { callUi } = useDeps();
  return (fn: () => Promise<unknown> | unknown) => {
    void Promise.resolve()
      .then(fn)
      .catch((e: unknown) => callUi.getState().fail('error.actionFailed', e instanceof Error ? e.message : String(e)));
  };
}

function heading(call: CallSnapshot, t: (k: string) => string): string {
  switch (call.state) {
    case 'ringing':
      return call.context ? t('call.incomingTransfer') : t('call.incoming');
    case 'dialing':
      return call.consultFor ? t('call.consultDialing') : call.progress === 'ringing' ? t('call.ringingOut') : t('call.dialing');
    case 'connecting':
      return t('call.connecting');
    case 'active':
      return call.consultFor ? t('call.consulting') : t('call.active');
    case 'held':
      return t('call.held');
    case 'ended':
      return t('call.ended');
  }
}

export function CallPanel() {
  const { t } = useTranslation();
  useCallShortcuts();
  const call = usePhoneState((s) => focusCall(s));
  const others = usePhoneState(
    useShallow((s) => {
      const f = focusCall(s);
      return liveCalls(s).filter((c) => c !== f);
    }),
  );
  const dialOpen = useCallUi((s) => s.dialOpen);
  // The dialer stays while a call only rings: the left column does not move under the agent's pointer as
  // a call arrives (a click meant for a card below would land on another). It goes once the agent is on a
  // call, and comes back with "Dial" or after it.
  const engaged = usePhoneState((s) => liveCalls(s).some(isEngaged));
  return (
    <>
      {call ? (
        <CallView key={call.id} call={call} />
      ) : (
        <section className="card call-panel idle" aria-label={t('call.waiting')} data-testid="call-panel">
          <h2>{t('call.waiting')}</h2>
          <p className="muted">{t('call.waitingHint')}</p>
        </section>
      )}
      {others.length ? <OtherLines calls={others} /> : null}
      {!engaged || dialOpen ? <DialPad /> : null}
      <ActionError />
    </>
  );
}

function CallView({ call }: { call: CallSnapshot }) {
  const { t } = useTranslation();
  const { phone, phoneStore, callUi } = useDeps();
  const act = useAct();
  const name = useCallerName(call);
  const talking = call.state === 'active' || call.state === 'held';
  const now = useNow(talking);
  const answerRef = useRef<HTMLButtonElement>(null);
  const ringingId = call.state === 'ringing' ? call.id : undefined;
  const keypadOpen = useCallUi((s) => s.keypadFor === call.id);
  const transferOpen = useCallUi((s) => s.transferFor === call.id);
  const consultOf = usePhoneState((s) => (call.consultFor ? s.calls[call.consultFor] : undefined));
  const consultName = useCallerName(consultOf);
  const panel = useRef<HTMLElement>(null);
  usePaintMark(RING_PAINT_MEASURE, ringingId, call.inviteAt, !!ringingId, panel);

  // Focus Answer once the ringing call has painted: focusing forces a style and layout pass, which would
  // otherwise run inside the screen pop's frame.
  useEffect(() => {
    if (!ringingId) return;
    afterNextPaint(() => answerRef.current?.focus());
  }, [ringingId]);

  const kbd = (c: keyof typeof SHORTCUTS) => ({ 'aria-keyshortcuts': SHORTCUTS[c].label, title: SHORTCUTS[c].label });
  const title = heading(call, t);
  const busy = !!call.pending;

  return (
    <section ref={panel} className={`card call-panel call-${call.state}`} aria-label={title} data-testid="call-panel" data-call-state={call.state} data-call-id={call.id}>
      <div className="call-heading">
        <h2 data-paint-mark="">{title}</h2>
        {talking && call.answeredAt ? (
          <span className="call-timer" aria-label={t('call.duration')} data-testid="call-timer">
            {clock(now - call.answeredAt)}
          </span>
        ) : null}
        {talking && call.quality ? <QualityBadge quality={call.quality} /> : null}
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
      {call.context ? (
        <div className="notice transfer-context" data-testid="transfer-context">
          <div>{call.context.by ? t('call.transferredBy', { by: call.context.by }) : t('call.transferred')}</div>
          {call.context.reason ? (
            <div data-testid="transfer-reason">
              {t('call.transferReason')}: {call.context.reason}
            </div>
          ) : null}
        </div>
      ) : null}
      {consultOf ? (
        <p className="muted" data-testid="consult-of">
          {t('call.consultFor', { who: consultName })}
        </p>
      ) : null}
      {call.remoteHold ? <p className="notice">{t('call.remoteHold')}</p> : null}
      {call.muted ? (
        <p className="notice muted-notice" data-testid="muted-notice">
          {t('call.mutedNotice')}
        </p>
      ) : null}
      {call.transfer ? (
        <p className={call.transfer.state === 'failed' ? 'form-error' : 'notice'} role={call.transfer.state === 'failed' ? 'alert' : 'status'} data-testid="transfer-status">
          {call.transfer.state === 'failed'
            ? t('call.transferFailed', { target: call.transfer.target, detail: call.transfer.detail ?? '' })
            : t('call.transferring', { target: call.transfer.target })}
        </p>
      ) : null}
      <div className="actions">
        {call.state === 'ringing' ? (
          <>
            <button ref={answerRef} className="btn btn-answer" type="button" onClick={() => act(() => phone.answer(call.id))} {...kbd('answer')}>
              {t('call.answer')}
            </button>
            <button className="btn btn-reject" type="button" onClick={() => act(() => phone.reject(call.id))} {...kbd('hangup')}>
              {t('call.reject')}
            </button>
          </>
        ) : null}
        {talking ? (
          <>
            <button className="btn" type="button" aria-pressed={call.muted} onClick={() => phone.setMuted(call.id, !call.muted)} {...kbd('mute')}>
              {call.muted ? t('call.unmute') : t('call.mute')}
            </button>
            <button
              className="btn"
              type="button"
              disabled={busy}
              onClick={() => act(() => (call.state === 'held' ? phone.resume(call.id) : phone.hold(call.id)))}
              {...kbd('hold')}
            >
              {call.state === 'held' ? t('call.resume') : t('call.hold')}
            </button>
            {call.state === 'active' ? (
              <button className="btn" type="button" aria-expanded={keypadOpen} onClick={() => callUi.getState().toggleKeypad(call.id)} {...kbd('keypad')}>
                {t('call.keypad')}
              </button>
            ) : null}
          </>
        ) : null}
        {call.consultFor && (call.state === 'active' || call.state === 'dialing') ? (
          <>
            <button className="btn btn-answer" type="button" disabled={busy} onClick={() => act(() => phone.completeTransfer(call.id))}>
              {t('call.completeTransfer')}
            </button>
            <button className="btn" type="button" onClick={() => act(() => phone.cancelConsult(call.id))}>
              {t('call.cancelTransfer')}
            </button>
          </>
        ) : null}
        {talking && !call.consultFor ? (
          <button className="btn" type="button" aria-expanded={transferOpen} disabled={busy} onClick={() => callUi.getState().toggleTransfer(call.id)} {...kbd('transfer')}>
            {t('call.transfer')}
          </button>
        ) : null}
        {talking ? (
          <button className="btn btn-quiet" type="button" onClick={() => callUi.getState().openDial()} {...kbd('dial')}>
            {t('call.newCall')}
          </button>
        ) : null}
        {call.state !== 'ringing' && call.state !== 'ended' ? (
          <button className="btn btn-reject" type="button" onClick={() => act(() => phone.hangup(call.id))} {...kbd('hangup')}>
            {t('call.hangup')}
          </button>
        ) : null}
        {call.state === 'ended' ? (
          <>
            <p className="call-reason" data-testid="call-end-reason">
              {call.endReason ? t(`call.reason.${call.endReason}`) : null}
              {call.endDetail && (call.endReason === 'unanswered' || call.endReason === 'failed') ? <span className="muted"> ({call.endDetail})</span> : null}
            </p>
            {call.quality ? <QualityBadge quality={call.quality} final /> : null}
            <button className="btn btn-quiet" type="button" onClick={() => phoneStore.getState().clearEnded()}>
              {t('call.dismiss')}
            </button>
          </>
        ) : null}
      </div>
      {keypadOpen && call.state === 'active' ? <DtmfKeypad call={call} /> : null}
      {transferOpen && talking ? <TransferPanel call={call} /> : null}
    </section>
  );
}

/** The other lines: a second call ringing (call waiting), a held caller, a consult. */
function OtherLines({ calls }: { calls: CallSnapshot[] }) {
  const { t } = useTranslation();
  return (
    <section className="card other-lines" aria-label={t('call.otherLines')} data-testid="other-lines">
      <h3>{t('call.otherLines')}</h3>
      <ul>
        {calls.map((c) => (
          <OtherLine key={c.id} call={c} />
        ))}
      </ul>
    </section>
  );
}

function OtherLine({ call }: { call: CallSnapshot }) {
  const { t } = useTranslation();
  const { phone } = useDeps();
  const act = useAct();
  const name = useCallerName(call);
  const engaged = usePhoneState((s) => liveCalls(s).some((c) => c.id !== call.id && isEngaged(c)));
  return (
    <li className={`line line-${call.state}`} data-testid="other-line" data-call-state={call.state} data-call-id={call.id}>
      <span className="line-name">{name}</span>
      <span className="line-state muted">{heading(call, t)}</span>
      {call.state === 'ringing' ? (
        <>
          <button className="btn btn-answer" type="button" onClick={() => act(() => phone.answer(call.id))} aria-label={t('call.answerLine', { who: name })}>
            {engaged ? t('call.answerAndHold') : t('call.answer')}
          </button>
          <button className="btn btn-reject" type="button" onClick={() => act(() => phone.reject(call.id))} aria-label={t('call.rejectLine', { who: name })}>
            {t('call.reject')}
          </button>
        </>
      ) : null}
      {call.state === 'held' ? (
        <button className="btn" type="button" disabled={!!call.pending} onClick={() => act(() => phone.resume(call.id))} aria-label={t('call.resumeLine', { who: name })}>
          {t('call.resume')}
        </button>
      ) : null}
      {call.state !== 'ringing' ? (
        <button className="btn btn-reject" type="button" onClick={() => act(() => phone.hangup(call.id))} aria-label={t('call.hangupLine', { who: name })}>
          {t('call.hangup')}
        </button>
      ) : null}
    </li>
  );
}

function ActionError() {
  const { t } = useTranslation();
  const { callUi } = useDeps();
  const error = useCallUi((s) => s.error);
  if (!error) return null;
  return (
    <div className="card form-error action-error" role="alert" data-testid="action-error">
      <span>{t(error.key)}</span>
      {error.detail ? <span className="problem-detail"> {t('problem.detail', { detail: error.detail })}</span> : null}
      <button type="button" className="btn btn-quiet" onClick={() => callUi.getState().clearError()}>
        {t('call.dismiss')}
      </button>
    </div>
  );
}

/** Screen-reader announcements for call events and agent states (assertive: a ringing call must not wait). */
export function CallAnnouncer() {
  const { t } = useTranslation();
  const a = useCallUi((s) => s.announcement);
  return (
    <div className="visually-hidden" aria-live="assertive" role="status" data-testid="announcer">
      {a ? <span key={a.seq}>{t(a.key, a.params ?? {})}</span> : null}
    </div>
  );
}
