/**
 * kill -9 of the terminal while it syncs: a child process with a real encrypted device store
 * (sync/faults/terminal-child.ts) against a real HQ in this process, SIGKILLed at a marker — after
 * HQ committed a push and before the device removed the events; inside the transaction applying a
 * pull page — and at random moments while it sells and syncs. After each kill the store is opened
 * again and synced: each sale reaches HQ once, the outbox drains, pulled data and cursors agree.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../fixtures/prng.js';
import { readCursors } from '../client/apply.js';
import type { HqDb } from '../hq/db.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import {
  catalogMismatch,
  deviceQueues,
  deviceReplicator,
  deviceSales,
  emptyDevice,
  enrolThrough,
  hqSaleEvents,
  hqSales,
  openTill,
  sell,
  sellableEans,
  settled,
  syncUntil,
} from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import { killAtMarker } from './kill-at-marker.js';
import { expectHqMatchesDevices, hqBaseline } from './invariants.js';
import type { Baseline } from './invariants.js';

const child = fileURLToPath(new URL('./terminal-child.ts', import.meta.url));
const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const HQ_SKUS = 1_500;

describe.each(backends)('the terminal killed -9 while it syncs, on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  const devices: FaultDevice[] = [];

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: HQ_SKUS, customers: 20 });
    hq = await startTestHq(db);
  }, 120_000);
  afterAll(async () => {
    hq.app.server.closeAllConnections();
    await hq?.close();
    await db?.close();
  });
  afterEach(() => {
    for (const d of devices.splice(0)) d.cleanup();
  });

  async function enrolled(): Promise<FaultDevice> {
    const d = emptyDevice();
    devices.push(d);
    await enrolThrough(d, hq.url, await hq.enrolment());
    return d;
  }

  async function provisioned(): Promise<FaultDevice> {
    const d = await enrolled();
    const r = deviceReplicator(d, hq.url);
    await syncUntil(r, settled, 3, 'provisioning');
    await r.close();
    await openTill(d);
    return d;
  }

  /**
   * Syncs the reopened store until settled, then checks the device against HQ: exactly once, drained,
   * same catalog, and HQ's stock = `baseline` less what the device's own sales say it sold.
   */
  async function expectConsistent(d: FaultDevice, baseline: Baseline): Promise<void> {
    const r = deviceReplicator(d, hq.url);
    try {
      await syncUntil(r, settled, 5, 'sync after the restart');
      // HQ answered once the sales were recorded: its projector writes the sales and stock the next pull brings.
      await hq.projector.settled();
      // One more round: the pull after this device's own push brings HQ's stock back.
      expect(await r.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, deadLetters: 0, lastError: null });
    } finally {
      await r.close();
    }
    const mine = deviceSales(d);
    const theirs = await hqSales(db, d.deviceId);
    expect(mine.count).toBeGreaterThan(0);
    expect(theirs).toEqual(mine);
    expect(await hqSaleEvents(db, d.deviceId)).toEqual({ total: mine.count, distinct: mine.count });
    expect(deviceQueues(d)).toEqual({ outbox: 0, deadLetters: 0 });
    expect(await catalogMismatch(db, d, TEST_STORE)).toBeNull();
    await expectHqMatchesDevices(db, baseline, [d.pos.store.db]);
  }

  it('killed after HQ committed a push and before the device removed the events: each sale once', async () => {
    const d = await provisioned();
    const baseline = await hqBaseline(db);
    const prng = createPrng(`push-answered-${backend.name}`);
    const eans = sellableEans(d);
    for (let i = 0; i < 40; i++) await sell(d, prng, eans);
    const waiting = deviceQueues(d).outbox;
    d.pos.close();

    expect(await killAtMarker(child, [d.dbPath, d.keyPath, 'push-answered'], 'push-answered', 0)).toBe('SIGKILL');
    d.reopen();
    // HQ has every sale; the device, killed before its bookkeeping, still holds every event.
    expect(deviceQueues(d).outbox).toBe(waiting);
    await hq.projector.settled();
    expect((await hqSales(db, d.deviceId)).count).toBe(40);
    await expectConsistent(d, baseline);
  }, 120_000);

  it('killed in the middle of applying a pull page: the page and its cursor are kept together or not at all', async () => {
    const d = await enrolled();
    d.pos.close();
    // Pages of 500 rows; the 1,200th SKU row is in the third page or later, so earlier pages committed.
    expect(await killAtMarker(child, [d.dbPath, d.keyPath, 'mid-apply', '1200', '500'], 'mid-apply', 0)).toBe('SIGKILL');
    d.reopen();
    const db0 = d.pos.store.db;
    const skusAtKill = (db0.prepare('SELECT count(*) AS n FROM sku').get() as { n: number }).n;
    const brand = [...readCursors(db0).values()].find((c) => c.scope.startsWith('brand:'));
    expect(brand?.cursor, 'a page before the interrupted one committed with its cursor').toBeTruthy();
    expect(brand?.done).toBe(false);
    // The interrupted page left nothing behind: fewer SKUs than had been written inside it.
    expect(skusAtKill).toBeGreaterThan(0);
    expect(skusAtKill).toBeLessThan(1200);

    // Resuming from the stored cursor brings exactly the SKUs the device lacks: a page kept without its
    // cursor would come again (too many), a cursor kept without its page would skip rows (too few).
    let skusPulled = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/pull') && response.ok) {
        const body = JSON.parse(await response.clone().text()) as { pages: { sets: { kind: string; rows: unknown[] }[] }[] };
        for (const page of body.pages) for (const set of page.sets) if (set.kind === 'sku') skusPulled += set.rows.length;
      }
      return response;
    };
    const r = deviceReplicator(d, hq.url, { fetch: counting, provisioningLimit: 500 });
    try {
      await syncUntil(r, settled, 3, 'provisioning resumed after the kill');
    } finally {
      await r.close();
    }
    expect(skusAtKill + skusPulled).toBe(HQ_SKUS);
    expect((db0.prepare('SELECT count(*) AS n FROM sku').get() as { n: number }).n).toBe(HQ_SKUS);
    expect(await catalogMismatch(db, d, TEST_STORE)).toBeNull();
  }, 120_000);

  it('killed at random moments while selling and syncing: every sale is at HQ or in the outbox, never lost, never twice', async () => {
    const d = await provisioned();
    const baseline = await hqBaseline(db);
    d.pos.close();
    const prng = createPrng(`random-kills-${backend.name}`);
    const kills = 6;
    const seen: string[] = [];
    for (let i = 0; i < kills; i++) {
      const afterMs = prng.int(100, 2_000);
      expect(await killAtMarker(child, [d.dbPath, d.keyPath, 'sell-and-sync', `${backend.name}-${i}`], 'started', afterMs)).toBe('SIGKILL');
      const db0 = d.reopen().store.db;
      const mine = new Set(deviceSales(d).ids);
      await hq.projector.settled();
      const theirs = await hqSales(db, d.deviceId);
      const waiting = new Set(
        (
          db0.prepare("SELECT json_extract(payload, '$.saleId') AS id FROM outbox WHERE type = 'sale.completed'").all() as { id: string }[]
        ).map((r) => r.id),
      );
      for (const id of mine) expect(theirs.ids.includes(id) || waiting.has(id), `sale ${id} is neither at HQ nor in the outbox`).toBe(true);
      for (const id of theirs.ids) expect(mine.has(id), `HQ has sale ${id} the device does not`).toBe(true);
      for (const id of waiting) expect(mine.has(id), `outbox event for a sale ${id} the device does not have`).toBe(true);
      seen.push(`${mine.size} sold/${theirs.count} at HQ/${waiting.size} waiting`);
      d.pos.close();
    }
    console.log(`[terminal kills ${backend.name}] after each kill: ${seen.join(', ')}`);
    d.reopen();
    await expectConsistent(d, baseline);
  }, 240_000);
});
