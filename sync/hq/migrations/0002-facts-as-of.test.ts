import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration 2 (facts as of when they happened) on $name', (backend) => {
  it('keeps every row of version 1, backfills where each staff member works, and follows a move from then on', async () => {
    const upgrade = await upgradeHq(backend, { from: 1, seed: (db) => seedHqRows(db, 1) });
    const { db } = upgrade;
    try {
      await expect(upgrade.rowsNow()).resolves.toEqual(upgrade.before);
      const staff = await db.query<{ id: string; store_id: string }>('SELECT id, store_id FROM staff ORDER BY id');
      expect(staff.length).toBeGreaterThan(0);
      const assignments = async (id: string) =>
        db.query<{ store_id: string; from: string; to: string | null }>(
          `SELECT store_id, valid_from::text AS "from", valid_to::text AS "to" FROM staff_assignment WHERE staff_id = $1 ORDER BY valid_from`,
          [id],
        );
      for (const s of staff) expect(await assignments(s.id)).toEqual([{ store_id: s.store_id, from: '-infinity', to: null }]);

      // A move closes the old assignment and opens the new one at the same instant; a save that keeps the store changes nothing.
      const moved = staff[0]!;
      await db.query(`UPDATE staff SET name = name || ' ' WHERE id = $1`, [moved.id]);
      expect(await assignments(moved.id)).toHaveLength(1);
      await db.query(`UPDATE staff SET store_id = 'loc-S002' WHERE id = $1`, [moved.id]);
      const [before, after] = await assignments(moved.id);
      expect(before).toMatchObject({ store_id: moved.store_id, from: '-infinity' });
      expect(after).toMatchObject({ store_id: 'loc-S002', to: null });
      expect(before!.to).toBe(after!.from);

      // New columns start empty on the old rows.
      expect(await db.query('SELECT count(*)::int AS n FROM event WHERE deferred_at IS NOT NULL')).toEqual([{ n: 0 }]);
      expect(await db.query('SELECT count(*)::int AS n FROM dead_letter WHERE event IS NOT NULL OR reapplied_at IS NOT NULL')).toEqual([
        { n: 0 },
      ]);
    } finally {
      await upgrade.close();
    }
  });
});
