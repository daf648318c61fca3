import type { Sql } from './db.js';
import { BULK_FEEDS, BULK_TRIGGERS, CHUNKED_TABLES } from './bulk-feeds.js';
import { feedTriggersV1 } from './migrations/feed-triggers.js';
import type { FeedSpec } from './migrations/feed-triggers.js';

/**
 * Bulk inserts that write the change log set-based. A feed trigger is statement-level, but a
 * table's foreign keys are checked by PostgreSQL row by row, and the trigger reads its rows back
 * out of a transition table: measured on the sample brand's 400,000 stock rows that was about
 * twice the CPU of writing the table and its change rows in one statement. So, where it may, the
 * loader runs an insert with `session_replication_role = replica` (no triggers: neither the feed's
 * nor the per-row foreign-key checks) as one statement that also
 * - writes the change rows the feed trigger would have written — the same SQL over the same rows
 *   (`BULK_FEEDS`), in the same transaction, so they carry its xid and are served below the horizon
 *   like any other write (late-commit safe, in the same order);
 * - NOTIFYs `sf_change` for the scopes it touched, as the trigger does;
 * - checks every foreign key of the table once, as an anti-join over the inserted rows, and
 *   throws `BulkLoadError` (SQLSTATE 23503, as PostgreSQL's own check would) naming the value: the
 *   caller's transaction then rolls back and nothing is half-loaded.
 * A table with another insert trigger that the loader reproduces (`BULK_TRIGGERS`: the customer
 * book's, which makes each new customer's profile and binding) is written with the rows that
 * trigger would make, in the same statement (`insertWith`).
 *
 * It may only where what it reproduces is what the database would run: the role may set
 * session_replication_role (a superuser: PGlite, deploy/up.sh's demo set; or HQ's own account in
 * a chain's install, granted it on PostgreSQL 15 and later, as the catalog bench runs), each
 * table has no trigger but its feed's three and those `BULK_TRIGGERS` names, and each
 * `feed_<table>()` is, character for character, the function `feedTriggersV1` makes from
 * `BULK_FEEDS` (a reproduced trigger's function, the migration's). Otherwise every insert runs as
 * it is, with its triggers: the same rows, slower.
 *
 * Each insert runs in a savepoint (CHANGE_ROWS): a transaction of more than 64 of them would
 * overflow PostgreSQL's cache of subtransactions and slow every other session's snapshots, so a
 * caller keeps its chunks big (the largest import, 500,000 SKUs in chunks of 20,000, takes 25).
 */
export type BulkLoader = {
  /** Whether inserts bypass the triggers (see above) or run with them. */
  readonly setBased: boolean;
  /**
   * Runs `statement` — `INSERT INTO <table> … SELECT …`, optionally `ON CONFLICT …`, without
   * RETURNING — and returns the number of rows it wrote. An upsert gives its `ON CONFLICT …` clause
   * as `options.onConflict` instead: the rows are then first tried as plain inserts, which cost
   * about a third less (see CHANGE_ROWS), and the statement runs with the clause only if a row
   * already exists.
   */
  insert(table: string, statement: string, params: readonly unknown[], options?: { onConflict?: string }): Promise<number>;
  /**
   * Several inserts as one statement: the first part's rows and, after it, rows of other tables
   * made from them — each part an `INSERT INTO <table> … SELECT …` that may read the rows the parts
   * before it wrote as `w0`, `w1` … (their columns as the table has them). Returns the first part's
   * count. A table whose trigger writes companion rows (`BULK_TRIGGERS`: a customer's profile and
   * binding) is written only this way on the set-based path, with those rows as its later parts.
   */
  insertWith(parts: readonly BulkPart[], params: readonly unknown[]): Promise<number>;
};

export type BulkPart = { table: string; statement: string };

/** A foreign key the bulk insert broke (SQLSTATE 23503, like PostgreSQL's own check). */
export class BulkLoadError extends Error {
  readonly code = '23503';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** The feeds of a table the loader was opened for (openBulkLoader refuses a table without them). */
function feedsOf(table: string): readonly FeedSpec[] {
  return (BULK_FEEDS[table] as { feeds: readonly FeedSpec[] }).feeds;
}

type ForeignKey = { child: string; name: string; parent: string; cols: string[]; pcols: string[] };

/**
 * A loader for `tables` in the caller's transaction. `setBased: false` forces the trigger path
 * (tests compare the two).
 */
export async function openBulkLoader(sql: Sql, tables: readonly string[], options: { setBased?: boolean } = {}): Promise<BulkLoader> {
  const unknown = tables.find((t) => !BULK_FEEDS[t]);
  if (unknown) throw new Error(`the bulk loader has no feed for ${unknown}`);
  const setBased = options.setBased !== false && (await bypassAllowed(sql, tables));
  const fks = setBased ? await foreignKeys(sql, tables) : [];
  // The settings each insert puts back (the loader alone changes them, and always restores them).
  const restore = setBased ? await currentSettings(sql) : [];
  // Tables whose change rows met rows already in the log: their later inserts upsert them at once.
  const logged = new Set<string>();

  const write = async (parts: readonly BulkPart[], params: readonly unknown[], onConflict?: string): Promise<number> => {
    for (const part of parts) if (!tables.includes(part.table)) throw new Error(`the bulk loader was not opened for ${part.table}`);
    const [head, ...rest] = parts;
    if (!head) throw new Error('the bulk loader was given no insert');
    const upsertParts = onConflict ? [{ ...head, statement: `${head.statement}\n${onConflict}` }, ...rest] : parts;
    if (!setBased) {
      const rows = await sql.query<{ n: number }>(
        `WITH ${upsertParts.map((p, i) => `w${i} AS (${p.statement} RETURNING *)`).join(', ')} SELECT count(*)::int AS n FROM w0`,
        params,
      );
      return rows[0]?.n ?? 0;
    }
    upsertParts.forEach((part, i) => {
      const feeds = feedsOf(part.table);
      if ((feeds.some((f) => f.movable) || BULK_TRIGGERS[part.table]) && UPDATES.test(part.statement)) {
        throw new Error(`${part.table}: an update may move a row to another scope, which a bulk insert does not tombstone`);
      }
      // A feed that joins a parent written by an earlier part would not find it (one snapshot).
      const joined = feeds.find((f) => parts.slice(0, i).some((p) => new RegExp(`\\b${p.table}\\b`).test(f.from ?? '')));
      if (joined) throw new Error(`${part.table}: its feed joins a table written in the same statement`);
    });
    for (const [table, { companions }] of Object.entries(BULK_TRIGGERS)) {
      const missing = parts.some((p) => p.table === table) ? companions.filter((c) => !parts.some((p) => p.table === c)) : [];
      if (missing.length > 0) throw new Error(`${table}: its trigger's ${missing.join(' and ')} rows must be written with it (insertWith)`);
    }
    const run = async (upsert: boolean): Promise<BulkResult | undefined> => {
      await setSettings(sql, LOADER_SETTINGS);
      const [out] = await sql.query<BulkResult>(
        bulkStatement(
          (upsert ? upsertParts : parts).map((p) => ({
            table: p.table,
            statement: p.statement,
            feeds: feedsOf(p.table),
            fks: fks.filter((k) => k.child === p.table),
          })),
          upsert,
        ),
        params,
      );
      return out;
    };
    // A failed statement aborts the transaction, and its rollback undoes the setting: restore it
    // only after a success (a query in an aborted transaction would hide the statement's error).
    let result: BulkResult | undefined;
    if (logged.has(head.table)) {
      result = await run(true);
    } else {
      // First as plain inserts (see CHANGE_ROWS). A row the change log already has for that key —
      // a tombstone, or the row itself when the statement updated it — fails the statement on
      // change_pkey; with `onConflict`, any row the table already has fails it on a unique key.
      // It is then run again, whole, as the upsert.
      await sql.query('SAVEPOINT sf_bulk_insert');
      try {
        result = await run(false);
      } catch (error) {
        if (!(isChangeKeyConflict(error) || (onConflict && isUniqueViolation(error)))) throw error;
        await sql.query('ROLLBACK TO SAVEPOINT sf_bulk_insert');
        logged.add(head.table);
        result = await run(true);
      }
      await sql.query('RELEASE SAVEPOINT sf_bulk_insert');
    }
    await setSettings(sql, restore);
    const broken = result?.broken;
    if (broken) {
      const [name, value] = broken;
      const fk = fks.find((k) => k.name === name);
      throw new BulkLoadError(
        `insert into ${fk?.child} violates foreign key ${name}`,
        `(${fk?.cols.join(', ')})=(${value}) is not present in table "${fk?.parent}".`,
      );
    }
    return result?.n ?? 0;
  };

  return {
    setBased,
    insert: (table, statement, params, options = {}) => write([{ table, statement }], params, options.onConflict),
    insertWith: (parts, params) => write(parts, params),
  };
}

/**
 * The settings of the loader's statement: no triggers (see above), no JIT compilation, and room
 * to sort in memory. The
 * planner's row estimates for these statements are far off — a part that joins the first part's
 * rows with an `unnest` of their companions' columns is estimated at 12.5 million rows for
 * 50,000 — and past `jit_above_cost` PostgreSQL compiled the statement with LLVM before running
 * it once: 0.9 s of the sample brand's 3.8 s customer statement (inlining, optimisation and
 * emission, auto_explain), PostgreSQL's CPU for the whole import 20.0–20.4 s with it and
 * 19.1–19.4 s without (the catalog bench, two runs each). A chunk's rows are numbered per scope
 * and grouped (CHUNKS), two sorts of the statement's whole rows, JSON included: with the default
 * 4 MB of work_mem the sample brand's import spilled them to temporary files (141 MB in its
 * statements of 400 ms and more, auto_explain); with 64 MB none spills. Three pairs, alternating:
 * 11.1, 12.0, 11.3 s against 12.3, 11.1, 13.2 s, PostgreSQL's CPU 13.7–14.6 against 13.7–17.8 s.
 */
const LOADER_SETTINGS: readonly (readonly [string, string])[] = [
  ['session_replication_role', 'replica'],
  ['jit', 'off'],
  ['work_mem', '64MB'],
];

/** The caller's values of LOADER_SETTINGS, to put back after each insert. */
async function currentSettings(sql: Sql): Promise<(readonly [string, string])[]> {
  const names = LOADER_SETTINGS.map(([name]) => name);
  const rows = await sql.query<{ v: string }>(
    'SELECT current_setting(n) AS v FROM unnest($1::text[]) WITH ORDINALITY AS s(n, i) ORDER BY i',
    [names],
  );
  return names.map((name, i) => [name, rows[i]?.v ?? ''] as const);
}

/** Sets each setting for the rest of the transaction (or until a savepoint it was set after is rolled back). */
async function setSettings(sql: Sql, settings: readonly (readonly [string, string])[]): Promise<void> {
  await sql.query('SELECT set_config(n, v, true) FROM unnest($1::text[], $2::text[]) AS s(n, v)', [
    settings.map(([name]) => name),
    settings.map(([, value]) => value),
  ]);
}

type BulkResult = { n: number; notified: number; broken: [string, string] | null };

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** The change log's own unique key refused a change row: the log already has one for that key. */
function isChangeKeyConflict(error: unknown): boolean {
  return isUniqueViolation(error) && (error as { constraint?: unknown }).constraint === 'change_pkey';
}

/**
 * CHUNKS: a plain insert into a table of CHUNKED_TABLES (bulk-feeds.ts) writes its change rows
 * as chunks (HQ migration 0010; a later tombstone takes its row out, 0011): one change row per
 * CHUNK_ROWS loaded rows of a kind and scope, settled at commit. A page of the feed holds at
 * least one whole chunk, so a page may run past its budget by up to CHUNK_ROWS - 1 rows. A
 * statement that may update rows (`ON CONFLICT … DO UPDATE`, or an `onConflict` upsert's second
 * try) writes a change row per row, as before: a key is then in one chunk of a transaction at
 * most, which is what settling a chunk at commit relies on.
 */
export const CHUNK_ROWS = 1000;

const UPDATES = /\bDO\s+UPDATE\b/i;

/**
 * CHANGE_ROWS: a change row costs about a third less written as a plain insert than with
 * `ON CONFLICT … DO UPDATE`, whose speculative insertion probes the key first and logs a second
 * WAL record per row (measured on PostgreSQL 15: 50,000 stock change rows, 250 against 350–570
 * ms). A bulk load mostly brings rows the log has never had, so the loader tries that first;
 * correctness never rests on the guess, the change log's primary key checks every row.
 */
function bulkStatement(parts: readonly StatementPart[], upsert: boolean): string {
  const onConflict = upsert
    ? 'ON CONFLICT (scope, kind, key) DO UPDATE SET rank = excluded.rank, xid = excluded.xid, row = excluded.row, deleted = excluded.deleted'
    : '';
  const changes = parts.flatMap((part, i) =>
    part.feeds.map((f, j) =>
      upsert || UPDATES.test(part.statement) || !CHUNKED_TABLES.has(part.table)
        ? `c${i}_${j} AS (
      INSERT INTO change (scope, kind, key, rank, xid, row, deleted)
      SELECT ${f.scope}, '${f.kind}', ${f.key}, ${f.rank}, pg_current_xact_id(), ${f.row}, false
        FROM w${i} AS t ${f.from ?? ''}
      ${onConflict})`
        : // Chunks (CHUNKS): array_agg and string_agg of one aggregation see the rows in the same order.
          `c${i}_${j} AS (
      INSERT INTO change (scope, kind, key, rank, xid, row, deleted, n, keys, rows)
      SELECT x.s, '${f.kind}', chr(1) || lpad(nextval('change_chunk_seq')::text, 19, '0'), ${f.rank}, pg_current_xact_id(), '[]', false,
             count(*), array_agg(x.k), string_agg(x.r, ',')
        FROM (SELECT ${f.scope} AS s, ${f.key} AS k, (${f.row})::text AS r,
                     (row_number() OVER (PARTITION BY ${f.scope}) - 1) / ${CHUNK_ROWS} AS g
                FROM w${i} AS t ${f.from ?? ''}) AS x
       GROUP BY x.s, x.g)`,
    ),
  );
  const scopes = parts.flatMap((part, i) => part.feeds.map((f) => `SELECT DISTINCT ${f.scope} AS s FROM w${i} AS t ${f.from ?? ''}`));
  // MATCH SIMPLE, as declared: a key with a NULL column is not checked. The parent table is probed
  // by its index, the first broken row ends the scan (LIMIT 1). A parent written by an earlier part
  // is not in its table yet for this statement: its rows are looked for there too — in a query
  // without LIMIT, so that PostgreSQL hashes them (with LIMIT 1 it rescans them for every row).
  const checks = parts.flatMap((part, i) =>
    part.fks.map((k) => {
      const keyOf = `concat_ws(', ', ${k.cols.map((c) => `t.${c}`).join(', ')})`;
      const absentFrom = (parent: string) =>
        `NOT EXISTS (SELECT 1 FROM ${parent} AS p WHERE ${k.cols.map((c, n) => `p.${k.pcols[n]} = t.${c}`).join(' AND ')})`;
      const written = parts.flatMap((p, j) => (j < i && p.table === k.parent ? [`w${j}`] : []));
      const where = `${k.cols.map((c) => `t.${c} IS NOT NULL`).join(' AND ')} AND ${[k.parent, ...written].map(absentFrom).join(' AND ')}`;
      return written.length === 0
        ? `(SELECT json_build_array('${k.name}', ${keyOf})::text FROM w${i} AS t WHERE ${where} LIMIT 1)`
        : `(SELECT json_build_array('${k.name}', min(${keyOf}))::text FROM w${i} AS t WHERE ${where} HAVING count(*) > 0)`;
    }),
  );
  const notified = scopes.length > 0 ? `SELECT pg_notify('sf_change', s) FROM (${scopes.join(' UNION ')}) AS scopes` : 'SELECT WHERE false';
  return `WITH ${[...parts.map((p, i) => `w${i} AS (${p.statement} RETURNING *)`), ...changes, `notified AS (${notified})`].join(',\n    ')}
    SELECT (SELECT count(*) FROM w0)::int AS n, (SELECT count(*) FROM notified)::int AS notified,
           ${checks.length > 0 ? `coalesce(${checks.join(', ')})::json` : 'NULL::json'} AS broken`;
}

type StatementPart = { table: string; statement: string; feeds: readonly FeedSpec[]; fks: readonly ForeignKey[] };

/** The body of the feed function the bulk loader reproduces (what pg_proc.prosrc holds). */
function expectedFeedFunction(table: string): string {
  const fed = BULK_FEEDS[table];
  if (!fed) throw new Error(`the bulk loader has no feed for ${table}`);
  const sql = feedTriggersV1(fed.table, fed.feeds);
  const body = sql.split('$fn$')[1];
  if (body === undefined) throw new Error('feedTriggersV1 made no function body');
  return body;
}

/**
 * Whether this role may set session_replication_role: a superuser, or (PostgreSQL 15 on) a role
 * granted it — `GRANT SET ON PARAMETER session_replication_role TO shopfloor_hq`, as
 * deploy/README.md has IT do for HQ's own account, which is not a superuser.
 */
async function mayTurnTriggersOff(sql: Sql): Promise<boolean> {
  const [role] = await sql.query<{ su: boolean; version: number }>(
    "SELECT current_setting('is_superuser') = 'on' AS su, current_setting('server_version_num')::int AS version",
  );
  if (role?.su) return true;
  // has_parameter_privilege is new in 15: on an older server the call would not even parse, and the
  // import must still run (on the triggers).
  if (!role || role.version < 150000) return false;
  const [granted] = await sql.query<{ ok: boolean }>("SELECT has_parameter_privilege('session_replication_role', 'SET') AS ok");
  return granted?.ok === true;
}

/** pg_trigger.tgtype's event bits (PostgreSQL's TRIGGER_TYPE_INSERT, _DELETE, _TRUNCATE). */
const ON_INSERT = 4;
const ON_DELETE = 8;
const ON_TRUNCATE = 32;

async function bypassAllowed(sql: Sql, tables: readonly string[]): Promise<boolean> {
  if (!(await mayTurnTriggersOff(sql))) return false;
  const triggers = await sql.query<{ rel: string; name: string; type: number }>(
    `SELECT c.relname AS rel, t.tgname AS name, t.tgtype::int AS type FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND t.tgrelid IN (SELECT to_regclass(x) FROM unnest($1::text[]) AS x)`,
    [tables],
  );
  const fed = (table: string) => (BULK_FEEDS[table]?.feeds.length ?? 0) > 0;
  // The functions whose source must be what the loader reproduces: the feed's, and a reproduced insert trigger's.
  const sources = (table: string): [string, string][] => {
    const reproduced = BULK_TRIGGERS[table]?.insert;
    return [
      ...(fed(table) ? [[`feed_${table}`, expectedFeedFunction(table)] as [string, string]] : []),
      ...(reproduced ? [[reproduced.fn, reproduced.src] as [string, string]] : []),
    ];
  };
  const functions = await sql.query<{ name: string; src: string }>(
    `SELECT proname AS name, prosrc AS src FROM pg_proc WHERE proname = ANY($1::text[]) AND pronamespace = 'public'::regnamespace`,
    [tables.flatMap((t) => sources(t).map(([name]) => name))],
  );
  return tables.every((table) => {
    const mine = triggers.filter((t) => t.rel === table);
    const updateOnly = BULK_TRIGGERS[table]?.updateOnly ?? [];
    const reproduced = BULK_TRIGGERS[table]?.insert.trigger;
    const expected = [
      ...(fed(table) ? [`feed_${table}_delete`, `feed_${table}_insert`, `feed_${table}_update`] : []),
      ...(reproduced ? [reproduced] : []),
      ...updateOnly,
    ].sort();
    return (
      mine
        .map((t) => t.name)
        .sort()
        .join() === expected.join() &&
      mine.every((t) => !updateOnly.includes(t.name) || (t.type & (ON_INSERT | ON_DELETE | ON_TRUNCATE)) === 0) &&
      sources(table).every(([name, src]) => {
        const fn = functions.filter((f) => f.name === name);
        return fn.length === 1 && fn[0]?.src === src;
      })
    );
  });
}

async function foreignKeys(sql: Sql, tables: readonly string[]): Promise<ForeignKey[]> {
  const attnames = (rel: string, keys: string) =>
    `(SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.attnum)`;
  return sql.query<ForeignKey>(
    `SELECT c.conrelid::regclass::text AS child, c.conname::text AS name, c.confrelid::regclass::text AS parent,
            ${attnames('c.conrelid', 'c.conkey')} AS cols, ${attnames('c.confrelid', 'c.confkey')} AS pcols
       FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid IN (SELECT to_regclass(x) FROM unnest($1::text[]) AS x)`,
    [tables],
  );
}
