/**
 * The sync benchmark's workload, the same for Shopfloor and for the peers (PouchDB, RxDB) so
 * their figures compare: (a) a catalog of flat ~200-byte documents provisioned from the server,
 * (b) ~1 KB orders made offline on the device and pushed, (c) a price change on some of the
 * catalog, pulled incrementally. Deterministic: the same documents on every run and machine.
 */
import { generateSampleData } from '../../fixtures/generate.js';
import { createPrng } from '../../fixtures/prng.js';
import type { Sku } from '../../fixtures/sample-data.js';

/** One SKU as a flat document: the device's `sku` row plus an `id` (= the SKU code). ~200 bytes as JSON. */
export type CatalogDoc = Sku & { id: string };

export type OrderLine = { sku: string; ean: string; qty: number; unit_price_fen: number; discount_fen: number; line_total_fen: number };
export type OrderTender = { kind: 'cash' | 'wechat' | 'alipay' | 'card'; amount_fen: number; change_fen: number; reference: string | null };

/** A sale made offline on the device, shaped like the checkout's sale event. ~1 KB as JSON. */
export type OrderDoc = {
  id: string;
  receipt_no: string;
  store_id: string;
  device_id: string;
  staff_id: string;
  member_id: string | null;
  /** UTC instant, ISO 8601. */
  created_at: string;
  lines: OrderLine[];
  tenders: OrderTender[];
  subtotal_fen: number;
  discount_fen: number;
  total_fen: number;
  paid_fen: number;
  item_count: number;
  note: string;
};

const STORE_ID = 'loc-S001';
const DEVICE_ID = 'dev-S001-7F3A';
/** Orders start at this instant, one every 13 s: ten thousand sales span a busy store's day and a half. */
const ORDERS_FROM_MS = Date.UTC(2026, 10, 21, 1, 0, 0);

/** The first `n` SKUs of the sample catalog as flat documents. */
export function catalogDocs(n: number): CatalogDoc[] {
  return generateSampleData({ skus: n, customers: 0 }).skus.map((s) => ({
    id: s.sku,
    sku: s.sku,
    style_code: s.style_code,
    colour_code: s.colour_code,
    colour_zh: s.colour_zh,
    colour_en: s.colour_en,
    size: s.size,
    size_order: s.size_order,
    ean: s.ean,
    price_fen: s.price_fen,
    active: s.active,
  }));
}

function hex(rng: ReturnType<typeof createPrng>, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += '0123456789abcdef'[rng.int(0, 15)];
  return out;
}

/** A UUIDv7-shaped id whose time part is the order's instant, so ids sort like the sales happened. */
function uuidLike(rng: ReturnType<typeof createPrng>, ms: number): string {
  const t = ms.toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(rng, 3)}-${'89ab'[rng.int(0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`;
}

/** `n` sales of 3–6 lines over a 2,000-SKU slice of the catalog, paid by one or two tenders. */
export function orderDocs(n: number): OrderDoc[] {
  const rng = createPrng('shopfloor-bench/orders');
  const data = generateSampleData({ skus: 2000, customers: 0 });
  const cashiers = data.staff.filter((s) => s.store_id === STORE_ID).map((s) => s.id);
  const orders: OrderDoc[] = [];
  for (let i = 0; i < n; i++) {
    const ms = ORDERS_FROM_MS + i * 13_000;
    const lines: OrderLine[] = [];
    const lineCount = rng.int(3, 6);
    for (let l = 0; l < lineCount; l++) {
      const sku = rng.pick(data.skus);
      const qty = rng.int(1, 2);
      // Whole-yuan markdowns on some lines, as a promotion would give; never more than half the line.
      const discount = rng.chance(0.3) ? Math.min(rng.int(1, 5) * 1000 * qty, Math.floor((sku.price_fen * qty) / 200) * 100) : 0;
      lines.push({
        sku: sku.sku,
        ean: sku.ean,
        qty,
        unit_price_fen: sku.price_fen,
        discount_fen: discount,
        line_total_fen: sku.price_fen * qty - discount,
      });
    }
    const subtotal = lines.reduce((sum, line) => sum + line.unit_price_fen * line.qty, 0);
    const discount = lines.reduce((sum, line) => sum + line.discount_fen, 0);
    const total = subtotal - discount;
    const tenders: OrderTender[] = [];
    if (rng.chance(0.2)) {
      // Cash rounded up to the next 100 yuan note; the rest of a split goes to WeChat Pay.
      const cash = Math.min(total, rng.int(1, 5) * 10_000);
      tenders.push({ kind: 'cash', amount_fen: cash, change_fen: 0, reference: null });
      if (total > cash) tenders.push({ kind: 'wechat', amount_fen: total - cash, change_fen: 0, reference: `42000${hex(rng, 23)}` });
    } else {
      const kind = rng.pick(['wechat', 'alipay', 'card'] as const);
      tenders.push({ kind, amount_fen: total, change_fen: 0, reference: `${kind === 'card' ? '6222' : '2026'}${hex(rng, 24)}` });
    }
    orders.push({
      id: uuidLike(rng, ms),
      receipt_no: `S001-7F3A-${new Date(ms).toISOString().slice(2, 10).replaceAll('-', '')}-${String(i + 1).padStart(5, '0')}`,
      store_id: STORE_ID,
      device_id: DEVICE_ID,
      staff_id: cashiers.length > 0 ? rng.pick(cashiers) : 'stf-S001-01',
      member_id: rng.chance(0.6) ? `mem-${String(rng.int(1, 50_000)).padStart(6, '0')}` : null,
      created_at: new Date(ms).toISOString(),
      lines,
      tenders,
      subtotal_fen: subtotal,
      discount_fen: discount,
      total_fen: total,
      paid_fen: tenders.reduce((sum, t) => sum + t.amount_fen, 0),
      item_count: lines.reduce((sum, line) => sum + line.qty, 0),
      note: '',
    });
  }
  return orders;
}

/**
 * A price change on `n` documents spread evenly over the catalog (every k-th one): 10% off,
 * rounded down to whole yuan. Returns the changed documents only, as new objects.
 */
export function changedDocs(docs: readonly CatalogDoc[], n: number): CatalogDoc[] {
  const count = Math.min(n, docs.length);
  if (count === 0) return [];
  const step = docs.length / count;
  const changed: CatalogDoc[] = [];
  for (let i = 0; i < count; i++) {
    const doc = docs[Math.floor(i * step)]!;
    changed.push({ ...doc, price_fen: Math.floor((doc.price_fen * 9) / 10 / 100) * 100 });
  }
  return changed;
}
