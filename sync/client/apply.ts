import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { ENTITIES, isEntityKind, rowProblem } from '../protocol/entities.js';
import type { CellValue, EntityKind, EntitySpec } from '../protocol/entities.js';
import type { OutboxPort } from './types.js';
import { indexedColumns } from './indexed-columns.js';
import { DEFER_INDEX_ROWS, deferIndexes, deferredIndexes, restoreIndexes } from './deferred-indexes.js';
import { UniqueKeys } from './unique-keys.js';
import { putOwnChangesBack, touchesOwnChanges } from './own-changes.js';

/** A page HQ sent that this device will not apply (bad rows, or rows its store refuses). Nothing of it was written. */
export class PageRefusedError extends Error {
  constructor(
    readonly scope: string,
    message: string,
    /** The store refused it because a parent is missing (a later scope's page ran ahead of an earlier one). */
    readonly missingParent = false,
  ) {
    super(message);
    this.name = 'PageRefusedError';
  }
}

/** A pull page as it came off the wire: the envelope is checked, rows are checked here with rowProblem(). */
export type WirePage = {
  scope: string;
  cursor: string;
  more: boolean;
  total?: number;
  sets: { kind: string; rows: unknown; deletes: unknown }[];
};

type Cascade = {
  table: string;
  column: string;
  action: 'delete' | 'null';
  childKey?: string;
  /** For `null`: the columns set to NULL, when not `column` itself. */
  forget?: readonly string[];
};

/**
 * What a tombstone takes with it on this device, where foreign keys would otherwise block the
 * delete. Decided per parent: children that are facts of the parent go (a SKU's stock, a
 * customer's member code, coupons and book, a coupon's local use); a customer whose guide is deleted
 * stays and loses the guide (the customer belongs to the company, HQ reassigns them). Children
 * that moved to another parent in the same page are not touched: cascades run after the upserts.
 */
const CASCADES: { readonly [table: string]: readonly Cascade[] } = {
  location: [
    { table: 'staff', column: 'store_id', action: 'delete', childKey: 'id' },
    { table: 'customer', column: 'store_id', action: 'delete', childKey: 'id' },
    { table: 'stock', column: 'location_id', action: 'delete' },
  ],
  style: [{ table: 'sku', column: 'style_code', action: 'delete', childKey: 'sku' }],
  sku: [{ table: 'stock', column: 'sku', action: 'delete' }],
  staff: [
    { table: 'staff_credential', column: 'staff_id', action: 'delete' },
    { table: 'customer', column: 'guide_id', action: 'null' },
  ],
  customer: [
    { table: 'member_code', column: 'customer_id', action: 'delete' },
    { table: 'coupon', column: 'customer_id', action: 'delete', childKey: 'code' },
    // The customer's book. HQ tombstones what it holds, but not what a guide wrote here that HQ
    // never took (a note written before the customer moved away: HQ drops it, the customer being
    // another store's by then): it would stay on this device for good, personal data included.
    ...['customer_profile', 'customer_tag', 'customer_note', 'customer_contact', 'customer_purchase', 'customer_task'].map(
      (table): Cascade => ({ table, column: 'customer_id', action: 'delete' }),
    ),
    // A request stays (the store's record of what its staff asked, HQ's row); the name and phone a
    // guide typed for a new member (the device's own columns, which no pull sets) go with the customer.
    { table: 'customer_request', column: 'customer_id', action: 'null', forget: ['name', 'phone'] },
  ],
  coupon: [{ table: 'coupon_use', column: 'code', action: 'delete' }],
};

/**
 * Rows per INSERT while provisioning: one statement of 16 rows instead of 16 statements. A call
 * into SQLite costs about as much as the row it inserts; measured on four pages of 50,000 SKUs into
 * an encrypted store without their secondary indexes, 400–485 ms of inserts one row at a time
 * against 240–315 ms at 8 to 100 rows per statement (flat in between).
 */
export const INSERT_BATCH = 16;

type KindStatements = {
  upsert: Statement;
  /**
   * The upsert of a row whose indexed columns are as they were (a price change): it sets only the
   * columns no index reads, and changes nothing (0 changes) where an indexed one differs. Null when
   * every column is indexed. See `writeRow`.
   */
  update: Statement | null;
  /**
   * For a row `update` left alone (an indexed column differs): the write that sets the columns no
   * index reads and only the indexed ones that changed. Null where `update` is. See `writeRow`.
   */
  moved: ((row: readonly CellValue[]) => void) | null;
  insert: Statement;
  /** The plain INSERT of INSERT_BATCH rows at once (provisioning). */
  insertBatch: Statement;
  remove: Statement;
  bools: number[];
};

/** Prepared statements per kind and per cascade, made once per database. */
export class ApplyStatements {
  private readonly kinds = new Map<EntityKind, KindStatements>();
  private readonly sql = new Map<string, Statement>();
  /** Frees a unique key (staff.code, sku.ean …) that HQ moved to the row being written. */
  readonly uniqueKeys: UniqueKeys;
  constructor(
    readonly db: Database,
    /**
     * Unpushed sales are taken off the stock HQ sends (HQ has not counted them yet); the device's own
     * customer-book changes HQ has not applied yet go back on the rows it sends (own-changes.ts).
     */
    readonly outbox: Pick<OutboxPort, 'pendingStock' | 'ownChanges' | 'heard'>,
  ) {
    this.uniqueKeys = new UniqueKeys(db);
  }

  kind(kind: EntityKind): KindStatements {
    let s = this.kinds.get(kind);
    if (!s) {
      const spec = ENTITIES[kind];
      const cols = spec.columns.map((c) => c.name);
      const updates = cols.filter((c) => !spec.key.includes(c)).map((c) => `${c} = excluded.${c}`);
      // Only the spec's columns are set: device-local columns (staff_credential.failed_attempts) survive a pull.
      const upsert = this.db.prepare(
        `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
         ON CONFLICT(${spec.key.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
      );
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      const insert = this.db.prepare(`INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES ${tuple}`);
      const insertBatch = this.db.prepare(
        `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES ${Array(INSERT_BATCH).fill(tuple).join(', ')}`,
      );
      const remove = this.db.prepare(`DELETE FROM ${spec.table} WHERE ${spec.key.map((k) => `${k} = ?`).join(' AND ')}`);
      const indexed = indexedColumns(this.db, spec.table, cols);
      const cheap = cols.filter((c) => !spec.key.includes(c) && !indexed.has(c));
      const watched = cols.filter((c) => !spec.key.includes(c) && indexed.has(c));
      const same = watched.map((c) => `${c} IS excluded.${c}`);
      const update =
        cheap.length > 0 && same.length > 0
          ? this.db.prepare(
              `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
               ON CONFLICT(${spec.key.join(', ')}) DO UPDATE SET ${cheap.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE ${same.join(' AND ')}`,
            )
          : null;
      const bools = spec.columns.flatMap((c, i) => (c.type === 'bool' ? [i] : []));
      const moved = update ? this.movedWrite(spec, cols, cheap, watched, upsert) : null;
      s = { upsert, update, moved, insert, insertBatch, remove, bools };
      this.kinds.set(kind, s);
    }
    return s;
  }

  /**
   * Writes a row whose indexed columns are not all as they were (a customer given to another
   * guide, a task moved with them): it reads the row's indexed columns and sets the columns no
   * index reads and those of the indexed ones that changed, so that SQLite rewrites the entries of
   * the indexes that read a changed column only. The plain upsert names every column, and SQLite
   * rewrites a row's entry in every index that reads a column it sets, changed or not: five for a
   * customer whose guide changed, where two read the guide. A row that is not there (it cannot be:
   * `update` inserts a new one) takes the plain upsert.
   */
  private movedWrite(spec: EntitySpec, cols: readonly string[], cheap: readonly string[], watched: readonly string[], upsert: Statement) {
    const at = (c: string) => cols.indexOf(c);
    const keys = spec.key.map(at);
    const watchedAt = watched.map(at);
    const where = spec.key.map((k) => `${k} = ?`).join(' AND ');
    const current = this.db.prepare(`SELECT ${watched.join(', ')} FROM ${spec.table} WHERE ${where}`).raw();
    // One statement per set of changed indexed columns, made when first met.
    const writes = new Map<string, { statement: Statement; from: number[] }>();
    return (row: readonly CellValue[]): void => {
      const old = current.get(...keys.map((i) => row[i])) as CellValue[] | undefined;
      const changed = old === undefined ? [] : watched.filter((_, i) => old[i] !== row[watchedAt[i] as number]);
      // Not there, or no indexed column differs as JavaScript compares them: what `update` refused, the upsert writes.
      if (changed.length === 0) {
        upsert.run(...row);
        return;
      }
      const name = changed.join(',');
      let write = writes.get(name);
      if (!write) {
        const set = [...cheap, ...changed];
        write = {
          statement: this.db.prepare(`UPDATE ${spec.table} SET ${set.map((c) => `${c} = ?`).join(', ')} WHERE ${where}`),
          from: [...set, ...spec.key].map(at),
        };
        writes.set(name, write);
      }
      write.statement.run(...write.from.map((i) => row[i]));
    };
  }

  /** Forgets what it read of the schema: after a page dropped or built indexes (deferred-indexes.ts), `update` and UniqueKeys must see the new set. */
  schemaChanged(): void {
    this.kinds.clear();
    this.sql.clear();
    this.uniqueKeys.forget();
  }

  prepared(text: string): Statement {
    let s = this.sql.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.sql.set(text, s);
    }
    return s;
  }
}

function deleteProblem(spec: EntitySpec, key: unknown): string | null {
  if (!Array.isArray(key) || key.length !== spec.key.length) return `${spec.kind}: a delete does not carry its ${spec.key.length}-part key`;
  for (const v of key) if (typeof v !== 'string' && typeof v !== 'number') return `${spec.kind}: a delete key is not text`;
  return null;
}

/** Checks a whole page before anything is written: one bad row refuses the page. */
export function pageProblem(page: WirePage): string | null {
  for (const set of page.sets) {
    if (!isEntityKind(set.kind)) return `unknown entity kind ${set.kind}`;
    const spec = ENTITIES[set.kind];
    if (!Array.isArray(set.rows) || !Array.isArray(set.deletes)) return `${set.kind}: rows and deletes must be lists`;
    for (const row of set.rows as unknown[]) {
      const problem = rowProblem(spec, row);
      if (problem) return problem;
    }
    for (const key of set.deletes as unknown[]) {
      const problem = deleteProblem(spec, key);
      if (problem) return problem;
    }
  }
  return null;
}

export type ApplyOptions = {
  storeId: string;
  now: string;
  /** Provisioning bookkeeping of the scope: entities applied so far and HQ's total, stored with the cursor. */
  progress?: { applied: number; total: number | null };
  /**
   * The scope is being provisioned: its rows are most likely new here, and a plain INSERT costs
   * about a third less than an upsert on the encrypted store. A row that is there after all (a
   * resumed download, an entity HQ changed mid-way, a row another scope brought) makes the page
   * fail on its key, and the page is applied again with upserts: never wrong, at worst slower.
   */
  insertOnly?: boolean;
};

export type ApplyResult = { rows: number; deletes: number };

/**
 * Applies one pull page and stores its cursor in ONE transaction: after a crash the device has
 * either the page and its cursor or neither, so it pulls the same page again. Rows are checked
 * first (a bad page is refused whole).
 *
 * Foreign keys are not enforced while a page is applied: HQ's feed holds only the latest state of
 * each entity, ordered by the transaction that last wrote it, so a parent changed after its
 * children (a SKU repriced after the import that stocked it) arrives after them — in a later page
 * of a fresh device's provisioning. HQ enforces the references itself; the device converges once
 * the feed is drained, and tombstones still take the device's children along (CASCADES).
 *
 * For the same reason a unique key HQ moved from one record to another (a staff code, an EAN) may
 * reach the device before the record that gave it up: the write that clashes frees the key and is
 * retried (UniqueKeys), so such a page never blocks the pull.
 */
export function applyPage(st: ApplyStatements, page: WirePage, options: ApplyOptions): ApplyResult {
  const problem = pageProblem(page);
  if (problem) throw new PageRefusedError(page.scope, `page of ${page.scope} refused: ${problem}`);
  if (options.insertOnly) {
    try {
      return applyChecked(st, page, options, true);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'SQLITE_CONSTRAINT_PRIMARYKEY' && code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
    }
  }
  return applyChecked(st, page, options, false);
}

function applyChecked(st: ApplyStatements, page: WirePage, options: ApplyOptions, insertOnly: boolean): ApplyResult {
  const db = st.db;
  const hasStock = page.sets.some((s) => s.kind === 'stock' && (s.rows as unknown[]).length > 0);
  let rows = 0;
  let deletes = 0;
  // The page dropped or built indexes (deferred-indexes.ts): what st read of the schema is stale, committed or not.
  let schemaTouched = false;
  const run = db.transaction(() => {
    const pending = hasStock ? st.outbox.pendingStock(options.storeId) : null;
    // Keys removed per table (single-column keys: what CASCADES follow), cascaded per table below.
    const removed = new Map<string, CellValue[]>();
    // Tombstones first: a member code replaced by a new one for the same customer (UNIQUE) must go before the new one comes.
    for (const set of page.sets) {
      const spec = ENTITIES[set.kind as EntityKind];
      const { remove } = st.kind(spec.kind);
      for (const key of set.deletes as CellValue[][]) {
        remove.run(...key);
        if (spec.key.length === 1) {
          const keys = removed.get(spec.table) ?? [];
          keys.push(key[0] ?? null);
          removed.set(spec.table, keys);
        }
        deletes++;
      }
    }
    if (insertOnly)
      for (const set of page.sets)
        if ((set.rows as unknown[]).length >= DEFER_INDEX_ROWS && deferIndexes(db, page.scope, ENTITIES[set.kind as EntityKind].table) > 0)
          schemaTouched = true;
    for (const set of page.sets) {
      const spec = ENTITIES[set.kind as EntityKind];
      const statements = st.kind(spec.kind);
      const { bools } = statements;
      const adjust = spec.kind === 'stock' && pending !== null && pending.size > 0;
      // The device's layout of a wire row: booleans as 0/1, this store's stock less its unpushed sales.
      const local = (wire: CellValue[]): CellValue[] => {
        if (bools.length === 0 && !adjust) return wire;
        const row = wire.slice();
        for (const i of bools) row[i] = row[i] ? 1 : 0;
        if (adjust && row[0] === options.storeId) row[2] = (row[2] as number) - (pending.get(row[1] as string) ?? 0);
        return row;
      };
      const wires = set.rows as CellValue[][];
      let next = 0;
      if (insertOnly) {
        const width = spec.columns.length;
        const batch: CellValue[] = new Array<CellValue>(INSERT_BATCH * width);
        for (; next + INSERT_BATCH <= wires.length; next += INSERT_BATCH) {
          for (let r = 0; r < INSERT_BATCH; r++) {
            const row = local(wires[next + r] as CellValue[]);
            for (let c = 0; c < width; c++) batch[r * width + c] = row[c] as CellValue;
          }
          // A batch that clashes on a key fails whole, like one row: the page is applied again as upserts (applyPage).
          statements.insertBatch.run(batch);
        }
      }
      for (; next < wires.length; next++) {
        const row = local(wires[next] as CellValue[]);
        try {
          writeRow(statements, row, insertOnly);
        } catch (error) {
          // A key HQ moved from a row this device still has (see UniqueKeys): free it, write again.
          if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE' || !st.uniqueKeys.free(spec, row)) throw error;
          writeRow(statements, row, insertOnly);
        }
      }
      rows += wires.length;
    }
    for (const [table, keys] of removed) cascade(st, table, keys);
    if (touchesOwnChanges(page)) putOwnChangesBack(st, page, options.storeId, options.now);
    // The scope's last page: the indexes its provisioning dropped are built, in the transaction that marks it done.
    if (!page.more && restoreIndexes(db, st.uniqueKeys, (scope) => scope === page.scope).length > 0) schemaTouched = true;
    const p = options.progress;
    st.prepared(
      `INSERT INTO sync_cursor (scope, cursor, applied, total, done, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(scope) DO UPDATE SET cursor = excluded.cursor, applied = excluded.applied, total = excluded.total,
         done = max(sync_cursor.done, excluded.done), updated_at = excluded.updated_at`,
    ).run(page.scope, page.cursor, p?.applied ?? 0, p?.total ?? null, page.more ? 0 : 1, options.now);
  });
  // The pragma is per connection and cannot change inside a transaction; nothing else runs on this
  // connection meanwhile (better-sqlite3 is synchronous), and it is restored before returning.
  const enforced = !db.inTransaction && (db.pragma('foreign_keys', { simple: true }) as number) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    run.immediate();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (insertOnly && (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE')) throw error;
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
      throw new PageRefusedError(page.scope, `page of ${page.scope} refused: a row refers to something this device does not have`, true);
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'))
      throw new PageRefusedError(page.scope, `page of ${page.scope} refused by the store: ${(error as Error).message}`);
    throw error;
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
    if (schemaTouched) st.schemaChanged();
  }
  return { rows, deletes };
}

/**
 * Builds the indexes a provisioning dropped for every scope `provisioning` says is not being
 * provisioned (the device no longer pulls it: moved to another store): the last page that would
 * have built them will not come. Returns the names built.
 */
export function buildDeferredIndexes(
  st: ApplyStatements,
  provisioning: (scope: string) => boolean,
  /** Called first when there is anything to build (pullOnce holds the automatic checkpoints off: a build writes thousands of WAL pages). */
  beforeBuild?: () => void,
): string[] {
  if (deferredIndexes(st.db).every((d) => provisioning(d.scope))) return [];
  beforeBuild?.();
  try {
    return st.db.transaction(() => restoreIndexes(st.db, st.uniqueKeys, (scope) => !provisioning(scope))).immediate();
  } finally {
    st.schemaChanged();
  }
}

/**
 * Writes one row. An incremental page mostly changes what no index reads (prices, stock, points),
 * spread over the whole table: one page of the table per row. The plain upsert sets every column,
 * and SQLite then rewrites the row's entry in every index of the table too, changed or not — for a
 * SKU its EAN and its style index: three pages per row instead of one, each encrypted and written
 * to the WAL at commit, which was where an incremental page's time went (`node
 * dist/bench/apply-page.js 200000`, 1,000 repriced SKUs spread over 200,000: median 208 ms, 155 ms
 * of CPU, with the plain upsert; 71 ms, 55 ms of CPU with this).
 * So the row is first written with `update`, which leaves the indexes alone, and only a row whose
 * indexed columns changed (a new EAN, a SKU moved to another style, a customer given to another
 * guide) is written again by `moved`, which sets those of its indexed columns that changed. An
 * offboarding's page of 5,000 customers given to the successor, on an encrypted store of 50,000
 * (median of 6, three runs alternating with the plain upsert): 84–95 ms against 182–187 ms.
 */
function writeRow(s: KindStatements, row: readonly CellValue[], insertOnly: boolean): void {
  if (insertOnly) s.insert.run(...row);
  else if (s.update === null || s.moved === null) s.upsert.run(...row);
  else if (s.update.run(...row).changes === 0) s.moved(row);
}

/**
 * Takes the children of the rows `keys` removed from `table` along (CASCADES), one statement per
 * cascade for all of a page's tombstones of a table: a provisioning may be loading the child table
 * without the index on the parent's column (deferred-indexes.ts), and then each statement reads
 * the whole table once — once per page, not once per tombstone (a brand's deleted styles can be
 * thousands).
 */
function cascade(st: ApplyStatements, table: string, keys: readonly CellValue[]): void {
  if (keys.length === 0) return;
  const list = JSON.stringify(keys);
  for (const c of CASCADES[table] ?? []) {
    const of = `${c.column} IN (SELECT value FROM json_each(?))`;
    if (c.action === 'null') {
      st.prepared(`UPDATE ${c.table} SET ${(c.forget ?? [c.column]).map((col) => `${col} = NULL`).join(', ')} WHERE ${of}`).run(list);
    } else if (c.childKey) {
      const children = st.prepared(`SELECT ${c.childKey} FROM ${c.table} WHERE ${of}`).pluck().all(list) as CellValue[];
      cascade(st, c.table, children);
      if (children.length > 0)
        st.prepared(`DELETE FROM ${c.table} WHERE ${c.childKey} IN (SELECT value FROM json_each(?))`).run(JSON.stringify(children));
    } else {
      st.prepared(`DELETE FROM ${c.table} WHERE ${of}`).run(list);
    }
  }
}

/** The stored cursor of every scope this device has pulled, with its provisioning progress. */
export type ScopeCursor = { scope: string; cursor: string; applied: number; total: number | null; done: boolean };

export function readCursors(db: Database): Map<string, ScopeCursor> {
  const rows = db.prepare('SELECT scope, cursor, applied, total, done FROM sync_cursor').all() as {
    scope: string;
    cursor: string;
    applied: number;
    total: number | null;
    done: number;
  }[];
  return new Map(rows.map((r) => [r.scope, { ...r, done: r.done === 1 }]));
}

/** Forgets every scope's cursor: the next pull starts the feeds from the beginning (a device moved to another store or brand). */
export function clearCursors(db: Database): void {
  db.prepare('DELETE FROM sync_cursor').run();
}

/**
 * Pulls after an app upgrade that knows more entity kinds start the feeds from the beginning:
 * HQ left the new kinds out of every page the older version pulled (it does not send a kind a
 * device does not know), so only a full pull brings their existing rows. Kept in `meta`.
 */
export function ensureFeedKinds(db: Database, kinds: readonly string[]): void {
  const stored = (db.prepare("SELECT value FROM meta WHERE key = 'feed_kinds'").get() as { value: string } | undefined)?.value;
  const known = new Set<string>(stored ? (JSON.parse(stored) as string[]) : []);
  if (stored && kinds.every((k) => known.has(k))) return;
  db.transaction(() => {
    // A device that never pulled has no cursors to clear; one that pulled with fewer kinds starts again.
    if (stored || readCursors(db).size > 0) clearCursors(db);
    db.prepare("INSERT INTO meta (key, value) VALUES ('feed_kinds', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(
      JSON.stringify([...new Set([...known, ...kinds])].sort()),
    );
  }).immediate();
}
