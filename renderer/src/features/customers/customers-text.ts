import type { Language } from '../../api/contract.js';
import { pickName } from '../../i18n/pick-name.js';
import { isMessageKey } from '../../i18n/translate.js';
import { storeDay } from '../../ui/format/event-time.js';
import type { Translate } from '../../i18n/translate.js';
import type { CustomerTag, RequestView } from './customers-types.js';

/** The text of a key made from data (a reason, a tag) HQ may extend; undefined for one this renderer does not know. Keys without placeholders only. */
function known(t: Translate, key: string): string | undefined {
  return isMessageKey(key) ? (t as (key: string) => string)(key) : undefined;
}

/** An automatic tag in words (dormant_180, high_spender, size:M, category:…); a guide's own tag as written. */
export function tagText(t: Translate, tag: CustomerTag, language: Language): string {
  if (tag.source === 'manual') return tag.tag;
  if (tag.tag.startsWith('size:')) return t('customers.tag.size', { size: tag.tag.slice(5) });
  if (tag.tag.startsWith('category:'))
    return t('customers.tag.category', { category: tag.label ? pickName(tag.label, language) : tag.tag.slice(9) });
  return known(t, `customers.tag.${tag.tag}`) ?? tag.tag;
}

/** Why HQ refused a request, in words; a reason this renderer does not know yet is shown as HQ gave it. */
export function refusalText(t: Translate, request: RequestView): string {
  if (request.reason === 'bound_elsewhere') return t('customers.reason.bound_elsewhere', { guide: request.currentGuide?.name ?? '' });
  return known(t, `customers.reason.${request.reason ?? ''}`) ?? t('customers.reason.other', { reason: request.reason ?? '' });
}

/** A store-local calendar date (`2026-11-22`, `11月22日`). */
export function formatDate(iso: string, timeZone: string | undefined, language: Language): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(language, { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

/** A task is overdue once its due day (shown as a date, in the store's time zone) has passed, not at its time of day. */
export function isOverdue(dueAt: string, now: Date, timeZone: string | undefined): boolean {
  const due = new Date(dueAt);
  return !Number.isNaN(due.getTime()) && storeDay(due, timeZone) < storeDay(now, timeZone);
}
