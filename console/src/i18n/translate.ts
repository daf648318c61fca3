import { en } from './en.js';
import { zhCN } from './zh-CN.js';
import type { Dictionary, MessageKey } from './zh-CN.js';

export type { MessageKey } from './zh-CN.js';

/** The console's languages: Simplified Chinese (the reference) and English. */
export type Language = 'zh-CN' | 'en';

type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** A key's parameters, read from the `{placeholders}` of its Chinese text (as in renderer/src/i18n). */
export type Params<K extends MessageKey> = Placeholders<(typeof zhCN)[K]>;
type ParamsArg<K extends MessageKey> = [Params<K>] extends [never] ? [] : [params: Record<Params<K>, string | number>];

export type Translate = <K extends MessageKey>(key: K, ...params: ParamsArg<K>) => string;

export const DICTIONARIES: Readonly<Record<Language, Dictionary>> = { 'zh-CN': zhCN, en };

export function interpolate(text: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function createTranslate(language: Language): Translate {
  const dictionary = DICTIONARIES[language];
  return (key, ...params) => interpolate(dictionary[key], params[0]);
}
