import { createHash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { CellValue, EntitySpec } from '../protocol/entities.js';

/**
 * A column the device keeps UNIQUE besides the primary key (staff.code, sku.ean, location.code,
 * member_code.customer_id). `keyOnly`: the row holds nothing but its key and this column (a member
 * code), so a row that loses the column is deleted rather than given a placeholder.
 */
type UniqueColumn = { column: string; index: number; keyOnly: boolean };

/** The placeholder a row gets while its real key is on its way: `~` + 12 characters, which fits sku.ean's 13. */
const PLACEHOLDER_LENGTH = 12;

/**
 * HQ owns uniqueness; the device is a replica that applies HQ's changes in feed order, which is
 * the order of the transactions that last wrote each row — not the order the keys moved in. When
 * HQ hands a key from one record to another and the record that gave it up was saved again later
 * (staff X renamed `S001-02` → `S001-02X`, Y given `S001-02`, X re-saved), the device gets Y's row
 * while it still has X holding the key. Refusing the page would refuse it on every round, for good.
 *
 * So before the write is retried, the key is taken from whichever row holds it: that row is stale
 * (HQ changed it, or it would not have given the key away), and its own change is further along the
 * feed — in this page or a later one — and will bring its real key. Meanwhile it holds a placeholder
 * that no real key looks like (`~…`: EANs are digits, codes are HQ's) and no other placeholder
 * repeats, or, for a key-only row, it is deleted.
 *
 * Only called after a write failed on a UNIQUE constraint: the usual page pays nothing for this.
 */
export class UniqueKeys {
  private readonly columns = new Map<string, readonly UniqueColumn[]>();
  private readonly statements = new Map<string, Statement>();
  constructor(private readonly db: Database) {}

  /** Frees every unique value of `row` held by another row of its table. Returns whether anything was freed. */
  free(spec: EntitySpec, row: readonly CellValue[]): boolean {
    const keyValues = spec.key.map((k) => row[spec.columns.findIndex((c) => c.name === k)] ?? null);
    const notThisRow = spec.key.map((k) => `${k} = ?`).join(' AND ');
    const keyList = spec.key.join(', ');
    let freed = false;
    for (const u of this.uniqueColumns(spec)) {
      const value = row[u.index] ?? null;
      if (value === null) continue;
      if (u.keyOnly) {
        const result = this.prepared(`DELETE FROM ${spec.table} WHERE ${u.column} = ? AND NOT (${notThisRow})`).run(value, ...keyValues);
        freed ||= result.changes > 0;
        continue;
      }
      const holders = this.prepared(`SELECT ${keyList} FROM ${spec.table} WHERE ${u.column} = ? AND NOT (${notThisRow})`)
        .raw()
        .all(value, ...keyValues) as CellValue[][];
      for (const holder of holders) {
        const placeholder = this.placeholder(spec, u.column, holder);
        this.prepared(`UPDATE ${spec.table} SET ${u.column} = ? WHERE ${notThisRow}`).run(placeholder, ...holder);
        freed = true;
      }
    }
    return freed;
  }

  /**
   * Resolves `column`'s values held by more than one row of the table, with `free`'s placeholders:
   * the row first in key order keeps the value, the others get a placeholder. `free` gives the
   * value to the row being written; after a load (an index built afterwards, deferred-indexes.ts)
   * which row came last is not known, so key order decides. Only for a table with more than its key
   * and `column` (a key-only row, a member code, is deleted by `free`; its UNIQUE is a column
   * constraint, never built afterwards). Returns how many rows lost the value.
   */
  resolveDuplicates(spec: EntitySpec, column: string): number {
    if (!spec.columns.some((c) => c.name === column)) throw new Error(`${spec.table} has no column ${column} HQ sends`);
    if (spec.columns.every((c) => c.name === column || spec.key.includes(c.name)))
      throw new Error(`${spec.table} holds only its key and ${column}: no placeholder for it`);
    const keyList = spec.key.join(', ');
    const notThisRow = spec.key.map((k) => `${k} = ?`).join(' AND ');
    const rows = this.prepared(
      `SELECT ${column}, ${keyList} FROM ${spec.table}
        WHERE ${column} IN (SELECT ${column} FROM ${spec.table} GROUP BY ${column} HAVING count(*) > 1) ORDER BY ${column}, ${keyList}`,
    )
      .raw()
      .all() as CellValue[][];
    let kept: CellValue | undefined;
    let lost = 0;
    for (const [value, ...holder] of rows) {
      if (value !== kept) {
        kept = value;
        continue;
      }
      this.prepared(`UPDATE ${spec.table} SET ${column} = ? WHERE ${notThisRow}`).run(this.placeholder(spec, column, holder), ...holder);
      lost++;
    }
    return lost;
  }

  /** Forgets what it read of the schema (after indexes were dropped or built). */
  forget(): void {
    this.columns.clear();
    this.statements.clear();
  }

  /** The table's single-column UNIQUE constraints on columns HQ sends, read from the schema (a later migration's are found too). */
  private uniqueColumns(spec: EntitySpec): readonly UniqueColumn[] {
    let found = this.columns.get(spec.table);
    if (found) return found;
    const indexes = this.db.pragma(`index_list(${spec.table})`) as { name: string; unique: number; origin: string; partial: number }[];
    const list: UniqueColumn[] = [];
    for (const index of indexes) {
      if (index.unique !== 1 || index.origin === 'pk' || index.partial === 1) continue;
      const parts = this.db.pragma(`index_info(${JSON.stringify(index.name)})`) as { name: string | null }[];
      const column = parts.length === 1 ? parts[0]?.name : null;
      const at = spec.columns.findIndex((c) => c.name === column);
      if (!column || at < 0) continue;
      const keyOnly = spec.columns.every((c) => c.name === column || spec.key.includes(c.name));
      list.push({ column, index: at, keyOnly });
    }
    found = list;
    this.columns.set(spec.table, found);
    return found;
  }

  /** A value for `column` that no row holds: derived from the holder's key, so it is stable and readable in a support dump. */
  private placeholder(spec: EntitySpec, column: string, holderKey: readonly CellValue[]): string {
    const taken = this.prepared(`SELECT 1 FROM ${spec.table} WHERE ${column} = ?`);
    for (let n = 0; ; n++) {
      const digest = createHash('sha256')
        .update(JSON.stringify([spec.table, column, holderKey, n]))
        .digest('base64url');
      const candidate = `~${digest.slice(0, PLACEHOLDER_LENGTH)}`;
      if (taken.get(candidate) === undefined) return candidate;
    }
  }

  private prepared(text: string): Statement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }
}
