/**
 * Two languages, zh-CN and en, one namespace per feature (its words beside its screens) plus `common`. The first
 * choice is what the user picked before (kept in this browser), then the browser's languages.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { common } from './common.ts';
import { signin } from '../features/signin/i18n.ts';
import { customers } from '../features/customers/i18n.ts';
import { documents } from '../features/documents/i18n.ts';
import { approvals } from '../features/approvals/i18n.ts';
import { audit } from '../features/audit/i18n.ts';
import { admin } from '../features/admin/i18n.ts';
import { aging } from '../features/aging/i18n.ts';
import { kpis } from '../features/kpis/i18n.ts';
import { provision } from '../features/provision/i18n.ts';
import { statements } from '../features/statements/i18n.ts';
import { credit } from '../features/credit/i18n.ts';
import { creditControl } from '../features/credit/control-i18n.ts';
import { alerts } from '../features/alerts/i18n.ts';
import { bank } from '../features/bank/i18n.ts';
import { collections } from '../features/collections/i18n.ts';
import { worklist } from '../features/worklist/i18n.ts';
import { dunning } from '../features/dunning/i18n.ts';
import { plans } from '../features/plans/i18n.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every namespace with its words in both languages: the i18n test holds the two to the same keys. */
export const NAMESPACES = { common, signin, customers, documents, approvals, audit, admin, aging, kpis, provision, statements, credit, creditControl, alerts, collections, bank, worklist, dunning, plans } as const;

const STORAGE_KEY = 'arflow.language';

/** The language to start in: the one chosen before, else the browser's first Chinese or English preference. */
export function initialLanguage(stored: string | null, browser: readonly string[]): Language {
  if (stored === 'zh-CN' || stored === 'en') return stored;
  for (const tag of browser) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  void i18n.changeLanguage(language);
}

export function setupI18n(): typeof i18n {
  const resources: Record<Language, Record<string, object>> = { 'zh-CN': {}, en: {} };
  for (const [ns, words] of Object.entries(NAMESPACES)) {
    resources['zh-CN'][ns] = words['zh-CN'];
    resources.en[ns] = words.en;
  }
  void i18n.use(initReactI18next).init({
    resources,
    lng: initialLanguage(storedLanguage(), typeof navigator === 'undefined' ? [] : navigator.languages),
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(NAMESPACES),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  i18n.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
  });
  document.documentElement.lang = i18n.language;
  return i18n;
}
