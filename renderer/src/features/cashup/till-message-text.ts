import { describeError } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { TillMessage } from './till-store.js';

/** What the till store has to say (done, cancelled, failed), in the UI language. */
export function tillMessageText(t: Translate, message: TillMessage): string {
  if (message.kind === 'error') return describeError(t, message.error);
  if (message.kind === 'approval-cancelled') return t('session.approval.cancelled');
  return t(`cashup.till.done.${message.what}`);
}
