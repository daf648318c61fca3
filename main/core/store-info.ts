import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { I18nName } from '../api/contract.js';

/** The device's store as receipts, reports and the top bar show it. */
export type StoreInfo = {
  id: string;
  code: string;
  name: I18nName;
  /** IANA zone: business days and receipt times are this store's local time. */
  timezone: string;
  /** False until the store's row is on the device (a fresh device before provisioning, a demo without a store). */
  assigned: boolean;
};

export type StoreInfoProvider = () => StoreInfo;

const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/**
 * The one place the device's store is read, with the one fallback for a device that does not have
 * its store's row yet. Read again until the row exists (a freshly enrolled device gets it from
 * HQ's provisioning after the terminal has opened), then kept.
 */
export function storeInfoProvider(db: Database, storeId: string): StoreInfoProvider {
  const row: Statement<[string], { code: string; name_zh: string; name_en: string; timezone: string }> = db.prepare(
    'SELECT code, name_zh, name_en, timezone FROM location WHERE id = ?',
  );
  let known: StoreInfo | null = null;
  return () => {
    if (known) return known;
    const r = row.get(storeId);
    if (!r)
      return { id: storeId, code: '', name: { zh: '未分配门店', en: 'No store assigned' }, timezone: DEFAULT_TIMEZONE, assigned: false };
    known = { id: storeId, code: r.code, name: { zh: r.name_zh, en: r.name_en }, timezone: r.timezone, assigned: true };
    return known;
  };
}
