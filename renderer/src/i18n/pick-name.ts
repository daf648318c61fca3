import type { I18nName, Language } from '../api/contract.js';

/** Catalog names come in both languages; fall back to the other one when a name is missing. */
export function pickName(name: I18nName, language: Language): string {
  return language === 'en' ? name.en || name.zh : name.zh || name.en;
}
