// English and French. Each screen declares its own words next to it (messages({ en, fr })), so
// adding a screen never touches a shared dictionary; the language follows the user's choice, else
// the browser's.
import { createContext, useContext } from 'react';

export type Language = 'en' | 'fr';
export const LANGUAGES: Language[] = ['en', 'fr'];

export const LanguageContext = createContext<Language>('en');

export function useLanguage(): Language {
  return useContext(LanguageContext);
}

export function browserLanguage(): Language {
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** A screen's words in both languages; French must name every English key. */
export function messages<M extends Record<string, string>>(dictionary: { en: M; fr: { [K in keyof M]: string } }): () => M {
  return () => dictionary[useLanguage()] as M;
}

/** "{count} unread" with { count: 3 } → "3 unread". */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

export function useDateFormat(): (date: string | Date) => string {
  const language = useLanguage();
  const format = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  return (date) => format.format(new Date(date));
}
