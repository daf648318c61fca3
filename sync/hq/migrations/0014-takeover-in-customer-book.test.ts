import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { customerBookFunctionSource as source0005 } from './0005-customer-book.js';
import takeover, { customerBookFunctionSource } from './0014-takeover-in-customer-book.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/** The INSERT branch of sf_customer_book(), the part the bulk loader reproduces. */
const insertBranch = (src: string) => src.slice(src.indexOf("IF TG_OP = 'INSERT' THEN"), src.indexOf('END IF;'));

type Profile = { guide: string | null; bound_at: string | null; takeover_from: string | null; takeover_until: string | null };

/** Moves cus-1 to `guide` in a transaction of its own at `now`, with `sf.takeover_until` set as a transfer sets it (or not at all). */
async function move(db: HqDb, guide: string | null, now: string, takeoverUntil?: string): Promise<Profile> {
  await db.tx(async (sql) => {
    await sql.query("SELECT set_config('sf.now', $1, true)", [now]);
    if (takeoverUntil !== undefined) await sql.query("SELECT set_config('sf.takeover_until', $1, true)", [takeoverUntil]);
    await sql.query(`UPDATE customer SET guide_id = $1 WHERE id = 'cus-1'`, [guide]);
  });
  const [p] = await db.query<Profile>(
    `SELECT c.guide_id AS guide, sf_iso(p.bound_at) AS bound_at, p.takeover_from, sf_iso(p.takeover_until) AS takeover_until
       FROM customer c JOIN customer_profile p ON p.customer_id = c.id WHERE c.id = 'cus-1'`,
  );
  return p!;
}

describe.each(backends)('HQ migration takeover-in-customer-book on $name', (backend) => {
  it('writes a transfer’s takeover in the trigger’s one update of each profile, and leaves it alone for any other guide change', async () => {
    const upgrade = await upgradeHq(backend, {
      from: takeover.version - 1,
      seed: async (db) => {
        await seedHqRows(db, 9);
        await db.query(
          `UPDATE customer_profile SET takeover_from = 'stf-01', takeover_until = '2025-01-10T00:00:00Z' WHERE customer_id = 'cus-1'`,
        );
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      // The function is this migration's; its INSERT branch, which the bulk loader reproduces, is still 0005's.
      const [fn] = await db.query<{ src: string }>("SELECT prosrc AS src FROM pg_proc WHERE proname = 'sf_customer_book'");
      expect(fn?.src).toBe(customerBookFunctionSource());
      expect(insertBranch(customerBookFunctionSource())).toBe(insertBranch(source0005()));
      expect(insertBranch(source0005())).toContain('INSERT INTO customer_binding');

      // A binding by scan or an edit (no transfer): a new binding, the takeover as it was.
      expect(await move(db, 'stf-01', '2025-02-01T00:00:00Z')).toEqual({
        guide: 'stf-01',
        bound_at: '2025-02-01T00:00:00.000Z',
        takeover_from: 'stf-01',
        takeover_until: '2025-01-10T00:00:00.000Z',
      });
      // A transfer from one guide to another with a window: taken over from the old guide until it ends.
      expect(await move(db, 'stf-04', '2025-02-02T00:00:00Z', '2025-02-03T00:00:00.000Z')).toEqual({
        guide: 'stf-04',
        bound_at: '2025-02-02T00:00:00.000Z',
        takeover_from: 'stf-01',
        takeover_until: '2025-02-03T00:00:00.000Z',
      });
      // Into the pool, and out of it: nobody takes over.
      expect(await move(db, null, '2025-02-04T00:00:00Z', '2025-02-05T00:00:00.000Z')).toEqual({
        guide: null,
        bound_at: null,
        takeover_from: null,
        takeover_until: null,
      });
      expect(await move(db, 'stf-01', '2025-02-06T00:00:00Z', '2025-02-07T00:00:00.000Z')).toMatchObject({
        guide: 'stf-01',
        takeover_from: null,
        takeover_until: null,
      });
      // A batch without a window ends a takeover under way.
      expect(await move(db, 'stf-04', '2025-02-08T00:00:00Z', '2025-02-09T00:00:00.000Z')).toMatchObject({ takeover_from: 'stf-01' });
      expect(await move(db, 'stf-01', '2025-02-10T00:00:00Z', 'none')).toEqual({
        guide: 'stf-01',
        bound_at: '2025-02-10T00:00:00.000Z',
        takeover_from: null,
        takeover_until: null,
      });
    } finally {
      await upgrade.close();
    }
  });
});
