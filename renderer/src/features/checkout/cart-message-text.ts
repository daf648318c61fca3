import { describeError, describeScanReason } from '../../i18n/describe-error.js';
import type { Translate } from '../../i18n/translate.js';
import type { CartMessage } from './cart-store.js';
import type { Tone } from '../../ui/MessageBanner.js';

export function cartMessageTone(message: CartMessage): Tone {
  return message.kind === 'error' || message.kind === 'scan-malformed' ? 'error' : 'info';
}

export function cartMessageText(t: Translate, message: CartMessage): string {
  switch (message.kind) {
    case 'error':
      if (message.error.code === 'SKU_INACTIVE' && message.query) return t('checkout.sell.inactive', { code: message.query });
      if (message.error.code === 'NOT_FOUND' && message.query && !/^\d{8,14}$/.test(message.query)) {
        return t('checkout.sell.unknownCode', { code: message.query });
      }
      return describeError(t, message.error, message.query === undefined ? {} : { query: message.query });
    case 'scan-malformed':
      return t('error.scan.malformed', { raw: message.raw, reason: describeScanReason(t, message.reason) });
    case 'receipt':
      return t('checkout.sell.receiptScanned', { receiptNo: message.receiptNo });
    case 'receipt-not-found':
      return t('returns.notFound', { receiptNo: message.receiptNo });
    case 'parked':
      return t('checkout.sell.parkedOk');
    case 'approval-cancelled':
      return t('session.approval.cancelled');
  }
}
