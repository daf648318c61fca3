import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { openEmptyHq, resetHq, testBackends } from '../testing/backends.js';
import { cashEvent, deviceOf, saleEvent, seedFixture, skuCode } from '../testing/push-fixture.js';
import { projectAll } from './project-batch.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');

function request(events: PushRequest['events']): PushRequest {
  return { deviceId: S1.id, storeId: 'S1', events };
}

/** What the projection wrote: rows per table, stock per SKU at S1, the change-log rows of S1's stock. */
async function projected(db: HqDb): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM sale) AS sales, (SELECT count(*) FROM sale_line) AS lines, (SELECT count(*) FROM sale_tender) AS tenders,
            (SELECT count(*) FROM cash_movement) AS cash, (SELECT coalesce(sum(net_fen), 0) FROM sale) AS net_fen,
            (SELECT count(*) FROM projection_queue) AS queued`,
  );
  const stock = await db.query<{ sku: string; qty: number }>(`SELECT sku, qty FROM stock WHERE location_id = 'S1' ORDER BY sku`);
  return {
    ...Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])),
    ...Object.fromEntries(stock.map((s) => [s.sku, s.qty])),
  };
}

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

describe.each(backends)('the projector on $name', (backend) => {
  let db: HqDb;
  beforeAll(async () => {
    db = (await openEmptyHq(backend)).db;
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await resetHq(db);
    await seedFixture(db);
  });

  it('a push records and answers; the projection writes sales, lines, tenders, cash and stock summed per SKU', async () => {
    const events = [saleEvent('S1', [1, 2]), saleEvent('S1', [1], { qty: 3 }), cashEvent('S1', 5000), saleEvent('S1', [1, 3])];
    const results = await recordPush(db, S1, request(events), NOW);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // Recorded and queued, nothing projected yet.
    expect(await projected(db)).toMatchObject({ sales: 0, cash: 0, queued: 4, [skuCode(1)]: 100 });
    expect(await projectAll(db, NOW)).toBe(4);
    expect(await projected(db)).toMatchObject({
      sales: 3,
      lines: 5,
      tenders: 3,
      cash: 1,
      queued: 0,
      net_fen: 19900 * 7,
      [skuCode(1)]: 95,
      [skuCode(2)]: 99,
      [skuCode(3)]: 99,
    });
    // The store's feed carries the new quantities (the change-log trigger fired on the per-SKU upserts).
    const fed = await db.query<{ row: unknown[] }>(
      `SELECT row FROM change WHERE scope = 'store:S1' AND kind = 'stock' AND key = ANY($1::text[]) ORDER BY key`,
      [[1, 2, 3].map((n) => `S1|${skuCode(n)}`)],
    );
    expect(fed.map((f) => f.row.slice(1, 3))).toEqual([
      [skuCode(1), 95],
      [skuCode(2), 99],
      [skuCode(3), 99],
    ]);
  });

  it('a re-push of projected events is answered duplicate and moves nothing', async () => {
    const events = [saleEvent('S1', [1, 2]), cashEvent('S1', 300)];
    await recordPush(db, S1, request(events), NOW);
    await projectAll(db, NOW);
    const once = await projected(db);
    expect(await recordPush(db, S1, request(events), NOW)).toEqual(events.map((e) => ({ id: e.id, status: 'duplicate' })));
    expect(await projectAll(db, NOW)).toBe(0);
    expect(await projected(db)).toEqual(once);
  });

  it('is idempotent by event id: the same batch projected twice moves its sales and stock once', async () => {
    const events = [saleEvent('S1', [1, 2]), saleEvent('S1', [2], { qty: 2 }), cashEvent('S1', 700)];
    await recordPush(db, S1, request(events), NOW);
    // Two projectors at once take turns; each event is taken off the queue by one of them.
    const [a, b] = await Promise.all([projectAll(db, NOW), projectAll(db, NOW)]);
    expect(a + b).toBe(3);
    const once = await projected(db);
    expect(once).toMatchObject({ sales: 2, cash: 1, [skuCode(1)]: 99, [skuCode(2)]: 97 });
    // The same batch queued again (a projector that re-delivers): its sales and cash are there, nothing moves twice.
    await db.query('INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM event');
    expect(await projectAll(db, NOW)).toBe(3);
    expect(await projected(db)).toEqual(once);
    expect(await db.query(`SELECT count(*)::int AS n FROM dead_letter`)).toEqual([{ n: 0 }]);
  });

  it('a push with a return projects what is queued first, so the return is checked against its sale', async () => {
    const sale = saleEvent('S1', [4], { qty: 2 });
    await recordPush(db, S1, request([sale]), NOW);
    const p = sale.payload as { saleId: string; lines: { lineId: string }[] };
    const back = saleEvent('S1', [4], { qty: -1 });
    const payload = back.payload as { originalSaleId: string | null; lines: { originalLineId: string | null }[] };
    payload.originalSaleId = p.saleId;
    payload.lines[0]!.originalLineId = p.lines[0]!.lineId;
    expect((await recordPush(db, S1, request([back]), NOW)).map((r) => r.status)).toEqual(['accepted']);
    await projectAll(db, NOW);
    expect(await projected(db)).toMatchObject({ sales: 2, [skuCode(4)]: 99 });
  });
});
