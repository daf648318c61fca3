/**
 * Measures the device side of sync against a real HQ on a real PostgreSQL (private cluster, fsync
 * on): provisioning 200,000 SKUs into the encrypted on-disk store, pushing 10,000 offline sales,
 * an incremental pull of 1,000 changed SKUs and the live change latency. Prints JSON.
 * `npx tsx sync/client/measure-sync.ts [skus]` — meant to be called from `npm run bench`.
 */
import { uuidv7Generator } from '../../main/store/uuidv7.js';
import { openHqDb } from '../hq/db.js';
import { createEnrolCode } from '../hq/enrol.js';
import { migrateHq } from '../hq/migrate.js';
import { importSampleBrand } from '../hq/sample-brand.js';
import { createHqServer } from '../hq/server.js';
import { startPostgres } from '../testing/postgres-server.js';
import { enrolDevice } from './enrol.js';
import { createReplicator } from './replicator.js';
import { testDevice } from './test-device.js';

const STORE = 'loc-S001';
const skus = Number(process.argv[2] ?? 200_000);
const pg = await startPostgres({ lifetimeS: 900, fsync: true });
const results: Record<string, number> = {};
try {
  const db = await openHqDb({ databaseUrl: await pg.freshDatabase('measure') });
  await migrateHq(db);
  await importSampleBrand(db, { skus, customers: 5000, stores: 2, stockStores: ['S001'] });
  const hq = await createHqServer({ db, log: () => undefined });
  const device = testDevice();
  const { code } = await createEnrolCode(db, { storeId: STORE, ttlMinutes: 10, createdBy: 'measure', now: new Date() });
  await enrolDevice({ db: device.store.db, hqUrl: hq.url, code, appVersion: 'measure', hostname: 'measure' });
  const replicator = createReplicator({ db: device.store.db, deviceId: device.deviceId, storeId: STORE, hqUrl: hq.url, clock: () => new Date(), log: () => undefined, live: false });

  let t = performance.now();
  const { pullAll } = await import('./pull.js');
  const { ApplyStatements } = await import('./apply.js');
  const { signedClient } = await import('./signed-http.js');
  const { readIdentity } = await import('./identity.js');
  const identity = readIdentity(device.store.db);
  if (!identity) throw new Error('not enrolled');
  const pulled = await pullAll({
    st: new ApplyStatements(device.store.db),
    client: signedClient({ url: hq.url, key: { deviceId: identity.deviceId, privateKey: identity.privateKey }, clock: () => new Date(), timeoutMs: 120_000 }),
    scopes: identity.scopes,
    storeId: STORE,
    clock: () => new Date(),
  });
  results.provision_s = (performance.now() - t) / 1000;
  results.provision_apply_s = pulled.applyMs / 1000;
  results.provision_requests = pulled.requests;
  const provisioned = await replicator.syncNow();
  results.provision_entities = provisioned.provisioning?.applied ?? 0;
  results.device_skus = (device.store.db.prepare('SELECT count(*) AS n FROM sku').get() as { n: number }).n;
  if (provisioned.hq !== 'online') throw new Error(`provisioning failed: ${JSON.stringify(provisioned)}`);

  const staff = (await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id = $1 LIMIT 1', [STORE]))[0]?.id ?? '';
  const some = (await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 50')).map((r) => r.sku);
  const newId = uuidv7Generator();
  const insert = device.store.db.prepare("INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, 'sale.completed', ?, ?, ?, ?, ?)");
  device.store.db.transaction(() => {
    for (let i = 0; i < 10_000; i++) {
      const id = newId();
      const lines = [0, 1, 2].map((k) => ({ lineId: `${id}-${k}`, sku: some[(i + k) % some.length] as string, qty: 1, unitFen: 9900, totalFen: 9900, listUnitFen: 9900, discountFen: 0, promotions: [], originalLineId: null }));
      const payload = { saleId: `s-${id}`, receiptNo: `R-${id}`, kind: 'sale', businessDay: '2026-11-23', tillSessionId: 'till', staffId: staff, customerId: null, originalSaleId: null, lines, tenders: [{ method: 'cash', amountFen: 29700, reference: null, providerRef: null }], coupons: [], points: null, totals: { subtotalFen: 29700, discountFen: 0, totalFen: 29700, refundFen: 0, netFen: 29700, changeFen: 0 }, offline: true, createdAt: new Date().toISOString() };
      insert.run(id, JSON.stringify(payload), staff, device.deviceId, STORE, new Date().toISOString());
    }
  })();
  t = performance.now();
  const pushed = await replicator.syncNow();
  results.push_10k_s = (performance.now() - t) / 1000;
  results.hq_sales = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM sale'))[0]?.n);
  if (pushed.pendingEvents !== 0) throw new Error(`push left ${pushed.pendingEvents}`);

  await db.query('UPDATE sku SET price_fen = price_fen + 1 WHERE sku IN (SELECT sku FROM sku ORDER BY sku DESC LIMIT 1000)');
  t = performance.now();
  await replicator.syncNow();
  results.incremental_1k_ms = performance.now() - t;
  await replicator.close();

  // Live: HQ commit → the device has applied it, over the live channel (no polling).
  const live = createReplicator({ db: device.store.db, deviceId: device.deviceId, storeId: STORE, hqUrl: hq.url, clock: () => new Date(), log: () => undefined, pollMs: 3_600_000 });
  live.start();
  await new Promise<void>((resolve) => {
    const off = live.onState((s) => {
      if (s.hq === 'online') {
        off();
        resolve();
      }
    });
  });
  const target = some[7] as string;
  const priceOf = device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?');
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    const price = 100_000 + i;
    const seen = new Promise<void>((resolve) => {
      const off = live.onState(() => {
        if ((priceOf.get(target) as { price_fen: number }).price_fen === price) {
          off();
          resolve();
        }
      });
    });
    t = performance.now();
    await db.query('UPDATE sku SET price_fen = $1 WHERE sku = $2', [price, target]);
    await seen;
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  results.live_change_p50_ms = samples[Math.floor(samples.length / 2)] ?? -1;
  await live.close();
  await hq.close();
  await db.close();
  device.cleanup();
} finally {
  await pg.stop();
}
console.log(JSON.stringify(results, null, 2));
