// The USB headset: which one (model, connected or not), the last button it sent, a test ring, a picker
// when several are plugged in, and in a plain browser the button that lets the page use one.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeps, useHeadsetState, usePhoneState, useSettingsState } from '../app-context';
import type { HeadsetEvent } from '../headset/headset-machine';
import { toHeadsetView } from '../headset/headset-view';

export function HeadsetPanel() {
  const { t } = useTranslation();
  const { headset, callUi } = useDeps();
  const supported = useHeadsetState((s) => s.supported);
  const canRequest = useHeadsetState((s) => s.canRequest);
  const status = useHeadsetState((s) => s.status);
  const error = useHeadsetState((s) => s.error);
  const inCall = usePhoneState((s) => toHeadsetView(s).state !== 'idle');
  const preferred = useSettingsState((s) => s.settings?.headset?.deviceId ?? null);
  const pickerId = useId();

  if (!supported) {
    return (
      <section className="card headset" data-testid="headset" data-state="unsupported" aria-label={t('headset.title')}>
        <h3>{t('headset.title')}</h3>
        <p className="muted">{t('headset.unsupported')}</p>
      </section>
    );
  }

  const device = status.device;
  const name = device ? device.productName || t('headset.unnamed', { vendor: device.vendor }) : '';
  const ready = status.state === 'ready';
  const fail = (e: unknown) => callUi.getState().fail('error.settingsFailed', e instanceof Error ? e.message : String(e));

  return (
    <section className="card headset" data-testid="headset" data-state={status.state} aria-label={t('headset.title')}>
      <h3>{t('headset.title')}</h3>
      <p role="status" data-testid="headset-status" data-state={status.state}>
        {status.state === 'no_device' ? t('headset.none') : null}
        {status.state === 'opening' ? t('headset.opening', { name }) : null}
        {status.state === 'ready' ? (
          <>
            <span className="headset-model" data-testid="headset-model">
              {name}
            </span>{' '}
            <span className="muted">· {t('headset.connected')}</span>
          </>
        ) : null}
        {status.state === 'failed' ? t('headset.openFailed', { name }) : null}
      </p>
      {status.state === 'failed' ? (
        <p className="notice" data-testid="headset-problem">
          {t('headset.openFailedHint')} {status.problemDetail ? <span className="muted">({status.problemDetail})</span> : null}
        </p>
      ) : null}
      {status.problem === 'write_failed' && status.state === 'ready' ? (
        <p className="notice" data-testid="headset-problem">
          {t('headset.writeFailed')} {status.problemDetail ? <span className="muted">({status.problemDetail})</span> : null}
        </p>
      ) : null}
      {ready ? <LastEvent event={status.lastEvent} /> : null}

      <div className="headset-actions">
        {ready ? (
          status.testRinging ? (
            <button type="button" className="btn btn-quiet" onClick={() => headset.stopTestRing()}>
              {t('headset.stopRing')}
            </button>
          ) : (
            <button type="button" className="btn btn-quiet" disabled={inCall} onClick={() => headset.testRing()}>
              {t('headset.testRing')}
            </button>
          )
        ) : null}
        {canRequest ? (
          <button type="button" className="btn btn-quiet" onClick={() => void headset.connect()}>
            {t('headset.connect')}
          </button>
        ) : null}
      </div>
      {status.testRinging ? (
        <p className="muted" data-testid="headset-ringing">
          {t('headset.ringingHint')}
        </p>
      ) : null}

      {status.available.length > 1 ? (
        <div className="field">
          <label htmlFor={pickerId}>{t('headset.choose')}</label>
          <select id={pickerId} data-testid="headset-picker" value={preferred && status.available.some((d) => d.id === preferred) ? preferred : ''} onChange={(e) => void headset.choose(e.target.value || null).catch(fail)}>
            <option value="">{t('headset.any')}</option>
            {status.available.map((d) => (
              <option key={d.id} value={d.id}>
                {d.productName || t('headset.unnamed', { vendor: d.vendor })}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {error ? (
        <p className="notice" role="alert" data-testid="headset-error">
          {t('headset.requestFailed', { error })}
        </p>
      ) : null}
    </section>
  );
}

function LastEvent({ event }: { event: HeadsetEvent | null }) {
  const { t } = useTranslation();
  if (!event) return <p className="muted" data-testid="headset-last-event">{t('headset.noEvent')}</p>;
  const control = t(`headset.control.${event.control}`);
  const what = event.action === 'ignored' ? t(`headset.ignored.${event.reason ?? 'no_call'}`) : t(`headset.action.${event.action}`);
  const at = new Date(event.at).toLocaleTimeString();
  return (
    <p className="muted" data-testid="headset-last-event" data-action={event.action} data-control={event.control}>
      {t('headset.lastEvent', { control, what, at })}
    </p>
  );
}
