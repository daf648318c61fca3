import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateSampleData } from '../fixtures/generate.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import type { HostProcess } from './support/host-process.js';
import { LookupPage } from './pages/lookup-page.js';
import { failureShot, shot } from './support/shots.js';

const SAMPLE = { skus: 3000, customers: 200 };

let host: HostProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let lookup: LookupPage;
// The same deterministic data the host seeded, generated independently here.
const data = generateSampleData(SAMPLE);
const storeStock = data.stock.find((s) => s.location_id === 'loc-S001')!;
const stockOf = (sku: string) => storeStock.qty[data.skus.findIndex((s) => s.sku === sku)]!;
const yuan = (fen: number) => (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2 });

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
// A host of its own per test: the language a test switches to is a saved setting, and the next
// test must not start in it.
beforeEach(async () => {
  host = await startHostProcess({ ...SAMPLE, lifetimeS: 300 });
  page = await browser.context.newPage();
  lookup = new LookupPage(page);
  await lookup.open(host.url);
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(page, 'failed-lookup', ctx.task.name);
  await page?.close();
  await host?.stop();
});

describe('product lookup in Chromium against the browser host', () => {
  it('shows the product card and its style matrix for a scan at scanner speed, in Chinese', async () => {
    // A SKU with stock in a style with several colours and sizes: the matrix has something to show.
    const sku = data.skus.find(
      (s) => s.active && stockOf(s.sku) > 0 && data.skus.filter((o) => o.style_code === s.style_code).length >= 6,
    )!;
    const style = data.styles.find((s) => s.code === sku.style_code)!;
    await lookup.scan(sku.ean, 5);

    await lookup.card.waitFor();
    await expect.poll(() => lookup.name.textContent()).toContain(style.name_zh);
    expect(await lookup.price.textContent()).toContain(yuan(sku.price_fen));
    expect(await lookup.size.textContent()).toContain(sku.size);
    expect(await lookup.colour.textContent()).toContain(sku.colour_zh);
    expect(await lookup.cell(sku.sku).getAttribute('data-stock')).toBe(String(stockOf(sku.sku)));
    const siblings = data.skus.filter((s) => s.style_code === sku.style_code);
    expect(await page.getByTestId('matrix-cell').count()).toBe(siblings.length);
    // The scan went to the card, not into the (empty) search box.
    expect(await lookup.search.inputValue()).toBe('');
    await shot(page, 'lookup.png');
  });

  it('takes a scan while the search box has focus without typing it into the box', async () => {
    await lookup.search.click();
    const sku = data.skus[42]!;
    await lookup.scan(sku.ean, 5);
    await lookup.card.waitFor();
    await expect.poll(() => lookup.card.getAttribute('data-sku')).toBe(sku.sku);
    expect(await lookup.search.inputValue()).toBe('');
  });

  it('treats slow typing as typing: every character lands in the box, no scan fires', async () => {
    const style = data.styles[3]!;
    await lookup.typeSlowly(style.code, 120);
    expect(await lookup.search.inputValue()).toBe(style.code);
    expect(await lookup.scanFlash.count()).toBe(0);
    expect(await lookup.card.count()).toBe(0);
    await page.keyboard.press('Enter');
    await expect.poll(() => lookup.name.textContent()).toContain(style.name_zh);
    expect(await lookup.scanFlash.count()).toBe(0);
  });

  it('keeps a slowly typed barcode in the box, leading digit included', async () => {
    const ean = data.skus[7]!.ean;
    await lookup.typeSlowly(ean.slice(0, 6), 110);
    expect(await lookup.search.inputValue()).toBe(ean.slice(0, 6));
    expect(await lookup.scanFlash.count()).toBe(0);
  });

  it('says clearly when a scanned barcode is misread or unknown', async () => {
    const ean = data.skus[0]!.ean;
    const misread = ean.slice(0, 12) + String((Number(ean[12]) + 1) % 10);
    await lookup.scan(misread, 5);
    await expect.poll(() => lookup.message.textContent()).toMatch(/校验/);
    expect(await lookup.card.count()).toBe(0);
    await lookup.scan('6909999999994', 5);
    await expect.poll(() => lookup.message.textContent()).toContain('6909999999994');
  });

  it('switches to English and back, and keeps the choice', async () => {
    await lookup.langSwitch.click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    const style = data.styles[1]!;
    await lookup.search.fill(style.code);
    await page.keyboard.press('Enter');
    await expect.poll(() => lookup.name.textContent()).toContain(style.name_en);
    await shot(page, 'lookup-en.png');
    await page.reload();
    await lookup.search.waitFor();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await lookup.langSwitch.click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('finds styles by part of their name and opens one from the list', async () => {
    const style = data.styles[12]!;
    await lookup.search.fill(style.name_zh.slice(0, 2));
    await page.keyboard.press('Enter');
    await lookup.results.first().waitFor();
    await page.locator(`[data-testid="search-result"]`, { hasText: style.code }).first().click();
    await expect.poll(() => lookup.name.textContent()).toContain(style.name_zh);
  });
});
