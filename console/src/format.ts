import type { Language } from './i18n/translate.js';
import type { Translate } from './i18n/translate.js';
import { HqRefusal, HqUnreachable } from './api.js';

// The one text form of money outside the terminal's renderer (integer fen → `￥1,234.56`).
export { yuan } from '../../sync/protocol/money.js';

/** A time zone Intl knows, else UTC (a store's zone HQ holds that this browser's ICU lacks). */
function knownZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return 'UTC';
  }
}

/**
 * An instant from HQ (ISO, UTC) on the clock of the store it belongs to (`timeZone`, IANA), not
 * this browser's: `2026-12-08 09:41`. Finance reads receipts and store reports at store time.
 */
export function formatWhen(iso: string, language: Language, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = new Intl.DateTimeFormat(language === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone: knownZone(timeZone),
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

/** Which clock formatWhen read for that instant: the zone's offset then (`GMT+8`), or `UTC`. */
export function zoneLabel(iso: string, timeZone: string): string {
  const zone = knownZone(timeZone);
  const at = new Date(iso);
  if (zone === 'UTC' || Number.isNaN(at.getTime())) return 'UTC';
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/** What went wrong, for the person at the screen. */
export function describeFailure(error: unknown, t: Translate): string {
  if (error instanceof HqUnreachable) return t('error.network');
  if (error instanceof HqRefusal) return t('error.hq', { message: error.message });
  return t('error.hq', { message: error instanceof Error ? error.message : String(error) });
}
