/**
 * HQ killed -9 while a device pushes a large outbox — once inside the push transaction, after the
 * statement that recorded the events and queued them for the projector and before the commit; once
 * after it committed and before it answered — and started again each time on the same database
 * (PGlite folder / PostgreSQL database) and port. The device goes offline, backs off, reconnects
 * by itself and finishes: every sale at HQ exactly once, the outbox empty, and HQ's stock and
 * points (the projector writes sales, stock and points from the recorded events) what the device's
 * own sales say.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../main/testing/temp-dir.js';
import { createPrng } from '../../fixtures/prng.js';
import type { Replicator } from '../client/types.js';
import { openHqDb } from '../hq/db.js';
import { testBackends } from '../hq/testing/backends.js';
import { TEST_STORE } from '../hq/testing/test-hq.js';
import {
  catalogMismatch,
  deviceQueues,
  deviceReplicator,
  drainedOf,
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
import { startHqProcess, waitProjected } from './hq-process.js';
import type { HqProcess } from './hq-process.js';
import { waitForState } from '../client/testing/test-device.js';
import { deviceBaseline, expectHqMatchesDevices } from './invariants.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const SALES = 700;

describe.each(backends)('HQ killed -9 mid-push and restarted, on $name', (backend) => {
  it('the device goes offline, backs off, reconnects and finishes: each sale exactly once', async () => {
    const dir = tempDir('shopfloor-hq-restart-');
    const databaseUrl = await backend.databaseUrl();
    const pgliteDir = join(dir.path, 'pglite');
    // The first HQ dies inside its first push transaction: events recorded, not yet committed.
    let hq: HqProcess | null = await startHqProcess({ port: 0, pgliteDir, databaseUrl, crash: 'after-events' });
    const port = hq.port;
    let device: FaultDevice | null = null;
    let replicator: Replicator | null = null;
    try {
      const prng = createPrng(`hq-restart-${backend.name}`);
      device = emptyDevice();
      await enrolThrough(device, hq.url, hq.enrolment);
      let duplicates = 0;
      const counting: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/push') && response.ok) {
          const body = JSON.parse(await response.clone().text()) as { results: { status: string }[] };
          duplicates += body.results.filter((r) => r.status === 'duplicate').length;
        }
        return response;
      };
      replicator = deviceReplicator(device, hq.url, {
        fetch: counting,
        random: () => prng.next(),
        requestTimeoutMs: 15_000,
        // Batches of 500, so the outbox takes more than one push.
        pushBatchSize: 500,
      });
      await syncUntil(replicator, settled, 3, 'provisioning');
      await openTill(device);
      // HQ's figures as the device pulled them, before any sale (the child HQ holds the database).
      const baseline = deviceBaseline(device.pos.store.db);
      const eans = sellableEans(device);
      const members = (device.pos.store.db.prepare('SELECT code FROM member_code ORDER BY code').all() as { code: string }[]).map(
        (r) => r.code,
      );
      expect(members.length).toBeGreaterThan(0);
      const t0 = performance.now();
      for (let i = 0; i < SALES; i++) {
        // Every other sale to a member, so the projector settles points as well as stock.
        if (i % 2 === 0) await device.pos.call('checkout', 'identifyMember', { code: prng.pick(members) });
        await sell(device, prng, eans);
      }
      const sellingMs = performance.now() - t0;
      const waiting = deviceQueues(device).outbox;
      // More than one push batch (500 events each).
      expect(waiting).toBeGreaterThan(SALES);

      const t1 = performance.now();
      replicator.start();
      expect(await hq.exited).toEqual({ code: null, signal: 'SIGKILL', killedAt: 'after-events' });
      await waitForState(replicator, (s) => s.hq === 'offline', 60_000, 'offline after HQ died mid-transaction');
      expect(replicator.state().pendingEvents).toBe(waiting);

      // The second HQ, on the same database and port, commits the push the device resends by
      // itself (backoff, no syncNow) and dies before it answers.
      hq = await startHqProcess({ port, pgliteDir, databaseUrl, crash: 'before-answer' });
      expect(await hq.exited).toEqual({ code: null, signal: 'SIGKILL', killedAt: 'before-answer' });
      await waitForState(replicator, (s) => s.hq === 'offline', 60_000, 'offline after HQ died before answering');
      expect(replicator.state().pendingEvents).toBe(waiting);
      const t2 = performance.now();

      // The third stays up: the device finds it, hears "duplicate" for what the second committed, and drains.
      hq = await startHqProcess({ port, pgliteDir, databaseUrl });
      const t3 = performance.now();
      const done = await waitForState(replicator, drainedOf(device), 120_000, 'outbox drained after HQ came back');
      const t4 = performance.now();
      expect(done.deadLetters).toBe(0);
      expect(duplicates, 'the batch the second HQ committed came back as duplicates').toBe(500);
      // HQ answered once the sales were recorded: its projector writes them and the stock, which one more pull brings.
      await waitProjected(hq.url);
      expect(await replicator.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, lastError: null });
      console.log(
        `[hq-restart ${backend.name}] ${SALES} sales rung up in ${Math.round(sellingMs)} ms; two HQ crashes ${Math.round(t2 - t1)} ms; last restart ${Math.round(t3 - t2)} ms; back online and drained ${Math.round(t4 - t3)} ms; ${waiting} events`,
      );
      await replicator.close();
      replicator = null;
      await hq.stop();
      // A clean stop: HQ closed its database before it exited.
      expect(await hq.exited).toEqual({ code: 0, signal: null, killedAt: null });
      hq = null;

      const check = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir });
      try {
        const mine = deviceSales(device);
        expect(mine.count).toBe(SALES);
        // Events first: if some are missing, HQ lost committed work; if sales are, it recorded without applying.
        const [events] = await check.query<{ n: string }>('SELECT count(*)::text AS n FROM event WHERE device_id = $1', [device.deviceId]);
        expect(Number(events?.n), 'events HQ holds after its restarts').toBe(waiting);
        expect(await hqSaleEvents(check, device.deviceId)).toEqual({ total: SALES, distinct: SALES });
        expect(await hqSales(check, device.deviceId)).toEqual(mine);
        expect(deviceQueues(device)).toEqual({ outbox: 0, deadLetters: 0 });
        expect(await catalogMismatch(check, device, TEST_STORE)).toBeNull();
        // HQ's stock and points are what the device sold (projected before the clean stop).
        await expectHqMatchesDevices(check, baseline, [device.pos.store.db]);
      } finally {
        await check.close();
      }
    } finally {
      await replicator?.close();
      await hq?.kill();
      device?.cleanup();
      dir.cleanup();
    }
  }, 300_000);
});
