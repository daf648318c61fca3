import { isConnectionError } from '../api/api-client.js';
import { dynamicText } from './dynamic-text.js';
import { isMessageKey } from './translate.js';
import type { Translate } from './translate.js';
import type { ApiError, ScanEvent } from '../api/contract.js';

/** What the user was doing, so an error can name it ("barcode 690… is not in the catalog"). */
export type ErrorContext = { query?: string };

const BARCODE_LIKE = /^\d{8,14}$/;

/** Turns any failed call into one sentence in the UI language. Unknown codes read as INTERNAL. */
export function describeError(t: Translate, error: ApiError, context: ErrorContext = {}): string {
  if (isConnectionError(error)) return t('error.connection');
  const query = context.query?.trim();
  if (query) {
    if (error.code === 'NOT_FOUND') {
      return BARCODE_LIKE.test(query) ? t('lookup.notFoundBarcode', { code: query }) : t('lookup.notFoundQuery', { query });
    }
    if (error.code === 'INVALID_BARCODE') return t('lookup.invalidBarcode', { code: query });
  }
  const key = `error.${error.code}`;
  // A newer main could answer with a code this renderer does not know yet.
  const text = isMessageKey(key) ? t(key as `error.${ApiError['code']}`) : t('error.INTERNAL');
  if (error.code === 'BAD_INPUT' && error.issues && error.issues.length > 0) {
    return `${text}: ${error.issues.map((i) => `${i.path} — ${i.message}`).join('; ')}`;
  }
  return text;
}

/** Why a scan was refused. A reason a newer main may add, unknown to this renderer, still reads as "invalid barcode". */
export function describeScanReason(t: Translate, reason: ScanEvent['reason']): string {
  return dynamicText(t, `error.scan.reason.${reason ?? ''}`, 'error.INVALID_BARCODE');
}
