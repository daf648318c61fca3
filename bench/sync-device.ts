/**
 * The device side of the sync benchmark (bench/sync.ts), in its own process so its peak RSS is
 * a device's own: a fresh encrypted on-disk store enrols with HQ, provisions its brand scope
 * (200,000 SKUs) and then its store scope, pushes 10,000 sales made offline, pulls 1,000 SKUs
 * changed at HQ, and finally runs the real replicator with its live channel while HQ commits
 * single changes. Prints one `DEVICE_RESULT {json}` line; the bench process makes the table.
 *
 * HQ-side changes (the 1,000 SKUs, the live samples) are committed from here over a plain `pg`
 * connection, so both ends of every timed interval are read from this process's clock.
 */
import { join } from 'node:path';
import pg from 'pg';
import type { SyncState } from '../main/api/contract.js';
import type { SaleCompleted } from '../sync/protocol/events/index.js';
import { fileKeyStore } from '../main/store/key-store.js';
import { openStore } from '../main/store/open-store.js';
import { writeChange } from '../main/store/outbox.js';
import { uuidv7Generator } from '../sync/protocol/uuidv7.js';
import { ApplyStatements } from '../sync/client/apply.js';
import { enrolDevice } from '../sync/client/enrol.js';
import { checkpointsDone, pullAll } from '../sync/client/pull.js';
import { pushOutbox } from '../sync/client/push.js';
import { createReplicator } from '../sync/client/replicator.js';
import { signedClient } from '../sync/client/signed-http.js';
import { metaKeyPins, pinnedTrust } from '../sync/client/hq-trust.js';
import { orderDocs } from './peers/workload.js';
import type { OrderDoc } from './peers/workload.js';
import { DEVICE_RESULT, cpuSplit, markProfileWindow, peakRssMb } from './sync-shared.js';
import { deviceOutbox } from '../main/store/outbox.js';

/** CPU (ms) that HQ, PostgreSQL and this device process spent in a timed phase. */
export type PhaseCpu = { hq: number; pg: number; device: number };

export type DeviceResult = {
  cpu: { provision: PhaseCpu; provisionStore: PhaseCpu; push: PhaseCpu; pushProjected: PhaseCpu; incremental: PhaseCpu };
  provision: {
    ms: number;
    rows: number;
    skus: number;
    requests: number;
    peakMb: number;
    cpuMs: number;
    progressEvents: number;
    /** The checkpoint the provisioning left running off the till's thread: from the pull's end until it was done. */
    checkpointMs: number;
  };
  provisionStore: { ms: number; rows: number; customers: number; stock: number; staff: number; peakMb: number };
  push: {
    ms: number;
    /** From the push's start until HQ's projector had projected every event (projection queue empty). */
    projectedMs: number;
    events: number;
    batches: number;
    bytesPerEvent: number;
    hqEvents: number;
    hqSales: number;
    hqNetFen: number;
    deviceNetFen: number;
    outboxLeft: number;
    deadLetters: number;
    repushDuplicates: number;
    hqEventsAfterRepush: number;
  };
  incremental: { ms: number; rows: number; requests: number; verified: number; hqCommitMs: number };
  live: { samplesMs: number[]; commitMs: number[]; missed: number };
};

type Args = {
  url: string;
  databaseUrl: string;
  code: string;
  dir: string;
  orders: number;
  changed: number;
  liveSamples: number;
  lifetimeS: number;
  hqPid: number;
  pgPid: number;
};

function parse(argv: readonly string[]): Args {
  const flag = (name: string): string => {
    const value = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (value === undefined) throw new Error(`--${name}= is required`);
    return value;
  };
  return {
    url: flag('url'),
    databaseUrl: flag('database-url'),
    code: flag('code'),
    dir: flag('dir'),
    orders: Number(flag('orders')),
    changed: Number(flag('changed')),
    liveSamples: Number(flag('live-samples')),
    lifetimeS: Number(flag('lifetime-s')),
    hqPid: Number(flag('hq-pid')),
    pgPid: Number(flag('pg-pid')),
  };
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Starts a CPU bracket around a phase; the returned function ends it. */
function cpuBracket(a: { hqPid: number; pgPid: number }): () => PhaseCpu {
  const before = cpuSplit(a.hqPid, a.pgPid || null, []);
  const own = cpuMs();
  return () => {
    const after = cpuSplit(a.hqPid, a.pgPid || null, []);
    return { hq: (after.hq - before.hq) * 1000, pg: (after.pg - before.pg) * 1000, device: cpuMs() - own };
  };
}

/** A workload order as the checkout's `sale.completed` payload (same amounts, lines and tenders). */
function salePayload(order: OrderDoc, staffId: string, tillSessionId: string, deviceCode: string): SaleCompleted {
  const paid = order.tenders.reduce((sum, t) => sum + t.amount_fen, 0);
  return {
    saleId: order.id,
    // The workload's number with this device's part: HQ takes only a device's own receipt numbers.
    receiptNo: order.receipt_no.replace(/^([^-]+)-[^-]+-/, `$1-${deviceCode}-`),
    kind: 'sale',
    businessDay: order.created_at.slice(0, 10),
    tillSessionId,
    staffId,
    customerId: null,
    originalSaleId: null,
    lines: order.lines.map((l, i) => ({
      lineId: `${order.id}-${i + 1}`,
      sku: l.sku,
      qty: l.qty,
      listUnitFen: l.unit_price_fen,
      unitFen: l.unit_price_fen,
      discountFen: l.discount_fen,
      totalFen: l.line_total_fen,
      promotions: l.discount_fen > 0 ? [{ id: 'promo-markdown', discountFen: l.discount_fen }] : [],
      originalLineId: null,
    })),
    tenders: order.tenders.map((t) => ({ method: t.kind, amountFen: t.amount_fen, reference: t.reference, providerRef: t.reference })),
    coupons: [],
    points: null,
    totals: {
      subtotalFen: order.subtotal_fen,
      discountFen: order.discount_fen,
      totalFen: order.total_fen,
      refundFen: 0,
      netFen: order.total_fen,
      changeFen: paid - order.total_fen,
    },
    offline: true,
    createdAt: order.created_at,
  };
}

const a = parse(process.argv.slice(2));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => {
  console.error(`sync-device: overran its ${a.lifetimeS} s lifetime`);
  process.exit(3);
}, a.lifetimeS * 1000).unref();

const clock = () => new Date();
const log = () => undefined;
const store = openStore({ path: join(a.dir, 'shopfloor.db'), keyStore: fileKeyStore(join(a.dir, 'store.key')) });
const db = store.db;
db.prepare("INSERT INTO meta (key, value) VALUES ('device_id', ?)").run(uuidv7Generator()());
const identity = await enrolDevice({
  db,
  outbox: deviceOutbox(db),
  hqUrl: a.url,
  code: a.code,
  appVersion: 'bench',
  hostname: 'bench-device',
  clock,
});
const client = signedClient({
  url: a.url,
  key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
  clock,
  trust: pinnedTrust(metaKeyPins(db)),
});
const st = new ApplyStatements(db, deviceOutbox(db));
const brandScope = identity.scopes.find((s) => s.startsWith('brand:'));
if (!brandScope) throw new Error(`HQ gave no brand scope: ${identity.scopes.join(', ')}`);
// The replicator's order: brand, then store, then device.
const scopes = [
  brandScope,
  ...identity.scopes.filter((s) => s.startsWith('store:')),
  ...identity.scopes.filter((s) => s.startsWith('device:')),
];
const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const pullOptions = { st, client, storeId: identity.storeId, clock, checkpoint: store.checkpointOffThread };

// (a) The brand scope of a fresh device: the catalog, as the replicator provisions it.
let progressEvents = 0;
const cpu = cpuMs();
let bracket = cpuBracket(a);
let t = performance.now();
const brand = await pullAll({ ...pullOptions, scopes: [brandScope], onProgress: () => progressEvents++ });
const provisionMs = performance.now() - t;
const provisionCpu = bracket();
const provision = {
  ms: provisionMs,
  rows: brand.rows,
  skus: count('sku'),
  requests: brand.requests,
  peakMb: peakRssMb(),
  cpuMs: cpuMs() - cpu,
  progressEvents,
  checkpointMs: Number.NaN,
};
// The checkpoint goes on off the till's thread, beside what follows (the store scope's pull).
const brandEnd = performance.now();
const checkpointed = checkpointsDone(db).then(() => (provision.checkpointMs = performance.now() - brandEnd));

// The store scope (customers, stock, staff) and the device scope, reported apart.
bracket = cpuBracket(a);
t = performance.now();
const rest = await pullAll({ ...pullOptions, scopes });
const provisionStoreCpu = bracket();
const provisionStore = {
  ms: performance.now() - t,
  rows: rest.rows,
  customers: count('customer'),
  stock: count('stock'),
  staff: count('staff'),
  peakMb: peakRssMb(),
};

// (b) Sales made offline: written like the checkout writes them (writeChange, one event each),
// in one outer transaction so building the outbox is not what is measured.
const hq = new pg.Client({ connectionString: a.databaseUrl });
await hq.connect();
const staffId = (
  (
    await hq.query<{ id: string }>("SELECT id FROM staff WHERE store_id = $1 AND role IN ('cashier', 'manager') ORDER BY id LIMIT 1", [
      identity.storeId,
    ])
  ).rows[0] ?? { id: '' }
).id;
const newId = uuidv7Generator();
const outboxCtx = { db, newId, clock, deviceId: identity.deviceId, storeId: identity.storeId };
let deviceNetFen = 0;
db.transaction(() => {
  for (const order of orderDocs(a.orders)) {
    const payload = salePayload(order, staffId, 'till-bench', identity.receiptCode.padStart(4, '0'));
    deviceNetFen += payload.totals.netFen;
    writeChange(outboxCtx, { type: 'sale.completed', payload, staffId }, () => undefined);
  }
})();
const outboxBytes = (db.prepare('SELECT sum(length(payload)) AS n FROM outbox').get() as { n: number }).n;
const firstEvents = db
  .prepare('SELECT id, type, payload, staff_id, device_id, store_id, occurred_at FROM outbox ORDER BY seq LIMIT 500')
  .all() as Record<string, unknown>[];
bracket = cpuBracket(a);
t = performance.now();
const pushWindowStart = process.hrtime.bigint();
const pushed = await pushOutbox({ outbox: deviceOutbox(db), client, deviceId: identity.deviceId, storeId: identity.storeId, clock });
const pushMs = performance.now() - t;
const pushedAt = process.hrtime.bigint();
const pushCpu = bracket();
// Projected: HQ's projector has applied every recorded event (its queue row is deleted in the
// transaction that writes the sale, lines, tenders, stock, points and coupons). Polls the small
// queue table only, 5 ms apart, so the poll costs PostgreSQL next to nothing.
while (Number((await hq.query<{ n: string }>('SELECT count(*) AS n FROM projection_queue')).rows[0]?.n) > 0) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const projectedMs = performance.now() - t;
const pushProjectedCpu = bracket();
markProfileWindow('push', pushWindowStart, pushedAt, process.hrtime.bigint());
const sums = async () =>
  (
    await hq.query<{ events: string; sales: string; net: string | null }>(
      'SELECT (SELECT count(*) FROM event WHERE device_id = $1) AS events, (SELECT count(*) FROM sale WHERE device_id = $1) AS sales, (SELECT sum(net_fen) FROM sale WHERE device_id = $1) AS net',
      [identity.deviceId],
    )
  ).rows[0]!;
const afterPush = await sums();
// Exactly once: the first 500 events go out again (a device that never got HQ's answer) and must come back as duplicates.
const insertAgain = db.prepare(
  'INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (@id, @type, @payload, @staff_id, @device_id, @store_id, @occurred_at)',
);
db.transaction(() => {
  for (const row of firstEvents) insertAgain.run(row);
})();
const repushed = await pushOutbox({ outbox: deviceOutbox(db), client, deviceId: identity.deviceId, storeId: identity.storeId, clock });
const afterRepush = await sums();
const push = {
  ms: pushMs,
  projectedMs,
  events: pushed.pushed,
  batches: pushed.batches,
  bytesPerEvent: Math.round(outboxBytes / a.orders),
  hqEvents: Number(afterPush.events),
  hqSales: Number(afterPush.sales),
  hqNetFen: Number(afterPush.net ?? 0),
  deviceNetFen,
  outboxLeft: count('outbox'),
  deadLetters: count('dead_letter'),
  repushDuplicates: repushed.pushed - repushed.rejected,
  hqEventsAfterRepush: Number(afterRepush.events),
};

// (c) 1,000 SKUs changed at HQ in one transaction (10 % off, spread evenly over the catalog),
// after the stock the pushed sales moved has come back (drained, untimed).
await pullAll({ ...pullOptions, scopes });
const all = db.prepare('SELECT sku, price_fen FROM sku ORDER BY sku').all() as { sku: string; price_fen: number }[];
const step = all.length / a.changed;
const changed = Array.from({ length: a.changed }, (_, i) => {
  const s = all[Math.floor(i * step)]!;
  const off = Math.floor((s.price_fen * 9) / 10 / 100) * 100;
  return { sku: s.sku, price: off === s.price_fen ? s.price_fen - 100 : off };
});
t = performance.now();
await hq.query('UPDATE sku SET price_fen = u.price FROM unnest($1::text[], $2::int[]) AS u(sku, price) WHERE sku.sku = u.sku', [
  changed.map((c) => c.sku),
  changed.map((c) => c.price),
]);
const hqCommitMs = performance.now() - t;
bracket = cpuBracket(a);
t = performance.now();
const inc = await pullAll({ ...pullOptions, scopes });
const incMs = performance.now() - t;
const incrementalCpu = bracket();
const priceOf = db.prepare('SELECT price_fen FROM sku WHERE sku = ?').pluck();
const verified = changed.filter((c) => priceOf.get(c.sku) === c.price).length;
const incremental = { ms: incMs, rows: inc.rows, requests: inc.requests, verified, hqCommitMs };

// Live: the terminal's replicator with its channel open; one SKU's price committed at HQ, then
// the time until the replicator's round that applied it ends (its state event), checked by
// reading the row from this device's SQLite.
const replicator = createReplicator({
  db,
  outbox: deviceOutbox(db),
  deviceId: identity.deviceId,
  storeId: identity.storeId,
  hqUrl: a.url,
  clock,
  log,
  pollMs: 600_000,
});
let waiting: { sku: string; price: number; resolve: () => void } | null = null;
const check = () => {
  if (waiting && priceOf.get(waiting.sku) === waiting.price) {
    const w = waiting;
    waiting = null;
    w.resolve();
  }
};
replicator.onState((s: SyncState) => {
  if (s.hq === 'online') check();
});
const online = new Promise<void>((resolve) => {
  const stop = replicator.onState((s) => {
    if (s.hq === 'online') {
      stop();
      resolve();
    }
  });
});
replicator.start();
await online;
// The channel is up once HQ counts it (the hub sends `ready` after registering it).
for (let i = 0; i < 500; i++) {
  const health = (await (await fetch(`${a.url}/health`)).json()) as { liveConnections?: number };
  if ((health.liveConnections ?? 0) >= 1) break;
  await new Promise((r) => setTimeout(r, 20));
}
const samplesMs: number[] = [];
const commitMs: number[] = [];
let missed = 0;
for (let i = 0; i < a.liveSamples; i++) {
  const target = all[(i * 7919) % all.length]!;
  const price = (priceOf.get(target.sku) as number) + 100;
  const applied = new Promise<boolean>((resolve) => {
    waiting = { sku: target.sku, price, resolve: () => resolve(true) };
    setTimeout(() => resolve(false), 5000).unref();
  });
  const start = performance.now();
  await hq.query('UPDATE sku SET price_fen = $2 WHERE sku = $1', [target.sku, price]);
  commitMs.push(performance.now() - start);
  check();
  if (await applied) samplesMs.push(performance.now() - start);
  else missed++;
  waiting = null;
  // HQ merges nudges that come within its 50 ms coalescing window; a store's changes are not that
  // close together, so the next sample starts after the window closed.
  await new Promise((r) => setTimeout(r, 80));
}
await replicator.close();
await hq.end();
await checkpointed;
store.close();

const result: DeviceResult = {
  cpu: {
    provision: provisionCpu,
    provisionStore: provisionStoreCpu,
    push: pushCpu,
    pushProjected: pushProjectedCpu,
    incremental: incrementalCpu,
  },
  provision,
  provisionStore,
  push,
  incremental,
  live: { samplesMs, commitMs, missed },
};
process.stdout.write(`${DEVICE_RESULT}${JSON.stringify(result)}\n`);
process.exit(0);
