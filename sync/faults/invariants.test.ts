/**
 * The invariant helper itself: it passes on an HQ that applied a device's sales once, and names
 * the SKU, the member or the coupon when HQ's stock, points or coupon state is not what the
 * device's own sales say — the regressions the fault tests rely on it to catch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CartState, SaleResult } from '../../main/api/contract.js';
import { createPrng } from '../../fixtures/prng.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import { deviceReplicator, emptyDevice, enrolThrough, openTill, sell, sellableEans, settled, syncUntil } from './fault-device.js';
import { adjustStock, expectHqMatchesDevices, hqBaseline } from './invariants.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const COUPON = 'CPN-INVARIANT-3000';

describe.each(backends)('HQ held to what the devices sold, on $name', (backend) => {
  it('passes when HQ applied each sale once, and names each SKU, member and coupon HQ got wrong', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 30, customers: 10 });
    const hq = await startTestHq(db);
    const device = emptyDevice();
    try {
      const [member] = await db.query<{ id: string; code: string }>(
        'SELECT c.id, m.code FROM customer c JOIN member_code m ON m.customer_id = c.id WHERE c.store_id = $1 ORDER BY c.id LIMIT 1',
        [TEST_STORE],
      );
      await db.query(
        `INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, valid_from, valid_until)
         SELECT $1, brand, $2, 'amount', '无门槛30元券', '¥30 off', 3000, now() - interval '1 day', now() + interval '30 days' FROM location WHERE id = $3`,
        [COUPON, member!.id, TEST_STORE],
      );
      const baseline = await hqBaseline(db);
      let sale: SaleResult['sale'];
      await enrolThrough(device, hq.url, await hq.enrolment());
      const r = deviceReplicator(device, hq.url);
      try {
        await syncUntil(r, settled, 5, 'provisioned');
        await openTill(device);
        // One sale to the member with the coupon (earns points), three plain ones.
        const [item] = device.pos.store.db
          .prepare('SELECT ean FROM sku WHERE active = 1 AND price_fen >= 20000 ORDER BY sku LIMIT 1')
          .all() as {
          ean: string;
        }[];
        await device.pos.call('checkout', 'scan', { code: item!.ean });
        await device.pos.call('checkout', 'identifyMember', { code: member!.code });
        await device.pos.call('checkout', 'applyCoupon', { code: COUPON });
        const due = (await device.pos.call<CartState>('checkout', 'cart')).totals.dueFen;
        await device.pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
        sale = (await device.pos.call<SaleResult>('checkout', 'complete')).sale;
        expect(sale.points?.earned).toBeGreaterThan(0);
        const prng = createPrng(`invariants-${backend.name}`);
        for (let i = 0; i < 3; i++) await sell(device, prng, sellableEans(device));
        await syncUntil(r, settled, 5, 'pushed');
      } finally {
        await r.close();
      }
      const devices = [device.pos.store.db];
      await expectHqMatchesDevices(db, baseline, devices);

      const fails = (message: string) => expect(expectHqMatchesDevices(db, baseline, devices, { timeoutMs: 0 })).rejects.toThrow(message);
      const [line] = device.pos.store.db.prepare('SELECT sku FROM sale_line ORDER BY sku LIMIT 1').all() as { sku: string }[];
      const sku = line!.sku;

      // A unit moved twice at HQ.
      await db.query('UPDATE stock SET qty = qty - 1 WHERE location_id = $1 AND sku = $2', [TEST_STORE, sku]);
      await fails(`stock ${TEST_STORE}/${sku}: HQ`);
      // The same change made by the test itself, and recorded as such, is expected.
      adjustStock(baseline, TEST_STORE, sku, -1);
      await expectHqMatchesDevices(db, baseline, devices);

      // Points earned twice.
      await db.query('UPDATE customer SET points = points + $2 WHERE id = $1', [member!.id, sale.points!.earned]);
      await fails(`points of ${member!.id}: HQ`);
      await db.query('UPDATE customer SET points = points - $2 WHERE id = $1', [member!.id, sale.points!.earned]);

      // The coupon's redemption lost.
      await db.query(`UPDATE coupon SET hq_status = 'issued', redeemed_sale_id = NULL WHERE code = $1`, [COUPON]);
      await fails(`coupon ${COUPON}: HQ issued, expected used`);
      await db.query(`UPDATE coupon SET hq_status = 'used', redeemed_sale_id = $2 WHERE code = $1`, [COUPON, sale.saleId]);
      await expectHqMatchesDevices(db, baseline, devices);
    } finally {
      device.cleanup();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  });
});
