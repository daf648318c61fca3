import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page, WebSocketRoute } from 'playwright-core';
import { demoPin } from '../fixtures/checkout-sample.js';
import { fileKeyStore } from '../main/store/key-store.js';
import { openStore, STORE_FILE } from '../main/store/open-store.js';
import { launchBrowser } from './support/browser.js';
import { startHostProcess } from './support/host-process.js';
import { cashier, plainItems, SAMPLE } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { failureShot, shot } from './support/shots.js';

// What the whole app shows when something underneath it is wrong: a store that will not open,
// the terminal service gone, a till left alone. Each test has a host of its own.
const item = plainItems(1)[0]!;
const IDLE_LOCK_MS = 5 * 60_000; // renderer/src/features/session/session-store.ts

let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page | undefined;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(page, 'failed-app', ctx.task.name);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  page = undefined;
});
afterAll(async () => {
  await browser?.close();
});

async function terminal(): Promise<Terminal> {
  const t = await openTerminal(browser.context);
  cleanups.push(() => t.close());
  page = t.page;
  return t;
}

describe('the app when something underneath is wrong', () => {
  it('shows the store-error screen for a damaged store and leaves the file as it was', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shopfloor-e2e-damaged-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startHostProcess({ ...SAMPLE, dataDir, lifetimeS: 120 });
    await first.stop();
    // Everything in the main file, whatever the host's shutdown left in the WAL.
    const store = openStore({ path: join(dataDir, STORE_FILE), keyStore: fileKeyStore(join(dataDir, 'store.key')) });
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    // A disk that lost everything after the first page: zeros where the tables were. (One zeroed
    // page is not enough: which page holds a table varies from run to run.)
    const file = join(dataDir, STORE_FILE);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8192);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096), 0, size - 4096, 4096);
    closeSync(fd);
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');

    const host = await startHostProcess({ ...SAMPLE, dataDir, lifetimeS: 120 });
    cleanups.push(() => host.stop());
    expect(host.ready.state).toBe('store_error');
    page = await browser.context.newPage();
    cleanups.push(() => page?.close());
    await page.goto(host.url);
    const screen = page.getByTestId('store-error');
    await screen.waitFor();
    expect(await screen.getAttribute('data-reason')).toBe('corrupt');
    expect(await screen.textContent()).toContain('数据文件已损坏');
    expect(await page.getByTestId('store-error-path').textContent()).toBe(file);
    // Nothing of the till behind it.
    expect(await page.getByTestId('nav-sell').count()).toBe(0);
    await shot(page, 'store-error.png');
    await host.stop();
    // "The file was left as it is for recovery": byte for byte.
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
  });

  it('shows the lost-connection banner while the terminal service is unreachable, and keeps the cart', async () => {
    const t = await terminal();
    // The page's WebSocket to the host goes through here, so the test can cut it and let it back.
    let down = false;
    const open: WebSocketRoute[] = [];
    await t.page.routeWebSocket(/\/api$/, (ws) => {
      if (down) return ws.close({ code: 4000, reason: 'down' });
      ws.connectToServer();
      open.push(ws);
    });
    await t.page.reload();
    await t.openTill(cashier);
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    expect(await t.page.getByTestId('connection').count()).toBe(0);

    down = true;
    for (const ws of open.splice(0)) await ws.close({ code: 4000, reason: 'down' });
    const banner = t.page.getByTestId('connection');
    await banner.waitFor();
    expect(await banner.getAttribute('data-state')).toBe('disconnected');
    expect(await banner.textContent()).toContain('与终端服务的连接已断开');
    await shot(t.page, 'connection-lost.png');

    down = false;
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    // The cart lives in the terminal, not the page: it is all still there.
    await t.sell.line(item.sku).waitFor();
    expect(await t.sell.lines.count()).toBe(1);
  });

  it('locks the till after five idle minutes, not while the cashier works, and keeps the cart', async () => {
    const t = await terminal();
    await t.page.clock.install();
    await t.page.reload();
    await t.openTill(cashier);
    await t.page.clock.fastForward(IDLE_LOCK_MS - 60_000);
    // A scan is activity: the five minutes start again.
    await t.sell.scan(item.ean, 5);
    await t.sell.line(item.sku).waitFor();
    await t.page.clock.fastForward(IDLE_LOCK_MS - 60_000);
    expect(await t.login.lockScreen.count()).toBe(0);
    await t.page.getByTestId('nav-lookup').click();
    await t.page.getByTestId('nav-sell').click();
    await t.sell.line(item.sku).waitFor();
    expect(await t.login.lockScreen.count()).toBe(0);

    await t.page.clock.fastForward(IDLE_LOCK_MS + 1_000);
    await t.login.lockScreen.waitFor();
    await shot(t.page, 'idle-lock.png');
    await t.login.unlock(demoPin(cashier.code));
    await t.sell.line(item.sku).waitFor();
    expect(await t.sell.lines.count()).toBe(1);
  });
});
