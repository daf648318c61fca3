import type { SaleCompleted } from '../../sync/protocol/events/index.js';
import { deviceScopes } from '../../sync/protocol/feed.js';
import { formatReceiptNo } from '../../sync/protocol/receipt-number.js';
import type { HqDb } from '../../sync/hq/db.js';
import { recordPush } from '../../sync/hq/push/apply-push.js';
import { projectAll } from '../../sync/hq/projector/project-batch.js';
import { eventId, saleEventFrom } from '../../sync/hq/testing/push-fixture.js';

/** What `pushCashRefundForCard` pushed: the two receipts and the refund in fen. */
export type CashForCard = { saleReceiptNo: string; returnReceiptNo: string; refundFen: number };

/**
 * A till of `storeId` sells two of a catalog SKU at its price, paid by card, and later takes one
 * back, paying it in cash because the card could not be refunded (a manager approved it on the
 * till). Both sales go through HQ's push checks and projector as a till's push does, which lists
 * the cash refund for finance as a refund exception. HQ must be stopped (PGlite has one owner).
 */
export async function pushCashRefundForCard(db: HqDb, storeId: string, now: Date): Promise<CashForCard> {
  const [store] = await db.query<{ code: string; brand: string }>(`SELECT code, brand FROM location WHERE id = $1`, [storeId]);
  const [sku] = await db.query<{ sku: string; price_fen: number }>(
    `SELECT sku, price_fen FROM sku WHERE active AND price_fen BETWEEN 10000 AND 100000 ORDER BY sku LIMIT 1`,
  );
  const [cashier] = await db.query<{ id: string }>(
    `SELECT id FROM staff WHERE store_id = $1 AND role = 'cashier' AND active ORDER BY id LIMIT 1`,
    [storeId],
  );
  if (!store || !sku || !cashier) throw new Error(`no store, SKU or cashier for ${storeId} in the sample`);
  // A second till of the store, enrolled as HQ enrols one (receipt code 07).
  const deviceId = eventId();
  await db.query(
    `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES ($1, $2, 'e2e-till-key', '07', '1.0.0', 'till-07')`,
    [deviceId, storeId],
  );
  const source = { deviceId, storeId, staffId: cashier.id };
  const day = now.toISOString().slice(0, 10);
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  const price = sku.price_fen;

  const sold = saleEventFrom(source, [sku.sku], { qty: 2, receiptNo: formatReceiptNo(store.code, '0007', day, 41) });
  const sale = sold.payload as SaleCompleted;
  sold.occurredAt = sale.createdAt = at(50);
  sale.businessDay = day;
  sale.offline = false;
  sale.lines = sale.lines.map((l) => ({ ...l, listUnitFen: price, unitFen: price, totalFen: price * 2 }));
  sale.totals = { subtotalFen: price * 2, discountFen: 0, totalFen: price * 2, refundFen: 0, netFen: price * 2, changeFen: 0 };
  sale.tenders = [{ method: 'card', amountFen: price * 2, reference: 'POS-8812-3304', providerRef: null }];

  const back = saleEventFrom(source, [sku.sku], { qty: 1, receiptNo: formatReceiptNo(store.code, '0007', day, 42) });
  const ret = back.payload as SaleCompleted;
  back.occurredAt = ret.createdAt = at(20);
  ret.businessDay = day;
  ret.offline = false;
  ret.kind = 'return';
  ret.originalSaleId = sale.saleId;
  const line = sale.lines[0]!;
  ret.lines = [{ ...line, lineId: `${ret.saleId}-r`, qty: -1, discountFen: 0, totalFen: -price, originalLineId: line.lineId }];
  ret.totals = { subtotalFen: 0, discountFen: 0, totalFen: 0, refundFen: price, netFen: -price, changeFen: 0 };
  ret.tenders = [{ method: 'cash', amountFen: -price, reference: null, providerRef: null, insteadOf: 'card' }];

  const device = {
    id: deviceId,
    storeId,
    brand: store.brand,
    receiptCode: '07',
    scopes: deviceScopes({ brand: store.brand, storeId, deviceId }),
  };
  const results = await recordPush(db, device, { deviceId, storeId, events: [sold, back] }, now);
  const refused = results.filter((r) => r.status !== 'accepted');
  if (refused.length > 0) throw new Error(`HQ did not accept the seeded sales: ${JSON.stringify(refused)}`);
  await projectAll(db, now);
  return { saleReceiptNo: sale.receiptNo, returnReceiptNo: ret.receiptNo, refundFen: price };
}
