import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPin } from '../fixtures/checkout-sample.js';
import { launchBrowser } from './support/browser.js';
import { anyoneCoupon, cashier, manager, member, plainItems, yuanText } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { ReturnsPage } from './pages/returns-page.js';
import { SellPage } from './pages/sell-page.js';
import { failureShot, shot } from './support/shots.js';

// Each test runs on a host of its own (a fresh store and till) and makes every sale it looks at,
// so it passes or fails alone, in any order.
const fen = SellPage.fen;
// Three everyday items of different styles, outside the item promotions and under the spend
// threshold, so the coupon is what takes money off.
const items = plainItems(3);

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let t: Terminal;

beforeAll(async () => {
  browser = await launchBrowser();
});
// What the screen showed when a step failed: the quickest way to see why.
beforeEach(async () => {
  t = await openTerminal(browser.context);
});
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(t?.page, 'failed', ctx.task.name);
  await t?.close();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * The three items scanned at scanner speed, the member and the no-threshold coupon, paid in cash
 * with the next round ¥100 note(s). Returns the receipt number, what was due and what each line paid.
 */
async function sellThreeWithMemberAndCoupon(): Promise<{ receiptNo: string; due: number; given: number }> {
  for (const item of items) {
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
  }
  await t.sell.findMember(member.phone);
  await t.sell.applyCoupon(anyoneCoupon.code);
  await t.page.locator(`[data-testid="applied-coupon"][data-code="${anyoneCoupon.code}"]`).waitFor();
  await expect.poll(async () => fen(await t.page.getByTestId('total-coupons').textContent())).toBe(-anyoneCoupon.value_fen);
  const due = fen(await t.sell.due.textContent());
  const given = Math.ceil(due / 10_000) * 10_000 + (due % 10_000 === 0 ? 10_000 : 0);
  await t.sell.payCash(String(given / 100));
  await t.sell.done.waitFor();
  return { receiptNo: (await t.sell.receiptSlot.getAttribute('data-receipt-no'))!, due, given };
}

/** A cart-level amount over lines in proportion, largest remainder first, ties to the earlier line (the documented rule). */
function largestRemainder(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  const shares = weights.map((w) => Math.floor((total * w) / sum));
  const order = weights.map((w, i) => ({ i, r: (total * w) % sum })).sort((a, b) => b.r - a.r || a.i - b.i);
  let left = total - shares.reduce((a, s) => a + s, 0);
  for (const { i } of order) if (left-- > 0) shares[i]! += 1;
  return shares;
}

describe('checkout in Chromium against the browser host', () => {
  it('refuses a wrong PIN with a clear message, then logs the cashier in', async () => {
    await t.page.getByTestId('nav-sell').waitFor();
    await t.login.openTab('sell');
    const wrong = demoPin(cashier.code) === '9999' ? '8888' : '9999';
    await t.login.login(cashier.code, wrong);
    await expect.poll(() => t.login.error.textContent()).toMatch(/PIN/);
    expect(await t.login.screen.isVisible()).toBe(true);

    await t.login.fill('login', cashier.code, demoPin(cashier.code));
    await t.login.staff.waitFor();
    expect(await t.login.staff.getAttribute('data-staff-code')).toBe(cashier.code);
    expect(await t.login.staff.textContent()).toContain(cashier.name);
  });

  it('opens the till with a float and takes a paid-in', async () => {
    await t.logIn(cashier);
    await t.login.openTab('cashup');
    await t.cashup.openTill('500');
    expect(await t.cashup.open.textContent()).toContain('¥500.00');
    await t.cashup.paidIn('50', '零钱补充');
    await expect.poll(() => t.cashup.message.textContent()).toContain('存入');
  });

  it('sells: three scans at scanner speed, an unknown barcode, a member, a coupon, cash and change', async () => {
    await t.openTill(cashier);
    for (const item of items) {
      await t.sell.scan(item.ean, 5);
      await t.sell.line(item.sku).waitFor();
    }
    expect(await t.sell.lines.count()).toBe(3);
    // The scans went to the cart, not into the entry box.
    expect(await t.sell.entry.inputValue()).toBe('');
    const listTotal = items.reduce((sum, i) => sum + i.price_fen, 0);
    expect(fen(await t.page.getByTestId('total-subtotal').textContent())).toBe(listTotal);

    await t.sell.scan('6909999999994', 5);
    await expect.poll(() => t.sell.message.textContent()).toContain('6909999999994');
    expect(await t.sell.lines.count()).toBe(3);

    await t.sell.findMember(member.phone);
    expect(await t.page.getByTestId('member-name').textContent()).toBe(member.name);
    expect(await t.sell.memberPanel.getAttribute('data-member-id')).toBe(member.id);

    await t.sell.applyCoupon(anyoneCoupon.code);
    const applied = t.page.locator(`[data-testid="applied-coupon"][data-code="${anyoneCoupon.code}"]`);
    await applied.waitFor();
    expect(await applied.getAttribute('data-active')).toBe('true');
    await expect.poll(async () => fen(await t.page.getByTestId('total-coupons').textContent())).toBe(-anyoneCoupon.value_fen);
    const due = fen(await t.sell.due.textContent());
    expect(due).toBe(listTotal - anyoneCoupon.value_fen);
    await shot(t.page, 'sell.png');

    // The customer hands over the next round ¥100 note(s).
    const given = Math.ceil(due / 10_000) * 10_000 + (due % 10_000 === 0 ? 10_000 : 0);
    await t.sell.payCash(String(given / 100));
    await t.sell.done.waitFor();
    expect(fen(await t.sell.change.textContent())).toBe(given - due);
    const receiptNo = await t.sell.receiptSlot.getAttribute('data-receipt-no');
    expect(receiptNo).toMatch(/^S001-/);
    expect(await t.sell.receiptSlot.textContent()).toContain(receiptNo);
    // The receipt preview the printer pipeline rendered, and the receipt itself at the (virtual) printer.
    const preview = t.sell.receiptSlot.getByTestId('receipt-preview').locator('img');
    await preview.waitFor();
    await expect.poll(() => preview.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await expect.poll(() => printedReceipts().find((r) => r.includes(receiptNo!)) ?? '').toContain(member.name);
    await shot(t.page, 'sale-done.png');
  });

  it('returns one line of a sale and refunds exactly what was paid for it', async () => {
    await t.openTill(cashier);
    const sale = await sellThreeWithMemberAndCoupon();
    await t.page.getByTestId('next-customer').click();
    await t.login.openTab('returns');
    const returns = new ReturnsPage(t.page);
    await returns.find(sale.receiptNo);
    expect(await returns.lines.count()).toBe(3);
    await returns.start();
    const item = items[0]!;
    await returns.returnUnits(item.sku, 1);
    // The coupon came off the lines in proportion to their prices: this line paid its price less its share.
    const lineRefund =
      item.price_fen -
      largestRemainder(
        anyoneCoupon.value_fen,
        items.map((i) => i.price_fen),
      )[0]!;
    await expect.poll(async () => -fen(await returns.line(item.sku).getByTestId('return-line-refund').textContent())).toBe(lineRefund);
    expect(fen(await returns.refundTotal.textContent())).toBe(lineRefund);
    // Paid in cash, refunded in cash: there is nothing to pay "in cash instead".
    expect(await t.page.getByTestId('return-cash-instead').count()).toBe(0);
    await shot(t.page, 'returns.png');
    await returns.complete.click();
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(lineRefund);
  });

  it('asks for the PIN again after locking, without losing the cart', async () => {
    await t.openTill(cashier);
    const item = items[1]!;
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.page.getByTestId('session-lock').click();
    await t.login.lockScreen.waitFor();
    await t.login.unlock(demoPin(cashier.code));
    await t.sell.line(item.sku).waitFor();
    expect(await t.sell.lines.count()).toBe(1);
  });

  it('needs a manager for a discount above the cashier’s limit', async () => {
    await t.openTill(cashier);
    const item = items[1]!;
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.sell.line(item.sku).getByTestId('line-edit').click();
    await t.page.getByTestId('line-editor').locator('[data-percent="30"]').click();
    await t.page.getByTestId('line-apply').click();
    await t.login.approve(manager.code, demoPin(manager.code));
    await expect
      .poll(async () => fen(await t.sell.line(item.sku).getByTestId('line-total').textContent()))
      .toBe((item.price_fen * 70) / 100); // whole-yuan prices: 30% off is whole fen
  });

  it('refuses a mobile payment offline with a clear message, then takes a split tender: card and cash', async () => {
    await t.openTill(cashier);
    const item = items[1]!;
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    const due = fen(await t.sell.due.textContent());
    expect(due).toBe(item.price_fen);
    // A WeChat Pay code (prefix 10–15, 18 digits); the host runs without HQ, so the terminal is offline.
    await t.sell.payMobile('134567890123456789');
    await expect.poll(() => t.sell.tender.getByTestId('message').textContent()).toMatch(/离线/);
    expect(await t.sell.tender.getByTestId('tender-row').count()).toBe(0);

    await t.sell.payCard('50', 'POS-000123');
    await t.sell.tenderRow('card').waitFor();
    expect(fen(await t.page.getByTestId('tender-due').textContent())).toBe(due - 5_000);
    // The rest in cash, exactly: the sale completes by itself.
    await t.page.getByTestId('tender-tab-cash').click();
    await t.page.locator(`[data-testid="tender-quick"] [data-fen="${due - 5_000}"]`).click();
    await t.page.getByTestId('tender-submit').click();
    await t.sell.done.waitFor();
    expect(fen(await t.sell.change.textContent())).toBe(0);
    expect(await t.sell.done.textContent()).toContain('¥50.00');
  });

  it('parks a cart and brings it back', async () => {
    await t.openTill(cashier);
    const item = items[2]!;
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.page.getByTestId('park').click();
    await t.page.getByTestId('cart-empty').waitFor();
    await t.page.getByTestId('parked').click();
    await t.page.getByTestId('parked-cart').first().click();
    await t.sell.line(item.sku).waitFor();
    expect(await t.sell.lines.count()).toBe(1);
    await t.page.getByTestId('clear-cart').click();
    await t.page.getByTestId('cart-empty').waitFor();
  });

  it('takes a return without a receipt only with a manager’s approval, refunded in cash', async () => {
    await t.openTill(cashier);
    await t.login.openTab('returns');
    const item = items[2]!;
    await t.page.getByTestId('no-receipt-sku').fill(item.sku);
    await t.page.getByTestId('no-receipt-submit').click();
    expect(await t.page.getByTestId('approval-action').textContent()).toContain('无小票退货');
    await t.login.approve(manager.code, demoPin(manager.code));
    const returns = new ReturnsPage(t.page);
    await expect.poll(async () => fen(await returns.refundTotal.textContent())).toBe(item.price_fen);
    await returns.complete.click();
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(item.price_fen);
  });

  it('lists today’s sales, finds one by receipt number and reprints it', async () => {
    await t.openTill(cashier);
    const sale = await sellThreeWithMemberAndCoupon();
    await t.page.getByTestId('next-customer').click();
    const item = items[2]!;
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.sell.payCash(yuanText(item.price_fen));
    await t.sell.done.waitFor();

    await t.login.openTab('history');
    await t.page.getByTestId('history-row').first().waitFor();
    // This till's two sales.
    await expect.poll(() => t.page.getByTestId('history-row').count()).toBe(2);
    await t.page.getByTestId('history-search').fill(sale.receiptNo);
    await t.page.getByTestId('history-find').click();
    const detail = t.page.getByTestId('history-sale-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-receipt-no')).toBe(sale.receiptNo);
    expect(await detail.getByTestId('history-line').count()).toBe(3);
    await expect.poll(() => printedReceipts().length).toBe(2);
    await t.page.getByTestId('reprint').click();
    await expect.poll(() => t.page.getByTestId('message').textContent()).toContain(sale.receiptNo);
    // Printed once more, marked as a copy.
    await expect.poll(() => printedReceipts().length).toBe(3);
    expect(printedReceipts().at(-1)).toContain('重印');
    expect(printedReceipts().at(-1)).toContain(sale.receiptNo);
  });

  it('closes the day with a blind count and shows the variance per tender', async () => {
    await t.openTill(cashier, '500');
    await t.login.openTab('cashup');
    await t.cashup.paidIn('50', '零钱补充');
    await expect.poll(() => t.cashup.message.textContent()).toContain('存入');
    await t.login.openTab('sell');
    // One sale in cash, one on the card terminal.
    const [cashItem, cardItem] = [items[0]!, items[1]!];
    await t.sell.scan(cashItem.ean, 5);
    await t.sell.line(cashItem.sku).waitFor();
    await t.sell.payCash(yuanText(cashItem.price_fen));
    await t.sell.done.waitFor();
    await t.page.getByTestId('next-customer').click();
    await t.sell.scan(cardItem.ean, 5);
    await t.sell.line(cardItem.sku).waitFor();
    await t.sell.payCard(yuanText(cardItem.price_fen), 'POS-000124');
    await t.sell.done.waitFor();

    await t.login.openTab('cashup');
    await t.cashup.open.waitFor();
    const expectedCash = 50_000 + 5_000 + cashItem.price_fen;
    const short = 1_000; // the cash count comes out ¥10 short; the card total matches
    await t.cashup.closeDay({ cash: yuanText(expectedCash - short), card: yuanText(cardItem.price_fen) }, true);
    expect(fen(await t.cashup.tenderRow('cash').getByTestId('report-variance').textContent())).toBe(-short);
    expect(fen(await t.cashup.tenderRow('card').getByTestId('report-variance').textContent())).toBe(0);
    // The next day can be opened beside the report (waited for: it may render after the report's rows).
    await t.cashup.closed.waitFor();
    await shot(t.page, 'z-report.png');
  });
});

/** What the host's virtual ESC/POS printer decoded, receipt by receipt, in print order. */
function printedReceipts(): string[] {
  const dir = join(t.host.dataDir, 'virtual-printer');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'));
}
