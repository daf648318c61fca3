import { describeError } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { ApiError } from '../../api/contract.js';

/**
 * Main says how many attempts are left, or how long the lockout lasts, in its message; the UI
 * picks the numbers out so the sentence stays in the UI language.
 */
export function pinErrorText(t: Translate, error: ApiError): string {
  if (error.code === 'WRONG_PIN') {
    const left = /(\d+)\s*(?:attempts?|tries|次)/i.exec(error.message)?.[1];
    return left === undefined ? t('error.WRONG_PIN') : t('session.login.wrongPinLeft', { count: left });
  }
  if (error.code === 'STAFF_LOCKED') {
    const minutes = /(\d+)\s*(?:more\s+)?(?:min|分钟)/i.exec(error.message)?.[1];
    return minutes === undefined ? t('error.STAFF_LOCKED') : t('session.login.lockedFor', { minutes });
  }
  if (error.code === 'FORBIDDEN') return t('session.approval.notManager');
  return describeError(t, error);
}
