import type { Language } from './i18n/translate.js';
import type { Translate } from './i18n/translate.js';
import { HqRefusal, HqUnreachable } from './api.js';

// The one text form of money outside the terminal's renderer (integer fen → `￥1,234.56`).
export { yuan } from '../../sync/protocol/money.js';

/** An instant from HQ (ISO, UTC) in this browser's time zone: `2026-12-08 09:41`. */
export function formatWhen(iso: string, language: Language): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** What went wrong, for the person at the screen. */
export function describeFailure(error: unknown, t: Translate): string {
  if (error instanceof HqUnreachable) return t('error.network');
  if (error instanceof HqRefusal) return t('error.hq', { message: error.message });
  return t('error.hq', { message: error instanceof Error ? error.message : String(error) });
}
