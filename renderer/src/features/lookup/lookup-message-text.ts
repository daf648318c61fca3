import { describeError, describeScanReason } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { LookupMessage } from './lookup-store.js';
import type { Tone } from '../../ui/MessageBanner.js';

export function messageTone(message: LookupMessage): Tone {
  return message.kind === 'no-results' ? 'info' : 'error';
}

export function messageText(t: Translate, message: LookupMessage): string {
  switch (message.kind) {
    case 'error':
      return describeError(t, message.error, message.query === undefined ? {} : { query: message.query });
    case 'no-results':
      return t('lookup.notFoundQuery', { query: message.query });
    case 'scan-malformed':
      return t('error.scan.malformed', { raw: message.raw, reason: describeScanReason(t, message.reason) });
    case 'scan-unknown':
      return t('lookup.scan.unknown', { raw: message.raw });
    case 'scan-submit-failed':
      return t('lookup.scan.submitFailed', { reason: describeError(t, message.error) });
  }
}
