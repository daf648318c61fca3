/** A name in both UI languages. */
export type I18nName = { zh: string; en: string };

export type Language = 'zh-CN' | 'en';
