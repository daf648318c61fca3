import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { yuan } from '../sync/protocol/money.js';
import type { RefundExceptionList, SettlementConflictList, StoreList, StoreSummary } from '../sync/protocol/finance.js';
import { setAdminPassword } from '../sync/hq/admin/admin-users.js';
import { openHqDb } from '../sync/hq/db.js';
import { ConsolePage } from './pages/console-page.js';
import { launchBrowser } from './support/browser.js';
import { E2E_ADMIN, restartHqProcess, startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { pushCashRefundForCard } from './support/refund-seed.js';
import type { CashForCard } from './support/refund-seed.js';
import { failureShot, shot } from './support/shots.js';

// Finance opens HQ's console in Chromium, signs in with the HQ admin account, finds the settlement
// conflicts HQ flagged and resolves one in writing, and a refund paid in cash for a card sale. The
// built HQ serves the built console (dist/console, `npm run build`). The conflicts are written into
// HQ's database while it is stopped, as the projector writes them when a till's sale spent a coupon
// or points already spent; the refund is a till's sale and return pushed and projected as HQ does.
// The browser reads the page from London; the stores' receipts are in China's time (Asia/Shanghai).

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
/** When HQ flagged each (UTC) and what the store's clock said then (Asia/Shanghai, UTC+8). */
const AT = {
  COUPON: ['2026-12-07T02:15:00Z', '2026-12-07 10:15'],
  POINTS: ['2026-12-07T03:40:00Z', '2026-12-07 11:40'],
  SMALL: ['2026-12-07T05:05:00Z', '2026-12-07 13:05'],
  DONE: ['2026-12-01T03:00:00Z', '2026-12-01 11:00'],
} as const;
/** DONE was resolved on 2 December at 17:30 in the store's time. */
const DONE_RESOLVED = ['2026-12-02T09:30:00Z', '2026-12-02 17:30'] as const;
const RESOLUTION = '券已由门店承担，成本记入 S001 十二月费用';
/** A second finance admin, who resolves a row while the first is still writing. */
const OTHER_ADMIN = { name: 'finance-2', password: 'another long e2e password' };
const OTHER_RESOLUTION = '积分券已核实，计入营销费用';
const REFUND_RESOLUTION = 'Card terminal was down; cash refund checked against the drawer count';
const STORE_TIME = '门店时间 GMT+8';

let hq: HqProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page | undefined;
let stores: [string, string];
let refund: CashForCard;

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...SAMPLE, lifetimeS: 600 }), launchBrowser({ timezoneId: 'Europe/London' })]);
  await hq.stop();
  const db = await openHqDb({ pgliteDir: join(hq.dataDir, 'pglite') });
  try {
    const found = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' ORDER BY code LIMIT 2`);
    stores = [found[0]!.id, found[1]!.id];
    const conflict = async (
      c: typeof COUPON,
      store: string,
      at: string,
      spent: { coupons: string[]; points: number; offline: boolean },
      resolvedAt: string | null = null,
    ) =>
      db.query(
        `INSERT INTO settlement_conflict (event_id, sale_id, receipt_no, store_id, device_id, customer_id, coupons, points, at_risk_fen, detail, offline, created_at, resolved_at, resolved_by, resolution)
         VALUES (gen_random_uuid(), $1, $1, $2, gen_random_uuid(), 'cus-00001', $3, $4, $5, $6, $7, $8,
                 $9, CASE WHEN $9::timestamptz IS NOT NULL THEN 'finance' END, CASE WHEN $9::timestamptz IS NOT NULL THEN 'written off' END)`,
        [c.receiptNo, store, spent.coupons, spent.points, c.atRiskFen, c.detail, spent.offline, at, resolvedAt],
      );
    await conflict(COUPON, stores[0], AT.COUPON[0], { coupons: ['CPN-SPRING-500'], points: 0, offline: false });
    await conflict(POINTS, stores[1], AT.POINTS[0], { coupons: [], points: 1500, offline: true });
    await conflict(SMALL, stores[0], AT.SMALL[0], { coupons: ['CPN-VIP-33'], points: 0, offline: false });
    await conflict(DONE, stores[0], AT.DONE[0], { coupons: ['CPN-OLD-50'], points: 0, offline: false }, DONE_RESOLVED[0]);
    refund = await pushCashRefundForCard(db, stores[1], new Date());
    await setAdminPassword(db, OTHER_ADMIN.name, OTHER_ADMIN.password);
  } finally {
    await db.close();
  }
  hq = await restartHqProcess(hq, { ...SAMPLE, lifetimeS: 600 });
}, 240_000);

/** `OTHER_ADMIN` resolves a settlement conflict through HQ's admin API. */
async function otherAdminResolves(receiptNo: string, resolution: string): Promise<void> {
  const { conflicts } = await hq.admin<SettlementConflictList>('GET', '/admin/v1/settlement-conflicts');
  const id = conflicts.find((c) => c.receiptNo === receiptNo)!.id;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${hq.url}/admin/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const { token } = (await (await post('/login', OTHER_ADMIN)).json()) as { token: string };
  expect((await post(`/settlement-conflicts/${id}/resolve`, { resolution }, token)).status).toBe(200);
}

/** How the console names a store: its name in the page's language and its code. */
const storeName = (s: StoreSummary, language: 'zh' | 'en') => `${s.name[language]}\n${s.code}`;
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(page, 'failed-console', ctx.task.name);
});
afterAll(async () => {
  await browser?.close();
  await hq?.stop();
  hq?.cleanup();
});

describe('the finance console, served by HQ, in Chromium', () => {
  it('signs finance in, lists the open conflicts in yuan at the store’s clock, filters by store, resolves one in writing and a refund exception', async () => {
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

    const { stores: chain } = await hq.admin<StoreList>('GET', '/admin/v1/stores');
    const store = (id: string) => chain.find((s) => s.id === id)!;

    // Open conflicts, newest first, each at the store's own clock, with its store by name and code,
    // receipt no, detail, and the amount at risk in yuan.
    const open = await finance.listed();
    expect(open.map((cells) => cells[2])).toEqual([SMALL.receiptNo, POINTS.receiptNo, COUPON.receiptNo]);
    expect(open[2]).toEqual([
      `${AT.COUPON[1]}\n${STORE_TIME}`,
      storeName(store(stores[0]), 'zh'),
      COUPON.receiptNo,
      `${COUPON.detail}\n优惠券 CPN-SPRING-500`,
      '￥1,280.50',
      '处理',
    ]);
    expect(open.map((cells) => cells[0])).toEqual([AT.SMALL, AT.POINTS, AT.COUPON].map(([, local]) => `${local}\n${STORE_TIME}`));
    expect(open.map((cells) => cells[4])).toEqual([yuan(SMALL.atRiskFen), yuan(POINTS.atRiskFen), yuan(COUPON.atRiskFen)]);
    expect(open[1]?.[3]).toContain('积分 1500 · 离线核销');
    // Amounts line up on the right, in figures of one width.
    const amountCell = finance.row(COUPON.receiptNo).locator('td.num');
    expect(await amountCell.evaluate((td) => [getComputedStyle(td).textAlign, getComputedStyle(td).fontVariantNumeric])).toEqual([
      'right',
      'tabular-nums',
    ]);

    // The filter offers every store of the chain, by name and code, not only those with rows.
    expect(chain.length).toBeGreaterThan(2);
    expect(await finance.storeChoices()).toEqual(['全部门店', ...chain.map((s) => `${s.name.zh}（${s.code}）`)]);
    // One store's conflicts; one with none; then every store's again.
    await finance.store.selectOption(stores[1]);
    expect((await finance.listed()).map((cells) => cells[2])).toEqual([POINTS.receiptNo]);
    await finance.store.selectOption(chain[2]!.id);
    expect(await finance.listed()).toEqual([]);
    await finance.store.selectOption('');
    expect(await finance.listed()).toHaveLength(3);

    // Resolved in writing: the row says how, by whom and when (the store's clock), and HQ has it so.
    await finance.resolve(COUPON.receiptNo, RESOLUTION);
    const resolvedCell = finance.row(COUPON.receiptNo).locator('td.status');
    await expect
      .poll(() => resolvedCell.innerText())
      .toMatch(new RegExp(`^${RESOLUTION}\\nadmin 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} GMT\\+8 处理$`));
    const all = await hq.admin<SettlementConflictList>('GET', '/admin/v1/settlement-conflicts?open=false');
    expect(all.conflicts.find((c) => c.receiptNo === COUPON.receiptNo)).toMatchObject({ resolvedBy: 'admin', resolution: RESOLUTION });
    const stillOpen = await hq.admin<SettlementConflictList>('GET', '/admin/v1/settlement-conflicts');
    expect(stillOpen.conflicts.map((c) => c.receiptNo)).toEqual([SMALL.receiptNo, POINTS.receiptNo]);
    await shot(page, 'finance-console.png');

    // Another admin resolves SMALL while finance is still writing: HQ refuses finance's resolve, the
    // list is read again (the row finance resolved before leaves the open list) and the row shows
    // who resolved it first, when and how.
    await finance.writeResolution(SMALL.receiptNo, RESOLUTION);
    await otherAdminResolves(SMALL.receiptNo, OTHER_RESOLUTION);
    await finance.sendResolution(SMALL.receiptNo);
    await expect.poll(() => finance.notice.innerText()).toBe(`${SMALL.receiptNo} 已由他人先行处理，列表已重新加载。`);
    expect((await finance.listed()).map((cells) => [cells[2], cells[5]])).toEqual([
      [
        SMALL.receiptNo,
        expect.stringMatching(new RegExp(`^${OTHER_RESOLUTION}\\nfinance-2 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} GMT\\+8 处理$`)),
      ],
      [POINTS.receiptNo, '处理'],
    ]);

    // The token lives in this tab's sessionStorage only: a reload keeps finance signed in, and the
    // open list no longer has the resolved rows; every row, resolved ones too, on request.
    expect(await page.evaluate(() => [localStorage.length, Object.keys(sessionStorage)])).toEqual([
      0,
      expect.arrayContaining(['shopfloor.console.session']),
    ]);
    await page.reload();
    expect((await finance.listed()).map((cells) => cells[2])).toEqual([POINTS.receiptNo]);
    await finance.openOnly.uncheck();
    const everything = await finance.listed();
    expect(everything.map((cells) => cells[2])).toEqual([SMALL.receiptNo, POINTS.receiptNo, COUPON.receiptNo, DONE.receiptNo]);
    expect(everything[3]?.slice(0, 1)).toEqual([`${AT.DONE[1]}\n${STORE_TIME}`]);
    expect(everything[3]?.[5]).toBe(`written off\nfinance 于 ${DONE_RESOLVED[1]} GMT+8 处理`);

    // English labels on request.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('tab', { name: 'Settlement conflicts' }).waitFor();
    expect(await page.locator('table.items thead').textContent()).toContain('At risk');

    // The other list: the refund a till paid in cash for a card sale (a manager approved it),
    // refunded and unfunded amounts in yuan; resolved in writing, it leaves HQ's open list.
    await page.getByRole('tab', { name: 'Refund exceptions' }).click();
    await finance.openOnly.check();
    const refunds = await finance.listed();
    expect(refunds).toEqual([
      [
        expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\nstore time, GMT\+8$/),
        storeName(store(stores[1]), 'en'),
        refund.returnReceiptNo,
        `${refund.returnReceiptNo}: ${yuan(refund.refundFen)} paid back by cash instead of card (approved on the till)\n` +
          `refunded by cash instead of card · original receipt ${refund.saleReceiptNo}`,
        yuan(refund.refundFen),
        '￥0.00',
        'Resolve',
      ],
    ]);
    await finance.resolve(refund.returnReceiptNo, REFUND_RESOLUTION);
    await expect
      .poll(() => finance.row(refund.returnReceiptNo).locator('td.status').innerText())
      .toMatch(new RegExp(`^${REFUND_RESOLUTION}\\nby admin at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} GMT\\+8$`));
    expect(await hq.admin<RefundExceptionList>('GET', '/admin/v1/refund-exceptions?open=true')).toEqual({ truncated: false, refunds: [] });
    const [kept] = (await hq.admin<RefundExceptionList>('GET', '/admin/v1/refund-exceptions')).refunds;
    expect(kept).toMatchObject({
      receiptNo: refund.returnReceiptNo,
      amountFen: refund.refundFen,
      resolvedBy: 'admin',
      resolution: REFUND_RESOLUTION,
    });
    await finance.refresh();
    expect(await finance.listed()).toEqual([]);
    await page.getByText('Nothing open.').waitFor();

    // Signing out forgets the token here and ends it at HQ: a copy of it no longer works.
    const token = await page.evaluate(
      () => (JSON.parse(sessionStorage.getItem('shopfloor.console.session') ?? '{}') as { token?: string }).token,
    );
    expect(typeof token).toBe('string');
    expect((await fetch(`${hq.url}/admin/v1/me`, { headers: { authorization: `Bearer ${token as string}` } })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await finance.name.waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('shopfloor.console.session'))).toBeNull();
    await expect
      .poll(async () => (await fetch(`${hq.url}/admin/v1/me`, { headers: { authorization: `Bearer ${token as string}` } })).status)
      .toBe(401);
    expect(csp).toEqual([]);
  });

  it('tells an IT account the lists are finance’s, and shows none of them', async () => {
    // An owner (the `admin` of HQ's first start) makes IT an account of its own.
    await hq.admin('PUT', '/admin/v1/admin-users/it-desk', { role: 'it', password: 'it-desk password' });
    page = await browser.context.newPage();
    await page.goto(`${hq.url}/console/`);
    const it = new ConsolePage(page);
    await it.login('it-desk', 'it-desk password');
    await expect
      .poll(() => it.alert.innerText())
      .toBe('账号 it-desk 的角色是“it”：这些列表仅供财务使用。请退出并用财务账号登录，或请总部所有者为您开通。');
    expect(await it.table.count()).toBe(0);
    await page.getByRole('button', { name: '退出' }).click();
    await it.name.waitFor();
  });
});
