import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { yuan } from '../sync/protocol/money.js';
import type { SettlementConflictList } from '../sync/protocol/finance.js';
import { openHqDb } from '../sync/hq/db.js';
import { ConsolePage } from './pages/console-page.js';
import { launchBrowser } from './support/browser.js';
import { E2E_ADMIN, restartHqProcess, startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { failureShot, shot } from './support/shots.js';

// Finance opens HQ's console in Chromium, signs in with the HQ admin account, finds the settlement
// conflicts HQ flagged and resolves one in writing. The built HQ serves the built console
// (dist/console, `npm run build`). The conflicts are written into HQ's database while it is
// stopped, as the projector writes them when a till's sale spent a coupon or points already spent.

const SAMPLE = { skus: 100, customers: 20 };
/** Receipt numbers as the tills print them (sync/protocol/receipt-number.ts). */
const COUPON = {
  receiptNo: 'S001-K7Q2-261207-0042',
  atRiskFen: 128_050,
  detail: 'coupon CPN-SPRING-500 was already used at S001-M3X9-261206-0017',
};
const POINTS = { receiptNo: 'S002-P4T8-261207-0108', atRiskFen: 1_500, detail: '1500 points spent while offline; the customer had 0 left' };
const SMALL = {
  receiptNo: 'S001-K7Q2-261207-0051',
  atRiskFen: 3_300,
  detail: 'coupon CPN-VIP-33 was already used at S003-A1B2-261205-0003',
};
const DONE = { receiptNo: 'S001-K7Q2-261201-0007', atRiskFen: 5_000, detail: 'coupon CPN-OLD-50 was already used' };
const RESOLUTION = '券已由门店承担，成本记入 S001 十二月费用';

let hq: HqProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page | undefined;
let stores: [string, string];

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...SAMPLE, lifetimeS: 600 }), launchBrowser()]);
  await hq.stop();
  const db = await openHqDb({ pgliteDir: join(hq.dataDir, 'pglite') });
  try {
    const found = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' ORDER BY code LIMIT 2`);
    stores = [found[0]!.id, found[1]!.id];
    const conflict = async (
      c: typeof COUPON,
      store: string,
      hoursAgo: number,
      spent: { coupons: string[]; points: number; offline: boolean },
      resolved = false,
    ) =>
      db.query(
        `INSERT INTO settlement_conflict (event_id, sale_id, receipt_no, store_id, device_id, customer_id, coupons, points, at_risk_fen, detail, offline, created_at, resolved_at, resolved_by, resolution)
         VALUES (gen_random_uuid(), $1, $1, $2, gen_random_uuid(), 'cus-00001', $3, $4, $5, $6, $7, now() - make_interval(hours => $8),
                 CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN 'finance' END, CASE WHEN $9 THEN 'written off' END)`,
        [c.receiptNo, store, spent.coupons, spent.points, c.atRiskFen, c.detail, spent.offline, hoursAgo, resolved],
      );
    await conflict(COUPON, stores[0], 3, { coupons: ['CPN-SPRING-500'], points: 0, offline: false });
    await conflict(POINTS, stores[1], 2, { coupons: [], points: 1500, offline: true });
    await conflict(SMALL, stores[0], 1, { coupons: ['CPN-VIP-33'], points: 0, offline: false });
    await conflict(DONE, stores[0], 30, { coupons: ['CPN-OLD-50'], points: 0, offline: false }, true);
  } finally {
    await db.close();
  }
  hq = await restartHqProcess(hq, { ...SAMPLE, lifetimeS: 600 });
}, 240_000);
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(page, 'failed-console', ctx.task.name);
});
afterAll(async () => {
  await browser?.close();
  await hq?.stop();
  hq?.cleanup();
});

describe('the finance console, served by HQ, in Chromium', () => {
  it('signs finance in, lists the open conflicts in yuan, filters by store and resolves one in writing', async () => {
    page = await browser.context.newPage();
    const csp: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) csp.push(message.text());
    });
    const served = await page.goto(`${hq.url}/console/`);
    expect(served?.status()).toBe(200);
    expect(served?.headers()['content-security-policy']).toContain("script-src 'self'");
    const finance = new ConsolePage(page);

    // A wrong password: told so, still on the sign-in form.
    await finance.login(E2E_ADMIN.name, 'not-the-password');
    await expect.poll(() => finance.alert.innerText()).toBe('账号或密码错误。');
    await finance.login(E2E_ADMIN.name, E2E_ADMIN.password);

    // Open conflicts, newest first, each with its store, receipt no, detail, and the amount at risk in yuan.
    const open = await finance.listed();
    expect(open.map((cells) => cells[2])).toEqual([SMALL.receiptNo, POINTS.receiptNo, COUPON.receiptNo]);
    expect(open[2]).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
      stores[0],
      COUPON.receiptNo,
      `${COUPON.detail}\n优惠券 CPN-SPRING-500`,
      '￥1,280.50',
      '处理',
    ]);
    expect(open.map((cells) => cells[4])).toEqual([yuan(SMALL.atRiskFen), yuan(POINTS.atRiskFen), yuan(COUPON.atRiskFen)]);
    expect(open[1]?.[3]).toContain('积分 1500 · 离线核销');
    // Amounts line up on the right, in figures of one width.
    const amountCell = finance.row(COUPON.receiptNo).locator('td.num');
    expect(await amountCell.evaluate((td) => [getComputedStyle(td).textAlign, getComputedStyle(td).fontVariantNumeric])).toEqual([
      'right',
      'tabular-nums',
    ]);

    // One store's conflicts; then every store's again.
    await finance.store.selectOption(stores[1]);
    expect((await finance.listed()).map((cells) => cells[2])).toEqual([POINTS.receiptNo]);
    await finance.store.selectOption('');
    expect(await finance.listed()).toHaveLength(3);

    // Resolved in writing: the row says how, by whom and when, and HQ has it so.
    await finance.resolve(COUPON.receiptNo, RESOLUTION);
    const resolvedCell = finance.row(COUPON.receiptNo).locator('td.status');
    await expect
      .poll(() => resolvedCell.innerText())
      .toMatch(new RegExp(`^${RESOLUTION}\\nadmin 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 处理$`));
    const all = await hq.admin<SettlementConflictList>('GET', '/admin/v1/settlement-conflicts?open=false');
    expect(all.conflicts.find((c) => c.receiptNo === COUPON.receiptNo)).toMatchObject({ resolvedBy: 'admin', resolution: RESOLUTION });
    const stillOpen = await hq.admin<SettlementConflictList>('GET', '/admin/v1/settlement-conflicts');
    expect(stillOpen.conflicts.map((c) => c.receiptNo)).toEqual([SMALL.receiptNo, POINTS.receiptNo]);
    await shot(page, 'finance-console.png');

    // The token lives in this tab's sessionStorage only: a reload keeps finance signed in, and the
    // open list no longer has the resolved row; every row, resolved ones too, on request.
    expect(await page.evaluate(() => [localStorage.length, Object.keys(sessionStorage)])).toEqual([
      0,
      expect.arrayContaining(['shopfloor.console.session']),
    ]);
    await page.reload();
    expect((await finance.listed()).map((cells) => cells[2])).toEqual([SMALL.receiptNo, POINTS.receiptNo]);
    await finance.openOnly.uncheck();
    const everything = await finance.listed();
    expect(everything.map((cells) => cells[2])).toEqual([SMALL.receiptNo, POINTS.receiptNo, COUPON.receiptNo, DONE.receiptNo]);
    expect(everything[3]?.[5]).toMatch(/^written off\nfinance 于 /);

    // English labels on request.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('tab', { name: 'Settlement conflicts' }).waitFor();
    expect(await page.locator('table.items thead').textContent()).toContain('At risk');

    // The other list: refunds that did not go back the way the money came (none here).
    await page.getByRole('tab', { name: 'Refund exceptions' }).click();
    await finance.openOnly.check();
    expect(await finance.listed()).toEqual([]);
    await page.getByText('Nothing open.').waitFor();

    // Signing out forgets the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await finance.name.waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('shopfloor.console.session'))).toBeNull();
    expect(csp).toEqual([]);
  });
});
