import type { returnsZhCN } from './returns.zh-CN.js';

/** Texts of the Returns screen, English: exactly the keys of the Chinese ones. */
export const returnsEn: { readonly [K in keyof typeof returnsZhCN]: string } = {
  'returns.placeholder': 'Scan or type the receipt number',
  'returns.find': 'Find',
  'returns.hint': 'Scan the barcode on the receipt, or pick the sale from the member’s history.',
  'returns.notFound': 'Receipt {receiptNo} is not on this device.',
  'returns.history': '{name}’s purchases',
  'returns.noHistory': 'No purchases by this member on this device.',
  'returns.paid': '{qty} bought, paid {amount}',
  'returns.alreadyReturned': '{qty} already returned',
  'returns.left': '{qty} returnable',
  'returns.none': 'All returned',
  'returns.start': 'Return items from this receipt',
  'returns.exchangeHint':
    'Choose how many to return. For an exchange, scan the new items on the Sell screen; the difference is settled there.',
  'returns.newItems': 'New items',
  'returns.refundTo': 'Back to {method}',
  'returns.refund': 'Refund {amount}',
  'returns.cashInstead': 'Refund in cash instead',
  'returns.payOnSell': 'The exchange costs {amount} more: take the payment on the Sell screen.',
  'returns.noReceipt': 'Return without receipt',
  'returns.noReceiptSku': 'Barcode or SKU',
  'returns.noReceiptAdd': 'Return',
  'returns.noReceiptHint': 'Refunded in cash at today’s price; a manager approves.',
};
