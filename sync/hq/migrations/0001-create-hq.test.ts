import { afterAll, describe, expect, it } from 'vitest';
import type { HqMigration } from '../migrate.js';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { hqTableColumns, hqTableRows, upgradeHq } from '../testing/hq-upgrade.js';
import type { HqTableRows } from '../testing/hq-upgrade.js';
import { feedTriggersV1 } from './feed-triggers.js';
import { HQ_MIGRATIONS } from './index.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const emptyTables = (rows: HqTableRows) => Object.keys(rows).filter((t) => rows[t]!.length === 0);

const FEED_COUNTS = `SELECT scope, kind, count(*)::int AS n FROM change WHERE NOT deleted GROUP BY scope, kind ORDER BY scope COLLATE "C", kind COLLATE "C"`;

describe.each(backends)('HQ migration 1 on $name', (backend) => {
  it('makes the whole schema on an empty database, and what is then written reaches the right feeds', async () => {
    const upgrade = await upgradeHq(backend, { from: 0 });
    const { db } = upgrade;
    try {
      expect(upgrade.before).toEqual({});
      expect(await db.query('SELECT version, name FROM hq_migration')).toEqual([{ version: 1, name: 'create-hq' }]);
      expect(Object.keys(await hqTableColumns(db))).toEqual([
        'admin_token',
        'admin_user',
        'brand',
        'cash_movement',
        'change',
        'coupon',
        'customer',
        'dead_letter',
        'device',
        'enrolment_code',
        'event',
        'location',
        'member_code',
        'promotion',
        'request_nonce',
        'sale',
        'sale_line',
        'sale_tender',
        'sku',
        'staff',
        'stock',
        'style',
      ]);

      await seedHqRows(db, 1);
      expect(emptyTables(await hqTableRows(db, await hqTableColumns(db)))).toEqual([]);
      const brand = 'brand:SF';
      const store = 'store:loc-S001';
      expect(await db.query(FEED_COUNTS)).toEqual([
        { scope: brand, kind: 'coupon', n: 1 }, // the brand-wide coupon
        { scope: brand, kind: 'location', n: 3 },
        { scope: brand, kind: 'promotion', n: 1 },
        { scope: brand, kind: 'sku', n: 2 },
        { scope: brand, kind: 'stock', n: 1 }, // the warehouse's
        { scope: brand, kind: 'style', n: 1 },
        { scope: 'device:01900000-0000-7000-8000-00000000d001', kind: 'device_profile', n: 1 },
        { scope: 'device:01900000-0000-7000-8000-00000000d002', kind: 'device_profile', n: 1 },
        { scope: store, kind: 'coupon', n: 1 }, // the member's coupon
        { scope: store, kind: 'customer', n: 1 },
        { scope: store, kind: 'member_code', n: 1 },
        { scope: store, kind: 'staff', n: 3 },
        { scope: store, kind: 'staff_credential', n: 3 },
        { scope: store, kind: 'stock', n: 1 },
        { scope: 'store:loc-S002', kind: 'customer', n: 1 },
      ]);
    } finally {
      await upgrade.close();
    }
  });
});

/**
 * The shape of an upgrade test, kept from before migration 2 existed: a stand-in for migration 2
 * that adds a column to a fed table and a new fed table, over every kind of row version 1 holds.
 */
const standIn0002: HqMigration = {
  version: 2,
  name: 'create-task',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE customer ADD COLUMN birthday date;
      CREATE TABLE task (id text PRIMARY KEY, store_id text NOT NULL REFERENCES location(id), title text NOT NULL);
    `);
    await sql.exec(
      feedTriggersV1('task', [
        {
          kind: 'task',
          rank: 12,
          scope: `'store:' || t.store_id`,
          key: 't.id',
          keyValues: 'json_build_array(t.id)',
          row: 'json_build_array(t.id, t.store_id, t.title)',
        },
      ]),
    );
  },
};

describe.each(backends)('the HQ upgrade harness on $name', (backend) => {
  it('is ready for 1 → 2: every row of version 1, feed included, survives, and old and new feeds work', async () => {
    const upgrade = await upgradeHq(backend, {
      from: 1,
      migrations: [...HQ_MIGRATIONS.slice(0, 1), standIn0002],
      seed: (db) => seedHqRows(db, 1),
    });
    const { db } = upgrade;
    try {
      expect(emptyTables(upgrade.before)).toEqual([]);
      await expect(upgrade.rowsNow()).resolves.toEqual(upgrade.before);
      expect(await db.query('SELECT version FROM hq_migration ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }]);

      const customerXid = async () =>
        (await db.query<{ xid: string }>(`SELECT xid::text AS xid FROM change WHERE kind = 'customer' AND key = 'cus-1'`))[0]!.xid;
      const old = await customerXid();
      await db.query(`UPDATE customer SET birthday = '1990-05-01' WHERE id = 'cus-1'`);
      expect(BigInt(await customerXid())).toBeGreaterThan(BigInt(old));

      await db.query(`INSERT INTO task (id, store_id, title) VALUES ('task-1', 'loc-S001', '回访王小明')`);
      expect(await db.query(`SELECT scope, row, deleted FROM change WHERE kind = 'task'`)).toEqual([
        { scope: 'store:loc-S001', row: ['task-1', 'loc-S001', '回访王小明'], deleted: false },
      ]);
    } finally {
      await upgrade.close();
    }
  });
});
