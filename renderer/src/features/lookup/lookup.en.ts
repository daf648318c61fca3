import type { lookupZhCN } from './lookup.zh-CN.js';

/** Texts of product lookup, English: exactly the keys of the Chinese ones. */
export const lookupEn: { readonly [K in keyof typeof lookupZhCN]: string } = {
  'lookup.search.label': 'Product lookup',
  'lookup.search.placeholder': 'Scan a barcode, or type an EAN, SKU, style code or name',
  'lookup.search.submit': 'Look up',
  'lookup.search.clear': 'Clear',
  'lookup.search.busy': 'Looking up…',
  'lookup.search.hint': 'Scan a product barcode, or type a barcode, SKU, style code or name and press Enter.',

  'lookup.notFoundBarcode': 'Barcode {code} is not in the catalog',
  'lookup.notFoundQuery': 'No products match “{query}”',
  'lookup.invalidBarcode': 'Barcode {code} has a wrong check digit or length. Scan it again, or check the number and retype it.',

  'lookup.results.count': '{count} styles found',
  'lookup.results.truncated': 'Many matches: showing the first {count}. Type more of the name or style code.',
  'lookup.results.back': 'Back to results',
  'lookup.results.stock': '{count} in store',

  'lookup.card.styleCode': 'Style',
  'lookup.card.category': 'Category',
  'lookup.card.colour': 'Colour',
  'lookup.card.size': 'Size',
  'lookup.card.ean': 'EAN',
  'lookup.card.sku': 'SKU',
  'lookup.card.stockHere': 'Stock here',
  'lookup.card.pieces': '{count} pcs',
  'lookup.card.inactive': 'Discontinued',
  'lookup.card.pickSize': 'Pick a colour and size in the table below',
  'lookup.card.styleStock': '{count} pcs of this style in store',

  'lookup.matrix.title': 'Colour / size · stock in this store',
  'lookup.matrix.colour': 'Colour',
  'lookup.matrix.noSku': 'Not made',
  'lookup.matrix.inactive': 'Disc.',
  'lookup.matrix.cellLabel': '{colour} {size}: {stock} in stock',

  'lookup.scan.ok': 'Scanned ✓ {code}',
  'lookup.scan.unknown': 'Unrecognised barcode {raw}',
  'lookup.scan.submitFailed': 'The scan did not reach the terminal: {reason}',
};
