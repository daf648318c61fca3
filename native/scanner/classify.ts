import { parseGtin } from './barcode.js';

/** Why a scan is malformed, as a code the UI translates. */
export type MalformedReason = 'empty' | 'bad_length' | 'bad_check_digit';

export type Classification =
  | { kind: 'product'; code: string; symbology: 'ean13' | 'upca' | 'ean8' }
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
  if (/^\d+$/.test(text)) {
    const gtin = parseGtin(text);
    if (gtin.ok) return { kind: 'product', code: gtin.code, symbology: gtin.symbology };
    // Up to 14 digits is a misread product code; longer digit strings may be other codes (payment, member).
    if (text.length <= 14 && gtin.reason !== 'not_digits') return { kind: 'malformed', reason: gtin.reason };
  }
  return { kind: 'unknown' };
}
