import { describeError } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { TillMessage } from './till-store.js';

/** What the till store has to say (done, cancelled, failed), in the UI language. */
export function tillMessageText(t: Translate, message: TillMessage): string {
  if (message.kind === 'error') return describeError(t, message.error);
  if (message.kind === 'approval-cancelled') return t('session.approval.cancelled');
  // Recorded either way; the drawer's part is said as the sale screen says it.
  if (message.drawer)
    return `${t(`cashup.till.recorded.${message.what}`)} ${t(message.drawer.uncertain ? 'cashup.till.drawerUncertain' : 'cashup.till.drawerFailed')}`;
  return t(`cashup.till.done.${message.what}`);
}

/** A drawer that did not open, or may have, stays on screen as a warning until the cashier dismisses it. */
export function tillMessageTone(message: TillMessage): 'error' | 'info' {
  return message.kind === 'done' && !message.drawer ? 'info' : 'error';
}
