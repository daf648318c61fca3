import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * The columns of `table` that any of its indexes reads: an index's own columns, and every column
 * named in an index's SQL (an expression index such as `substr(phone, -4)`, a partial index's
 * WHERE). Found by name in the SQL text, so a column may be counted that no index needs (a word
 * in a string literal): an over-estimate only costs the cheaper write, it is never wrong.
 */
export function indexedColumns(db: Database, table: string, columns: readonly string[]): ReadonlySet<string> {
  const found = new Set<string>();
  const indexes = db.pragma(`index_list(${JSON.stringify(table)})`) as { name: string; origin: string }[];
  const sqlOf = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?").pluck();
  for (const index of indexes) {
    // The primary key's index: the key is never set by an upsert (and a WITHOUT ROWID table's lists every column).
    if (index.origin === 'pk') continue;
    const parts = db.pragma(`index_xinfo(${JSON.stringify(index.name)})`) as { name: string | null }[];
    for (const part of parts) if (part.name !== null) found.add(part.name);
    // Indexes made for a UNIQUE or PRIMARY KEY constraint have no SQL; their columns are all in index_xinfo.
    const sql = sqlOf.get(index.name) as string | null | undefined;
    if (!sql) continue;
    for (const column of columns) if (new RegExp(`\\b${column}\\b`, 'i').test(sql)) found.add(column);
  }
  return found;
}
