import { afterAll, describe, expect, it } from 'vitest';
import { sqlState } from '../db.js';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import projectionQueue from './0006-projection-queue.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = projectionQueue.version - 1;
const DEVICE = '01900000-0000-7000-8000-00000000d001';

describe.each(backends)('HQ migration projection-queue on $name', (backend) => {
  it('keeps every row with nothing queued (the pushes before it projected their own events), and refuses a second event with a receipt number or sale id', async () => {
    const upgrade = await upgradeHq(backend, { from, seed: (db) => seedHqRows(db, from) });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      expect(await db.query('SELECT count(*)::int AS n FROM projection_queue')).toEqual([{ n: 0 }]);
      const record = (id: string, payload: object) =>
        db.query(
          `INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at) VALUES ($1, 'sale.completed', $2, 'loc-S001', 'stf-02', $3, now())`,
          [id, DEVICE, JSON.stringify(payload)],
        );
      await record('01900000-0000-7000-8000-0000000f0001', { saleId: 'sal-new', receiptNo: 'S001-D001-0001' });
      const reused = await record('01900000-0000-7000-8000-0000000f0002', { saleId: 'sal-other', receiptNo: 'S001-D001-0001' }).catch(
        (error: unknown) => error,
      );
      expect(sqlState(reused)).toBe('23505');
      const sameSale = await record('01900000-0000-7000-8000-0000000f0003', { saleId: 'sal-new', receiptNo: 'S001-D001-0002' }).catch(
        (error: unknown) => error,
      );
      expect(sqlState(sameSale)).toBe('23505');
      // Other event types carry neither: any number of them.
      await db.query(
        `INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at)
         VALUES ('01900000-0000-7000-8000-0000000f0004', 'cash.paid_in', $1, 'loc-S001', 'stf-01', '{}', now()),
                ('01900000-0000-7000-8000-0000000f0005', 'cash.paid_in', $1, 'loc-S001', 'stf-01', '{}', now())`,
        [DEVICE],
      );
    } finally {
      await upgrade.close();
    }
  });
});
