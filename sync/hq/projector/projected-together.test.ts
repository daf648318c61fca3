import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { testBackends } from '../testing/backends.js';
import { FIXTURE, deviceOf, eventId, outcome, returnOf, saleEvent, skuCode } from '../testing/push-fixture.js';
import { projectAll } from './project-batch.js';
import { startProjector } from './projector.js';
import { useSeededHq } from '../testing/use-test-hq.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');
const request = (events: OutboxEvent[]): PushRequest => ({ deviceId: S1.id, storeId: 'S1', events });
const payloadOf = (e: OutboxEvent) => e.payload as SaleCompleted;

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('events projected together on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));
  const stockOf = async (n: number) =>
    (await db.query<{ qty: number }>(`SELECT qty FROM stock WHERE location_id = 'S1' AND sku = $1`, [skuCode(n)]))[0]?.qty;

  it('gives the points a sale burnt back once when two partial returns of it are projected together', async () => {
    await db.exec(
      `INSERT INTO customer (id, store_id, name, phone, tier, points, created_at) VALUES ('cus-1', 'S1', 'Zhao', '1', 'gold', 1500, now())`,
    );
    const sold = saleEvent('S1', [3], { qty: 2 });
    payloadOf(sold).customerId = 'cus-1';
    payloadOf(sold).points = { redeemed: 1000, valueFen: 1000, spentOffline: true, earned: 0 };
    await recordPush(db, S1, request([sold]), NOW);
    await projectAll(db, NOW);
    expect(await db.query(`SELECT points FROM customer WHERE id = 'cus-1'`)).toEqual([{ points: 500 }]);
    // The till was offline all afternoon: one unit back at 14:00, the other at 16:00, pushed together.
    const first = returnOf(sold, 1);
    const second = returnOf(sold, 1);
    expect(outcome(await recordPush(db, S1, request([first, second]), NOW))).toEqual(['accepted', 'accepted']);
    await projectAll(db, NOW);
    // The 1000 burnt points come back once: 1500.
    expect(await db.query(`SELECT points FROM customer WHERE id = 'cus-1'`)).toEqual([{ points: 1500 }]);
    expect(await db.query(`SELECT kind, points FROM points_entry ORDER BY id`)).toEqual([
      { kind: 'burn', points: -1000 },
      { kind: 'restore', points: 1000 },
    ]);
  });

  it('settles a sale after the customer-book events received before it: a member made on the till earns on their first sale, projected together', async () => {
    const member: OutboxEvent = {
      id: eventId(),
      type: 'customer.member_created',
      staffId: FIXTURE.staff.S1,
      deviceId: S1.id,
      storeId: 'S1',
      occurredAt: '2026-11-20T07:59:00.000Z',
      payload: { requestId: eventId(), customerId: 'cus-new', name: 'Qian', phone: '13700137000', consent: true },
    };
    const sold = saleEvent('S1', [1]);
    payloadOf(sold).customerId = 'cus-new';
    payloadOf(sold).points = { redeemed: 0, valueFen: 0, spentOffline: false, earned: 199 };
    expect(outcome(await recordPush(db, S1, request([member, sold]), NOW))).toEqual(['accepted', 'accepted']);
    await projectAll(db, NOW);
    expect(await db.query(`SELECT id FROM customer WHERE id = 'cus-new'`)).toEqual([{ id: 'cus-new' }]);
    expect(await db.query(`SELECT customer_id FROM customer_purchase WHERE id = $1`, [payloadOf(sold).saleId])).toEqual([
      { customer_id: 'cus-new' },
    ]);
    expect(await db.query(`SELECT points FROM customer WHERE id = 'cus-new'`)).toEqual([{ points: 199 }]);
  });

  it('projects the payload HQ checked and recorded when a push carries an event id twice, not the unchecked second copy', async () => {
    const sold = saleEvent('S1', [1]);
    // A second copy under the same id, never checked (answered duplicate): 999 units of SKU 2.
    const forged: OutboxEvent = { ...sold, payload: structuredClone(sold.payload) };
    const f = payloadOf(forged);
    f.lines = [{ ...f.lines[0]!, sku: skuCode(2), qty: 999, totalFen: 999 * 19900 }];
    f.totals = { ...f.totals, subtotalFen: 999 * 19900, totalFen: 999 * 19900, netFen: 999 * 19900 };
    f.tenders = [{ method: 'cash', amountFen: 999 * 19900, reference: null, providerRef: null }];
    const input = request([sold, forged]);
    const projector = startProjector(
      db,
      () => NOW,
      () => undefined,
    );
    try {
      const results = await recordPush(db, S1, input, NOW);
      expect(results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
      // What the push route (sync/hq/routes/sync-routes.ts) hands the projector after the commit:
      const accepted = new Set(results.filter((r) => r.status === 'accepted').map((r) => r.id));
      projector.recorded(input.events.filter((e) => accepted.has(e.id)));
      await projector.settled();
    } finally {
      await projector.stop();
    }
    expect(await stockOf(1)).toBe(99);
    expect(await stockOf(2)).toBe(100);
  });
});
