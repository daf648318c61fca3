import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import rowChecks from './0007-projection-row-checks.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = rowChecks.version - 1;
const PUSHED = ['event', 'sale', 'sale_line', 'sale_tender', 'cash_movement'];

describe.each(backends)('HQ migration projection-row-checks on $name', (backend) => {
  it('keeps every row and drops exactly the per-row checks on what pushes record and the projector writes', async () => {
    const fks = `SELECT c.conrelid::regclass::text AS child, c.conname::text AS name FROM pg_constraint c
                  WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1::text[]) ORDER BY 1, 2`;
    const upgrade = await upgradeHq(backend, { from, seed: (db) => seedHqRows(db, from) });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      expect(await db.query(fks, [PUSHED])).toEqual([]);
      // Other tables keep theirs (a dead letter still needs its device).
      expect(await db.query(fks, [['dead_letter']])).toEqual([{ child: 'dead_letter', name: 'dead_letter_device_id_fkey' }]);
    } finally {
      await upgrade.close();
    }
  });
});
