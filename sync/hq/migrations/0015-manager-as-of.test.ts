import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import managerAsOf from './0015-manager-as-of.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('HQ migration manager-as-of on $name', (backend) => {
  it('gives every assignment its staff member’s role, and draws a line in time at a new role as at a move', async () => {
    const upgrade = await upgradeHq(backend, { from: managerAsOf.version - 1, seed: (db) => seedHqRows(db, 9) });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      const staff = await db.query<{ id: string; store_id: string; role: string }>('SELECT id, store_id, role FROM staff ORDER BY id');
      expect(staff.length).toBeGreaterThan(1);
      const assignments = async (id: string) =>
        db.query<{ store_id: string; role: string; from: string; to: string | null }>(
          `SELECT store_id, role, valid_from::text AS "from", valid_to::text AS "to" FROM staff_assignment WHERE staff_id = $1 ORDER BY valid_from`,
          [id],
        );
      // Every assignment, past ones included (HQ kept no earlier role), takes the staff member's role today.
      expect(
        await db.query(
          `SELECT a.staff_id, a.role, s.role AS today FROM staff_assignment a JOIN staff s ON s.id = a.staff_id WHERE a.role IS DISTINCT FROM s.role`,
        ),
      ).toEqual([]);
      const [{ id: oneId } = { id: '' }] = await db.query<{ id: string }>(
        'SELECT staff_id AS id FROM staff_assignment GROUP BY staff_id HAVING count(*) = 1 ORDER BY staff_id LIMIT 1',
      );
      const one = staff.find((s) => s.id === oneId);
      expect(await assignments(oneId)).toEqual([{ store_id: one!.store_id, role: one!.role, from: '-infinity', to: null }]);

      // A new role closes the assignment and opens one with it at the same instant; a save that keeps store and role changes nothing.
      const other = one!.role === 'manager' ? 'cashier' : 'manager';
      await db.query(`UPDATE staff SET name = name || ' ', role = role WHERE id = $1`, [one!.id]);
      expect(await assignments(one!.id)).toHaveLength(1);
      await db.query(`UPDATE staff SET role = $2 WHERE id = $1`, [one!.id, other]);
      const [was, now] = await assignments(one!.id);
      expect(was).toMatchObject({ store_id: one!.store_id, role: one!.role, from: '-infinity' });
      expect(now).toMatchObject({ store_id: one!.store_id, role: other, to: null });
      expect(was!.to).toBe(now!.from);
      // A move keeps the role; a new staff member holds theirs from the beginning.
      await db.query(`UPDATE staff SET store_id = 'loc-S002' WHERE id = $1`, [one!.id]);
      expect((await assignments(one!.id)).at(-1)).toMatchObject({ store_id: 'loc-S002', role: other, to: null });
      await db.query(
        `INSERT INTO staff (id, store_id, code, name, role, pin_salt, pin_hash) VALUES ('stf-new', 'loc-S001', 'NEW-1', '新', 'guide', 's', 'h')`,
      );
      expect(await assignments('stf-new')).toEqual([{ store_id: 'loc-S001', role: 'guide', from: '-infinity', to: null }]);
    } finally {
      await upgrade.close();
    }
  });
});
