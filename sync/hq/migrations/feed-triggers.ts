/**
 * The change-log feed of an HQ table, as SQL a migration runs: a plpgsql function
 * `feed_<table>()` and three statement-level triggers (insert, update, delete) that write each
 * changed row's device-shaped form into `change` for its scope, stamped with the writing
 * transaction's id, and NOTIFY `sf_change` with the scopes they touched. Read by `sync/hq/feed.ts`.
 *
 * ## Frozen
 * Migration 0001 built its triggers with `feedTriggersV1`, and migrations run once: editing this
 * builder would not change any database in the field, only what a fresh database gets — two
 * HQ databases at the same version would then behave differently. So the SQL it generates never
 * changes; `feed-triggers.test.ts` pins it for every table 0001 feeds. A change of behaviour is a
 * NEW builder (`feedTriggersV2`, beside this one) used by a NEW migration, which replaces the old
 * function where it needs to (`DROP FUNCTION feed_<table>() CASCADE` drops its triggers too, then
 * the new SQL). Never edit `feedTriggersV1` or its helpers, not even whitespace.
 *
 * ## Feeding a new table from a new migration
 * ```ts
 * import { feedTriggersV1 } from './feed-triggers.js';
 *
 * const migration: HqMigration = {
 *   version: 2,
 *   name: 'create-task',
 *   up: async (sql) => {
 *     await sql.exec(`CREATE TABLE task (id text PRIMARY KEY, store_id text NOT NULL REFERENCES location(id), title text NOT NULL)`);
 *     await sql.exec(
 *       feedTriggersV1('task', [
 *         { kind: 'task', rank: 12, scope: `'store:' || t.store_id`, key: 't.id',
 *           keyValues: 'json_build_array(t.id)', row: 'json_build_array(t.id, t.store_id, t.title)' },
 *       ]),
 *     );
 *   },
 * };
 * ```
 * Write the spec out literally in the migration (never derive it from code that may change), and
 * declare the kind's layout in `sync/protocol/entities.ts` with the same rank and column order.
 * Rows already in an existing table when its triggers are created are not in the feed: the same
 * migration backfills `change` for them (an `INSERT INTO change … SELECT` over the table, in the
 * form the triggers write).
 */

/**
 * How a table feeds the change log: for each entity kind it carries, the scope of a row, its key
 * as text, the key values and the device-shaped row (JSON arrays in sync/protocol/entities.ts
 * column order). SQL expressions over the changed row `t`; `from` may join parents (a member
 * code's scope is its customer's store).
 *
 * `movable`: an UPDATE may change the row's scope (a customer moving stores), so the old place
 * gets a tombstone. The other tables never change a key or scope on UPDATE, and skipping that
 * anti-join halves the cost of a stock movement. `skipUnchanged`: an UPDATE that leaves the
 * device-shaped row as it was is not a change (a device's last_seen_at must not nudge it).
 */
export type FeedSpec = {
  /** The entity kind (sync/protocol/entities.ts). */
  kind: string;
  /** Orders a page: parents before children, because the device enforces foreign keys. */
  rank: number;
  scope: string;
  key: string;
  keyValues: string;
  row: string;
  from?: string;
  movable?: boolean;
  skipUnchanged?: boolean;
};

/** A fed table and the entity kinds it carries, as a migration lists them. */
export type FedTable = { table: string; feeds: readonly FeedSpec[] };

/** The scope of a row of a brand-wide table (one with a `brand` column). */
export const BRAND_SCOPE = `'brand:' || t.brand`;

/** Rows of new_rows whose device-shaped row differs from the old one (only where asked: it costs an anti-join). */
function changedOnlyV1(f: FeedSpec): string {
  if (!f.skipUnchanged) return '';
  const old = (expr: string) => expr.replace(/\bt\./g, 'o.');
  return `WHERE NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE ${old(f.key)} = ${f.key} AND (${old(f.row)})::text = (${f.row})::text)`;
}

/** The feed function and triggers of `table`. Frozen: see the top of this file. */
export function feedTriggersV1(table: string, feeds: readonly FeedSpec[]): string {
  const upsert = (source: string, deleted: boolean, f: FeedSpec, where = '') => `
    INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
    SELECT ${f.scope}, '${f.kind}', ${f.key}, ${f.rank}, pg_current_xact_id(), ${deleted ? f.keyValues : f.row}, ${deleted}
      FROM ${source} AS t ${f.from ?? ''} ${where}
    ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted;`;
  // A row whose scope or key changed leaves a tombstone where it was (a customer moved stores).
  const moved = (f: FeedSpec) => `
    INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
    SELECT o.scope, '${f.kind}', o.key, ${f.rank}, pg_current_xact_id(), o.kv, true
      FROM (SELECT ${f.scope} AS scope, ${f.key} AS key, ${f.keyValues} AS kv FROM old_rows AS t ${f.from ?? ''}) AS o
     WHERE NOT EXISTS (SELECT 1 FROM (SELECT ${f.scope} AS scope, ${f.key} AS key FROM new_rows AS t ${f.from ?? ''}) AS n WHERE n.scope = o.scope AND n.key = o.key)
    ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted;`;
  const notify = (source: string, where: (f: FeedSpec) => string = () => '') =>
    feeds
      .map(
        (f) =>
          `PERFORM pg_notify('sf_change', s) FROM (SELECT DISTINCT ${f.scope} AS s FROM ${source} AS t ${f.from ?? ''} ${where(f)}) AS scopes;`,
      )
      .join('\n');
  return `
    CREATE FUNCTION feed_${table}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        ${feeds.map((f) => upsert('old_rows', true, f)).join('\n')}
        ${notify('old_rows')}
      ELSIF TG_OP = 'UPDATE' THEN
        ${feeds
          .filter((f) => f.movable)
          .map(moved)
          .join('\n')}
        ${feeds.map((f) => upsert('new_rows', false, f, changedOnlyV1(f))).join('\n')}
        ${notify('new_rows', changedOnlyV1)}
      ELSE
        ${feeds.map((f) => upsert('new_rows', false, f)).join('\n')}
        ${notify('new_rows')}
      END IF;
      RETURN NULL;
    END $fn$;
    CREATE TRIGGER feed_${table}_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_${table}();
    CREATE TRIGGER feed_${table}_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_${table}();
    CREATE TRIGGER feed_${table}_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feed_${table}();`;
}
