import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../main/store/migrate.js';
import { migrations } from '../../main/store/migrations/index.js';
import { deviceOutbox } from '../../main/store/outbox.js';
import { beforeStoreMigrations } from '../../main/sync/store-migrations.js';
import { ApplyStatements, applyPage, buildDeferredIndexes, ensureFeedKinds } from './apply.js';
import type { WirePage } from './apply.js';
import { buildEveryDeferredIndex, DEFER_INDEX_ROWS, deferIndexes, deferredIndexes } from './deferred-indexes.js';
import { UniqueKeys } from './unique-keys.js';
import { ENTITIES, ENTITY_KINDS } from '../protocol/entities.js';
import { checkpointsDone, pullAll } from './pull.js';
import type { SignedClient } from './signed-http.js';
import { NOW, STORE, customer, location, page, sku, style } from './testing/page-fixture.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';

const BRAND = 'brand:SF';
const ean = (i: number) => String(6_900_000_000_000 + ((i * 7_919) % 1_000_003));
const skus = (from: number, n: number, eanOf = ean) => Array.from({ length: n }, (_, i) => sku(`SF-${from + i}`, 'ST1', eanOf(from + i)));
/** A page of the brand scope with SKUs only: a later page (a style sent again would fail the insert-only apply on its key). */
const skuPage = (cursor: string, rows: unknown[][], more: boolean): WirePage =>
  page(BRAND, cursor, [{ kind: 'sku', rows, deletes: [] }], more);
/** The brand scope's first page: the style, `sets`, and the SKUs. */
const firstPage = (cursor: string, rows: unknown[][], more: boolean, sets: WirePage['sets'] = []): WirePage =>
  page(BRAND, cursor, [{ kind: 'style', rows: [style('ST1')], deletes: [] }, ...sets, { kind: 'sku', rows, deletes: [] }], more);

describe('a provisioning loads its large tables without their secondary indexes', () => {
  let device: TestDevice;
  let st: ApplyStatements;
  beforeEach(() => {
    device = testDevice();
    st = new ApplyStatements(device.store.db, deviceOutbox(device.store.db));
  });
  afterEach(() => device.cleanup());

  const db = () => device.store.db;
  const indexSql = (table: string) =>
    db().prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").all(table);
  const provision = (p: WirePage) => applyPage(st, p, { storeId: STORE, now: NOW, insertOnly: true });
  const plan = (sql: string, ...args: unknown[]) =>
    (
      db()
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args) as { detail: string }[]
    )
      .map((r) => r.detail)
      .join('; ');

  it('drops them at the first large page, records them, and builds them again in the page that ends the scope', () => {
    // An index whose SQL is not a plain CREATE INDEX <name> ON <table>(…) (here a quoted name) is not one it defers: it stays.
    db().exec('CREATE INDEX "sku by price" ON sku(price_fen)');
    const schema = indexSql('sku').filter((i) => (i as { name: string }).name !== 'sku by price');
    expect(schema.map((i) => (i as { name: string }).name)).toEqual(['sku_ean', 'sku_style']);
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    expect(indexSql('sku').map((i) => (i as { name: string }).name)).toEqual(['sku by price']);
    db().exec('DROP INDEX "sku by price"');
    expect(deferredIndexes(db()).map((d) => [d.scope, d.name, d.unique])).toEqual([
      [BRAND, 'sku_ean', true],
      [BRAND, 'sku_style', false],
    ]);
    // Meanwhile the table reads correctly, by a scan.
    expect(plan('SELECT sku FROM sku WHERE ean = ?', ean(5))).toMatch(/SCAN sku/);
    expect(db().prepare('SELECT sku FROM sku WHERE ean = ?').pluck().get(ean(5))).toBe('SF-5');
    // A later page of the same provisioning does not drop again; the last one builds them.
    provision(skuPage('c2', skus(DEFER_INDEX_ROWS, DEFER_INDEX_ROWS), true));
    expect(deferredIndexes(db())).toHaveLength(2);
    provision(skuPage('c3', skus(2 * DEFER_INDEX_ROWS, 10), false));
    expect(indexSql('sku')).toEqual(schema);
    expect(deferredIndexes(db())).toEqual([]);
    expect(db().prepare("SELECT value FROM meta WHERE key = 'deferred_indexes'").get()).toBeUndefined();
    expect(plan('SELECT sku FROM sku WHERE ean = ?', ean(5))).toMatch(/USING (COVERING )?INDEX sku_ean/);
    expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db().prepare('SELECT count(*) FROM sku').pluck().get()).toBe(2 * DEFER_INDEX_ROWS + 10);
    // The EAN is unique again, and what the apply read of the schema is current: a moved EAN is freed, a price change takes the cheap update.
    expect(() => db().prepare("UPDATE sku SET ean = ? WHERE sku = 'SF-1'").run(ean(2))).toThrow(
      expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }),
    );
    expect(st.kind('sku').update).not.toBeNull();
    applyPage(st, page(BRAND, 'c4', [{ kind: 'sku', rows: [sku('SF-new', 'ST1', ean(3))], deletes: [] }]), { storeId: STORE, now: NOW });
    expect(db().prepare('SELECT ean FROM sku WHERE sku = ?').pluck().get('SF-3')).toMatch(/^~/);
  });

  it('leaves small pages, tables with rows, and an incremental pull alone', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS - 1), true));
    expect(deferredIndexes(db())).toEqual([]);
    provision(skuPage('c2', skus(DEFER_INDEX_ROWS, DEFER_INDEX_ROWS), true));
    expect(deferredIndexes(db())).toEqual([]);
    applyPage(st, skuPage('c3', skus(3 * DEFER_INDEX_ROWS, DEFER_INDEX_ROWS), false), { storeId: STORE, now: NOW });
    expect(indexSql('sku')).toHaveLength(2);
    // A fresh table, but not a provisioning (an upgrade that brought a new kind's rows): indexes kept.
    applyPage(st, page(`store:${STORE}`, 'c1', [{ kind: 'customer', rows: customers(DEFER_INDEX_ROWS), deletes: [] }], true), {
      storeId: STORE,
      now: NOW,
    });
    expect(deferredIndexes(db())).toEqual([]);
  });

  it('defers the customer book of a store scope the same way: five indexes, one expression index among them', () => {
    const schema = indexSql('customer');
    expect(schema).toHaveLength(5);
    const storeScope = `store:${STORE}`;
    provision(page(storeScope, 'c1', [{ kind: 'customer', rows: customers(DEFER_INDEX_ROWS), deletes: [] }], true));
    expect(indexSql('customer')).toEqual([]);
    // The brand scope ending does not build the store scope's indexes.
    provision(firstPage('b1', skus(0, 10), false));
    expect(indexSql('customer')).toEqual([]);
    provision(page(storeScope, 'c2', [], false));
    expect(indexSql('customer')).toEqual(schema);
    expect(plan("SELECT id FROM customer WHERE store_id = ? AND substr(phone, -4) = '0042'", STORE)).toMatch(/INDEX customer_phone_suffix/);
  });

  it("keeps the index the task triggers read by: a store's first page of tasks loads in linear time", () => {
    // The customer_next triggers look up the inserted task's customer's open tasks once per row:
    // without customer_task_customer each insert scanned the tasks loaded so far (50,000 tasks in
    // one page took 44 s instead of 0.7 s).
    const storeScope = `store:${STORE}`;
    const tasks = Array.from({ length: DEFER_INDEX_ROWS }, (_, i) =>
      task(`tsk-${i}`, `cus-${i % 5_000}`, `2026-12-${String(10 + (i % 9)).padStart(2, '0')}T02:00:00.000Z`),
    );
    provision(page(storeScope, 'c1', [{ kind: 'customer_task', rows: tasks, deletes: [] }], true));
    expect(deferredIndexes(db()).map((d) => d.name)).toEqual(['customer_task_guide']);
    expect(plan("SELECT min(due_at) FROM customer_task WHERE customer_id = ? AND status IN ('open', 'snoozed')", 'cus-7')).toMatch(
      /USING (COVERING )?INDEX customer_task_customer/,
    );
    // The customers arrive after their tasks; each has its next action, under its guide.
    const book = customers(5_000).map((row, i) => Object.assign(row, { 6: i % 2 === 0 ? 'g1' : null }));
    provision(page(storeScope, 'c2', [{ kind: 'customer', rows: book, deletes: [] }], false));
    expect(deferredIndexes(db())).toEqual([]);
    expect(db().prepare('SELECT count(*) AS n, min(due_at) AS first, count(guide_id) AS guided FROM customer_next').get()).toEqual({
      n: 5_000,
      first: '2026-12-10T02:00:00.000Z',
      guided: 2_500,
    });
  });

  it('keeps every index a trigger looks a row up by, whichever tables a provisioning defers', () => {
    const triggers = db().prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    const tables = new Set(Object.values(ENTITIES).map((e) => e.table));
    const lookups = triggers.flatMap((t) =>
      [...t.sql.matchAll(/FROM\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?\s+WHERE\s+(?:\w+\.)?(\w+)\s*=/gi)]
        .filter((m) => tables.has(m[1]!) && m[2]?.toUpperCase() !== 'WHERE')
        .map((m) => ({ trigger: t.name, table: m[1]!, column: m[3]! })),
    );
    // The customer_next triggers: the customer's tasks, and the customer's guide.
    expect(lookups.map((l) => `${l.table}.${l.column}`)).toEqual(expect.arrayContaining(['customer_task.customer_id', 'customer.id']));
    for (const table of new Set(lookups.map((l) => l.table))) deferIndexes(db(), `store:${STORE}`, table);
    for (const l of lookups) expect(`${l.trigger}: ${plan(`SELECT * FROM ${l.table} WHERE ${l.column} = ?`, 'x')}`).toMatch(/SEARCH/);
  });

  it('keeps them deferred across a restart mid-provisioning, and the resumed provisioning builds them', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    device.reopen();
    st = new ApplyStatements(db(), deviceOutbox(db()));
    expect(indexSql('sku')).toEqual([]);
    expect(deferredIndexes(db())).toHaveLength(2);
    // The resumed download repeats a row it had: the insert-only page fails on its key and is applied with upserts.
    provision(skuPage('c2', skus(DEFER_INDEX_ROWS - 1, 2), false));
    expect(indexSql('sku')).toHaveLength(2);
    expect(db().prepare('SELECT count(*) FROM sku').pluck().get()).toBe(DEFER_INDEX_ROWS + 1);
    // This apply first read the table while its indexes were dropped; it reads it again now that they are back.
    expect(st.kind('sku').update).not.toBeNull();
  });

  it('a page that fails takes its drop back with it, and the apply reads the schema afresh', () => {
    // The same SKU twice in one page: refused by the insert, applied with upserts, and its drop rolled back.
    const rows = skus(0, DEFER_INDEX_ROWS);
    rows.push(sku('SF-0', 'ST1', ean(0)));
    provision(firstPage('c1', rows, true));
    expect(deferredIndexes(db())).toEqual([]);
    expect(indexSql('sku')).toHaveLength(2);
    // UniqueKeys reads the EAN's index again (it was absent inside the failed attempt): a moved EAN is freed, not refused.
    applyPage(st, page(BRAND, 'c2', [{ kind: 'sku', rows: [sku('SF-moved', 'ST1', ean(7))], deletes: [] }]), { storeId: STORE, now: NOW });
    expect(db().prepare('SELECT ean FROM sku WHERE sku = ?').pluck().get('SF-7')).toMatch(/^~/);
  });

  it('resolves an EAN held twice when the index is built: the row first in key order keeps it, the other holds a placeholder', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    provision(skuPage('c2', [sku('SF-twin', 'ST1', ean(4))], false));
    expect(db().prepare('SELECT sku, ean FROM sku WHERE sku IN (?, ?) ORDER BY sku').all('SF-4', 'SF-twin')).toEqual([
      { sku: 'SF-4', ean: ean(4) },
      { sku: 'SF-twin', ean: expect.stringMatching(/^~.{12}$/) },
    ]);
    expect(indexSql('sku')).toHaveLength(2);
  });

  /** The store's scope drained once already: a pull of it is incremental (the feed's kinds recorded, or the pull would start over). */
  const storeScopeProvisioned = () => {
    ensureFeedKinds(db(), ENTITY_KINDS);
    db().prepare('INSERT INTO sync_cursor (scope, cursor, done, updated_at) VALUES (?, ?, 1, ?)').run(`store:${STORE}`, 's0', NOW);
  };
  const answering = (...answers: WirePage[][]): SignedClient => ({
    post: (_path, _body, schema) => Promise.resolve(schema.parse({ pages: answers.shift() ?? [], serverTime: NOW })),
  });

  it('builds them at the next pull when the device no longer pulls the scope, with the checkpoint off the thread', async () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    const checkpoint = vi.fn(() => Promise.resolve({ busy: 0 }));
    let autoCheckpointAtBuild: unknown;
    const build = vi.spyOn(st, 'schemaChanged').mockImplementationOnce(() => {
      autoCheckpointAtBuild = db().pragma('wal_autocheckpoint', { simple: true });
    });
    // The device now pulls only its store's scope, provisioned already (an incremental pull of nothing): the brand's last page will not come.
    storeScopeProvisioned();
    await pullAll({
      st,
      client: answering([page(`store:${STORE}`, 's1', [], false)]),
      scopes: [`store:${STORE}`],
      storeId: STORE,
      clock: () => new Date(NOW),
      checkpoint,
    });
    expect(deferredIndexes(db())).toEqual([]);
    expect(indexSql('sku')).toHaveLength(2);
    expect(build).toHaveBeenCalled();
    // Built with SQLite's automatic checkpoints held off, and its checkpoint handed to the worker.
    expect(autoCheckpointAtBuild).toBe(0);
    await checkpointsDone(db());
    expect(checkpoint).toHaveBeenCalledTimes(1);
    expect(db().pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('an incremental pull with nothing to build starts no checkpoint of its own', async () => {
    storeScopeProvisioned();
    const checkpoint = vi.fn(() => Promise.resolve({ busy: 0 }));
    const client = answering([page(`store:${STORE}`, 's1', [], false)]);
    await pullAll({ st, client, scopes: [`store:${STORE}`], storeId: STORE, clock: () => new Date(NOW), checkpoint });
    await checkpointsDone(db());
    expect(checkpoint).not.toHaveBeenCalled();
  });

  it('builds only the scopes no longer provisioned, and keeps the others deferred', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    const storeScope = `store:${STORE}`;
    provision(page(storeScope, 's1', [{ kind: 'customer', rows: customers(DEFER_INDEX_ROWS), deletes: [] }], true));
    expect(buildDeferredIndexes(st, () => true)).toEqual([]);
    expect(buildDeferredIndexes(st, (scope) => scope === storeScope)).toEqual(['sku_ean', 'sku_style']);
    expect(deferredIndexes(db()).map((d) => d.scope)).toEqual(Array(5).fill(storeScope));
    expect(indexSql('sku')).toHaveLength(2);
    expect(indexSql('customer')).toEqual([]);
  });

  it('keeps them deferred when the cursors of a scope still pulled are cleared, until that scope drains again', async () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    db().prepare('DELETE FROM sync_cursor').run();
    const pages = [firstPage('c1', skus(0, 5), true), skuPage('c2', skus(5, 5), false)];
    let seen: number | undefined;
    const client: SignedClient = {
      post: (_path, _body, schema) => {
        // When HQ is asked for the second page, the first (the scope provisioned again, from the start) is in.
        if (pages.length === 1) seen = deferredIndexes(db()).length;
        return Promise.resolve(schema.parse({ pages: [pages.shift()], serverTime: NOW }));
      },
    };
    await pullAll({ st, client, scopes: [BRAND], storeId: STORE, clock: () => new Date(NOW) });
    expect(seen).toBe(2);
    expect(deferredIndexes(db())).toEqual([]);
    expect(indexSql('sku')).toHaveLength(2);
  });

  it('a deferred index made again meanwhile is left as it is, and the scope still ends', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    db().exec('CREATE UNIQUE INDEX sku_ean ON sku(ean)');
    provision(skuPage('c2', [], false));
    expect(indexSql('sku')).toHaveLength(2);
    expect(deferredIndexes(db())).toEqual([]);
  });

  it('builds every deferred index before a store runs new migrations, so that a migration finds them', () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    const next = { version: migrations.length + 1, name: 'drops-sku-style', up: (d: Database.Database) => d.exec('DROP INDEX sku_style') };
    expect(() => migrate(db(), [...migrations, next])).toThrow(/no such index: sku_style/);
    migrate(db(), [...migrations, next], { beforeMigrations: beforeStoreMigrations });
    expect(indexSql('sku').map((i) => (i as { name: string }).name)).toEqual(['sku_ean']);
    expect(deferredIndexes(db())).toEqual([]);
    // Nothing to migrate: the record stays for the provisioning under way.
    provision(page(`store:${STORE}`, 's1', [{ kind: 'customer', rows: customers(DEFER_INDEX_ROWS), deletes: [] }], true));
    migrate(db(), [...migrations, next], { beforeMigrations: beforeStoreMigrations });
    expect(deferredIndexes(db())).toHaveLength(5);
  });

  it('takes the children of tombstones along while the child table is without its indexes', () => {
    const stock = (code: string) => [STORE, code, 3, NOW];
    provision(
      firstPage('c1', [...skus(0, DEFER_INDEX_ROWS), sku('ST2-A', 'ST2', '6900000000001'), sku('ST2-B', 'ST2', '6900000000002')], true, [
        { kind: 'style', rows: [style('ST2'), style('ST3')], deletes: [] },
        { kind: 'location', rows: [location(STORE)], deletes: [] },
      ]),
    );
    provision(page(`store:${STORE}`, 's1', [{ kind: 'stock', rows: [stock('ST2-A'), stock('SF-1')], deletes: [] }], false));
    expect(deferredIndexes(db())).toHaveLength(2);
    provision(page(BRAND, 'c2', [{ kind: 'style', rows: [], deletes: [['ST2'], ['ST3']] }], true));
    expect(db().prepare("SELECT count(*) FROM sku WHERE style_code = 'ST2'").pluck().get()).toBe(0);
    expect(db().prepare('SELECT sku FROM stock').pluck().all()).toEqual(['SF-1']);
    expect(db().prepare('SELECT count(*) FROM sku').pluck().get()).toBe(DEFER_INDEX_ROWS);
  });

  it('does not build them at a pull while the scope is still being provisioned', async () => {
    provision(firstPage('c1', skus(0, DEFER_INDEX_ROWS), true));
    const client: SignedClient = { post: () => Promise.reject(new Error('HQ is down')) };
    await expect(pullAll({ st, client, scopes: [BRAND], storeId: STORE, clock: () => new Date(NOW) })).rejects.toThrow(/down/);
    expect(deferredIndexes(db())).toHaveLength(2);
    expect(indexSql('sku')).toEqual([]);
  });

  it('throws what SQLite says when a recorded index cannot be built for another reason than a duplicate', () => {
    // A unique one, which is what the duplicate resolution would be tried for.
    db().exec('DROP INDEX sku_ean');
    const entry = {
      scope: BRAND,
      table: 'sku',
      name: 'sku_ean',
      sql: 'CREATE UNIQUE INDEX sku_ean ON sku(no_such_column)',
      unique: true,
      columns: ['no_such_column'],
    };
    db()
      .prepare("INSERT INTO meta (key, value) VALUES ('deferred_indexes', ?)")
      .run(JSON.stringify([entry]));
    expect(() => provision(firstPage('c1', [sku('SF-1', 'ST1', ean(1))], false))).toThrow(/no such column: no_such_column/);
    expect(deferredIndexes(db())).toHaveLength(1);
  });

  it('has nothing to build in a store its migrations have not made yet', () => {
    const empty = new Database(':memory:');
    try {
      expect(buildEveryDeferredIndex(empty)).toEqual([]);
    } finally {
      empty.close();
    }
  });

  it('refuses a record it did not write, with what it found, and runs no second statement', () => {
    const entry = {
      scope: BRAND,
      table: 'sku',
      name: 'sku_ean',
      sql: 'CREATE UNIQUE INDEX sku_ean ON sku(ean)',
      unique: true,
      columns: ['ean'],
    };
    const stored = (value: unknown) =>
      db()
        .prepare("INSERT INTO meta (key, value) VALUES ('deferred_indexes', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .run(JSON.stringify(value));
    for (const bad of [
      [{ scope: BRAND, sql: 'DROP TABLE sku' }],
      [{ ...entry, sql: 'DROP TABLE sku' }],
      [{ ...entry, name: 'sku_style' }],
      [{ ...entry, table: 'customer' }],
      [{ ...entry, name: 'x; DROP TABLE sku', sql: 'CREATE INDEX x; DROP TABLE sku ON sku(ean)' }],
      [{ ...entry, sql: 'create unique index sku_ean on sku(ean)' }],
      [{ ...entry, scope: undefined }],
      [{ ...entry, unique: 'yes' }],
      [{ ...entry, columns: [1] }],
      [{ ...entry, columns: 'ean' }],
      [{ ...entry, columns: ['ean', 1] }],
      [entry, null],
      [entry, 'sku_ean'],
      { ...entry },
    ]) {
      stored(bad);
      expect(() => deferredIndexes(db())).toThrow(/meta.deferred_indexes is not a list of deferred indexes: /);
    }
    db().exec('DROP INDEX sku_ean');
    stored([{ ...entry, sql: 'CREATE UNIQUE INDEX sku_ean ON sku(ean); DELETE FROM sku' }]);
    expect(() => provision(firstPage('c1', [sku('SF-1', 'ST1', ean(1))], false))).toThrow(/more than one statement/);
    stored([entry]);
    provision(firstPage('c1', [sku('SF-1', 'ST1', ean(1))], false));
    expect(indexSql('sku')).toHaveLength(2);
  });
});

/** A customer_task row as HQ sends it: open, due at `due`, the guide left to the customer's. */
function task(id: string, customerId: string, due: string): unknown[] {
  return [id, STORE, null, customerId, 'follow_up', '回访', 'Follow up', '', '', null, due, 'open', null, null, null];
}

function customers(n: number): unknown[][] {
  return Array.from({ length: n }, (_, i) => {
    const row = customer(`cus-${i}`, null);
    row[3] = `138${String(i).padStart(8, '0')}`;
    return row;
  });
}

describe('UniqueKeys after the schema changed', () => {
  let device: TestDevice;
  beforeEach(() => (device = testDevice()));
  afterEach(() => device.cleanup());

  it('reads the unique columns again after forget(), and resolves duplicates by key order with placeholders', () => {
    const db = device.store.db;
    const st = new ApplyStatements(db, deviceOutbox(db));
    applyPage(st, firstPage('c1', [sku('SF-b', 'ST1', ean(1)), sku('SF-a', 'ST1', ean(2)), sku('SF-c', 'ST1', ean(3))], false), {
      storeId: STORE,
      now: NOW,
    });
    const keys = new UniqueKeys(db);
    db.exec('DROP INDEX sku_ean');
    // Read without the index: no unique column, nothing to free.
    expect(keys.free(ENTITIES.sku, sku('SF-d', 'ST1', ean(1)))).toBe(false);
    db.exec("UPDATE sku SET ean = '" + ean(1) + "' WHERE sku IN ('SF-a', 'SF-c')");
    expect(keys.resolveDuplicates(ENTITIES.sku, 'ean')).toBe(2);
    expect(db.prepare('SELECT sku, ean FROM sku ORDER BY sku').all()).toEqual([
      { sku: 'SF-a', ean: ean(1) },
      { sku: 'SF-b', ean: expect.stringMatching(/^~.{12}$/) },
      { sku: 'SF-c', ean: expect.stringMatching(/^~.{12}$/) },
    ]);
    expect(keys.resolveDuplicates(ENTITIES.sku, 'ean')).toBe(0);
    db.exec('CREATE UNIQUE INDEX sku_ean ON sku(ean)');
    // Still the old reading until it forgets.
    expect(keys.free(ENTITIES.sku, sku('SF-d', 'ST1', ean(1)))).toBe(false);
    keys.forget();
    expect(keys.free(ENTITIES.sku, sku('SF-d', 'ST1', ean(1)))).toBe(true);
    expect(() => keys.resolveDuplicates(ENTITIES.sku, 'no_such_column')).toThrow(/sku has no column no_such_column HQ sends/);
    expect(() => keys.resolveDuplicates(ENTITIES.member_code, 'customer_id')).toThrow(/holds only its key and customer_id/);
  });
});
