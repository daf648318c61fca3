import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOutbox } from '../store/outbox.js';
import { killAtMarker } from '../../sync/faults/kill-at-marker.js';
import { tempDir } from '../testing/temp-dir.js';
import type { SaleCompleted } from '../../sync/protocol/events/index.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';

const child = fileURLToPath(new URL('../testing/sale-crash-child.ts', import.meta.url));
const data = sampleData();
const skus = data.skus.filter((s) => s.active).slice(0, 5);
const eans = skus.map((s) => s.ean);

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const paths = () => ({ db: join(dir.path, 'shopfloor.db'), key: join(dir.path, 'store.key') });

/** Starts the child in `mode`, waits for `marker`, then SIGKILLs it `afterMs` later. */
const killAfter = (mode: 'loop' | 'pause' | 'before-outbox', marker: string, afterMs: number) =>
  killAtMarker(child, [paths().db, paths().key, mode, ...eans], marker, afterMs, { timeoutMs: 30_000 });

/** Seeds the store (first open) and returns its stock of the sold SKUs. */
function seededStock(): Map<string, number> {
  const pos = openTestCheckout({ dbPath: paths().db, keyPath: paths().key });
  const stock = stockOf(pos.store.db);
  pos.close();
  return stock;
}

function stockOf(db: TestCheckout['store']['db']): Map<string, number> {
  const qty = db.prepare("SELECT qty FROM stock WHERE location_id = 'loc-S001' AND sku = ?").pluck();
  return new Map(skus.map((s) => [s.sku, (qty.get(s.sku) as number | undefined) ?? 0]));
}

/** Every committed sale has its event, lines and tenders as the event says, and every event its sale. */
function consistency() {
  const pos = openTestCheckout({ dbPath: paths().db, keyPath: paths().key });
  const db = pos.store.db;
  const sales = db.prepare('SELECT id, receipt_no FROM sale ORDER BY id').all() as { id: string; receipt_no: string }[];
  const events = readOutbox(db, 1_000_000).filter((e) => e.type === 'sale.completed');
  const payloads = events.map((e) => e.payload as SaleCompleted);
  const mismatches: string[] = [];
  for (const p of payloads) {
    const lines = db.prepare('SELECT count(*) AS n FROM sale_line WHERE sale_id = ?').get(p.saleId) as { n: number };
    const tenders = db
      .prepare('SELECT coalesce(sum(amount_fen), 0) AS fen, count(*) AS n FROM sale_tender WHERE sale_id = ?')
      .get(p.saleId) as { fen: number; n: number };
    if (lines.n !== p.lines.length || tenders.n !== p.tenders.length || tenders.fen !== p.totals.netFen) mismatches.push(p.receiptNo);
  }
  const orphanLines = db.prepare('SELECT count(*) AS n FROM sale_line WHERE sale_id NOT IN (SELECT id FROM sale)').get() as { n: number };
  const counter = db.prepare('SELECT coalesce(max(last_seq), 0) AS n FROM receipt_counter').get() as { n: number };
  // Stock as the surviving sales say: what was seeded less what they sold.
  const sold = db.prepare('SELECT coalesce(sum(qty), 0) FROM sale_line WHERE sku = ?').pluck();
  const stockSoldBySales = new Map(skus.map((s) => [s.sku, sold.get(s.sku) as number]));
  const stock = stockOf(db);
  // Coupon and points rows belong to a surviving sale, and each such sale has its rows.
  const couponUses = db.prepare('SELECT sale_id FROM coupon_use ORDER BY sale_id').pluck().all() as string[];
  const saleCoupons = db.prepare('SELECT sale_id FROM sale_coupon ORDER BY sale_id').pluck().all() as string[];
  const pointsUses = db.prepare('SELECT sale_id FROM points_use ORDER BY sale_id').pluck().all() as string[];
  pos.close();
  return {
    stock,
    stockSoldBySales,
    couponUses,
    saleCoupons,
    pointsUses,
    saleIds: sales.map((s) => s.id),
    eventSaleIds: payloads.map((p) => p.saleId).sort(),
    mismatches,
    orphanLines: orphanLines.n,
    counter: counter.n,
  };
}

describe('sale commit', () => {
  it('leaves neither sale nor event when killed inside the commit transaction', async () => {
    openTestCheckout({ dbPath: paths().db, keyPath: paths().key }).close();
    expect(await killAfter('pause', 'in-transaction', 0)).toBe('SIGKILL');
    const c = consistency();
    expect(c.saleIds).toEqual([]);
    expect(c.eventSaleIds).toEqual([]);
    expect(c.orphanLines).toBe(0);
    // The receipt counter rolled back with the sale: the number is not burnt.
    expect(c.counter).toBe(0);
  });

  it('leaves no sale, stock, coupon or points change when killed after the commit wrote them and before its outbox row', async () => {
    const seeded = seededStock();
    expect(await killAfter('before-outbox', 'before-outbox', 0)).toBe('SIGKILL');
    const c = consistency();
    expect(c.saleIds).toEqual([]);
    expect(c.eventSaleIds).toEqual([]);
    expect(c.orphanLines).toBe(0);
    expect(c.counter).toBe(0);
    expect(c.stock).toEqual(seeded);
    expect(c.couponUses).toEqual([]);
    expect(c.saleCoupons).toEqual([]);
    expect(c.pointsUses).toEqual([]);
  });

  it('leaves sale, lines, tenders, stock and event together for every sale when killed at random moments', async () => {
    const seeded = seededStock();
    let total = 0;
    for (const afterMs of [40, 170, 400]) {
      expect(await killAfter('loop', 'started', afterMs)).toBe('SIGKILL');
      const c = consistency();
      expect(c.eventSaleIds).toEqual(c.saleIds);
      expect(c.mismatches).toEqual([]);
      expect(c.orphanLines).toBe(0);
      expect(c.counter).toBe(c.saleIds.length);
      expect(c.stock).toEqual(new Map([...seeded].map(([sku, qty]) => [sku, qty - c.stockSoldBySales.get(sku)!])));
      expect(c.saleIds.length).toBeGreaterThanOrEqual(total);
      total = c.saleIds.length;
    }
    expect(total).toBeGreaterThan(0);
  }, 60_000);
});
