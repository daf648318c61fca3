import { join } from 'node:path';
import type { CartState, SaleResult } from '../../main/api/contract.js';
import type { SyncState } from '../../main/api/contract.js';
import { openTestCheckout } from '../../main/testing/test-checkout.js';
import type { TestCheckout } from '../../main/testing/test-checkout.js';
import { tempDir } from '../../main/testing/temp-dir.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import type { Prng } from '../../fixtures/prng.js';
import { enrolDevice, EnrolError } from '../client/enrol.js';
import { createReplicator } from '../client/replicator.js';
import type { CreateReplicatorOptions } from '../client/replicator.js';
import type { Replicator } from '../client/types.js';
import type { FetchLike } from '../client/signed-http.js';
import type { HqDb } from '../hq/db.js';
import { deviceOutbox } from '../../main/store/outbox.js';

/** The cashier every fault test rings sales up as (store S001 of the sample brand). */
export const CASHIER = 'S001-02';

/** A device in a fault test: its own encrypted store file on disk, driven through the real till. */
export type FaultDevice = {
  pos: TestCheckout;
  dir: string;
  dbPath: string;
  keyPath: string;
  deviceId: string;
  /** Closes the till and opens it again on the same store file (as after a restart). */
  reopen(): TestCheckout;
  /** Closes the store and removes its folder. */
  cleanup(): void;
};

/** A fresh, empty device store (no sample seed: everything it sells comes from HQ). */
export function emptyDevice(): FaultDevice {
  const dir = tempDir('shopfloor-faults-');
  const dbPath = join(dir.path, 'shopfloor.db');
  const keyPath = join(dir.path, 'store.key');
  const device: FaultDevice = {
    pos: openTestCheckout({ dbPath, keyPath, sample: false, recordEvents: false }),
    dir: dir.path,
    dbPath,
    keyPath,
    deviceId: '',
    reopen() {
      closeQuietly(device.pos);
      device.pos = openTestCheckout({ dbPath, keyPath, sample: false, recordEvents: false });
      return device.pos;
    },
    cleanup() {
      closeQuietly(device.pos);
      dir.cleanup();
    },
  };
  device.deviceId = device.pos.ctx.deviceId;
  return device;
}

function closeQuietly(pos: TestCheckout): void {
  try {
    pos.close();
  } catch {
    // already closed
  }
}

/**
 * Enrols the device with `code`, retrying failures on the way (network, timeouts, cut answers)
 * up to `attempts` times. Answers how many attempts it took. A refusal by HQ (the code was used,
 * expired …) is not retried: it is thrown.
 */
export async function enrolThrough(
  device: FaultDevice,
  hqUrl: string,
  code: string,
  options: { fetch?: FetchLike; attempts?: number } = {},
): Promise<number> {
  const attempts = options.attempts ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      await enrolDevice({
        db: device.pos.store.db,
        outbox: deviceOutbox(device.pos.store.db),
        hqUrl,
        code,
        appVersion: '0.1.0-faults',
        hostname: `till-${device.deviceId.slice(-4)}`,
        fetch: options.fetch,
        timeoutMs: 5_000,
      });
      return attempt;
    } catch (error) {
      const transient = error instanceof EnrolError && ['network', 'timeout', 'unavailable', 'bad_response'].includes(error.code);
      if (!transient || attempt >= attempts) throw error;
    }
  }
}

/** Logs the cashier in and opens the till (after provisioning: staff and PINs come from HQ). */
export async function openTill(device: FaultDevice): Promise<void> {
  await device.pos.call('staff', 'login', { code: CASHIER, pin: demoPin(CASHIER) });
  if (!device.pos.services.tills.open()) await device.pos.call('cashup', 'open', { floatFen: 10_000 });
}

/** Active EANs the device can sell (from what it pulled). */
export function sellableEans(device: FaultDevice): string[] {
  return (device.pos.store.db.prepare('SELECT ean FROM sku WHERE active = 1 ORDER BY sku').all() as { ean: string }[]).map((r) => r.ean);
}

/**
 * Rings up one sale through the real till — scan 1–3 items, pay cash (sometimes with change, sometimes
 * part card) — and completes it: the sale rows and its `sale.completed` outbox event in one transaction.
 */
export async function sell(device: FaultDevice, prng: Prng, eans: readonly string[]): Promise<SaleResult> {
  const items = prng.int(1, 3);
  for (let i = 0; i < items; i++) await device.pos.call('checkout', 'scan', { code: prng.pick(eans) });
  const due = (await device.pos.call<CartState>('checkout', 'cart')).totals.dueFen;
  if (prng.chance(0.3) && due > 1)
    await device.pos.call('checkout', 'addTender', { method: 'card', amountFen: prng.int(1, due - 1), reference: `T${prng.int(1, 1e6)}` });
  const left = (await device.pos.call<CartState>('checkout', 'cart')).totals.dueFen;
  if (left > 0)
    await device.pos.call('checkout', 'addTender', { method: 'cash', givenFen: left + (prng.chance(0.5) ? prng.int(0, 5_000) : 0) });
  return device.pos.call<SaleResult>('checkout', 'complete');
}

export type SalesFigures = { count: number; netFen: number; ids: string[]; receipts: string[] };

/** What the device itself says it sold (its own sale table). */
export function deviceSales(device: FaultDevice): SalesFigures {
  const rows = device.pos.store.db.prepare('SELECT id, receipt_no, net_fen FROM sale ORDER BY id').all() as {
    id: string;
    receipt_no: string;
    net_fen: number;
  }[];
  return {
    count: rows.length,
    netFen: rows.reduce((n, r) => n + r.net_fen, 0),
    ids: rows.map((r) => r.id),
    receipts: rows.map((r) => r.receipt_no).sort(),
  };
}

/** What HQ recorded for one device. */
export async function hqSales(db: HqDb, deviceId: string): Promise<SalesFigures> {
  const rows = await db.query<{ id: string; receipt_no: string; net_fen: string }>(
    'SELECT id, receipt_no, net_fen::text AS net_fen FROM sale WHERE device_id = $1 ORDER BY id',
    [deviceId],
  );
  return {
    count: rows.length,
    netFen: rows.reduce((n, r) => n + Number(r.net_fen), 0),
    ids: rows.map((r) => r.id),
    receipts: rows.map((r) => r.receipt_no).sort(),
  };
}

/** sale.completed events HQ holds for the device: total and distinct (exactly once means equal). */
export async function hqSaleEvents(db: HqDb, deviceId: string): Promise<{ total: number; distinct: number }> {
  const [row] = await db.query<{ total: string; distinct: string }>(
    "SELECT count(*)::text AS total, count(DISTINCT id)::text AS distinct FROM event WHERE device_id = $1 AND type = 'sale.completed'",
    [deviceId],
  );
  return { total: Number(row?.total), distinct: Number(row?.distinct) };
}

/** Rows in the device's outbox and on its dead-letter list. */
export function deviceQueues(device: FaultDevice): { outbox: number; deadLetters: number } {
  const one = (sql: string) => (device.pos.store.db.prepare(sql).get() as { n: number }).n;
  return { outbox: one('SELECT count(*) AS n FROM outbox'), deadLetters: one('SELECT count(*) AS n FROM dead_letter') };
}

/**
 * The device's catalog prices and stock against HQ's state for its scopes: SKUs with prices and
 * active flags (brand scope), stock of its store and of the warehouses (store and brand scopes).
 * This says the device mirrors HQ, not that HQ is right: after a pull both are wrong together if
 * HQ moved stock twice. That is invariants.ts (HQ against what the devices sold).
 */
export async function catalogMismatch(db: HqDb, device: FaultDevice, storeId: string): Promise<string | null> {
  const hqSkus = await db.query<{ sku: string; price_fen: number; active: boolean }>(
    'SELECT sku, price_fen::int AS price_fen, active FROM sku ORDER BY sku',
  );
  const devSkus = device.pos.store.db.prepare('SELECT sku, price_fen, active FROM sku ORDER BY sku').all() as {
    sku: string;
    price_fen: number;
    active: number;
  }[];
  const hqSkuText = hqSkus.map((r) => `${r.sku}:${r.price_fen}:${r.active ? 1 : 0}`);
  const devSkuText = devSkus.map((r) => `${r.sku}:${r.price_fen}:${r.active}`);
  // Sorted here: PostgreSQL's collation and SQLite's binary order differ.
  const skuDiff = firstDifference(hqSkuText.sort(), devSkuText.sort());
  if (skuDiff) return `sku ${skuDiff}`;
  const hqStock = await db.query<{ k: string }>(
    `SELECT s.location_id || '/' || s.sku || ':' || s.qty AS k FROM stock s JOIN location l ON l.id = s.location_id
      WHERE s.location_id = $1 OR l.kind = 'warehouse' ORDER BY s.location_id, s.sku`,
    [storeId],
  );
  const devStock = device.pos.store.db
    .prepare("SELECT location_id || '/' || sku || ':' || qty AS k FROM stock ORDER BY location_id, sku")
    .all() as { k: string }[];
  const stockDiff = firstDifference(hqStock.map((r) => r.k).sort(), devStock.map((r) => r.k).sort());
  return stockDiff ? `stock ${stockDiff}` : null;
}

function firstDifference(hq: readonly string[], device: readonly string[]): string | null {
  for (let i = 0; i < Math.max(hq.length, device.length); i++) {
    if (hq[i] !== device[i])
      return `#${i}: HQ ${hq[i] ?? '(none)'} / device ${device[i] ?? '(none)'} (HQ ${hq.length} rows, device ${device.length})`;
  }
  return null;
}

/** The device's replicator as the terminal makes it, with test defaults: no live channel, no background loop until start(). */
export function deviceReplicator(device: FaultDevice, hqUrl: string, extra: Partial<CreateReplicatorOptions> = {}): Replicator {
  return createReplicator({
    db: device.pos.store.db,
    outbox: deviceOutbox(device.pos.store.db),
    deviceId: device.deviceId,
    storeId: device.pos.ctx.storeId,
    hqUrl,
    clock: () => new Date(),
    log: () => undefined,
    live: false,
    ...extra,
  });
}

/** syncNow() until `ok`, at most `rounds` times; the error says what the state was. */
export async function syncUntil(r: Replicator, ok: (s: SyncState) => boolean, rounds: number, what: string): Promise<SyncState> {
  let s = r.state();
  for (let n = 0; n < rounds; n++) {
    s = await r.syncNow();
    if (ok(s)) return s;
  }
  throw new Error(`${what}: not reached in ${rounds} sync rounds; last state ${JSON.stringify(s)}`);
}

/** Online, nothing waiting, nothing failed, provisioning (if any) finished. */
export const settled = (s: SyncState): boolean =>
  s.hq === 'online' && s.pendingEvents === 0 && s.lastError === null && s.provisioning?.phase !== 'running';

/**
 * Settled with the device's own outbox empty: a replicator whose last state said "settled" before
 * the device made more sales has not pushed those yet, and its state says so only after its next round.
 */
export const drainedOf =
  (device: FaultDevice) =>
  (s: SyncState): boolean =>
    settled(s) && deviceQueues(device).outbox === 0;
