import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoPin } from '../fixtures/checkout-sample.js';
import { generateSampleData } from '../fixtures/generate.js';
import { openHqDb } from '../sync/hq/db.js';
import { startChaosProxy } from '../sync/testing/chaos-proxy.js';
import type { ChaosProxy } from '../sync/testing/chaos-proxy.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import type { HostProcess } from './support/host-process.js';
import { startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { CashupPage } from './pages/cashup-page.js';
import { LoginPage } from './pages/login-page.js';
import { LookupPage } from './pages/lookup-page.js';
import { SellPage } from './pages/sell-page.js';
import { SyncPage } from './pages/sync-page.js';
import { failureShot, shot } from './support/shots.js';

// HQ's sample brand; the host is also given a (bigger) sample seed, which an enrolled device must not use.
const HQ_SAMPLE = { skus: 2000, customers: 500 };
const HOST_SEED = { skus: 3000, customers: 50 };
const fen = SellPage.fen;

const data = generateSampleData(HQ_SAMPLE);
const store = data.locations.find((l) => l.code === 'S001')!;
const cashier = data.staff.find((s) => s.store_id === store.id && s.role === 'cashier' && s.active)!;
const item = data.skus.find((s) => s.active && s.price_fen >= 9_900 && s.price_fen <= 29_900)!;
const priced = data.skus.find((s) => s.active && s.sku !== item.sku && s.style_code !== item.style_code)!;
// In the host's seed, not in HQ's catalog: found only if the device was (wrongly) seeded.
const seedOnly = generateSampleData(HOST_SEED).skus.at(-1)!;

let hq: HqProcess;
let proxy: ChaosProxy;
let host: HostProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let sync: SyncPage;
let receiptNo = '';
let saleNetFen = 0;

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...HQ_SAMPLE, lifetimeS: 600 }), launchBrowser()]);
  // The device reaches HQ through a proxy that holds every chunk for a while, so the provisioning
  // overlay stays up long enough to be seen; the test lets traffic through once it has seen it.
  const upstream = new URL(hq.url);
  proxy = await startChaosProxy({
    upstream: { host: upstream.hostname, port: Number(upstream.port) },
    policy: () => ({ kind: 'delay', ms: 1500 }),
  });
  host = await startHostProcess({ ...HOST_SEED, lifetimeS: 600, hqUrl: proxy.url, enrolCode: hq.enrolCode });
  page = await browser.context.newPage();
  sync = new SyncPage(page);
}, 180_000);
beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await failureShot(page, 'failed-sync', ctx.task.name);
  });
});
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await proxy?.close();
  await hq?.stop();
  hq?.cleanup();
});

describe('HQ sync in Chromium: enrol, provision, sell, live price change', () => {
  it('enrols a fresh device, covers the till with the provisioning overlay, then opens it', async () => {
    expect(host.ready.hq).not.toBe('not_configured');
    await page.goto(host.url);
    await sync.overlay.waitFor({ state: 'visible', timeout: 30_000 });
    // The till is covered: nothing can be sold from a half-provisioned store.
    // (docs/screenshots/sync-provisioning.png, with counts, is from a 60,000-SKU run: this small one finishes in one page.)
    await shot(page, 'sync-provisioning.png');
    expect(await page.getByTestId('provisioning-count').textContent()).toMatch(/正在连接总部|\d+ \/ \d/);
    proxy.setPolicy(() => ({ kind: 'pass' }));
    await sync.overlay.waitFor({ state: 'hidden', timeout: 90_000 });
    await expect.poll(() => sync.pill.getAttribute('data-hq'), { timeout: 30_000 }).toBe('online');
    // The store's name came with provisioning: the renderer reads the status again when it ends.
    await expect.poll(() => page.getByTestId('store-name').textContent(), { timeout: 10_000 }).toBe(store.name_zh);
  });

  it('has HQ’s catalog, not the sample seed', async () => {
    const lookup = new LookupPage(page);
    await page.getByTestId('nav-lookup').click();
    await lookup.search.fill(item.ean);
    await lookup.search.press('Enter');
    await lookup.card.waitFor();
    expect(await lookup.name.textContent()).toBeTruthy();
    await lookup.search.fill(seedOnly.ean);
    await lookup.search.press('Enter');
    await expect.poll(() => lookup.message.textContent()).toContain(seedOnly.ean);
  });

  it('sells one item for cash: the pill shows it waiting, then synced', async () => {
    const login = new LoginPage(page);
    await login.openTab('sell');
    await login.login(cashier.code, demoPin(cashier.code));
    await login.staff.waitFor();
    await login.openTab('cashup');
    await new CashupPage(page).openTill('500');

    // Every value the pill shows from here on, in order.
    await sync.pill.evaluate((pill) => {
      const seen: string[] = [];
      (window as unknown as { pillSeen: string[] }).pillSeen = seen;
      const record = () => seen.push(`${pill.getAttribute('data-hq')}:${pill.getAttribute('data-pending')}:${pill.textContent}`);
      record();
      new MutationObserver(record).observe(pill, { attributes: true, childList: true, subtree: true, characterData: true });
    });
    const sell = new SellPage(page);
    await login.openTab('sell');
    await sell.entry.waitFor();
    await sell.scan(item.ean, 5);
    await sell.line(item.sku).waitFor();
    saleNetFen = fen(await sell.due.textContent());
    await sell.payCash(String(Math.ceil(saleNetFen / 10_000) * 100));
    await sell.done.waitFor();
    receiptNo = (await sell.receiptSlot.getAttribute('data-receipt-no')) ?? '';
    expect(receiptNo).toMatch(/^S001-/);

    await expect.poll(() => sync.pillState(), { timeout: 30_000 }).toEqual({ hq: 'online', pending: 0 });
    expect(await sync.pill.textContent()).toContain('已与总部同步');
    const seen = await page.evaluate(() => (window as unknown as { pillSeen: string[] }).pillSeen);
    // The sale was shown as waiting ("正在同步 · 1 条待同步"), never as synced while it waited.
    const waiting = seen.findIndex((s) => /^online:[1-9]/.test(s));
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(seen.slice(waiting).some((s) => s.startsWith('online:0:'))).toBe(true);
    expect(seen.filter((s) => /^\w+:[1-9]/.test(s)).every((s) => !s.includes('已与总部同步'))).toBe(true);
  });

  it('shows a price changed at HQ within seconds (live nudge, no poll)', async () => {
    const newPrice = priced.price_fen + 1_000;
    await hq.admin('POST', '/admin/v1/catalog', { brand: data.brand.code, prices: [{ sku: priced.sku, price_fen: newPrice }] });
    const lookup = new LookupPage(page);
    await page.getByTestId('nav-lookup').click();
    const yuan = (f: number) => (f / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });
    // Well under the 30 s poll: only the live channel's nudge gets it here in time.
    await expect
      .poll(
        async () => {
          await lookup.search.fill(priced.ean);
          await lookup.search.press('Enter');
          await lookup.card.waitFor();
          return lookup.price.textContent();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toContain(yuan(newPrice));
  });

  it('shows the sync screen: online, nothing waiting, no dead letters', async () => {
    await sync.open();
    expect(await sync.hq.getAttribute('data-hq')).toBe('online');
    expect(await sync.pending.textContent()).toBe('0');
    await sync.noDeadLetters.waitFor();
    await sync.syncNow.click();
    await expect.poll(() => sync.syncNow.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await sync.lastSync.textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
    // The live channel is up and this machine's clock is HQ's.
    await expect.poll(() => page.getByTestId('sync-live').getAttribute('data-live'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('sync-clock').getAttribute('data-off')).toBe('false');
    await shot(page, 'sync.png');
  });

  it('covers the whole app with a notice when IT revokes the device', async () => {
    const { devices } = await hq.admin<{ devices: { id: string; storeId: string }[] }>('GET', '/admin/v1/devices');
    expect(devices).toHaveLength(1);
    await hq.admin('POST', `/admin/v1/devices/${devices[0]!.id}/revoke`);
    await sync.revoked.waitFor({ timeout: 30_000 });
    expect(await sync.revoked.textContent()).toContain('此设备已被总部停用');
    // Nothing behind it: no tabs, no till.
    expect(await page.getByTestId('nav-sell').count()).toBe(0);
    await shot(page, 'sync-revoked.png');
  });

  it('HQ recorded the sale exactly once, with its amount', async () => {
    await host.stop();
    await proxy.close();
    await hq.stop();
    const db = await openHqDb({ pgliteDir: join(hq.dataDir, 'pglite') });
    try {
      const sales = await db.query<{ receipt_no: string; net_fen: string; kind: string }>(
        'SELECT receipt_no, net_fen::text AS net_fen, kind FROM sale',
      );
      expect(sales).toEqual([{ receipt_no: receiptNo, net_fen: String(saleNetFen), kind: 'sale' }]);
    } finally {
      await db.close();
    }
  });
});
