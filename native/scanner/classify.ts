import { hasValidCheckDigit, itemCodeOfGtin14, parseGtin } from './barcode.js';
import { parseGs1Data } from './gs1.js';
import { readScanText } from './scan-text.js';
import type { ScanText } from './scan-text.js';
import { RECEIPT_NO_RE } from '../../sync/protocol/receipt-number.js';

/** Why a scan is malformed, as a code the UI translates. */
export type MalformedReason = 'empty' | 'bad_length' | 'bad_check_digit';

export type Classification =
  | {
      kind: 'product';
      /** EAN-13 form (UPC-A gains a leading 0); EAN-8 stays 8 digits. */
      code: string;
      /** How the GTIN arrived: as the barcode itself, in a GS1 element string (AI 01), or as a GTIN-14 with indicator 0. */
      symbology: 'ean13' | 'upca' | 'ean8' | 'gs1' | 'gtin14';
    }
  /** A GTIN-14 of a case or carton (indicator 1–8) or a variable-measure item (9): recognised, but not sold by this code. */
  | { kind: 'case'; gtin14: string; indicator: number }
  | { kind: 'malformed'; reason: MalformedReason }
  | { kind: 'unknown' };

/** A scan taken apart and classified: the one reading every consumer of a scan starts from. */
export type ScanReading = ScanText & {
  classification: Classification;
  /** The GTIN-14 the scan carried (a 14-digit code, or AI 01 of a GS1 element string), valid check digit. */
  gtin14?: string;
};

/**
 * Reads a raw scan (framing, AIM identifier and full-width characters dealt with by readScanText)
 * and classifies it. Product codes (EAN-13, UPC-A, EAN-8, GTIN-14 with indicator 0, AI 01 of a
 * GS1 element string) are checked here; member, coupon, payment and receipt codes are `unknown`
 * here and read by checkout from `text`. A digit string of a product length with a bad check digit
 * is `malformed`, so the cashier hears about a misread instead of "not found".
 */
export function readScan(raw: string): ScanReading {
  const scan = readScanText(raw);
  if (scan.gs1) return { ...scan, ...classifyGs1(scan.text) };
  const { text } = scan;
  if (text.length === 0) return { ...scan, classification: { kind: 'malformed', reason: 'empty' } };
  if (/^\d{14}$/.test(text)) return { ...scan, ...classifyGtin14(text) };
  if (/^\d+$/.test(text)) {
    const gtin = parseGtin(text);
    if (gtin.ok) return { ...scan, classification: { kind: 'product', code: gtin.code, symbology: gtin.symbology } };
    // Up to 14 digits is a misread product code; longer digit strings may be other codes (payment, member).
    if (text.length <= 14 && gtin.reason !== 'not_digits') return { ...scan, classification: { kind: 'malformed', reason: gtin.reason } };
  }
  return { ...scan, classification: { kind: 'unknown' } };
}

/** What a scanned string is (see readScan); `text` and the AIM identifier are on readScan's answer. */
export function classifyScan(raw: string): Classification {
  return readScan(raw).classification;
}

/**
 * A 14-digit code on a carton (ITF-14, or a GTIN-14 typed in): indicator 0 wraps the item's own
 * GTIN, so it sells as that item; any other indicator is a case or carton, which the cashier should
 * hear about as such, not as a misread.
 */
function classifyGtin14(gtin14: string): Pick<ScanReading, 'classification' | 'gtin14'> {
  if (!hasValidCheckDigit(gtin14)) return { classification: { kind: 'malformed', reason: 'bad_check_digit' } };
  const indicator = Number(gtin14[0]);
  if (indicator !== 0) return { gtin14, classification: { kind: 'case', gtin14, indicator } };
  return { gtin14, classification: { kind: 'product', code: itemCodeOfGtin14(gtin14), symbology: 'gtin14' } };
}

/**
 * A GS1 label: its GTIN (AI 01) is the product when its indicator is 0 (the usual case for retail
 * items); a broken element string or GTIN check digit is malformed; a valid string without an item
 * GTIN (a carton's GTIN, a pallet's SSCC, a lot alone) is unknown to the till — the label carries
 * more than a GTIN (lot, dates), so it is not a `case` code but left to the screens that read labels.
 */
function classifyGs1(data: string): Pick<ScanReading, 'classification' | 'gtin14'> {
  const gs1 = parseGs1Data(data);
  if (!gs1.ok) return { classification: { kind: 'malformed', reason: gs1.reason } };
  const { gtin14 } = gs1;
  if (!gtin14) return { classification: { kind: 'unknown' } };
  if (gtin14.startsWith('0')) return { gtin14, classification: { kind: 'product', code: itemCodeOfGtin14(gtin14), symbology: 'gs1' } };
  return { gtin14, classification: { kind: 'unknown' } };
}

/**
 * A Shopfloor receipt number as printed in CODE128 on every receipt (`S001-7F3A-261122-0042`:
 * store, device, business date, sequence), normalised to upper case; null for anything else.
 * Separate from classifyScan so the scan event's kinds stay as they are; checkout asks this.
 */
export function receiptNumberOf(raw: string): string | null {
  const scan = readScanText(raw);
  if (scan.gs1) return null;
  const text = scan.text.toUpperCase();
  return RECEIPT_NO_RE.test(text) ? text : null;
}
