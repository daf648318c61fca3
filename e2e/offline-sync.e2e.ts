import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateCheckoutSample } from '../fixtures/checkout-sample.js';
import { generateSampleData } from '../fixtures/generate.js';
import { waitProjected } from '../sync/faults/hq-process.js';
import { openHqDb } from '../sync/hq/db.js';
import { startChaosProxy } from '../sync/testing/chaos-proxy.js';
import type { ChaosProxy } from '../sync/testing/chaos-proxy.js';
import { launchBrowser } from './support/browser.js';
import { restartHqProcess, startHqProcess } from './support/hq-process.js';
import type { HqProcess } from './support/hq-process.js';
import { plainItems, yuanText } from './support/sample.js';
import { openTerminal } from './support/terminal.js';
import type { Terminal } from './support/terminal.js';
import { SellPage } from './pages/sell-page.js';
import { SyncPage } from './pages/sync-page.js';
import { failureShot, shot } from './support/shots.js';

// Selling while HQ is away, and what happens when it is back: the queue drains, each sale lands
// once, and a sale HQ refuses is listed on the device. One HQ for the file; each test enrols a
// device of its own, sells what it checks, and leaves HQ running.
const HQ_SAMPLE = { skus: 2000, customers: 500 };
const fen = SellPage.fen;
const data = generateSampleData(HQ_SAMPLE);
const store = data.locations.find((l) => l.code === 'S001')!;
const otherStore = data.locations.find((l) => l.kind === 'store' && l.id !== store.id)!;
const cashiers = data.staff.filter((s) => s.store_id === store.id && s.role === 'cashier' && s.active);
const items = plainItems(3, data, generateCheckoutSample(data, store.id).promotions);

let hq: HqProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let t: Terminal | undefined;
let proxy: ChaosProxy | undefined;

beforeAll(async () => {
  [hq, browser] = await Promise.all([startHqProcess({ ...HQ_SAMPLE, lifetimeS: 900 }), launchBrowser()]);
}, 180_000);
// What the screen showed when the test failed, taken before its page and host go.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await failureShot(t?.page, 'failed-offline', ctx.task.name);
  await t?.close();
  await proxy?.close();
  t = undefined;
  proxy = undefined;
});
afterAll(async () => {
  await browser?.close();
  await hq?.stop();
  hq?.cleanup();
});

/** HQ again on its own database and address, as after a restart in the server room. */
async function restartHq(): Promise<void> {
  hq = await restartHqProcess(hq, { ...HQ_SAMPLE, lifetimeS: 900 });
}

async function sellForCash(term: Terminal, item: (typeof items)[number]): Promise<{ receiptNo: string; netFen: number }> {
  // The Sell screen is up before the scanner fires: keys sent while it mounts are nobody's.
  await term.sell.entry.waitFor();
  await term.sell.scan(item.ean, 5);
  await term.sell.line(item.sku).waitFor();
  const netFen = fen(await term.sell.due.textContent());
  await term.sell.payCash(yuanText(netFen));
  await term.sell.done.waitFor();
  const receiptNo = (await term.sell.receiptSlot.getAttribute('data-receipt-no'))!;
  await term.page.getByTestId('next-customer').click();
  return { receiptNo, netFen };
}

/** The cashier taps "sync now" and the pill settles on `hq` with `pending` events waiting. */
async function syncNowUntil(term: Terminal, hqState: string, pending?: number): Promise<void> {
  const sync = new SyncPage(term.page);
  await sync.open();
  await expect.poll(() => sync.syncNow.isEnabled(), { timeout: 60_000 }).toBe(true);
  await sync.syncNow.click();
  await expect
    .poll(
      async () => {
        const state = await sync.pillState();
        return pending === undefined ? state.hq : `${state.hq}:${state.pending}`;
      },
      { timeout: 60_000 },
    )
    .toBe(pending === undefined ? hqState : `${hqState}:${pending}`);
}

describe('selling while HQ is away', () => {
  it('sells with HQ stopped, shows the sales waiting, and drains the queue once HQ is back: each sale at HQ exactly once', async () => {
    const cashier = cashiers[0]!;
    t = await openTerminal(browser.context, { hqUrl: hq.url, enrolCode: await hq.enrol(store.id) });
    await t.openTill(cashier);
    await syncNowUntil(t, 'online', 0);

    await hq.stop();
    await syncNowUntil(t, 'offline');
    await t.login.openTab('sell');
    const sales = [await sellForCash(t, items[0]!), await sellForCash(t, items[1]!)];
    const sync = new SyncPage(t.page);
    // One event per sale waits in the outbox, and the pill says so.
    await expect.poll(() => sync.pillState()).toEqual({ hq: 'offline', pending: 2 });
    expect(await sync.pill.textContent()).toContain('2 条待同步');
    await shot(t.page, 'offline-selling.png');

    await restartHq();
    await syncNowUntil(t, 'online', 0);
    expect(await sync.pending.textContent()).toBe('0');
    await sync.noDeadLetters.waitFor();

    // What HQ holds for these receipts: each sale once, with its amount — once its projector has written them.
    await waitProjected(hq.url);
    await hq.stop();
    const db = await openHqDb({ pgliteDir: join(hq.dataDir, 'pglite') });
    try {
      const rows = await db.query<{ receipt_no: string; net_fen: string; kind: string }>(
        'SELECT receipt_no, net_fen::text AS net_fen, kind FROM sale WHERE receipt_no = ANY($1::text[]) ORDER BY receipt_no',
        [sales.map((s) => s.receiptNo)],
      );
      expect(rows).toEqual(
        sales
          .map((s) => ({ receipt_no: s.receiptNo, net_fen: String(s.netFen), kind: 'sale' }))
          .sort((a, b) => a.receipt_no.localeCompare(b.receipt_no)),
      );
    } finally {
      await db.close();
      await restartHq();
    }
  });

  it('lists a sale HQ rejects: sold offline by a cashier HQ had moved to another store', async () => {
    // This test moves its own cashier away; no other test uses them.
    const moved = cashiers[1]!;
    const upstream = new URL(hq.url);
    proxy = await startChaosProxy({ upstream: { host: upstream.hostname, port: Number(upstream.port) } });
    t = await openTerminal(browser.context, { hqUrl: proxy.url, enrolCode: await hq.enrol(store.id) });
    await t.openTill(moved);
    await syncNowUntil(t, 'online', 0);

    // The network goes; meanwhile HQ moves the cashier to another store.
    const port = proxy.port;
    await proxy.close();
    await syncNowUntil(t, 'offline');
    await hq.admin('POST', '/admin/v1/staff', {
      id: moved.id,
      storeId: otherStore.id,
      code: moved.code,
      name: moved.name,
      role: moved.role,
      pin: '4321',
      active: true,
    });
    await t.login.openTab('sell');
    await sellForCash(t, items[2]!);

    proxy = await startChaosProxy({ upstream: { host: upstream.hostname, port: Number(upstream.port) }, port });
    // Nothing waits any more: the sale went, and came back refused.
    await syncNowUntil(t, 'online', 0);
    const sync = new SyncPage(t.page);
    // The sale is refused. (Other events of the moved cashier that the device writes once it hears
    // of the move may be refused after it: the list is checked for the sale, not for its length.)
    const sales = sync.deadLetters.filter({ has: t.page.locator('td:first-child', { hasText: /^sale\.completed$/ }) });
    await sales.first().waitFor({ timeout: 30_000 });
    expect(await sales.count()).toBe(1);
    const row = sales.first();
    expect(await row.textContent()).toContain('foreign_staff');
    expect(await row.textContent()).toContain(moved.id);
    // The count shown and the rows listed agree once both have caught up (the moved cashier's later
    // events may still be arriving: both are read again on every poll, not the rows once up front).
    await expect
      .poll(async () => {
        const shown = Number((await t!.page.getByTestId('sync-dead-count').textContent())?.match(/\d+/)?.[0]);
        return shown - (await sync.deadLetters.count());
      })
      .toBe(0);
    await shot(t.page, 'sync-rejected.png');
  });
});
