export { t, locale, setLocale, translate, LOCALES, type Locale, type Params } from './i18n.svelte.ts';
export type { MessageKey } from './fr.ts';
