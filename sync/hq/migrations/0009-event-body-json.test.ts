import { afterAll, describe, expect, it } from 'vitest';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import type { PushRequest } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { recordPush } from '../push/apply-push.js';
import { projectAll } from '../projector/project-batch.js';
import { testBackends } from '../testing/backends.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import { payloadReaderPlan, recordAsBefore } from '../testing/recorded-events.js';
import { FIXTURE, cashEvent, deviceOf, outcome, saleEvent, seedFixture } from '../testing/push-fixture.js';
import bodyJson from './0009-event-body-json.js';
import { HQ_MIGRATIONS } from './index.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = bodyJson.version - 1;
const NOW = new Date('2026-12-05T10:00:00.000Z');
const S1 = deviceOf('S1');
const request = (events: OutboxEvent[]): PushRequest => ({ deviceId: S1.id, storeId: 'S1', events });

type Stored = { id: string; body: unknown; payload: unknown; whole: unknown };
async function stored(db: HqDb, ids: string[]): Promise<Map<string, Stored>> {
  const rows = await db.query<Stored>(
    'SELECT e.id::text AS id, e.body, e.payload, sf_event_payload(e) AS whole FROM event e WHERE e.id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

describe.each(backends)('HQ migration event-body-json on $name', (backend) => {
  it('keeps every row; old events read back whole beside new ones, which keep only the indexed fields as jsonb', async () => {
    const old = saleEvent('S1', [1, 2]);
    const upgrade = await upgradeHq(backend, {
      from,
      // To today's schema: the pushes below are today's code (which records payloads as migration 0012 does).
      to: HQ_MIGRATIONS.length,
      seed: async (db) => {
        await db.tx((sql) => seedFixture(sql));
        await recordAsBefore(db, old, 'jsonb');
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      const [before] = (await stored(db, [old.id])).values();
      expect(before).toEqual({ id: old.id, body: null, payload: old.payload, whole: old.payload });

      const sale = saleEvent('S1', [3], { qty: 2 });
      const cash = cashEvent('S1', 700);
      // The old sale's receipt number and sale id stay taken, and the new sale's: the indexes of migration 0006 hold both kinds of rows.
      const withSaleId = (saleId: string) => {
        const event = saleEvent('S1', [4]);
        (event.payload as SaleCompleted).saleId = saleId;
        return event;
      };
      const sameReceipt = saleEvent('S1', [4], { receiptNo: (old.payload as SaleCompleted).receiptNo });
      const oldSaleId = withSaleId((old.payload as SaleCompleted).saleId);
      const newSaleId = withSaleId((sale.payload as SaleCompleted).saleId);
      const newReceipt = saleEvent('S1', [4], { receiptNo: (sale.payload as SaleCompleted).receiptNo });
      const results = await recordPush(db, S1, request([sale, cash, sameReceipt, oldSaleId, newSaleId, newReceipt]), NOW);
      expect(outcome(results)).toEqual(['accepted', 'accepted', 'conflict', 'conflict', 'conflict', 'conflict']);

      const rows = await stored(db, [sale.id, cash.id]);
      const { receiptNo, saleId } = sale.payload as SaleCompleted;
      expect(rows.get(sale.id)).toEqual({ id: sale.id, body: null, payload: { receiptNo, saleId }, whole: sale.payload });
      expect(rows.get(cash.id)).toEqual({ id: cash.id, body: null, payload: {}, whole: cash.payload });

      // Nothing cached in this process: the projector reads both kinds back whole.
      expect(await projectAll(db, NOW)).toBe(3);
      const sales = await db.query<{ id: string; lines: string }>(
        'SELECT s.id, (SELECT count(*) FROM sale_line l WHERE l.sale_id = s.id)::text AS lines FROM sale s WHERE s.device_id = $1 ORDER BY s.receipt_no',
        [FIXTURE.devices.S1],
      );
      expect(sales).toEqual([
        { id: (old.payload as SaleCompleted).saleId, lines: '2' },
        { id: saleId, lines: '1' },
      ]);
      const [moved] = await db.query<{ qty: number }>("SELECT qty FROM stock WHERE location_id = 'S1' AND sku = 'SKU000003'");
      expect(moved?.qty).toBe(98);
    } finally {
      await upgrade.close();
    }
  });

  it('takes and reads whole an event recorded the old way by an HQ process of the version before, still running during the upgrade', async () => {
    // To today's schema: the projector below is today's code.
    const upgrade = await upgradeHq(backend, { from, to: HQ_MIGRATIONS.length, seed: (db) => db.tx((sql) => seedFixture(sql)) });
    const { db } = upgrade;
    try {
      const late = saleEvent('S1', [5]);
      await recordAsBefore(db, late, 'jsonb');
      const [row] = (await stored(db, [late.id])).values();
      expect(row).toEqual({ id: late.id, body: null, payload: late.payload, whole: late.payload });
      expect(await projectAll(db, NOW)).toBe(1);
      const [sold] = await db.query<{ id: string }>('SELECT id FROM sale WHERE event_id = $1', [late.id]);
      expect(sold?.id).toBe((late.payload as SaleCompleted).saleId);
      // sf_event_payload is inlined into the query that calls it: no function call per row.
      const text = await payloadReaderPlan(db);
      expect(text).toContain('COALESCE');
      expect(text).not.toContain('sf_event_payload');
    } finally {
      await upgrade.close();
    }
  });
});
