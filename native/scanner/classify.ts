import { parseGtin } from './barcode.js';
import { isGs1, parseGs1 } from './gs1.js';
import { RECEIPT_NO_RE } from '../../sync/protocol/receipt-number.js';

/** Why a scan is malformed, as a code the UI translates. */
export type MalformedReason = 'empty' | 'bad_length' | 'bad_check_digit';

export type Classification =
  | { kind: 'product'; code: string; symbology: 'ean13' | 'upca' | 'ean8' | 'gs1' }
  | { kind: 'malformed'; reason: MalformedReason }
  | { kind: 'unknown' };

/** Control characters a scanner may leave around a code (CR/LF, STX/ETX, NUL) — never part of one. */
const CONTROL = /[\u0000-\u001f\u007f]/g;

/**
 * What a scanned string is. Product codes (EAN-13, UPC-A, EAN-8) are checked here; member,
 * coupon, payment, GS1 and receipt codes are classified by the peripherals and checkout work and
 * are `unknown` until then. A digit string of a product length with a bad check digit is
 * `malformed`, so the cashier hears about a misread instead of "not found".
 */
export function classifyScan(raw: string): Classification {
  const text = raw.replace(CONTROL, '').trim();
  if (text.length === 0) return { kind: 'malformed', reason: 'empty' };
  // GS1 element strings (`]C1`, `]d2`, `]Q3`, `]e0`): read with their GS (FNC1) separators kept.
  const gs1Text = raw.replace(/[\u0000-\u001c\u001e\u001f\u007f]/g, '').trim();
  if (isGs1(gs1Text)) return classifyGs1(gs1Text);
  if (/^\d+$/.test(text)) {
    const gtin = parseGtin(text);
    if (gtin.ok) return { kind: 'product', code: gtin.code, symbology: gtin.symbology };
    // Up to 14 digits is a misread product code; longer digit strings may be other codes (payment, member).
    if (text.length <= 14 && gtin.reason !== 'not_digits') return { kind: 'malformed', reason: gtin.reason };
  }
  return { kind: 'unknown' };
}

/**
 * A GS1 label: its GTIN (AI 01) is the product, as EAN-13 when it has a leading 0 (the usual
 * case for retail items); a broken element string or GTIN check digit is malformed; a valid
 * string without an item GTIN (a pallet's SSCC, a lot alone) is unknown to the till.
 */
function classifyGs1(text: string): Classification {
  const gs1 = parseGs1(text);
  if (!gs1.ok) return { kind: 'malformed', reason: gs1.reason };
  if (gs1.gtin14?.startsWith('0')) return { kind: 'product', code: gs1.gtin14.slice(1), symbology: 'gs1' };
  return { kind: 'unknown' };
}

/**
 * A Shopfloor receipt number as printed in CODE128 on every receipt (`S001-7F3A-261122-0042`:
 * store, device, business date, sequence), normalised to upper case; null for anything else.
 * Separate from classifyScan so the scan event's kinds stay as they are; checkout asks this.
 */
export function receiptNumberOf(raw: string): string | null {
  const text = raw.replace(CONTROL, '').trim().toUpperCase();
  return RECEIPT_NO_RE.test(text) ? text : null;
}
