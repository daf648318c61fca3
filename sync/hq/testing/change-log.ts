/**
 * The change log as rows, for a test's `FROM`: each key's row as it stands — a chunk's rows one by
 * one (HQ migration 0010, the `change_row` view), and of a key's several entries the last in the
 * feed's order. Within one transaction, the one its command wrote last, as the chunk's settling
 * at commit leaves it (a test that rolls back never commits).
 */
export function changeRows(alias = 'change'): string {
  return `(SELECT DISTINCT ON (scope, kind, key) scope, kind, key, rank, xid, row, deleted FROM change_row
    ORDER BY scope, kind, key, xid DESC,
             (SELECT l.cmin::text::bigint FROM change AS l WHERE (l.scope, l.kind, l.key) = (change_row.scope, change_row.kind, change_row.at)) DESC,
             rank DESC, at DESC) AS ${alias}`;
}

export const CHANGE_ROWS = changeRows();
