import type { Language } from '../../api/contract.js';

/**
 * A UTC instant as the store's wall-clock time: `14:03:27` today, `11-20 14:03` on another day.
 * Falls back to the browser's zone when the store's is unknown to this browser.
 */
export function formatStoreTime(iso: string, timeZone: string | undefined, language: Language, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const zone = validZone(timeZone);
  const sameDay = storeDay(at, zone) === storeDay(now, zone);
  return new Intl.DateTimeFormat(language, {
    timeZone: zone,
    hour12: false,
    hour: '2-digit',
    minute: '2-digit',
    ...(sameDay ? { second: '2-digit' } : { month: '2-digit', day: '2-digit' }),
  }).format(at);
}

/** The store-local day of an instant as YYYY-MM-DD (en-CA writes dates that way), comparable as text. */
export function storeDay(at: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: validZone(timeZone), year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function validZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}
