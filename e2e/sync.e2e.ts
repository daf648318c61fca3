import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateSampleData } from '../fixtures/generate.js';
import { waitProjected } from '../sync/faults/hq-process.js';
import { openHqDb } from '../sync/hq/db.js';
import { startChaosProxy } from '../sync/testing/chaos-proxy.js';
import type { ChaosProxy } from '../sync/testing/chaos-proxy.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import type { HostProcess } from './support/host-process.js';
import { restartHqProcess, startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { staffOf } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { LookupPage } from './pages/lookup-page.js';
import { SellPage } from './pages/sell-page.js';
import { SyncPage } from './pages/sync-page.js';
import { failureShot, shot } from './support/shots.js';

// HQ's sample brand; the host is also given a (bigger) sample seed, which an enrolled device must not use.
// One HQ for the file; each test enrols a device of its own with a fresh code and makes what it checks.
const HQ_SAMPLE = { skus: 2000, customers: 500 };
const HOST_SEED = { skus: 3000, customers: 50 };
const fen = SellPage.fen;

const data = generateSampleData(HQ_SAMPLE);
const store = data.locations.find((l) => l.code === 'S001')!;
const cashier = staffOf('cashier', data, store.id);
const item = data.skus.find((s) => s.active && s.price_fen >= 9_900 && s.price_fen <= 29_900)!;
const priced = data.skus.find((s) => s.active && s.sku !== item.sku && s.style_code !== item.style_code)!;
// In the host's seed, not in HQ's catalog: found only if the device was (wrongly) seeded.
const seedOnly = generateSampleData(HOST_SEED).skus.at(-1)!;

let hq: HqProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page | undefined;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...HQ_SAMPLE, lifetimeS: 900 }), launchBrowser()]);
}, 180_000);
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(page, 'failed-sync', ctx.task.name);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  page = undefined;
});
afterAll(async () => {
  await browser?.close();
  await hq?.stop();
  hq?.cleanup();
});

/** A device of this test's own, enrolled at HQ with a fresh code, its store downloaded. */
async function enrolledTerminal(): Promise<Terminal> {
  const t = await openTerminal(browser.context, { ...HOST_SEED, hqUrl: hq.url, enrolCode: await hq.enrol(store.id) });
  cleanups.push(() => t.close());
  page = t.page;
  return t;
}

describe('HQ sync in Chromium: enrol, provision, sell, live price change', () => {
  it('enrols a fresh device, covers the till with the provisioning overlay, then opens it', async () => {
    // The device reaches HQ through a proxy that holds every chunk for a while, so the provisioning
    // overlay stays up long enough to be seen; the test lets traffic through once it has seen it.
    const upstream = new URL(hq.url);
    const proxy: ChaosProxy = await startChaosProxy({
      upstream: { host: upstream.hostname, port: Number(upstream.port) },
      policy: () => ({ kind: 'delay', ms: 1500 }),
    });
    cleanups.push(() => proxy.close());
    const host: HostProcess = await startHostProcess({
      ...HOST_SEED,
      lifetimeS: 300,
      hqUrl: proxy.url,
      enrolCode: await hq.enrol(store.id),
    });
    cleanups.push(() => host.stop());
    expect(host.ready.hq).not.toBe('not_configured');
    page = await browser.context.newPage();
    cleanups.push(() => page!.close());
    const sync = new SyncPage(page);
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
    await expect.poll(() => page!.getByTestId('store-name').textContent(), { timeout: 10_000 }).toBe(store.name_zh);
  });

  it('has HQ’s catalog, not the sample seed', async () => {
    const t = await enrolledTerminal();
    const lookup = new LookupPage(t.page);
    await t.page.getByTestId('nav-lookup').click();
    await lookup.search.fill(item.ean);
    await lookup.search.press('Enter');
    await lookup.card.waitFor();
    expect(await lookup.name.textContent()).toBeTruthy();
    await lookup.search.fill(seedOnly.ean);
    await lookup.search.press('Enter');
    await expect.poll(() => lookup.message.textContent()).toContain(seedOnly.ean);
  });

  it('sells one item for cash: the pill shows it waiting, then synced; HQ has the sale once, as sold online', async () => {
    const t = await enrolledTerminal();
    const sync = new SyncPage(t.page);
    await t.openTill(cashier);

    // Every value the pill shows from here on, in order.
    await sync.pill.evaluate((pill) => {
      const seen: string[] = [];
      (window as unknown as { pillSeen: string[] }).pillSeen = seen;
      const record = () => seen.push(`${pill.getAttribute('data-hq')}:${pill.getAttribute('data-pending')}:${pill.textContent}`);
      record();
      new MutationObserver(record).observe(pill, { attributes: true, childList: true, subtree: true, characterData: true });
    });
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    const saleNetFen = fen(await t.sell.due.textContent());
    await t.sell.payCash(String(Math.ceil(saleNetFen / 10_000) * 100));
    await t.sell.done.waitFor();
    const receiptNo = (await t.sell.receiptSlot.getAttribute('data-receipt-no')) ?? '';
    expect(receiptNo).toMatch(/^S001-/);

    await expect.poll(() => sync.pillState(), { timeout: 30_000 }).toEqual({ hq: 'online', pending: 0 });
    expect(await sync.pill.textContent()).toContain('已与总部同步');
    const seen = await t.page.evaluate(() => (window as unknown as { pillSeen: string[] }).pillSeen);
    // The sale was shown as waiting ("正在同步 · 1 条待同步"), never as synced while it waited.
    const waiting = seen.findIndex((s) => /^online:[1-9]/.test(s));
    expect(waiting).toBeGreaterThanOrEqual(0);
    expect(seen.slice(waiting).some((s) => s.startsWith('online:0:'))).toBe(true);
    expect(seen.filter((s) => /^\w+:[1-9]/.test(s)).every((s) => !s.includes('已与总部同步'))).toBe(true);

    // HQ's own rows for this receipt (its database is read with HQ stopped, then HQ starts again).
    await t.close();
    cleanups.length = 0;
    // HQ answered `accepted` once the sale was recorded; its projector writes the sale row a moment later.
    await waitProjected(hq.url);
    await hq.stop();
    const db = await openHqDb({ pgliteDir: join(hq.dataDir, 'pglite') });
    try {
      const sales = await db.query<{ receipt_no: string; net_fen: string; kind: string; offline: boolean }>(
        'SELECT receipt_no, net_fen::text AS net_fen, kind, offline FROM sale WHERE receipt_no = $1',
        [receiptNo],
      );
      expect(sales).toEqual([{ receipt_no: receiptNo, net_fen: String(saleNetFen), kind: 'sale', offline: false }]);
    } finally {
      await db.close();
      hq = await restartHqProcess(hq, { ...HQ_SAMPLE, lifetimeS: 900 });
    }
  });

  it('shows a price changed at HQ within seconds (live nudge, no poll)', async () => {
    const t = await enrolledTerminal();
    const lookup = new LookupPage(t.page);
    await t.page.getByTestId('nav-lookup').click();
    await lookup.search.fill(priced.ean);
    await lookup.search.press('Enter');
    await lookup.card.waitFor();
    const before = fen(await lookup.price.textContent());
    const newPrice = before + 1_000;
    await hq.admin('POST', '/admin/v1/catalog', { brand: data.brand.code, prices: [{ sku: priced.sku, price_fen: newPrice }] });
    // Well under the 30 s poll: only the live channel's nudge gets it here in time.
    await expect
      .poll(
        async () => {
          await lookup.search.fill(priced.ean);
          await lookup.search.press('Enter');
          await lookup.card.waitFor();
          return fen(await lookup.price.textContent());
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(newPrice);
  });

  it('shows the sync screen: online, nothing waiting, no dead letters', async () => {
    const t = await enrolledTerminal();
    const sync = new SyncPage(t.page);
    await sync.open();
    expect(await sync.hq.getAttribute('data-hq')).toBe('online');
    expect(await sync.pending.textContent()).toBe('0');
    await sync.noDeadLetters.waitFor();
    await sync.syncNow.click();
    await expect.poll(() => sync.syncNow.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await sync.lastSync.textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
    // The live channel is up and this machine's clock is HQ's.
    await expect.poll(() => t.page.getByTestId('sync-live').getAttribute('data-live'), { timeout: 30_000 }).toBe('true');
    expect(await t.page.getByTestId('sync-clock').getAttribute('data-off')).toBe('false');
    await shot(t.page, 'sync.png');
  });

  it('covers the whole app with a notice when IT revokes the device', async () => {
    type Devices = { devices: { id: string; storeId: string }[] };
    const before = new Set((await hq.admin<Devices>('GET', '/admin/v1/devices')).devices.map((d) => d.id));
    const t = await enrolledTerminal();
    const mine = (await hq.admin<Devices>('GET', '/admin/v1/devices')).devices.filter((d) => !before.has(d.id));
    expect(mine).toHaveLength(1);
    await hq.admin('POST', `/admin/v1/devices/${mine[0]!.id}/revoke`);
    const sync = new SyncPage(t.page);
    await sync.revoked.waitFor({ timeout: 30_000 });
    expect(await sync.revoked.textContent()).toContain('此设备已被总部停用');
    // Nothing behind it: no tabs, no till.
    expect(await t.page.getByTestId('nav-sell').count()).toBe(0);
    await shot(t.page, 'sync-revoked.png');
  });
});
