// The current language as reactive state: every t() call made while rendering re-runs when it changes.
import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type Locale = 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['fr', 'en'];
const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { fr, en };
const STORAGE_KEY = 'loupe.locale';

function initialLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch {
    // Storage can be refused (private mode, sandbox): French then.
  }
  return 'fr';
}

const state = $state({ locale: initialLocale() });

export function locale(): Locale {
  return state.locale;
}

export function setLocale(next: Locale): void {
  state.locale = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Not remembered, still switched.
  }
  if (globalThis.document) document.documentElement.lang = next;
}

export type Params = Record<string, string | number>;

export function translate(loc: Locale, key: MessageKey, params?: Params): string {
  const msg = CATALOGUES[loc][key] ?? fr[key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function t(key: MessageKey, params?: Params): string {
  return translate(state.locale, key, params);
}
