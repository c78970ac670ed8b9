import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { Locale } from '../../shared/domain/settings';
import { unwrap } from '../bridge/api';
import { useDeps, usePhoneState, useSettingsState } from '../app-context';
import { AgentStateControl } from './AgentStateControl';
import { SearchPanel } from './SearchPanel';
import { count } from './format';

export function Header({ onEditAccount }: { onEditAccount: () => void }) {
  const { t, i18n } = useTranslation();
  const { api } = useDeps();
  const registration = usePhoneState((s) => s.registration);
  const seen = usePhoneState(useShallow((s) => ({ registeredAt: s.registeredAt, lastSeenAt: s.lastSeenAt })));
  const { settings, cache } = useSettingsState(useShallow((s) => ({ settings: s.settings, cache: s.cache })));
  const account = settings?.account;

  const changeLocale = (v: string) => {
    const locale = v === 'system' ? null : (v as Locale);
    void unwrap(api.settings.update({ locale }));
  };

  return (
    <header className="header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          联
        </span>
        <span className="brand-name">{t('app.title')}</span>
        <span className="brand-tagline">{t('app.tagline')}</span>
      </div>
      <div className="header-status">
        <AgentStateControl />
        <span className={`reg reg-${registration}`} data-testid="registration" data-registered-at={seen.registeredAt} data-last-seen={seen.lastSeenAt}>
          {t(`registration.${registration}`)}
          {account ? <span className="reg-user"> · {account.sipUri.replace(/^sips?:/, '')}</span> : null}
        </span>
      </div>
      <SearchPanel />
      <div className="header-tools">
        <span className="cache" data-testid="cache-status">
          {cache && cache.customers > 0
            ? `${t('cache.status', { count: cache.customers, formatted: count(cache.customers, i18n.language) })}${cache.source !== 'empty' ? ` (${t(`cache.source.${cache.source}`)})` : ''}`
            : t('cache.empty')}
        </span>
        <label className="lang">
          <span className="visually-hidden">{t('lang.label')}</span>
          <select value={settings?.locale ?? 'system'} onChange={(e) => changeLocale(e.target.value)} aria-label={t('lang.label')}>
            <option value="system">{t('lang.system')}</option>
            <option value="en">{t('lang.en')}</option>
            <option value="zh-CN">{t('lang.zh-CN')}</option>
          </select>
        </label>
        {account ? (
          <button type="button" className="btn btn-quiet" onClick={onEditAccount}>
            {t('account.edit')}
          </button>
        ) : null}
      </div>
    </header>
  );
}
