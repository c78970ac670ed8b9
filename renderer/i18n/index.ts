import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../../shared/domain/settings';
import { en } from './en';
import { zhCN } from './zh-CN';

export const resources = { en: { translation: en }, 'zh-CN': { translation: zhCN } } as const;

/** The language to show: the agent's choice, else the system's (Chinese variants → zh-CN). */
export function pickLocale(chosen: Locale | null | undefined, system: readonly string[]): Locale {
  if (chosen) return chosen;
  return system.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export async function initI18n(locale: Locale) {
  await i18next.use(initReactI18next).init({
    resources,
    lng: locale,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React renders text nodes; nothing is inserted as HTML
    returnNull: false,
  });
  document.documentElement.lang = locale;
  return i18next;
}

export async function setLocale(locale: Locale) {
  await i18next.changeLanguage(locale);
  document.documentElement.lang = locale;
}
