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
import bodyText from './0012-event-body-text.js';
import { HQ_MIGRATIONS } from './index.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = bodyText.version - 1;
const NOW = new Date('2026-12-06T10:00:00.000Z');
const S1 = deviceOf('S1');
const request = (events: OutboxEvent[]): PushRequest => ({ deviceId: S1.id, storeId: 'S1', events });

type Stored = { id: string; body_text: string | null; body: unknown; whole: unknown };
async function stored(db: HqDb, ids: string[]): Promise<Stored[]> {
  return db.query<Stored>(
    'SELECT e.id::text AS id, e.body_text, e.body, sf_event_payload(e) AS whole FROM event e WHERE e.id = ANY($1::uuid[]) ORDER BY e.hq_seq',
    [ids],
  );
}

const fileOfEvent = async (db: HqDb) => (await db.query<{ f: string }>("SELECT pg_relation_filenode('event')::text AS f"))[0]?.f;

describe.each(backends)('HQ migration event-body-text on $name', (backend) => {
  it('keeps every row and the table file; events of every era read back whole and are projected', async () => {
    const jsonbEra = saleEvent('S1', [1, 2]);
    const jsonEra = saleEvent('S1', [3]);
    let fileBefore: string | undefined;
    const upgrade = await upgradeHq(backend, {
      from,
      // To today's schema: the pushes below are today's code.
      to: HQ_MIGRATIONS.length,
      seed: async (db) => {
        await db.tx((sql) => seedFixture(sql));
        await recordAsBefore(db, jsonbEra, 'jsonb');
        await recordAsBefore(db, jsonEra, 'json');
        fileBefore = await fileOfEvent(db);
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      // Instant at any size: the table was not rewritten.
      expect(await fileOfEvent(db)).toBe(fileBefore);

      const sale = saleEvent('S1', [4], { qty: 2 });
      const cash = cashEvent('S1', 700);
      // An HQ process of the version before, still running, records one more the 0009 way.
      const late = saleEvent('S1', [5]);
      expect((await recordPush(db, S1, request([sale, cash]), NOW)).map((r) => r.status)).toEqual(['accepted', 'accepted']);
      await recordAsBefore(db, late, 'json');
      // The receipt numbers and sale ids of every era stay unique together (migration 0006's indexes).
      const again = saleEvent('S1', [6], { receiptNo: (jsonEra.payload as SaleCompleted).receiptNo });
      const results = await recordPush(db, S1, request([again]), NOW);
      expect(outcome(results)).toEqual(['conflict']);

      expect(await stored(db, [jsonbEra.id, jsonEra.id, sale.id, cash.id, late.id])).toEqual([
        { id: jsonbEra.id, body_text: null, body: null, whole: jsonbEra.payload },
        { id: jsonEra.id, body_text: null, body: jsonEra.payload, whole: jsonEra.payload },
        { id: sale.id, body_text: JSON.stringify(sale.payload), body: null, whole: sale.payload },
        { id: cash.id, body_text: JSON.stringify(cash.payload), body: null, whole: cash.payload },
        { id: late.id, body_text: null, body: late.payload, whole: late.payload },
      ]);

      // Nothing cached in this process: the projector reads all three back whole.
      expect(await projectAll(db, NOW)).toBe(5);
      const sales = await db.query<{ id: string; lines: string }>(
        `SELECT s.id, (SELECT count(*) FROM sale_line l WHERE l.sale_id = s.id)::text AS lines
           FROM sale s WHERE s.device_id = $1 ORDER BY s.id`,
        [FIXTURE.devices.S1],
      );
      const want = [jsonbEra, jsonEra, sale, late]
        .map((e) => ({ id: (e.payload as SaleCompleted).saleId, lines: String((e.payload as SaleCompleted).lines.length) }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      expect(sales).toEqual(want);
      const [moved] = await db.query<{ qty: number }>("SELECT qty FROM stock WHERE location_id = 'S1' AND sku = 'SKU000004'");
      expect(moved?.qty).toBe(98);

      // sf_event_payload is still inlined into the query that calls it: no function call per row.
      const text = await payloadReaderPlan(db);
      expect(text).toContain('COALESCE');
      expect(text).not.toContain('sf_event_payload');
    } finally {
      await upgrade.close();
    }
  });
});
