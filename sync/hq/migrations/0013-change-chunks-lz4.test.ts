import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import lz4 from './0013-change-chunks-lz4.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/**
 * A chunk as the bulk loader writes one (migration 0010), in plain SQL: keys and rows long and
 * alike enough that PostgreSQL compresses both (past its 2 kB threshold).
 */
async function writeChunk(db: HqDb, seq: number): Promise<{ key: string; rows: string }> {
  const keys = Array.from({ length: 300 }, (_, i) => `SKU${seq}-${String(i).padStart(4, '0')}`);
  const rows = keys.map((k) => JSON.stringify([k, 'SF25W0001', '黑色 Black', 'M', 59_900, true])).join(',');
  const key = `\u0001${String(seq).padStart(19, '0')}`;
  await db.query(
    `INSERT INTO change (scope, kind, key, rank, xid, row, deleted, n, keys, rows)
     VALUES ('brand:SFL', 'sku', $1, 1, pg_current_xact_id(), '[]', false, $2, $3::text[], $4)`,
    [key, keys.length, keys, rows],
  );
  return { key, rows };
}

type Stored = { rows: string; keys: string[]; rows_method: string | null; keys_method: string | null };
async function stored(db: HqDb, key: string): Promise<Stored | undefined> {
  const [row] = await db.query<Stored>(
    `SELECT rows, keys, pg_column_compression(rows) AS rows_method, pg_column_compression(keys) AS keys_method
       FROM change WHERE scope = 'brand:SFL' AND kind = 'sku' AND key = $1`,
    [key],
  );
  return row;
}

/** Whether this server can compress with LZ4 at all (asked without the migration's help). */
async function hasLz4(db: HqDb): Promise<boolean> {
  try {
    await db.tx((sql) => sql.exec('CREATE TEMP TABLE lz4_probe (x text COMPRESSION lz4) ON COMMIT DROP'));
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '0A000') return false;
    throw error;
  }
}

const fileOfChange = async (db: HqDb) => (await db.query<{ f: string }>("SELECT pg_relation_filenode('change')::text AS f"))[0]?.f;

describe.each(backends)('HQ migration change-chunks-lz4 on $name', (backend) => {
  it('compresses chunks written from now on with LZ4 where the server has it, and keeps the older ones as they were', async () => {
    let old: { key: string; rows: string } | undefined;
    let fileBefore: string | undefined;
    const upgrade = await upgradeHq(backend, {
      from: lz4.version - 1,
      seed: async (db) => {
        await db.exec("INSERT INTO brand (code, name_zh, name_en) VALUES ('SFL', '拾坊', 'Shopfloor Label')");
        old = await writeChunk(db, 1);
        fileBefore = await fileOfChange(db);
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      // A column's setting only: the table was not rewritten, and the older chunk keeps pglz.
      expect(await fileOfChange(db)).toBe(fileBefore);
      expect(await stored(db, old!.key)).toMatchObject({ rows: old!.rows, rows_method: 'pglz', keys_method: 'pglz' });

      const lz4Here = await hasLz4(db);
      // PGlite is built without LZ4: there the migration must change nothing, and still succeed.
      // (Debian's PostgreSQL, which the tests run, has it; a server given by DATABASE_URL may not.)
      if (backend.name === 'pglite') expect(lz4Here).toBe(false);
      const method = lz4Here ? 'lz4' : 'pglz';
      const fresh = await writeChunk(db, 2);
      const now = await stored(db, fresh.key);
      expect(now).toMatchObject({ rows: fresh.rows, rows_method: method, keys_method: method });
      expect(now?.keys).toHaveLength(300);
      const columns = await db.query<{ attname: string; attcompression: string }>(
        `SELECT attname::text, attcompression::text FROM pg_attribute
          WHERE attrelid = 'change'::regclass AND attname IN ('keys', 'rows') ORDER BY attname`,
      );
      expect(columns.map((c) => c.attcompression)).toEqual(lz4Here ? ['l', 'l'] : ['', '']);

      // Both read back row by row, as the feed and IT's queries read them (change_row).
      const [count] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM change_row WHERE kind = 'sku'");
      expect(count?.n).toBe(600);
    } finally {
      await upgrade.close();
    }
  });
});
