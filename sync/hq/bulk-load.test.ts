import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertSkus } from './admin/catalog-import.js';
import type { SkuRow } from './admin/catalog-import.js';
import { BULK_FEEDS } from './bulk-feeds.js';
import { BulkLoadError, openBulkLoader } from './bulk-load.js';
import type { HqDb, Sql } from './db.js';
import { SAMPLE_CUSTOMER_BULK_TABLES, insertSampleCustomers } from './customers/sample-book.js';
import { importSampleBrand } from './sample-brand.js';
import { openEmptyHq, testBackends } from './testing/backends.js';
import { CHANGE_ROWS, changeRows } from './testing/change-log.js';
import { rolledBack as rollBack } from './testing/rolled-back.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const NOW = new Date('2026-03-01T02:03:04.567Z');

/** The feed as a device reads it: every change row but the transaction id, in a fixed order. */
async function feedRows(db: HqDb): Promise<string[]> {
  const rows = await db.query<{ r: string }>(
    `SELECT concat_ws(E'\\t', scope, kind, key, rank, row::text, deleted) AS r FROM ${CHANGE_ROWS} ORDER BY scope, kind, key`,
  );
  return rows.map((r) => r.r);
}

describe.each(backends)('the bulk loader on $name', (backend) => {
  // First: a mutant these kill fails here in a second, before the sample brand is loaded twice below.
  describe('on a small brand', () => {
    let db: HqDb;
    beforeAll(async () => {
      ({ db } = await openEmptyHq(backend));
      await importSampleBrand(db, { skus: 12, customers: 4, stores: 1, now: NOW });
    }, 120_000);
    afterAll(async () => {
      await db?.close();
    });

    /** Runs `fn` in a transaction that is rolled back afterwards (each test sees the brand as loaded). */
    const rolledBack = <T>(fn: (sql: Sql) => Promise<T>): Promise<T> => rollBack(db, fn);
    /** Recreates trigger function `name()` from its own text plus a line break: it does the same, but is no longer the text the loader checks. */
    const rewriteFunction = async (sql: Sql, name: string) => {
      const [fn] = await sql.query<{ src: string }>('SELECT prosrc AS src FROM pg_proc WHERE proname = $1', [name]);
      await sql.query(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$${fn!.src}\n$fn$`);
    };
    const skus = async (n: number) => (await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT $1', [n])).map((r) => r.sku);
    const STOCK = `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT $1, u.sku, 5, $2 FROM unnest($3::text[]) AS u(sku)`;

    it('opens set-based for each table it reproduces, and refuses one it has no feed for', async () => {
      for (const table of [
        'style',
        'sku',
        'customer',
        'customer_profile',
        'customer_binding',
        'member_code',
        'stock',
        'customer_tag',
        'customer_purchase',
        'customer_task',
      ]) {
        expect((await db.tx((sql) => openBulkLoader(sql, [table]))).setBased).toBe(true);
      }
      // Fed tables whose feeds it does not write: their triggers stay on.
      await expect(db.tx((sql) => openBulkLoader(sql, ['stock', 'customer_note']))).rejects.toThrow(
        'the bulk loader has no feed for customer_note',
      );
      await expect(db.tx((sql) => openBulkLoader(sql, ['coupon']))).rejects.toThrow('the bulk loader has no feed for coupon');
    });

    it('refuses an insert into a table it was not opened for', async () => {
      await expect(
        db.tx(async (sql) => {
          const loader = await openBulkLoader(sql, ['stock']);
          return loader.insert('sku', 'INSERT INTO sku SELECT * FROM sku WHERE false', []);
        }),
      ).rejects.toThrow('the bulk loader was not opened for sku');
    });

    it.each([true, false])('counts only the rows it wrote (set-based: %s), and feeds them', async (setBased) => {
      const codes = await skus(3);
      const result = await rolledBack(async (sql) => {
        await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = ANY($1)", [codes.slice(1)]);
        await sql.query('DELETE FROM change');
        const loader = await openBulkLoader(sql, ['stock'], { setBased });
        const n = await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO NOTHING`, ['loc-S001', NOW, codes]);
        const fed = await sql.query<{ key: string; row: unknown[] }>(
          `SELECT key, row FROM ${CHANGE_ROWS} WHERE kind = 'stock' ORDER BY key`,
        );
        const role = await sql.query<{ r: string }>("SELECT current_setting('session_replication_role') AS r");
        return { setBased: loader.setBased, n, fed, role };
      });
      expect(result.setBased).toBe(setBased);
      expect(result.n).toBe(2);
      expect(result.fed).toEqual(
        codes.slice(1).map((sku) => ({ key: `loc-S001|${sku}`, row: ['loc-S001', sku, 5, '2026-03-01T02:03:04.567Z'] })),
      );
      // The triggers are on again for whatever the transaction writes next.
      expect(result.role).toEqual([{ r: 'origin' }]);
    });

    it('writes with the triggers on again after a set-based insert', async () => {
      const [code] = await skus(1);
      const fed = await rolledBack(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO NOTHING`, ['loc-S001', NOW, [code]]);
        await sql.query('DELETE FROM change');
        await sql.query("UPDATE stock SET qty = 77 WHERE location_id = 'loc-S001' AND sku = $1", [code]);
        return sql.query<{ row: unknown[] }>(`SELECT row FROM ${CHANGE_ROWS} WHERE kind = 'stock'`);
      });
      expect(fed.map((f) => f.row[2])).toEqual([77]);
    });

    it('puts back the setting the caller had, not a default', async () => {
      const [code] = await skus(1);
      const role = await rolledBack(async (sql) => {
        await sql.query("SELECT set_config('session_replication_role', 'local', true)");
        const loader = await openBulkLoader(sql, ['stock']);
        await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO NOTHING`, ['loc-S001', NOW, [code]]);
        return sql.query<{ r: string }>("SELECT current_setting('session_replication_role') AS r");
      });
      expect(role).toEqual([{ r: 'local' }]);
    });

    it("runs its statement without JIT compilation, and puts back the caller's setting", async () => {
      const [code] = await skus(1);
      const { qty, jit } = await rolledBack(async (sql) => {
        await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [code]);
        await sql.query("SELECT set_config('jit', 'on', true)");
        const loader = await openBulkLoader(sql, ['stock']);
        // The statement writes the setting it ran with: 1 for off.
        await loader.insert(
          'stock',
          `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT $1, u.sku, CASE current_setting('jit') WHEN 'off' THEN 1 ELSE 2 END, $2 FROM unnest($3::text[]) AS u(sku)`,
          ['loc-S001', NOW, [code]],
        );
        const [row] = await sql.query<{ qty: number }>("SELECT qty FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [code]);
        const [setting] = await sql.query<{ jit: string }>("SELECT current_setting('jit') AS jit");
        return { qty: row?.qty, jit: setting?.jit };
      });
      expect(qty).toBe(1);
      expect(jit).toBe('on');
    });

    it('writes a row again over its tombstone in the change log, and goes on upserting that table', async () => {
      const codes = await skus(3);
      const result = await rolledBack(async (sql) => {
        // With the triggers on: each deleted row leaves its tombstone under the same key.
        await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001' AND sku = ANY($1)", [codes]);
        await sql.query("SELECT set_config('jit', 'on', true)");
        const loader = await openBulkLoader(sql, ['stock']);
        const first = await loader.insert('stock', STOCK, ['loc-S001', NOW, codes.slice(0, 2)]);
        const second = await loader.insert('stock', STOCK, ['loc-S001', NOW, codes.slice(2)]);
        const fed = await sql.query<{ key: string; qty: number; deleted: boolean }>(
          `SELECT key, (row->>2)::int AS qty, deleted FROM ${CHANGE_ROWS} WHERE kind = 'stock' AND key = ANY($1) ORDER BY key`,
          [codes.map((c) => `loc-S001|${c}`)],
        );
        // Put back after the first insert's retry as an upsert (its savepoint rolled back) and after the second.
        const role = await sql.query<{ r: string; j: string }>(
          "SELECT current_setting('session_replication_role') AS r, current_setting('jit') AS j",
        );
        return { first, second, fed, role };
      });
      expect(result.first).toBe(2);
      expect(result.second).toBe(1);
      expect(result.fed).toEqual(codes.map((c) => ({ key: `loc-S001|${c}`, qty: 5, deleted: false })));
      expect(result.role).toEqual([{ r: 'origin', j: 'on' }]);
    });

    it('upserts through onConflict: new rows inserted, a changed row updated, an unchanged one left, each fed once', async () => {
      const result = await rolledBack(async (sql) => {
        const [have, same] = await sql.query<SkuRow>(
          'SELECT sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active FROM sku ORDER BY sku LIMIT 2',
        );
        await sql.query('DELETE FROM change');
        const loader = await openBulkLoader(sql, ['sku']);
        const fresh = { ...have!, sku: 'NEW-SKU-1', ean: '6900000000901' };
        await upsertSkus(loader, 'SFL', [fresh]);
        await upsertSkus(loader, 'SFL', [
          { ...have!, price_fen: have!.price_fen + 100 },
          same!,
          { ...fresh, sku: 'NEW-SKU-2', ean: '6900000000918' },
        ]);
        const fed = await sql.query<{ key: string; price: number }>(
          `SELECT key, (row->>8)::int AS price FROM ${CHANGE_ROWS} WHERE kind = 'sku' ORDER BY key`,
        );
        return { have: have!, fed };
      });
      expect(result.fed).toEqual(
        [
          { key: result.have.sku, price: result.have.price_fen + 100 },
          { key: 'NEW-SKU-1', price: result.have.price_fen },
          { key: 'NEW-SKU-2', price: result.have.price_fen },
        ].sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
    });

    it('still refuses a row the table has when the statement does not say how to upsert it', async () => {
      const [code] = await skus(1);
      const attempt = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        return loader.insert('stock', STOCK, ['loc-S001', NOW, [code]]);
      });
      await expect(attempt).rejects.toMatchObject({ code: '23505', constraint: 'stock_pkey' });
    });

    it('updates rows that stay in their scope, and refuses an update of a table whose rows may move', async () => {
      const [code] = await skus(1);
      const fed = await rolledBack(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock', 'customer_tag']);
        const n = await loader.insert('stock', `${STOCK} ON CONFLICT (location_id, sku) DO UPDATE SET qty = stock.qty + excluded.qty`, [
          'loc-S001',
          NOW,
          [code],
        ]);
        const rows = await sql.query<{ row: unknown[] }>(`SELECT row FROM ${CHANGE_ROWS} WHERE kind = 'stock' AND key = $1`, [
          `loc-S001|${code}`,
        ]);
        const qty = await sql.query<{ qty: number }>("SELECT qty FROM stock WHERE location_id = 'loc-S001' AND sku = $1", [code]);
        return { n, row: rows[0]?.row, qty: qty[0]?.qty };
      });
      expect(fed.n).toBe(1);
      expect(fed.row?.[2]).toBe(fed.qty);
      for (const update of ['DO UPDATE SET added_at = excluded.added_at', 'do\n  update set added_at = excluded.added_at']) {
        await expect(
          db.tx(async (sql) => {
            const loader = await openBulkLoader(sql, ['customer_tag']);
            return loader.insert(
              'customer_tag',
              `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) SELECT id, 'x', store_id, 'auto', now() FROM customer
               ON CONFLICT (customer_id, tag) ${update}`,
              [],
            );
          }),
        ).rejects.toThrow('customer_tag: an update may move a row to another scope, which a bulk insert does not tombstone');
      }
    });

    it('names the foreign key, the column and the parent a row breaks', async () => {
      const [code] = await skus(1);
      const attempt = (location: string, sku: string) =>
        db.tx(async (sql) => {
          const loader = await openBulkLoader(sql, ['sku', 'stock']);
          await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001'");
          return loader.insert('stock', STOCK, [location, NOW, [sku]]);
        });
      const fk = async (column: string) =>
        (
          await db.query<{ name: string }>(
            `SELECT conname::text AS name FROM pg_constraint WHERE contype = 'f' AND conrelid = 'stock'::regclass
              AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'stock'::regclass AND attname = $1)]`,
            [column],
          )
        )[0]!.name;
      const [skuKey, locationKey] = [await fk('sku'), await fk('location_id')];
      await expect(attempt('loc-S001', 'NO-SUCH-SKU')).rejects.toMatchObject({
        message: `insert into stock violates foreign key ${skuKey}`,
        detail: '(sku)=(NO-SUCH-SKU) is not present in table "sku".',
      });
      await expect(attempt('loc-NOWHERE', code!)).rejects.toMatchObject({
        message: `insert into stock violates foreign key ${locationKey}`,
        detail: '(location_id)=(loc-NOWHERE) is not present in table "location".',
      });
    });

    it('leaves a broken row to PostgreSQL’s own check on the trigger path', async () => {
      const attempt = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock'], { setBased: false });
        return loader.insert('stock', STOCK, ['loc-S001', NOW, ['NO-SUCH-SKU']]);
      });
      await expect(attempt).rejects.toMatchObject({ code: '23503' });
      await expect(attempt).rejects.not.toBeInstanceOf(BulkLoadError);
    });

    it('names one broken value when several rows break the same key', async () => {
      const attempt = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        return loader.insert('stock', STOCK, ['loc-S001', NOW, ['NO-SUCH-A', 'NO-SUCH-B']]);
      });
      await expect(attempt).rejects.toMatchObject({
        detail: expect.stringMatching(/^\(sku\)=\(NO-SUCH-[AB]\) is not present in table "sku"\.$/),
      });
    });

    it('goes back to the triggers when a table has a trigger more or less, or a feed function it does not reproduce', async () => {
      const open = (sql: Sql, tables = ['sku', 'stock']) => openBulkLoader(sql, tables).then((l) => l.setBased);
      expect(await rolledBack((sql) => open(sql))).toBe(true);
      const extra = await rolledBack(async (sql) => {
        await sql.query('CREATE FUNCTION sf_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$');
        await sql.query('CREATE TRIGGER audit_stock AFTER INSERT ON stock FOR EACH STATEMENT EXECUTE FUNCTION sf_noop()');
        return [await open(sql), await open(sql, ['sku'])];
      });
      expect(extra).toEqual([false, true]);
      expect(await rolledBack(async (sql) => (await sql.query('DROP TRIGGER feed_stock_update ON stock'), open(sql)))).toBe(false);
      const replaced = await rolledBack(async (sql) => (await rewriteFunction(sql, 'feed_stock'), open(sql)));
      expect(replaced).toBe(false);
      // A function of the same name in another schema is not the feed's.
      const elsewhere = await rolledBack(async (sql) => {
        await sql.query('CREATE SCHEMA sf_other');
        await sql.query('CREATE FUNCTION sf_other.feed_stock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$');
        return open(sql);
      });
      expect(elsewhere).toBe(true);
      // Nor is it when the name has a second function beside it.
      const overloaded = await rolledBack(async (sql) => {
        await sql.query('CREATE FUNCTION feed_stock(n integer) RETURNS integer LANGUAGE sql AS $$ SELECT n $$');
        return open(sql);
      });
      expect(overloaded).toBe(false);
    });

    it('writes sample customers with their profiles and bindings as the customer trigger would, under a store policy too', async () => {
      const [guide] = await db.query<{ id: string }>("SELECT id FROM staff WHERE store_id = 'loc-S001' ORDER BY id LIMIT 1");
      const customers = [0, 1, 2].map((i) => ({
        id: `cus-policy-${i}`,
        store_id: 'loc-S001',
        name: `客户${i}`,
        phone: `1390000000${i}`,
        tier: 'silver' as const,
        points: i * 10,
        guide_id: i === 2 ? null : (guide?.id ?? null),
        created_at: `2026-0${i + 1}-15T16:30:00.000Z`,
      }));
      const profiles = new Map(
        customers.slice(0, 2).map((c) => [
          c.id,
          {
            customer_id: c.id,
            store_id: c.store_id,
            consent: false,
            opted_out: true,
            birthday: '02-29',
            sizes: 'M',
            bound_at: c.guide_id ? c.created_at : null,
            last_purchase_at: '2026-03-01T00:00:00.000Z',
            purchases: 3,
            spend_fen: 45600,
          },
        ]),
      );
      const ids = customers.map((c) => c.id);
      const written = (setBased: boolean) =>
        rolledBack(async (sql) => {
          // The store keeps a guide's customers 30 days, not the default 90.
          await sql.query(
            "INSERT INTO customer_policy (store_id, protection_days) VALUES ('loc-S001', 30) ON CONFLICT (store_id) DO UPDATE SET protection_days = 30",
          );
          const loader = await openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES, { setBased });
          expect(loader.setBased).toBe(setBased);
          await insertSampleCustomers(sql, loader, customers, profiles);
          return {
            profiles: await sql.query(
              `SELECT customer_id, store_id, consent, opted_out, birthday, sizes, sf_iso(bound_at) AS bound, sf_iso(protected_until) AS protected,
                      sf_iso(last_purchase_at) AS last, purchases, spend_fen::int AS spend
                 FROM customer_profile WHERE customer_id = ANY($1) ORDER BY customer_id`,
              [ids],
            ),
            bindings: await sql.query(
              `SELECT customer_id, guide_id, valid_from::text AS since, valid_to FROM customer_binding WHERE customer_id = ANY($1) ORDER BY customer_id`,
              [ids],
            ),
          };
        });
      const oneStatement = await written(true);
      expect(oneStatement).toEqual(await written(false));
      expect(oneStatement.profiles.map((p) => [p.customer_id, p.bound, p.protected, p.sizes])).toEqual([
        ['cus-policy-0', '2026-01-15T16:30:00.000Z', '2026-02-14T16:30:00.000Z', 'M'],
        ['cus-policy-1', '2026-02-15T16:30:00.000Z', '2026-03-17T16:30:00.000Z', 'M'],
        // No sample profile: the trigger's default one, and no guide, so not bound.
        ['cus-policy-2', null, null, ''],
      ]);
      expect(oneStatement.bindings.map((b) => [b.customer_id, b.guide_id, b.valid_to])).toEqual([
        ['cus-policy-0', guide?.id, null],
        ['cus-policy-1', guide?.id, null],
      ]);
    });

    it("reproduces the customer book's insert trigger only as migration 0005 made it, and only with its profile and binding rows", async () => {
      const open = (sql: Sql) => openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES).then((l) => l.setBased);
      expect(await rolledBack(open)).toBe(true);
      const replaced = await rolledBack(async (sql) => (await rewriteFunction(sql, 'sf_customer_book'), open(sql)));
      expect(replaced).toBe(false);
      // A trigger the loader may leave on only because an insert never fires it, made to fire on one.
      const onInsert = await rolledBack(async (sql) => {
        await sql.query('DROP TRIGGER move_customer_children ON customer');
        await sql.query(
          `CREATE TRIGGER move_customer_children AFTER INSERT ON customer REFERENCING NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION sf_customer_book()`,
        );
        return open(sql);
      });
      expect(onInsert).toBe(false);
      const alone = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES);
        return loader.insert(
          'customer',
          "INSERT INTO customer (id, store_id, name, phone) VALUES ('cus-alone', 'loc-S001', 'x', '13900000000')",
          [],
        );
      });
      await expect(alone).rejects.toThrow(
        "customer: its trigger's customer_profile and customer_binding rows must be written with it (insertWith)",
      );
      const CUSTOMER =
        "INSERT INTO customer (id, store_id, name, phone, tier, points) VALUES ('cus-parts', 'loc-S001', 'x', '13900000000', 'silver', 0)";
      const PROFILE = 'INSERT INTO customer_profile (customer_id, store_id) SELECT id, store_id FROM w0';
      const partial = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES);
        return loader.insertWith(
          [
            { table: 'customer', statement: CUSTOMER },
            { table: 'customer_profile', statement: PROFILE },
          ],
          [],
        );
      });
      await expect(partial).rejects.toThrow("customer: its trigger's customer_binding rows must be written with it (insertWith)");
      // A member code's feed finds its store through its customer: not there yet within the statement.
      const joined = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, [...SAMPLE_CUSTOMER_BULK_TABLES, 'member_code']);
        return loader.insertWith(
          [
            { table: 'customer', statement: CUSTOMER },
            { table: 'customer_profile', statement: PROFILE },
            {
              table: 'customer_binding',
              statement: "INSERT INTO customer_binding (customer_id, guide_id, valid_from) SELECT id, 'g', now() FROM w0 WHERE false",
            },
            { table: 'member_code', statement: "INSERT INTO member_code (code, customer_id) SELECT 'M-PARTS', id FROM w0" },
          ],
          [],
        );
      });
      await expect(joined).rejects.toThrow('member_code: its feed joins a table written in the same statement');
    });

    it('writes the parts of one statement alike on the trigger path', async () => {
      const [guide] = await db.query<{ id: string }>("SELECT id FROM staff WHERE store_id = 'loc-S001' ORDER BY id LIMIT 1");
      const written = (setBased: boolean) =>
        rolledBack(async (sql) => {
          const loader = await openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES, { setBased });
          const n = await loader.insertWith(
            [
              {
                table: 'customer',
                statement: `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
                            SELECT 'cus-trig-' || i, 'loc-S001', 'x', '1390000000' || i, 'silver', 0, $1, $2 FROM generate_series(1, 2) AS i`,
              },
              {
                table: 'customer_profile',
                statement: `INSERT INTO customer_profile (customer_id, store_id, sizes, bound_at, protected_until)
                            SELECT id, store_id, 'L', created_at, created_at + interval '90 days' FROM w0`,
              },
              {
                table: 'customer_binding',
                statement: "INSERT INTO customer_binding (customer_id, guide_id, valid_from) SELECT id, guide_id, '-infinity' FROM w0",
              },
            ],
            [guide!.id, NOW],
          );
          const rows = await sql.query(
            `SELECT p.customer_id, p.sizes, sf_iso(p.protected_until) AS protected, b.guide_id, c.deleted
               FROM customer_profile p JOIN customer_binding b USING (customer_id)
               JOIN ${changeRows('c')} ON c.kind = 'customer_profile' AND c.key = p.customer_id
              WHERE p.customer_id LIKE 'cus-trig-%' ORDER BY 1`,
          );
          return { n, rows };
        });
      const bulk = await written(true);
      expect(bulk.n).toBe(2);
      expect(bulk.rows).toEqual([
        { customer_id: 'cus-trig-1', sizes: 'L', protected: '2026-05-30T02:03:04.567Z', guide_id: guide!.id, deleted: false },
        { customer_id: 'cus-trig-2', sizes: 'L', protected: '2026-05-30T02:03:04.567Z', guide_id: guide!.id, deleted: false },
      ]);
      expect(await written(false)).toEqual(bulk);
    });

    it('checks the foreign keys of every part, a companion’s parent among the rows written before it', async () => {
      const customer = (over: Record<string, unknown>) => ({
        id: 'cus-fk',
        store_id: 'loc-S001',
        name: '客户',
        phone: '13900000009',
        tier: 'silver' as const,
        points: 0,
        guide_id: null,
        created_at: '2026-01-15T16:30:00.000Z',
        ...over,
      });
      const write = async (sql: Sql, over: Record<string, unknown>) => {
        const loader = await openBulkLoader(sql, SAMPLE_CUSTOMER_BULK_TABLES);
        await insertSampleCustomers(sql, loader, [customer(over)], new Map());
        return sql.query('SELECT customer_id, guide_id FROM customer_binding WHERE customer_id = $1', ['cus-fk']);
      };
      // A broken key throws, and its transaction rolls back.
      const attempt = (over: Record<string, unknown>) => db.tx((sql) => write(sql, over));
      await expect(attempt({ store_id: 'loc-NOWHERE' })).rejects.toMatchObject({
        message: expect.stringMatching(/^insert into customer violates foreign key /),
        detail: '(store_id)=(loc-NOWHERE) is not present in table "location".',
      });
      await expect(attempt({ guide_id: 'NO-SUCH-GUIDE' })).rejects.toMatchObject({
        detail: '(guide_id)=(NO-SUCH-GUIDE) is not present in table "staff".',
      });
      const [guide] = await db.query<{ id: string }>("SELECT id FROM staff WHERE store_id = 'loc-S001' ORDER BY id LIMIT 1");
      expect(await rolledBack((sql) => write(sql, { guide_id: guide!.id }))).toEqual([{ customer_id: 'cus-fk', guide_id: guide!.id }]);
    });

    it('goes back to the triggers for a role that may not turn them off', async () => {
      const setBased = await rolledBack(async (sql) => {
        await sql.query('CREATE ROLE sf_bulk_plain NOLOGIN');
        await sql.query('SET LOCAL ROLE sf_bulk_plain');
        return (await openBulkLoader(sql, ['stock'])).setBased;
      });
      expect(setBased).toBe(false);
    });

    it("takes the set-based path for a role granted session_replication_role (HQ's account in a chain), and writes the feed", async () => {
      const [skuRow] = await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1');
      const result = await rolledBack(async (sql) => {
        await sql.query('CREATE ROLE sf_bulk_granted NOLOGIN');
        await sql.query('GRANT SET ON PARAMETER session_replication_role TO sf_bulk_granted');
        await sql.query('GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO sf_bulk_granted');
        // A chain's HQ account owns the database and everything its migrations made, the chunks' sequence too.
        await sql.query('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO sf_bulk_granted');
        await sql.query('SET LOCAL ROLE sf_bulk_granted');
        const [su] = await sql.query<{ su: string }>("SELECT current_setting('is_superuser') AS su");
        const loader = await openBulkLoader(sql, ['stock']);
        const n = await loader.insert(
          'stock',
          `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT 'loc-S001', $1, 7, now()
           ON CONFLICT (location_id, sku) DO UPDATE SET qty = excluded.qty`,
          [skuRow?.sku],
        );
        const [fed] = await sql.query<{ row: unknown[] }>(
          `SELECT row FROM ${CHANGE_ROWS} WHERE scope = 'store:loc-S001' AND kind = 'stock' AND key = $1`,
          [`loc-S001|${skuRow?.sku}`],
        );
        return { su: su?.su, setBased: loader.setBased, n, qty: fed?.row[2] };
      });
      expect(result).toEqual({ su: 'off', setBased: true, n: 1, qty: 7 });
    });
  });

  it('writes the sample brand with the triggers off, and the feed is row for row what the triggers wrote', async () => {
    const bulk = await openEmptyHq(backend);
    const triggers = await openEmptyHq(backend);
    try {
      // The loader only bypasses triggers it reproduces: on a migrated HQ that is every table it knows.
      expect((await bulk.db.tx((sql) => openBulkLoader(sql, Object.keys(BULK_FEEDS)))).setBased).toBe(true);
      const options = { skus: 240, customers: 150, stores: 2, now: NOW };
      const a = await importSampleBrand(bulk.db, options);
      const b = await importSampleBrand(triggers.db, { ...options, setBased: false });
      expect(a).toEqual(b);
      const fed = await feedRows(bulk.db);
      expect(fed).toEqual(await feedRows(triggers.db));
      // Every SKU and every stock row (two stores and the warehouse) are in the feed, as the trigger shaped them.
      const n = async (where: string) =>
        (await bulk.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${CHANGE_ROWS} WHERE ${where}`))[0]?.n;
      expect(await n("scope = 'brand:SFL' AND kind = 'sku'")).toBe(240);
      expect(await n("kind = 'stock'")).toBe(3 * 240);
      const [stock] = await bulk.db.query<{ row: unknown[]; qty: number }>(
        `SELECT c.row, s.qty FROM ${changeRows('c')} JOIN stock s ON c.key = s.location_id || '|' || s.sku
          WHERE c.scope = 'store:loc-S001' AND c.kind = 'stock' ORDER BY c.key LIMIT 1`,
      );
      expect(stock?.row[2]).toBe(stock?.qty);
      expect(stock?.row[3]).toBe('2026-03-01T02:03:04.567Z');
      // Three transactions wrote it (the brand, its catalog, its customers), each with one xid: the
      // feed serves each part whole, below the horizon, or not at all.
      const parts = await bulk.db.query<{ kinds: string }>(
        `SELECT string_agg(DISTINCT kind, ' ' ORDER BY kind) AS kinds FROM ${CHANGE_ROWS} GROUP BY xid ORDER BY 1`,
      );
      expect(parts.map((p) => p.kinds)).toEqual([
        'coupon customer customer_note customer_profile customer_purchase customer_tag customer_task guide_result member_code',
        'location staff staff_credential store_policy',
        'promotion sku stock style',
      ]);
    } finally {
      await bulk.db.close();
      await triggers.db.close();
    }
  }, 240_000);

  it('refuses a row whose parent is missing, says which value, and writes nothing', async () => {
    const { db } = await openEmptyHq(backend);
    try {
      await importSampleBrand(db, { skus: 20, customers: 5, stores: 1, now: NOW });
      const counts = async () =>
        (
          await db.query<{ s: number; c: number }>('SELECT (SELECT count(*) FROM stock)::int AS s, (SELECT count(*) FROM change)::int AS c')
        )[0];
      const before = await counts();
      const [sku] = await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1');
      const attempt = db.tx(async (sql) => {
        const loader = await openBulkLoader(sql, ['stock']);
        expect(loader.setBased).toBe(true);
        await sql.query("DELETE FROM stock WHERE location_id = 'loc-S001'");
        return loader.insert(
          'stock',
          `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT 'loc-S001', u.sku, 1, now() FROM unnest($1::text[]) AS u(sku)`,
          [[sku?.sku, 'NO-SUCH-SKU']],
        );
      });
      await expect(attempt).rejects.toThrow(BulkLoadError);
      await expect(attempt).rejects.toMatchObject({ code: '23503', detail: expect.stringMatching(/NO-SUCH-SKU/) });
      expect(await counts()).toEqual(before);
    } finally {
      await db.close();
    }
  }, 120_000);
});
