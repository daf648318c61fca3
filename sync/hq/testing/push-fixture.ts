import { randomBytes } from 'node:crypto';
import type { OutboxEvent, SaleCompleted } from '../../protocol/events/index.js';
import { deviceScopes } from '../../protocol/feed.js';
import type { PushResult } from '../../protocol/push.js';
import type { AuthedDevice } from '../context.js';
import type { Sql } from '../db.js';
import { formatReceiptNo } from '../../protocol/receipt-number.js';

/**
 * Test data for push and pull written straight into HQ's tables: brand B, stores S1 and S2
 * with a cashier each, `skus` SKUs with 100 of each in stock at S1, a device per store.
 */
export const FIXTURE = {
  brand: 'B',
  stores: ['S1', 'S2'] as const,
  staff: { S1: 'st-1', S2: 'st-2' } as const,
  devices: { S1: '01900000-0000-7000-8000-000000000001', S2: '01900000-0000-7000-8000-000000000002' } as const,
};

export async function seedFixture(sql: Sql, skus = 10): Promise<void> {
  await sql.exec(`
    INSERT INTO brand VALUES ('B', '品牌', 'Brand');
    INSERT INTO location VALUES
      ('S1', 'B', 'store', 'S001', '一店', 'Store 1', '上海', 'Shanghai', 31.2, 121.4, 'Asia/Shanghai'),
      ('S2', 'B', 'store', 'S002', '二店', 'Store 2', '北京', 'Beijing', 39.9, 116.4, 'Asia/Shanghai');
    INSERT INTO staff VALUES ('st-1', 'S1', 'C1', 'Li', 'cashier', true, 'salt', 'hash'), ('st-2', 'S2', 'C2', 'Wang', 'cashier', true, 'salt', 'hash');
    INSERT INTO style VALUES ('ST', 'B', '衬衫', 'Shirt', '上衣', 'Tops', '2026SS', 19900);
    INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES
      ('${FIXTURE.devices.S1}', 'S1', 'k1', '01', '1', 'h1'), ('${FIXTURE.devices.S2}', 'S2', 'k2', '01', '1', 'h2');
  `);
  await sql.query(
    `INSERT INTO sku SELECT 'SKU' || lpad(n::text, 6, '0'), 'B', 'ST', 'BK', '黑', 'Black', 'M', 2, lpad(n::text, 13, '0'), 19900, true FROM generate_series(1, $1::int) AS n`,
    [skus],
  );
  await sql.query(`INSERT INTO stock SELECT 'S1', sku, 100, now() FROM sku`);
}

export function skuCode(n: number): string {
  return `SKU${String(n).padStart(6, '0')}`;
}

export function deviceOf(store: 'S1' | 'S2'): AuthedDevice {
  const id = FIXTURE.devices[store];
  return {
    id,
    storeId: store,
    brand: FIXTURE.brand,
    receiptCode: '01',
    scopes: deviceScopes({ brand: FIXTURE.brand, storeId: store, deviceId: id }),
  };
}

/** A UUIDv7-shaped id (the event schema's pattern); random is enough for tests. */
export function eventId(): string {
  const b = randomBytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Who an event is from: a device, its store, the cashier. */
export type EventSource = { deviceId: string; storeId: string; staffId: string };

let receiptSeq = 0;

/**
 * The next receipt number a device of `storeId` would print, with the device part HQ accepts for
 * it: the fixture devices' enrolment code (`01` → `0001`), else its id's last four hex digits (the
 * code a device numbers with before it is enrolled). Unique across a test run.
 */
export function receiptNoFor(source: Pick<EventSource, 'deviceId' | 'storeId'>): string {
  const store = source.storeId in FIXTURE_STORE_CODES ? FIXTURE_STORE_CODES[source.storeId]! : source.storeId.replace(/^loc-/, '');
  const fixtureDevice = (Object.values(FIXTURE.devices) as string[]).includes(source.deviceId);
  const device = fixtureDevice
    ? '0001'
    : source.deviceId
        .replace(/[^0-9a-f]/gi, '')
        .slice(-4)
        .toUpperCase();
  receiptSeq++;
  const day = 261120 + Math.floor(receiptSeq / 99_999);
  return formatReceiptNo(
    store,
    device,
    `20${String(day).slice(0, 2)}-${String(day).slice(2, 4)}-${String(day).slice(4)}`,
    receiptSeq % 99_999 || 1,
  );
}

const FIXTURE_STORE_CODES: Record<string, string> = { S1: 'S001', S2: 'S002' };

function sourceOf(store: 'S1' | 'S2', staffId?: string): EventSource {
  return { deviceId: FIXTURE.devices[store], storeId: store, staffId: staffId ?? FIXTURE.staff[store] };
}

/** A `sale.completed` event of about 1 KB selling `qty` of each given fixture SKU at 199 yuan. */
export function saleEvent(
  store: 'S1' | 'S2',
  skus: number[],
  options: { qty?: number; receiptNo?: string; staffId?: string } = {},
): OutboxEvent {
  return saleEventFrom(sourceOf(store, options.staffId), skus.map(skuCode), options);
}

/** A `sale.completed` event from any device, selling the given SKU codes. */
export function saleEventFrom(source: EventSource, skus: string[], options: { qty?: number; receiptNo?: string } = {}): OutboxEvent {
  const qty = options.qty ?? 1;
  const saleId = eventId();
  const { staffId } = source;
  const lines = skus.map((sku, i) => ({
    lineId: `${saleId}-${i}`,
    sku,
    qty,
    listUnitFen: 19900,
    unitFen: 19900,
    discountFen: 0,
    totalFen: 19900 * qty,
    promotions: [],
    originalLineId: null,
  }));
  const total = 19900 * qty * skus.length;
  // A return (qty < 0) pays back: its lines are the refund, the net is negative.
  const totals =
    total >= 0
      ? { subtotalFen: total, discountFen: 0, totalFen: total, refundFen: 0, netFen: total, changeFen: 0 }
      : { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen: -total, netFen: total, changeFen: 0 };
  return {
    id: eventId(),
    type: 'sale.completed',
    staffId,
    deviceId: source.deviceId,
    storeId: source.storeId,
    occurredAt: '2026-11-20T08:00:00.000Z',
    payload: {
      saleId,
      receiptNo: options.receiptNo ?? receiptNoFor(source),
      kind: qty < 0 ? 'return' : 'sale',
      businessDay: '2026-11-20',
      tillSessionId: 'till-1',
      staffId,
      customerId: null,
      originalSaleId: null,
      lines,
      tenders: [{ method: 'cash', amountFen: total, reference: null, providerRef: null }],
      coupons: [],
      points: null,
      totals,
      offline: true,
      createdAt: '2026-11-20T08:00:00.000Z',
    },
  };
}

/**
 * A return at S1 of `qty` units of the original's line `n`, refunding what they were paid in cash,
 * for the original's member; `earned` is the points it takes back.
 */
export function returnOf(original: OutboxEvent, qty: number, options: { n?: number; earned?: number } = {}): OutboxEvent {
  const sold = original.payload as SaleCompleted;
  const line = sold.lines[options.n ?? 0]!;
  const refundFen = line.unitFen * qty;
  const event = saleEvent('S1', [1]);
  const p = event.payload as SaleCompleted;
  p.kind = 'return';
  p.customerId = sold.customerId;
  p.originalSaleId = sold.saleId;
  p.lines = [{ ...line, lineId: `${p.saleId}-r`, qty: -qty, discountFen: 0, totalFen: -refundFen, originalLineId: line.lineId }];
  p.tenders = [{ method: 'cash', amountFen: -refundFen, reference: null, providerRef: null }];
  p.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen, netFen: -refundFen, changeFen: 0 };
  p.points = options.earned === undefined ? null : { redeemed: 0, valueFen: 0, spentOffline: false, earned: options.earned };
  return event;
}

export function cashEvent(store: 'S1' | 'S2', amountFen: number): OutboxEvent {
  return {
    id: eventId(),
    type: 'cash.paid_in',
    staffId: FIXTURE.staff[store],
    deviceId: FIXTURE.devices[store],
    storeId: store,
    occurredAt: '2026-11-20T08:00:00.000Z',
    payload: { id: eventId(), sessionId: 'till-1', amountFen, reason: 'float', approvedBy: null },
  };
}

/** Each answer of a push as its status, or the reason a rejected event was refused. */
export const outcome = (results: readonly PushResult[]): string[] => results.map((r) => (r.status === 'rejected' ? r.reason : r.status));

/** Each answer's message: a rejected or deferred event's, null for the others. */
export const messages = (results: readonly PushResult[]): (string | null)[] =>
  results.map((r) => (r.status === 'rejected' || r.status === 'deferred' ? r.message : null));
