import type { Database } from 'better-sqlite3-multiple-ciphers';
import { formatReceiptNo } from '../../sync/protocol/receipt-number.js';

/**
 * A device's short code: the `receipt_code` HQ assigned at enrolment (unique among the store's
 * devices; 2–4 characters, zero-padded to 4 so the number keeps its shape), else
 * `meta.device_code`, else the last 4 hex digits of its (random) id.
 */
export function deviceShortCode(db: Database, deviceId: string): string {
  const assigned = db.prepare("SELECT value FROM meta WHERE key = 'receipt_code'").get() as { value: string } | undefined;
  if (assigned && /^[0-9A-Z]{2,4}$/.test(assigned.value)) return assigned.value.padStart(4, '0');
  const row = db.prepare("SELECT value FROM meta WHERE key = 'device_code'").get() as { value: string } | undefined;
  if (row && /^[0-9A-Z]{4}$/.test(row.value)) return row.value;
  return deviceId
    .replace(/[^0-9a-f]/gi, '')
    .slice(-4)
    .toUpperCase()
    .padStart(4, '0');
}

/** Takes the next number of the business day. Call inside the sale's transaction: the counter and the sale commit together. */
export function nextReceiptNo(db: Database, storeCode: string, deviceCode: string, businessDay: string): string {
  const row = db
    .prepare(
      'INSERT INTO receipt_counter (business_day, last_seq) VALUES (?, 1) ON CONFLICT(business_day) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq',
    )
    .get(businessDay) as { last_seq: number };
  return formatReceiptNo(storeCode, deviceCode, businessDay, row.last_seq);
}
