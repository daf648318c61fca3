import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoPin } from '../fixtures/checkout-sample.js';
import { generateSampleData } from '../fixtures/generate.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import type { HostProcess } from './support/host-process.js';
import { startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { CustomersPage } from './pages/customers-page.js';
import { LoginPage } from './pages/login-page.js';
import { SellPage } from './pages/sell-page.js';
import { SyncPage } from './pages/sync-page.js';
import { failureShot, shot } from './support/shots.js';

/**
 * The customer book on a store tablet, in Chromium at a tablet's sizes, on a device provisioned
 * from HQ: a guide finds a customer by the last four digits of the phone, adds a note and a tag,
 * completes a follow-up task; a manager assigns a pool customer, and HQ's decision comes back.
 * One HQ and one provisioned device serve the file (provisioning is the slow part); each test
 * starts from a fresh page with nobody logged in, logs in whom it needs and makes the rows it checks.
 */
const HQ_SAMPLE = { skus: 1500, customers: 900 };
const data = generateSampleData(HQ_SAMPLE);
const GUIDE = data.staff.find((s) => s.code === 'S001-04')!;
const MANAGER = data.staff.find((s) => s.code === 'S001-01')!;
// One of the guide's customers whose last four digits no other customer of the guide shares.
const mine = data.customers.filter((c) => c.guide_id === GUIDE.id);
const target = mine.find((c) => mine.filter((o) => o.phone.slice(-4) === c.phone.slice(-4)).length === 1)!;
const LANDSCAPE = { width: 1280, height: 800 };
const PORTRAIT = { width: 800, height: 1280 };

let hq: HqProcess;
let host: HostProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let book: CustomersPage;
let login: LoginPage;

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...HQ_SAMPLE, lifetimeS: 600 }), launchBrowser()]);
  host = await startHostProcess({ skus: 50, customers: 10, lifetimeS: 600, hqUrl: hq.url, enrolCode: hq.enrolCode });
  page = await browser.context.newPage();
  await page.setViewportSize(LANDSCAPE);
  book = new CustomersPage(page);
  login = new LoginPage(page);
  const sync = new SyncPage(page);
  await page.goto(host.url);
  // Provisioned and online: the pill says so once the download is over.
  await page.locator('[data-testid="sync-pill"][data-hq="online"]').waitFor({ timeout: 90_000 });
  await sync.overlay.waitFor({ state: 'hidden', timeout: 90_000 });
}, 240_000);
beforeEach(async (ctx) => {
  ctx.onTestFailed(async () => {
    await failureShot(page, 'failed-customers', ctx.task.name);
  });
  // A fresh page, landscape, nobody logged in (the session lives in the terminal, so it outlives a reload).
  await page.setViewportSize(LANDSCAPE);
  await page.goto(host.url);
  await page.getByTestId('nav-customers').waitFor();
  if ((await login.staff.count()) > 0) {
    await login.logout();
    await login.staff.waitFor({ state: 'detached' });
  }
});

/** Opens the customer book and logs `staff` in there. */
async function openBookAs(staff: { code: string }): Promise<void> {
  await book.open();
  await login.login(staff.code, demoPin(staff.code));
  await book.screen.waitFor();
}
afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await hq?.stop();
  hq?.cleanup();
});

describe('the customer book on a tablet (1280×800 landscape)', () => {
  it('shows a guide their own customers, masked, sorted by next action, under a watermark with their name', async () => {
    await openBookAs(GUIDE);
    await expect.poll(() => book.count.textContent(), { timeout: 20_000 }).toMatch(/共 \d+ 位/);
    const total = Number(/共 (\d+) 位/.exec((await book.count.textContent()) ?? '')?.[1]);
    expect(total).toBe(mine.length);
    const phones = await page.getByTestId('customer-phone').allTextContents();
    expect(phones.length).toBeGreaterThan(0);
    expect(phones.every((p) => /^1\d{2}\*{4}\d{4}$/.test(p))).toBe(true);
    expect(await book.watermark.getAttribute('data-text')).toContain(GUIDE.name);
    await shot(page, 'customers-list.png');
  });

  it('finds a customer by the last four digits of the phone, and keeps a note and a tag', async () => {
    await openBookAs(GUIDE);
    await book.find(target.phone.slice(-4));
    await book.row(target.id).click();
    await book.profile.waitFor();
    expect(await page.getByTestId('profile-name').textContent()).toContain(target.name);
    expect(await page.getByTestId('profile-phone').textContent()).toBe(`${target.phone.slice(0, 3)}****${target.phone.slice(7)}`);
    await book.addNote('想要M码的驼色大衣，到货通知');
    await expect.poll(() => page.getByTestId('profile-note').first().textContent()).toContain('驼色大衣');
    await book.addTag('周末来');
    await page.locator('[data-testid="profile-tag"][data-tag="周末来"]').waitFor();
    // Nothing can be selected to copy on a customer screen.
    expect(await book.screen.evaluate((el) => getComputedStyle(el).userSelect)).toBe('none');
    await shot(page, 'customer-profile.png');
  });

  it('completes a follow-up task with its contact', async () => {
    await openBookAs(GUIDE);
    await book.tab('tasks');
    const task = page.locator('[data-testid="task-row"][data-kind^="follow_up"][data-locked="false"]').first();
    await task.waitFor({ timeout: 20_000 });
    await shot(page, 'customer-tasks.png');
    const id = await task.getAttribute('data-task-id');
    await task.getByTestId('task-work').click();
    await page.getByTestId('task-dialog').waitFor();
    expect(await page.getByTestId('task-script').textContent()).toBeTruthy();
    await page.getByTestId('contact-channel-wechat').click();
    await page.getByTestId('contact-outcome-reached').click();
    await page.getByTestId('task-complete').click();
    await page.getByTestId('task-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('tasks-done').click();
    await page.locator(`[data-testid="task-row"][data-task-id="${id}"][data-status="done"]`).waitFor();
  });

  it('lets a manager assign a pool customer to a guide; HQ’s decision comes back with the next sync', async () => {
    await openBookAs(MANAGER);
    await book.tab('pool');
    await book.rows.first().waitFor({ timeout: 20_000 });
    const customerId = (await book.rows.first().getAttribute('data-customer-id'))!;
    await book.rows.first().click();
    await page.getByTestId('profile-assign').click();
    await page.locator(`[data-testid="assign-guide"][data-guide-code="${GUIDE.code}"]`).click();
    await page.getByTestId('assign-submit').click();
    await page.getByTestId('customers-message').waitFor();
    // HQ decides, the feed brings the customer back under the guide.
    await book.tab('store');
    await book.find(data.customers.find((c) => c.id === customerId)?.name ?? '');
    await expect
      .poll(
        async () => {
          await book.row(customerId).click();
          return page.getByTestId('profile-guide').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(GUIDE.name);
  });
});

describe('the customer book on a tablet held upright (800×1280)', () => {
  it('shows the list, then the profile in its place with a way back', async () => {
    await page.setViewportSize(PORTRAIT);
    await openBookAs(GUIDE);
    await book.tab('mine');
    await book.find('');
    await book.rows.first().waitFor();
    await shot(page, 'customers-portrait.png');
    await book.find(target.phone.slice(-4));
    await book.row(target.id).waitFor();
    await book.row(target.id).click();
    await book.profile.waitFor();
    expect(await page.getByTestId('customer-list').isVisible()).toBe(false);
    await shot(page, 'customer-profile-portrait.png');
    await page.getByTestId('customer-back').click();
    await page.getByTestId('customer-list').waitFor();
  });
});

describe('signing a customer up at the till', () => {
  it('sends 建档 from the member strip with the number searched for; once HQ confirms, the till finds the new member', async () => {
    const phone = '13987650123';
    expect(data.customers.some((c) => c.phone === phone)).toBe(false);
    const sell = new SellPage(page);
    await page.getByTestId('nav-sell').click();
    await login.login(GUIDE.code, demoPin(GUIDE.code));
    await login.staff.waitFor();
    await sell.memberSearch.fill(phone);
    await page.getByTestId('member-new').click();
    await page.getByTestId('customer-new-dialog').waitFor();
    expect(await page.getByTestId('new-member-phone').inputValue()).toBe(phone);
    await page.getByTestId('new-member-name').fill('顾新客');
    await page.getByTestId('new-member-submit').click();
    await page.getByTestId('customer-new-dialog').waitFor({ state: 'detached' });
    expect(await page.getByTestId('member-hint').textContent()).toContain('总部确认');
    // HQ decides at the next sync and feeds the customer back to the store, bound to the guide.
    await expect
      .poll(
        async () => {
          // Found once: the strip shows the member instead of the search.
          if ((await sell.memberPanel.count()) > 0) return sell.memberPanel.getByTestId('member-name').textContent();
          await sell.memberSearch.fill(phone);
          await page.getByTestId('member-search-submit').click();
          return null;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('顾新客');
    await book.open();
    await book.find(phone.slice(-4));
    await page.locator('[data-testid="customer-row"]', { hasText: '顾新客' }).waitFor();
  });
});
