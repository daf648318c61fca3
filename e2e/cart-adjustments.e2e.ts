import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPin } from '../fixtures/checkout-sample.js';
import { launchBrowser } from './support/browser.js';
import { anyoneCoupon, cashier, manager, member, plainItems, yuanText } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { ReturnsPage } from './pages/returns-page.js';
import { SellPage } from './pages/sell-page.js';
import { failureShot, shot } from './support/shots.js';

// What a cashier changes in a cart before it is paid: points, a coupon or the member taken off
// again, a price override, and an exchange. Each test has a till of its own.
const fen = SellPage.fen;
const [cheap, dear] = ((items) => [items[0]!, items[1]!])(plainItems(2).sort((a, b) => a.price_fen - b.price_fen));

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let t: Terminal;

beforeAll(async () => {
  browser = await launchBrowser();
});
beforeEach(async () => {
  t = await openTerminal(browser.context);
});
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(t?.page, 'failed-cart', ctx.task.name);
  await t?.close();
});
afterAll(async () => {
  await browser?.close();
});

async function scanItem(item: typeof cheap): Promise<void> {
  await t.sell.scan(item.ean, 5);
  await t.sell.line(item.sku).waitFor();
}
const due = async () => fen(await t.sell.due.textContent());

describe('changing a cart before it is paid', () => {
  it('redeems a member’s points: 100 points take ¥1 off, and the sale is paid for the rest', async () => {
    expect(member.points).toBeGreaterThanOrEqual(1_000);
    await t.openTill(cashier);
    await scanItem(cheap);
    await t.sell.findMember(member.phone);
    expect(Number((await t.page.getByTestId('member-points').textContent())?.replace(/,/g, ''))).toBe(member.points);
    await t.page.getByTestId('points-input').fill('1000');
    await t.page.getByTestId('points-apply').click();
    await expect.poll(async () => fen(await t.page.getByTestId('total-points').textContent())).toBe(-1_000);
    expect(await t.page.getByTestId('points-redeemed').textContent()).toContain('¥10.00');
    expect(await due()).toBe(cheap.price_fen - 1_000);
    await shot(t.page, 'cart-points.png');

    await t.sell.payCash(yuanText(cheap.price_fen - 1_000));
    await t.sell.done.waitFor();
    expect(fen(await t.sell.change.textContent())).toBe(0);
  });

  it('takes a coupon off again: the price goes back to the list price', async () => {
    await t.openTill(cashier);
    await scanItem(dear);
    await t.sell.applyCoupon(anyoneCoupon.code);
    const applied = t.page.locator(`[data-testid="applied-coupon"][data-code="${anyoneCoupon.code}"]`);
    await applied.waitFor();
    await expect.poll(due).toBe(dear.price_fen - anyoneCoupon.value_fen);

    await applied.getByTestId('coupon-remove').click();
    await applied.waitFor({ state: 'detached' });
    await expect.poll(due).toBe(dear.price_fen);
    expect(await t.page.getByTestId('total-coupons').count()).toBe(0);
    await shot(t.page, 'cart-coupon-removed.png');
    // Taken off, it can be used again: applying it once more works.
    await t.sell.applyCoupon(anyoneCoupon.code);
    await expect.poll(due).toBe(dear.price_fen - anyoneCoupon.value_fen);
  });

  it('takes the member off the cart, and the points they redeemed with them', async () => {
    await t.openTill(cashier);
    await scanItem(dear);
    await t.sell.findMember(member.phone);
    await t.page.getByTestId('points-input').fill('500');
    await t.page.getByTestId('points-apply').click();
    await expect.poll(due).toBe(dear.price_fen - 500);

    await t.page.getByTestId('member-remove').click();
    await t.sell.memberPanel.waitFor({ state: 'detached' });
    await t.sell.memberSearch.waitFor();
    await expect.poll(due).toBe(dear.price_fen);
    expect(await t.page.getByTestId('total-points').count()).toBe(0);
    expect(await t.page.getByTestId('points-input').count()).toBe(0);
    await shot(t.page, 'cart-member-removed.png');
    // The sale goes through without a member.
    await t.sell.payCash(yuanText(dear.price_fen));
    await t.sell.done.waitFor();
    expect(fen(await t.sell.change.textContent())).toBe(0);
  });

  it('overrides a price only with a manager’s approval, and sells at that price', async () => {
    await t.openTill(cashier);
    await scanItem(dear);
    const newUnit = dear.price_fen / 2 - 1; // well below the cashier’s limit
    await t.sell.line(dear.sku).getByTestId('line-edit').click();
    await t.page.getByTestId('line-mode-price').click();
    await t.page.getByTestId('line-reason').fill('样品瑕疵');
    const keypad = t.page.getByTestId('line-keypad');
    for (const key of yuanText(newUnit)) await keypad.locator(`[data-key="${key}"]`).click();
    expect(fen(await t.page.getByTestId('line-value').textContent())).toBe(newUnit);
    await t.page.getByTestId('line-apply').click();
    expect(await t.page.getByTestId('approval-action').textContent()).toContain('改价需要店长授权');
    await t.login.approve(manager.code, demoPin(manager.code));
    await expect.poll(async () => fen(await t.sell.line(dear.sku).getByTestId('line-total').textContent())).toBe(newUnit);
    expect(await due()).toBe(newUnit);
    await shot(t.page, 'cart-price-override.png');

    await t.sell.payCash(yuanText(newUnit));
    await t.sell.done.waitFor();
    expect(fen(await t.sell.change.textContent())).toBe(0);
  });

  it('exchanges an item for a dearer one: the customer pays exactly the difference', async () => {
    await t.openTill(cashier);
    await scanItem(cheap);
    await t.sell.payCash(yuanText(cheap.price_fen));
    await t.sell.done.waitFor();
    const receiptNo = (await t.sell.receiptSlot.getAttribute('data-receipt-no'))!;
    await t.page.getByTestId('next-customer').click();

    await t.login.openTab('returns');
    const returns = new ReturnsPage(t.page);
    await returns.find(receiptNo);
    await returns.start();
    await returns.returnUnits(cheap.sku, 1);
    await expect.poll(async () => fen(await returns.refundTotal.textContent())).toBe(cheap.price_fen);

    await t.login.openTab('sell');
    await t.page.locator(`[data-testid="cart-return-line"][data-sku="${cheap.sku}"]`).waitFor();
    await scanItem(dear);
    await expect.poll(due).toBe(dear.price_fen - cheap.price_fen);
    await shot(t.page, 'cart-exchange.png');
    await t.sell.payCash(yuanText(dear.price_fen - cheap.price_fen));
    await t.sell.done.waitFor();
    expect(await t.sell.done.locator('h2').textContent()).toBe('换货完成');
    expect(fen(await t.sell.change.textContent())).toBe(0);
  });
});
