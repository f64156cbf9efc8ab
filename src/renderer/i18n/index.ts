import i18next from 'i18next';
import { useMemo } from 'react';
import type { Message } from '../../shared/view';
import { cy } from './cy';
import { enGB } from './en-GB';

/** The catalogues by BCP 47 tag; any key one lacks falls back to English. */
const catalogues: Record<string, { translation: Record<string, string> }> = {
  'en-GB': { translation: enGB },
  cy: { translation: cy },
};

const FALLBACK = 'en-GB';

const i18n = i18next.createInstance();
void i18n.init({
  lng: FALLBACK,
  fallbackLng: FALLBACK,
  resources: catalogues,
  // Keys are flat strings with dots in them ('unlock.wait'), not paths into nested objects.
  keySeparator: false,
  nsSeparator: false,
  // React escapes text itself; escaping here would show &amp; on screen.
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

export type Params = Record<string, string | number>;
export type Translate = (key: string, params?: Params) => string;

export interface Texts {
  locale: string;
  t: Translate;
  /** A message from the core. Unknown keys come back as the key itself, so a gap shows. */
  message: (m: Message) => string;
}

export function textsFor(locale: string): Texts {
  const lng = supported(locale);
  const fixed = i18n.getFixedT(lng);
  const t: Translate = (key, params) => fixed(key, params ?? {}) as string;
  const message = (m: Message) => {
    const params: Params = { ...m.params };
    // A message with one number is pluralised on it ('unlock.wait' {seconds: 30}).
    const numbers = Object.values(m.params).filter((v) => typeof v === 'number');
    if (params.count === undefined && numbers.length === 1) params.count = numbers[0]!;
    // Method names arrive as codes ('ldap'); say them in words.
    if (typeof params.method === 'string') params.methodName = t(`method.${params.method}`);
    if (typeof params.next === 'string') params.nextName = t(`method.use.${params.next}`);
    return t(m.key, params);
  };
  return { locale: lng, t, message };
}

export function useTexts(locale: string): Texts {
  return useMemo(() => textsFor(locale), [locale]);
}

function supported(locale: string): string {
  if (catalogues[locale]) return locale;
  const language = locale.split('-')[0];
  const near = Object.keys(catalogues).find((l) => l.split('-')[0] === language);
  return near ?? FALLBACK;
}

/** Dates and times in the user's locale; the core sends instants, never formatted text. */
export function formatTime(when: string | number, locale: string): string {
  return format(when, locale, { hour: '2-digit', minute: '2-digit' });
}

export function formatDateTime(when: string | number, locale: string): string {
  return format(when, locale, { dateStyle: 'full', timeStyle: 'short' });
}

function format(when: string | number, locale: string, opts: Intl.DateTimeFormatOptions): string {
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return String(when);
  try {
    return new Intl.DateTimeFormat(locale, opts).format(date);
  } catch {
    return new Intl.DateTimeFormat(FALLBACK, opts).format(date);
  }
}
