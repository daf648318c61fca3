import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPin } from '../fixtures/checkout-sample.js';
import { launchBrowser } from './support/browser.js';
import { cashier, manager, plainItems, yuanText } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { SellPage } from './pages/sell-page.js';
import { failureShot, shot } from './support/shots.js';

// The drawer's own flows: paid-out, no-sale and the X report. Each test opens its own till on a
// host of its own, so the figures it asserts are only what it did.
const fen = SellPage.fen;
const item = plainItems(1)[0]!;

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
  if (ctx.task.result?.state === 'fail') await failureShot(t?.page, 'failed-drawer', ctx.task.name);
  await t?.close();
});
afterAll(async () => {
  await browser?.close();
});

/** The X report's figure `testId` or the row labelled `label`, as fen. */
async function xFigure(label: string): Promise<number> {
  const row = t.page.getByTestId('report-x').locator('.co-fact', { hasText: label });
  return fen(await row.locator('dd').textContent());
}
async function expectedCash(): Promise<number> {
  return fen(await t.cashup.tenderRow('cash').locator('td').nth(1).textContent());
}

describe('the cash drawer: paid-out, no-sale, X report', () => {
  it('takes a paid-out only with a manager’s approval and shows it in the X report', async () => {
    await t.openTill(cashier, '500');
    await t.login.openTab('cashup');
    await t.page.getByTestId('movement-amount').fill('30.50');
    await t.page.getByTestId('movement-reason').fill('快递费');
    await t.page.getByTestId('paid-out').click();
    // A cashier may not take cash out alone.
    expect(await t.page.getByTestId('approval-action').textContent()).toContain('取出现金');
    await t.login.approve(manager.code, demoPin(manager.code));
    await expect.poll(() => t.cashup.message.textContent()).toContain('已记录取出现金');

    await t.page.getByTestId('x-report').click();
    await t.login.approve(manager.code, demoPin(manager.code));
    await t.page.getByTestId('report-x').waitFor();
    expect(await xFigure('取出')).toBe(3_050);
    expect(await xFigure('备用金')).toBe(50_000);
    expect(await expectedCash()).toBe(50_000 - 3_050);
    const movements = t.page.getByTestId('report-x').locator('.co-movements li');
    expect(await movements.count()).toBe(1);
    expect(await movements.first().textContent()).toContain('快递费');
    await shot(t.page, 'drawer-paid-out-x-report.png');
  });

  it('records a no-sale with a reason, says the drawer did not open where none is set up, and lists it in the X report without money', async () => {
    await t.openTill(manager, '300');
    await t.login.openTab('cashup');
    // No reason, no drawer.
    expect(await t.page.getByTestId('no-sale').isDisabled()).toBe(true);
    await t.page.getByTestId('movement-reason').fill('顾客换零钱');
    await t.page.getByTestId('no-sale').click();
    // This host has no drawer set up: the no-sale is recorded, and the screen says the drawer did
    // not open (it used to say it had), as a warning that stays.
    await expect.poll(() => t.cashup.message.textContent()).toContain('已记录开钱箱');
    expect(await t.cashup.message.textContent()).toContain('钱箱未能打开');
    expect(await t.cashup.message.getAttribute('data-tone')).toBe('error');

    // A manager sees the expected figures without a second approval.
    await t.page.getByTestId('x-report').click();
    await t.page.getByTestId('report-x').waitFor();
    const movements = t.page.getByTestId('report-x').locator('.co-movements li');
    expect(await movements.count()).toBe(1);
    expect(await movements.first().textContent()).toContain('开钱箱');
    expect(await movements.first().textContent()).toContain('顾客换零钱');
    expect(await movements.first().locator('.co-money').textContent()).toBe('');
    expect(await expectedCash()).toBe(30_000);
    expect(await xFigure('取出')).toBe(0);
    await shot(t.page, 'drawer-no-sale.png');
  });

  it('shows a cash sale in the X report and leaves the day open', async () => {
    await t.openTill(cashier, '200');
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.sell.payCash(yuanText(item.price_fen));
    await t.sell.done.waitFor();

    await t.login.openTab('cashup');
    await t.page.getByTestId('x-report').click();
    await t.login.approve(manager.code, demoPin(manager.code));
    await t.page.getByTestId('report-x').waitFor();
    expect(await t.page.getByTestId('report-sales').textContent()).toContain('1 笔');
    expect(fen(await t.page.getByTestId('report-sales').locator('dd').textContent())).toBe(item.price_fen);
    expect(await expectedCash()).toBe(20_000 + item.price_fen);
    // An X report does not close the day: the till is still open.
    expect(await t.cashup.open.isVisible()).toBe(true);
    expect(await t.cashup.closed.count()).toBe(0);
    await shot(t.page, 'drawer-x-report-sale.png');
  });
});
