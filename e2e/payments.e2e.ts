import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoPin, generateCheckoutSample } from '../fixtures/checkout-sample.js';
import { generateSampleData } from '../fixtures/generate.js';
import { startChaosProxy } from '../sync/testing/chaos-proxy.js';
import type { ChaosProxy } from '../sync/testing/chaos-proxy.js';
import { launchBrowser } from './support/browser.js';
import { gatewayCalls } from './support/gateway-log.js';
import { startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { plainItems, staffOf, yuanText } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { ReturnsPage } from './pages/returns-page.js';
import { SellPage } from './pages/sell-page.js';
import { SyncPage } from './pages/sync-page.js';
import { failureShot, shot } from './support/shots.js';

// Mobile payments need HQ (a device is online only when HQ answers), so one HQ serves the file;
// each test enrols a device of its own with a fresh code, through a proxy of its own it can cut.
// The host's sandbox gateway writes down every call; the tests check references and amounts there.
const HQ_SAMPLE = { skus: 2000, customers: 500 };
const fen = SellPage.fen;
const data = generateSampleData(HQ_SAMPLE);
const store = data.locations.find((l) => l.code === 'S001')!;
const cashier = staffOf('cashier', data, store.id);
const manager = staffOf('manager', data, store.id);
const [first, second] = ((items) => [items[0]!, items[1]!])(plainItems(2, data, generateCheckoutSample(data, store.id).promotions));
// A WeChat Pay payment code (prefix 10–15, 18 digits); the sandbox declines codes ending in 0000.
const WECHAT = '134567890123456789';
const WECHAT_BROKE = '134567890123450000';

let hq: HqProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let proxy: ChaosProxy;
let t: Terminal;

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...HQ_SAMPLE, lifetimeS: 900 }), launchBrowser()]);
}, 180_000);
beforeEach(async () => {
  const upstream = new URL(hq.url);
  proxy = await startChaosProxy({ upstream: { host: upstream.hostname, port: Number(upstream.port) } });
  t = await openTerminal(browser.context, { hqUrl: proxy.url, enrolCode: await hq.enrol(store.id) });
}, 180_000);
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(t?.page, 'failed-payments', ctx.task.name);
  await t?.close();
  await proxy?.close();
});
afterAll(async () => {
  await browser?.close();
  await hq?.stop();
  hq?.cleanup();
});

async function scanItem(item: typeof first): Promise<void> {
  await t.sell.scan(item.ean, 5);
  await t.sell.line(item.sku).waitFor();
}
/** Sells `item` for its full price on one WeChat Pay code; returns the receipt number and the gateway's reference. */
async function sellOnWechat(item: typeof first): Promise<{ receiptNo: string; providerRef: string }> {
  await scanItem(item);
  await t.sell.payMobile(WECHAT);
  await t.sell.done.waitFor();
  const receiptNo = (await t.sell.receiptSlot.getAttribute('data-receipt-no'))!;
  const [charge] = gatewayCalls(t.host.dataDir);
  if (charge?.op !== 'charge' || !charge.result.ok) throw new Error(`no approved charge: ${JSON.stringify(charge)}`);
  await t.page.getByTestId('next-customer').click();
  return { receiptNo, providerRef: charge.result.providerRef };
}

describe('mobile payments through the gateway: declines, voids and refunds', () => {
  it('adds no payment for a declined code, then charges the next code exactly what is due', async () => {
    await t.openTill(cashier);
    await scanItem(first);
    await t.sell.payMobile(WECHAT_BROKE);
    await expect.poll(() => t.sell.tender.getByTestId('message').textContent()).toContain('支付被拒绝');
    expect(await t.sell.tender.getByTestId('tender-row').count()).toBe(0);
    expect(fen(await t.page.getByTestId('tender-due').textContent())).toBe(first.price_fen);
    await shot(t.page, 'payment-declined.png');

    await t.page.getByTestId('tender-paycode').fill(WECHAT);
    await t.page.getByTestId('tender-submit').click();
    await t.sell.done.waitFor();
    const calls = gatewayCalls(t.host.dataDir);
    expect(calls).toEqual([
      expect.objectContaining({
        op: 'charge',
        method: 'wechat',
        code: WECHAT_BROKE,
        amountFen: first.price_fen,
        result: { ok: false, reason: expect.any(String) },
      }),
      expect.objectContaining({
        op: 'charge',
        method: 'wechat',
        code: WECHAT,
        amountFen: first.price_fen,
        result: { ok: true, providerRef: expect.any(String) },
      }),
    ]);
    // Two attempts, two request ids: the declined one is never retried under the paid one's key.
    expect(calls[0]!.requestId).not.toBe(calls[1]!.requestId);
  });

  it('voids a mobile payment with a manager’s approval: the gateway refunds that charge, same reference, same amount', async () => {
    await t.openTill(cashier);
    await scanItem(second);
    const part = 5_000;
    await t.sell.payMobile(WECHAT, yuanText(part));
    await t.sell.tenderRow('wechat').waitFor();
    expect(fen(await t.page.getByTestId('tender-due').textContent())).toBe(second.price_fen - part);
    const [charge] = gatewayCalls(t.host.dataDir);
    if (charge?.op !== 'charge' || !charge.result.ok) throw new Error(`no approved charge: ${JSON.stringify(charge)}`);
    expect(charge.amountFen).toBe(part);
    expect(await t.sell.tenderRow('wechat').textContent()).toContain(charge.result.providerRef);

    await t.sell.tenderRow('wechat').getByTestId('tender-remove').click();
    expect(await t.page.getByTestId('approval-action').textContent()).toContain('撤销已完成的移动支付');
    await t.login.approve(manager.code, demoPin(manager.code));
    await t.sell.tenderRow('wechat').waitFor({ state: 'detached' });
    expect(fen(await t.page.getByTestId('tender-due').textContent())).toBe(second.price_fen);
    await shot(t.page, 'payment-voided.png');
    expect(gatewayCalls(t.host.dataDir)).toEqual([
      charge,
      {
        op: 'refund',
        method: 'wechat',
        requestId: `${charge.requestId}-void`,
        providerRef: charge.result.providerRef,
        amountFen: part,
        result: { ok: true, providerRef: expect.any(String) },
      },
    ]);
    // The customer pays in cash instead; nothing more goes through the gateway.
    await t.page.getByTestId('tender-tab-cash').click();
    await t.page.locator(`[data-testid="tender-quick"] [data-fen="${second.price_fen}"]`).click();
    await t.page.getByTestId('tender-submit').click();
    await t.sell.done.waitFor();
    expect(gatewayCalls(t.host.dataDir)).toHaveLength(2);
  });

  it('refunds a returned item to the WeChat Pay charge it was paid with: that reference, exactly its price', async () => {
    await t.openTill(cashier);
    const sale = await sellOnWechat(first);
    await t.login.openTab('returns');
    const returns = new ReturnsPage(t.page);
    await returns.find(sale.receiptNo);
    await returns.start();
    await returns.returnUnits(first.sku, 1);
    await expect.poll(async () => fen(await returns.refundTotal.textContent())).toBe(first.price_fen);
    expect(await t.page.locator('[data-testid="refund-method"][data-method="wechat"]').count()).toBe(1);
    await returns.complete.click();
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(first.price_fen);
    await shot(t.page, 'refund-wechat.png');
    const calls = gatewayCalls(t.host.dataDir);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({
      op: 'refund',
      method: 'wechat',
      requestId: expect.any(String),
      providerRef: sale.providerRef,
      amountFen: first.price_fen,
      result: { ok: true, providerRef: expect.any(String) },
    });
  });

  it('offline, refuses a refund to WeChat Pay and, with a manager’s approval, pays it in cash without calling the gateway', async () => {
    await t.openTill(cashier);
    const sale = await sellOnWechat(second);
    // HQ (and so the gateway) out of reach: the cashier sees it on the sync screen.
    await proxy.close();
    const sync = new SyncPage(t.page);
    await sync.open();
    await sync.syncNow.click();
    await t.page.locator('[data-testid="sync-pill"][data-hq="offline"]').waitFor({ timeout: 60_000 });

    await t.login.openTab('returns');
    const returns = new ReturnsPage(t.page);
    await returns.find(sale.receiptNo);
    await returns.start();
    await returns.returnUnits(second.sku, 1);
    await expect.poll(async () => fen(await returns.refundTotal.textContent())).toBe(second.price_fen);
    await returns.complete.click();
    await expect.poll(() => returns.message.textContent()).toContain('网络离线');
    expect(await returns.done.count()).toBe(0);
    await shot(t.page, 'refund-offline.png');

    await t.page.getByTestId('return-cash-instead').click();
    await t.login.approve(manager.code, demoPin(manager.code));
    await returns.done.waitFor();
    expect(fen(await returns.refund.textContent())).toBe(second.price_fen);
    // Only the sale's charge ever reached the gateway.
    expect(gatewayCalls(t.host.dataDir).map((c) => c.op)).toEqual(['charge']);
  });
});
