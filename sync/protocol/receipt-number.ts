/**
 * Receipt numbers are made on the device without asking HQ and are unique across the chain:
 * `S001-7F3A-261122-0042` = store code, device code, business date (store time, YYMMDD), the
 * device's sequence of that day. ASCII only and ≤ 24 characters, so CODE128 prints it compactly
 * and a scanner reads it back for returns. The device writes them, a scanner reads them back,
 * HQ records them: one definition for all three.
 */
export const RECEIPT_NO_RE = /^[A-Z0-9]{1,6}-[0-9A-Z]{4}-\d{6}-\d{4,5}$/;

/** A store's code as its receipt numbers begin with it (RECEIPT_NO_RE's first part). */
export const STORE_CODE_RE = /^[A-Z0-9]{1,6}$/;

/** The store part of a receipt number made before the device knows its store (never on a real sale: login needs the store's staff). */
export const UNASSIGNED_STORE_CODE = 'S000';

/** `S001`, `7F3A`, `2026-11-22`, 42 → `S001-7F3A-261122-0042`. */
export function formatReceiptNo(storeCode: string, deviceCode: string, businessDay: string, seq: number): string {
  const yymmdd = businessDay.replace(/-/g, '').slice(2);
  return `${storeCode || UNASSIGNED_STORE_CODE}-${deviceCode}-${yymmdd}-${String(seq).padStart(4, '0')}`;
}
