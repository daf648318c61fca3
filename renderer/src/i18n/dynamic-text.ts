import { isMessageKey } from './translate.js';
import type { MessageKey, Translate } from './translate.js';

/**
 * The text of a key built from data main may extend (a new receipt kind, job state or hold
 * reason): a newer main must never make this renderer show a raw key. Only for keys without
 * placeholders.
 */
export function dynamicText(t: Translate, key: string, fallback: MessageKey): string {
  const plain = t as (key: string) => string;
  return isMessageKey(key) ? plain(key) : plain(fallback);
}
