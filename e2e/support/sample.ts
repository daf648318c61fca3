import { generateCheckoutSample } from '../../fixtures/checkout-sample.js';
import { generateSampleData } from '../../fixtures/generate.js';
import type { SampleData } from '../../fixtures/sample-data.js';

/**
 * The sample brand a standalone host seeds (`--sample-skus 3000 --sample-customers 200`),
 * generated again here from the same deterministic seed, so a test knows prices, staff and
 * members without asking the app.
 */
export const SAMPLE = { skus: 3000, customers: 200 } as const;

export const data = generateSampleData(SAMPLE);
export const store = data.locations[0]!;
export const checkout = generateCheckoutSample(data, store.id);

export type Staff = SampleData['staff'][number];
export type Sku = SampleData['skus'][number];

export function staffOf(role: 'cashier' | 'manager' | 'guide', sample: SampleData = data, storeId = store.id): Staff {
  const found = sample.staff.find((s) => s.store_id === storeId && s.role === role && s.active);
  if (!found) throw new Error(`no active ${role} in store ${storeId}`);
  return found;
}

export const cashier = staffOf('cashier');
export const manager = staffOf('manager');
export const member = checkout.demoMember!;
/** A coupon for anyone, with no threshold, valid well past the tests. */
export const anyoneCoupon = checkout.coupons.find((c) => c.customer_id === null && c.kind === 'amount' && c.valid_until > '2027')!;

/**
 * `count` everyday items of different styles, priced ¥99–¥299 (whole yuan), outside the item
 * promotions, so what a test does to the cart is the only thing that changes the price.
 */
export function plainItems(count: number, sample: SampleData = data, promotions = checkout.promotions): Sku[] {
  const promoted = new Set(
    promotions.filter((p) => p.kind !== 'spend_threshold').flatMap((p) => (JSON.parse(p.scope) as { names?: string[] }).names ?? []),
  );
  const picked: Sku[] = [];
  for (const sku of sample.skus) {
    const style = sample.styles.find((s) => s.code === sku.style_code)!;
    if (!sku.active || promoted.has(style.category_en) || sku.price_fen < 9_900 || sku.price_fen > 29_900) continue;
    if (sku.price_fen % 100 !== 0 || picked.some((p) => p.style_code === sku.style_code)) continue;
    picked.push(sku);
    if (picked.length === count) return picked;
  }
  throw new Error(`only ${picked.length} plain items in the sample, ${count} wanted`);
}

/** Yuan as a cashier types it on the keypad: 12345 fen → "123.45", 10000 → "100". */
export function yuanText(fen: number): string {
  const cents = fen % 100;
  return cents === 0 ? String(fen / 100) : `${Math.floor(fen / 100)}.${String(cents).padStart(2, '0')}`;
}
