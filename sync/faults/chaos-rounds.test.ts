/**
 * Chaos rounds: three devices, each with its own encrypted store, enrolled and syncing through a
 * chaos proxy that picks a fault for every TCP connection (refuse, delay, cut mid-request, drop the
 * answer after HQ committed, cut the answer). Between syncs they sell through the real till while
 * offline, and HQ changes prices and stock. At the end, with the proxy passing, HQ must hold exactly
 * the sales the devices made, once each, and every device must hold HQ's catalog and stock.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SyncState } from '../../main/api/contract.js';
import { createPrng } from '../../fixtures/prng.js';
import type { Prng } from '../../fixtures/prng.js';
import { createReplicator } from '../client/replicator.js';
import type { Replicator } from '../client/types.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import { startChaosProxy } from '../testing/chaos-proxy.js';
import type { Fault } from '../testing/chaos-proxy.js';
import {
  catalogMismatch,
  deviceQueues,
  deviceSales,
  emptyDevice,
  enrolThrough,
  hqSaleEvents,
  hqSales,
  openTill,
  sell,
  sellableEans,
} from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import { oneConnectionFetch } from './one-connection-fetch.js';
import { adjustStock, expectHqMatchesDevices, hqBaseline } from './invariants.js';
import { deviceOutbox } from '../../main/store/outbox.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

/** Rounds per backend (override with SF_CHAOS_ROUNDS, e.g. for a longer soak). */
const ROUNDS: Record<string, number> = { pglite: 200, postgres: 200 };
const DEVICES = 3;

/** One fault per connection: about 40 % pass, the rest spread over every way a network fails. */
function randomFault(prng: Prng): Fault {
  const kind = prng.weighted(
    ['pass', 'refuse', 'delay', 'reset_mid_request', 'drop_response', 'reset_mid_response'] as const,
    [40, 10, 10, 13, 14, 13],
  );
  switch (kind) {
    case 'pass':
    case 'refuse':
    case 'drop_response':
      return { kind };
    case 'delay':
      return { kind, ms: prng.int(1, 40) };
    case 'reset_mid_request':
      return { kind, afterBytes: prng.int(0, 1_500) };
    case 'reset_mid_response':
      return { kind, afterBytes: prng.int(0, 600) };
  }
}

describe.each(backends)('chaos rounds on $name', (backend) => {
  it('ends with exactly the sales the devices made, once each, and every device holding HQ’s state', async () => {
    const rounds = Number(process.env.SF_CHAOS_ROUNDS ?? ROUNDS[backend.name]);
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 120, customers: 20 });
    const hq = await startTestHq(db);
    const proxy = await startChaosProxy({ upstream: { host: '127.0.0.1', port: hq.port } });
    // HQ's stock, coupons and points before any sale: the end state must be this less what the devices sold.
    const baseline = await hqBaseline(db);
    const devices: FaultDevice[] = [];
    const replicators: Replicator[] = [];
    try {
      const prng = createPrng(`chaos-rounds-${backend.name}`);
      // The proxy draws from its own stream: the test's choices stay the same whatever the connection order.
      const faults = createPrng(`chaos-faults-${backend.name}`);
      const chaos = () => proxy.setPolicy(() => randomFault(faults));
      chaos();

      // Counts HQ's `duplicate` answers: each is an event HQ had committed while the device never heard.
      let duplicates = 0;
      const fetchCounting: typeof fetch = async (input, init) => {
        const response = await oneConnectionFetch(input, init);
        if (String(input).endsWith('/push') && response.ok) {
          const body = JSON.parse(await response.clone().text()) as { results: { status: string }[] };
          duplicates += body.results.filter((r) => r.status === 'duplicate').length;
        }
        return response;
      };

      let enrolAttempts = 0;
      for (let i = 0; i < DEVICES; i++) {
        const device = emptyDevice();
        devices.push(device);
        enrolAttempts += await enrolThrough(device, proxy.url, await hq.enrolment(), { fetch: oneConnectionFetch });
        replicators.push(
          createReplicator({
            db: device.pos.store.db,
            outbox: deviceOutbox(device.pos.store.db),
            deviceId: device.deviceId,
            storeId: TEST_STORE,
            hqUrl: proxy.url,
            clock: () => new Date(),
            log: () => undefined,
            live: false,
            fetch: fetchCounting,
            random: () => prng.next(),
            requestTimeoutMs: 5_000,
            provisioningLimit: 200,
          }),
        );
      }

      // Provisioning under faults: each round resumes from the stored cursors.
      const provisionRounds: number[] = [];
      for (const r of replicators) {
        let n = 0;
        for (let s: SyncState = r.state(); !(s.hq === 'online' && s.provisioning?.phase === 'done' && s.lastError === null);) {
          if (++n > 100) throw new Error(`provisioning never finished under faults: ${JSON.stringify(s)}`);
          s = await r.syncNow();
        }
        provisionRounds.push(n);
      }
      for (const d of devices) await openTill(d);
      const eans = sellableEans(devices[0] as FaultDevice);
      expect(eans.length).toBeGreaterThan(20);

      const roundsStarted = performance.now();
      const outcomes = { online: 0, offline: 0, otherError: 0 };
      let hqChanges = 0;
      for (let round = 0; round < rounds; round++) {
        // Some rounds the network is simply fine; the rest, every connection draws a fault.
        if (prng.chance(0.2)) proxy.setPolicy(() => ({ kind: 'pass' }));
        else chaos();
        for (const d of devices) {
          const sales = prng.int(0, 2);
          for (let i = 0; i < sales; i++) await sell(d, prng, eans);
        }
        if (prng.chance(0.3)) {
          for (const sku of prng.shuffle(eans).slice(0, prng.int(1, 3)))
            await db.query('UPDATE sku SET price_fen = $2 WHERE ean = $1', [sku, prng.int(100, 99_900)]);
          hqChanges++;
        }
        if (prng.chance(0.3)) {
          const location = prng.chance(0.7) ? TEST_STORE : 'loc-W01';
          for (const ean of prng.shuffle(eans).slice(0, prng.int(1, 3))) {
            const delta = prng.int(-3, 20);
            const moved = await db.query<{ sku: string }>(
              'UPDATE stock SET qty = qty + $3 WHERE location_id = $1 AND sku = (SELECT sku FROM sku WHERE ean = $2) RETURNING sku',
              [location, ean, delta],
            );
            for (const { sku } of moved) adjustStock(baseline, location, sku, delta);
          }
          hqChanges++;
        }
        for (const i of prng.shuffle([...replicators.keys()])) {
          const r = replicators[i] as Replicator;
          const state = await r.syncNow();
          // Never "all synced" while events wait: the state counts what is really in the outbox.
          expect(state.pendingEvents).toBe(deviceQueues(devices[i] as FaultDevice).outbox);
          if (state.hq === 'online' && state.lastError === null) outcomes.online++;
          else if (state.hq === 'offline') outcomes.offline++;
          else outcomes.otherError++;
          expect(state.hq).not.toBe('revoked');
        }
      }

      const roundsMs = Math.round(performance.now() - roundsStarted);
      // The network heals: every device drains its outbox, then pulls once more (after all pushed).
      proxy.setPolicy(() => ({ kind: 'pass' }));
      for (const r of replicators) {
        let n = 0;
        for (let s = await r.syncNow(); !(s.hq === 'online' && s.pendingEvents === 0 && s.lastError === null); s = await r.syncNow()) {
          if (++n > 10) throw new Error(`the outbox did not drain with the network back: ${JSON.stringify(s)}`);
        }
      }
      // HQ answered once the sales were recorded: its projector writes the sales and stock the last pull brings.
      await hq.projector.settled();
      for (const r of replicators)
        expect(await r.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, deadLetters: 0, lastError: null });

      let totalSales = 0;
      for (const d of devices) {
        const mine = deviceSales(d);
        const theirs = await hqSales(db, d.deviceId);
        totalSales += mine.count;
        expect(theirs.count, 'HQ sale count for a device').toBe(mine.count);
        expect(theirs.netFen, 'HQ total in fen for a device').toBe(mine.netFen);
        expect(theirs.ids).toEqual(mine.ids);
        expect(new Set(theirs.receipts).size).toBe(theirs.count);
        expect(await hqSaleEvents(db, d.deviceId)).toEqual({ total: mine.count, distinct: mine.count });
        expect(deviceQueues(d)).toEqual({ outbox: 0, deadLetters: 0 });
        expect(await catalogMismatch(db, d, TEST_STORE)).toBeNull();
      }
      // Per SKU, HQ's stock is what it started with, plus its own changes, less what the devices say they sold.
      await expectHqMatchesDevices(
        db,
        baseline,
        devices.map((d) => d.pos.store.db),
      );
      const [all] = await db.query<{ n: string; receipts: string }>(
        'SELECT count(*)::text AS n, count(DISTINCT receipt_no)::text AS receipts FROM sale',
      );
      expect({ n: Number(all?.n), receipts: Number(all?.receipts) }).toEqual({ n: totalSales, receipts: totalSales });
      const [dead] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM dead_letter');
      expect(Number(dead?.n)).toBe(0);
      expect(proxy.stats.byFault.drop_response).toBeGreaterThan(0);
      expect(proxy.stats.byFault.reset_mid_request).toBeGreaterThan(0);
      expect(outcomes.offline).toBeGreaterThan(0);
      // Answers were lost after HQ committed, and the resent events were recognised, not applied twice.
      expect(duplicates).toBeGreaterThan(0);
      console.log(
        `[chaos ${backend.name}] ${rounds} rounds in ${roundsMs} ms, ${totalSales} sales, ${hqChanges} HQ changes, ${duplicates} duplicate answers, enrol attempts ${enrolAttempts}, provisioning rounds ${provisionRounds.join('/')}, syncs ${JSON.stringify(outcomes)}, connections ${JSON.stringify(proxy.stats.byFault)}`,
      );
    } finally {
      for (const r of replicators) await r.close();
      for (const d of devices) d.cleanup();
      await proxy.close();
      hq.app.server.closeAllConnections();
      await hq.close();
      await db.close();
    }
  }, 600_000);
});
