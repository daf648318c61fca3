import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoPin, generateCheckoutSample } from '../fixtures/checkout-sample.js';
import { generateSampleData } from '../fixtures/generate.js';
import { allocate } from '../main/checkout/money.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import type { HostProcess } from './support/host-process.js';
import { CashupPage } from './pages/cashup-page.js';
import { LoginPage } from './pages/login-page.js';
import { ReturnsPage } from './pages/returns-page.js';
import { SellPage } from './pages/sell-page.js';
import { failureShot, shot } from './support/shots.js';

const SAMPLE = { skus: 3000, customers: 200 };
const fen = SellPage.fen;

// The same deterministic data the host seeded, generated independently here.
const data = generateSampleData(SAMPLE);
const store = data.locations[0]!;
const checkout = generateCheckoutSample(data, store.id);
const staffOf = (role: string) => data.staff.find((s) => s.store_id === store.id && s.role === role && s.active)!;
const cashier = staffOf('cashier');
const manager = staffOf('manager');
const member = checkout.demoMember!;
const noThresholdCoupon = checkout.coupons.find((c) => c.customer_id === null && c.kind === 'amount' && c.valid_until > '2027')!;
// Three everyday items of different styles, outside the item promotions and under the spend
// threshold, so the coupon is what takes money off.
const promoted = new Set(
  checkout.promotions.filter((p) => p.kind !== 'spend_threshold').flatMap((p) => (JSON.parse(p.scope) as { names?: string[] }).names ?? []),
);
const items = (() => {
  const picked: typeof data.skus = [];
  for (const sku of data.skus) {
    const style = data.styles.find((s) => s.code === sku.style_code)!;
    if (!sku.active || promoted.has(style.category_en) || sku.price_fen < 9_900 || sku.price_fen > 29_900) continue;
    if (picked.some((p) => p.style_code === sku.style_code)) continue;
    picked.push(sku);
    if (picked.length === 3) break;
  }
  return picked;
})();

let host: HostProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let login: LoginPage;
let sell: SellPage;

beforeAll(async () => {
  [host, browser] = await Promise.all([startHostProcess({ ...SAMPLE, lifetimeS: 600 }), launchBrowser()]);
  page = await browser.context.newPage();
  login = new LoginPage(page);
  sell = new SellPage(page);
  await page.goto(host.url);
  await page.getByTestId('nav-sell').waitFor();
});
// What the screen showed when a step failed: the quickest way to see why.
beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await failureShot(page, 'failed', ctx.task.name);
  });
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('checkout in Chromium against the browser host', () => {
  it('refuses a wrong PIN with a clear message, then logs the cashier in', async () => {
    await login.openTab('sell');
    const wrong = demoPin(cashier.code) === '9999' ? '8888' : '9999';
    await login.login(cashier.code, wrong);
    await expect.poll(() => login.error.textContent()).toMatch(/PIN/);
    expect(await login.screen.isVisible()).toBe(true);

    await login.fill('login', cashier.code, demoPin(cashier.code));
    await login.staff.waitFor();
    expect(await login.staff.getAttribute('data-staff-code')).toBe(cashier.code);
    expect(await login.staff.textContent()).toContain(cashier.name);
  });

  it('opens the till with a float and takes a paid-in', async () => {
    await login.openTab('cashup');
    const cashup = new CashupPage(page);
    await cashup.openTill('500');
    expect(await cashup.open.textContent()).toContain('¥500.00');
    await cashup.paidIn('50', '零钱补充');
    await expect.poll(() => cashup.message.textContent()).toContain('存入');
    expected.cash += 5_000;
  });

  it('sells: three scans at scanner speed, an unknown barcode, a member, a coupon, cash and change', async () => {
    await login.openTab('sell');
    await sell.entry.waitFor();
    for (const item of items) {
      await sell.scan(item.ean, 5);
      await sell.line(item.sku).waitFor();
    }
    expect(await sell.lines.count()).toBe(3);
    // The scans went to the cart, not into the entry box.
    expect(await sell.entry.inputValue()).toBe('');
    const listTotal = items.reduce((sum, i) => sum + i.price_fen, 0);
    expect(fen(await page.getByTestId('total-subtotal').textContent())).toBe(listTotal);

    await sell.scan('6909999999994', 5);
    await expect.poll(() => sell.message.textContent()).toContain('6909999999994');
    expect(await sell.lines.count()).toBe(3);

    await sell.findMember(member.phone);
    expect(await page.getByTestId('member-name').textContent()).toBe(member.name);
    expect(await sell.memberPanel.getAttribute('data-member-id')).toBe(member.id);

    await sell.applyCoupon(noThresholdCoupon.code);
    const applied = page.locator(`[data-testid="applied-coupon"][data-code="${noThresholdCoupon.code}"]`);
    await applied.waitFor();
    expect(await applied.getAttribute('data-active')).toBe('true');
    await expect.poll(async () => fen(await page.getByTestId('total-coupons').textContent())).toBe(-noThresholdCoupon.value_fen);
    const due = fen(await sell.due.textContent());
    expect(due).toBe(listTotal - noThresholdCoupon.value_fen);
    await shot(page, 'sell.png');

    // The customer hands over the next round ¥100 note(s).
    const given = Math.ceil(due / 10_000) * 10_000 + (due % 10_000 === 0 ? 10_000 : 0);
    await sell.payCash(String(given / 100));
    await sell.done.waitFor();
    expect(fen(await sell.change.textContent())).toBe(given - due);
    const receiptNo = await sell.receiptSlot.getAttribute('data-receipt-no');
    expect(receiptNo).toMatch(/^S001-/);
    expect(await sell.receiptSlot.textContent()).toContain(receiptNo);
    // The receipt preview the printer pipeline rendered, and the receipt itself at the (virtual) printer.
    const preview = sell.receiptSlot.getByTestId('receipt-preview').locator('img');
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await expect.poll(() => printedReceipts().find((r) => r.includes(receiptNo!)) ?? '').toContain(member.name);
    await shot(page, 'sale-done.png');
    lastReceiptNo = receiptNo!;
    expected.cash += due;
  });

  it('returns one line of that sale and refunds exactly what was paid for it', async () => {
    const receiptNo = lastReceiptNo!;
    await login.openTab('returns');
    const returns = new ReturnsPage(page);
    await returns.find(receiptNo);
    expect(await returns.lines.count()).toBe(3);
    await returns.start();
    const item = items[0]!;
    await returns.returnUnits(item.sku, 1);
    await expect.poll(async () => (await returns.line(item.sku).getByTestId('return-line-refund').textContent())?.trim()).not.toBe('');
    const lineRefund = -fen(await returns.line(item.sku).getByTestId('return-line-refund').textContent());
    // The coupon's share came off this line: the refund is the price less that share, never the list price.
    const couponShares = allocate(
      noThresholdCoupon.value_fen,
      items.map((i) => i.price_fen),
    );
    expect(lineRefund).toBe(item.price_fen - couponShares[0]!);
    expect(fen(await returns.refundTotal.textContent())).toBe(lineRefund);
    // Paid in cash, refunded in cash: there is nothing to pay "in cash instead".
    expect(await page.getByTestId('return-cash-instead').count()).toBe(0);
    await shot(page, 'returns.png');
    await returns.complete.click();
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(lineRefund);
    expected.cash -= lineRefund; // back to the original tender: cash
  });

  it('asks for the PIN again after locking, without losing the cart', async () => {
    await login.openTab('sell');
    const item = items[1]!;
    await sell.entry.waitFor();
    await sell.scan(item.ean, 5);
    await sell.line(item.sku).waitFor();
    await page.getByTestId('session-lock').click();
    await login.lockScreen.waitFor();
    await login.unlock(demoPin(cashier.code));
    await sell.line(item.sku).waitFor();
    expect(await sell.lines.count()).toBe(1);
  });

  it('needs a manager for a discount above the cashier’s limit', async () => {
    const item = items[1]!;
    await sell.line(item.sku).getByTestId('line-edit').click();
    await page.getByTestId('line-editor').locator('[data-percent="30"]').click();
    await page.getByTestId('line-apply').click();
    await login.approve(manager.code, demoPin(manager.code));
    await expect.poll(async () => fen(await sell.line(item.sku).getByTestId('line-total').textContent())).toBe((item.price_fen * 70) / 100); // whole-yuan prices: 30% off is whole fen
  });

  it('refuses a mobile payment offline with a clear message, then takes a split tender: card and cash', async () => {
    const due = fen(await sell.due.textContent());
    // A WeChat Pay code (prefix 10–15, 18 digits); the host runs without HQ, so the terminal is offline.
    await sell.payMobile('134567890123456789');
    await expect.poll(() => sell.tender.getByTestId('message').textContent()).toMatch(/离线/);
    expect(await sell.tender.getByTestId('tender-row').count()).toBe(0);

    await sell.payCard('100', 'POS-000123');
    await sell.tender.locator('[data-testid="tender-row"][data-method="card"]').waitFor();
    expect(fen(await page.getByTestId('tender-due').textContent())).toBe(due - 10_000);
    // The rest in cash, exactly: the sale completes by itself.
    await page.getByTestId('tender-tab-cash').click();
    await page.locator(`[data-testid="tender-quick"] [data-fen="${due - 10_000}"]`).click();
    await page.getByTestId('tender-submit').click();
    await sell.done.waitFor();
    expect(fen(await sell.change.textContent())).toBe(0);
    expect(await sell.done.textContent()).toContain('¥100.00');
    expected.card += 10_000;
    expected.cash += due - 10_000;
  });

  it('parks a cart and brings it back', async () => {
    await login.openTab('sell');
    if (await page.getByTestId('next-customer').isVisible()) await page.getByTestId('next-customer').click();
    const item = items[2]!;
    await sell.scan(item.ean, 5);
    await sell.line(item.sku).waitFor();
    await page.getByTestId('park').click();
    await page.getByTestId('cart-empty').waitFor();
    await page.getByTestId('parked').click();
    await page.getByTestId('parked-cart').first().click();
    await sell.line(item.sku).waitFor();
    expect(await sell.lines.count()).toBe(1);
    await page.getByTestId('clear-cart').click();
    await page.getByTestId('cart-empty').waitFor();
  });

  it('takes a return without a receipt only with a manager’s approval, refunded in cash', async () => {
    await login.openTab('returns');
    const item = items[2]!;
    await page.getByTestId('no-receipt-sku').fill(item.sku);
    await page.getByTestId('no-receipt-submit').click();
    expect(await page.getByTestId('approval-action').textContent()).toContain('无小票退货');
    await login.approve(manager.code, demoPin(manager.code));
    const returns = new ReturnsPage(page);
    await expect.poll(async () => fen(await returns.refundTotal.textContent())).toBe(item.price_fen);
    await returns.complete.click();
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(item.price_fen);
    expected.cash -= item.price_fen;
  });

  it('lists today’s sales, finds one by receipt number and reprints it', async () => {
    await login.openTab('history');
    await page.getByTestId('history-row').first().waitFor();
    // The sale, its return, the split-tender sale and the return without receipt.
    expect(await page.getByTestId('history-row').count()).toBe(4);
    await page.getByTestId('history-search').fill(lastReceiptNo!);
    await page.getByTestId('history-find').click();
    const detail = page.getByTestId('history-sale-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-receipt-no')).toBe(lastReceiptNo);
    expect(await detail.getByTestId('history-line').count()).toBe(3);
    const before = printedReceipts().length;
    await page.getByTestId('reprint').click();
    await expect.poll(() => page.getByTestId('message').textContent()).toContain(lastReceiptNo!);
    // Printed once more, marked as a copy.
    await expect.poll(() => printedReceipts().length).toBe(before + 1);
    expect(printedReceipts().at(-1)).toContain('重印');
    expect(printedReceipts().at(-1)).toContain(lastReceiptNo!);
  });

  it('closes the day with a blind count and shows the variance per tender', async () => {
    await login.openTab('cashup');
    const cashup = new CashupPage(page);
    await cashup.open.waitFor();
    const short = 1_000; // the cash count comes out ¥10 short; the card total matches
    const counted = expected.cash - short;
    const yuan = (f: number) => `${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;
    await cashup.closeDay({ cash: yuan(counted), card: yuan(expected.card) }, true);
    expect(fen(await cashup.tenderRow('cash').getByTestId('report-variance').textContent())).toBe(-short);
    expect(fen(await cashup.tenderRow('card').getByTestId('report-variance').textContent())).toBe(0);
    expect(await cashup.closed.isVisible()).toBe(true); // the next day can be opened beside the report
    await shot(page, 'z-report.png');
  });
});

let lastReceiptNo: string | undefined;
/** What the host's virtual ESC/POS printer decoded, receipt by receipt, in print order. */
function printedReceipts(): string[] {
  const dir = join(host.dataDir, 'virtual-printer');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
/** What the drawer and the card terminal should hold, from what the steps above took and gave back. */
const expected = { cash: 50_000, card: 0 };
