/**
 * HQ's projector killed -9 in the middle of a batch (sales taken off the projection queue, not yet
 * written) and HQ started again on the same database and port: the batch was never committed, so
 * it is still queued, and the restarted HQ projects it — every sale the device made at HQ exactly
 * once, and HQ's stock, points and coupons are what it had when the device provisioned minus
 * what the device itself says it sold.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../main/testing/temp-dir.js';
import { createPrng } from '../../fixtures/prng.js';
import type { Replicator } from '../client/types.js';
import { waitForState } from '../client/testing/test-device.js';
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
import { deviceBaseline, expectHqMatchesDevices } from './invariants.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const SALES = 300;

describe.each(backends)('HQ projector killed -9 mid-batch and restarted, on $name', (backend) => {
  it('projects every sale exactly once, and stock is seeded minus what the device sold', async () => {
    const dir = tempDir('shopfloor-projector-kill-');
    const databaseUrl = await backend.databaseUrl();
    const pgliteDir = join(dir.path, 'pglite');
    let hq: HqProcess | null = await startHqProcess({ port: 0, pgliteDir, databaseUrl, crash: 'mid-projection' });
    const port = hq.port;
    let device: FaultDevice | null = null;
    let replicator: Replicator | null = null;
    try {
      const prng = createPrng(`projector-kill-${backend.name}`);
      device = emptyDevice();
      await enrolThrough(device, hq.url, hq.enrolment);
      replicator = deviceReplicator(device, hq.url, { random: () => prng.next(), requestTimeoutMs: 15_000 });
      await syncUntil(replicator, settled, 3, 'provisioning');
      const db0 = device.pos.store.db;
      // HQ's figures as the device provisioned them, before any sale.
      const baseline = deviceBaseline(db0);
      expect([...baseline.stock.keys()].filter((k) => k.startsWith(`${TEST_STORE}/`)).length).toBeGreaterThan(0);
      await openTill(device);
      const eans = sellableEans(device);
      for (let i = 0; i < SALES; i++) await sell(device, prng, eans);

      // The push is recorded and answered; the projector's first batch kills HQ before it writes the sales.
      replicator.start();
      expect(await hq.exited).toEqual({ code: null, signal: 'SIGKILL', killedAt: 'mid-projection' });

      hq = await startHqProcess({ port, pgliteDir, databaseUrl });
      const done = await waitForState(replicator, drainedOf(device), 120_000, 'outbox drained after HQ came back');
      expect(done.deadLetters).toBe(0);
      await waitProjected(hq.url);
      // The pull after the projection brings HQ's stock back to the device.
      expect(await replicator.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, lastError: null });
      await replicator.close();
      replicator = null;
      await hq.stop();
      expect(await hq.exited).toEqual({ code: 0, signal: null, killedAt: null });
      hq = null;

      const check = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir });
      try {
        const mine = deviceSales(device);
        expect(mine.count).toBe(SALES);
        expect(await hqSaleEvents(check, device.deviceId)).toEqual({ total: SALES, distinct: SALES });
        expect(await hqSales(check, device.deviceId)).toEqual(mine);
        const [lines] = await check.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM sale_line l JOIN sale s ON s.id = l.sale_id WHERE s.device_id = $1',
          [device.deviceId],
        );
        expect(lines!.n).toBe((db0.prepare('SELECT count(*) AS n FROM sale_line').get() as { n: number }).n);
        await expectHqMatchesDevices(check, baseline, [db0]);
        expect(deviceQueues(device)).toEqual({ outbox: 0, deadLetters: 0 });
        expect(await catalogMismatch(check, device, TEST_STORE)).toBeNull();
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
