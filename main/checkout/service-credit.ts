import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

const statements = new WeakMap<Database, Statement<[string], { guide_id: string | null }>>();

/**
 * The guide a member is bound to on this device (service credit of a sale; the selling staff has
 * sales credit), or null for no member or an unbound one. HQ decides the credit as of the sale's
 * time from its own bindings; this is what the device knew, kept with the fact.
 */
export function boundGuideOf(db: Database, customerId: string | null): string | null {
  if (customerId === null) return null;
  let st = statements.get(db);
  if (!st) {
    st = db.prepare('SELECT guide_id FROM customer WHERE id = ?');
    statements.set(db, st);
  }
  return st.get(customerId)?.guide_id ?? null;
}
