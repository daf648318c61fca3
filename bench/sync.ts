/**
 * Sync figures (issue 5), on a real PostgreSQL (private cluster, fsync on) and an encrypted
 * on-disk device store, side by side with the peers (bench/peers) in bench/results.json:
 *
 * - provision_200k_s / provision_store_s: a fresh enrolled device pulls its brand scope (200,000
 *   SKUs) and then its store scope (customers, stock, staff) — device side in its own process.
 * - push_10k_s: 10,000 ~1 KB sales made offline pushed until the outbox is empty; checked exactly
 *   once at HQ (counts, sum in fen, a re-push answered `duplicate`); push_10k_projected_s: until
 *   HQ's projector has applied them all (its sales and stock reflect the 10,000).
 * - incremental_1k_ms: 1,000 SKUs changed at HQ in one transaction, pulled and applied.
 * - live_change_p50_ms / _p95_ms: a single change committed at HQ until applied on a device whose
 *   replicator has its live channel open.
 * - hq_devices_connected: signed live channels one HQ process holds, opened from child processes.
 * - hq_roundtrips_per_s / hq_roundtrip_p99_ms: pulls with nothing new over live sockets, from child processes.
 *
 * Everything is bounded: children have lifetimes and are killed by pid when they overrun; HQ and
 * PostgreSQL stop at the end, also on error.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openHqDb } from '../sync/hq/db.js';
import type { HqDb } from '../sync/hq/db.js';
import { createEnrolCode } from '../sync/hq/enrol.js';
import { migrateHq } from '../sync/hq/migrate.js';
import { importSampleBrand } from '../sync/hq/sample-brand.js';
import { startPostgres } from '../sync/testing/postgres-server.js';
import type { PostgresServer } from '../sync/testing/postgres-server.js';
import { percentile, round } from './stats.js';
import type { BenchResult } from './stats.js';
import type { DeviceResult, PhaseCpu } from './sync-device.js';
import { fleetConnections, fleetPhasesSeconds, fleetRoundtrips } from './sync-fleet-phases.js';
import { DEVICE_RESULT } from './sync-shared.js';
import { failure, fmt, HQ_CLI, PROFILE_DIR, profileArgs, progress, registerFleet, script, startChild } from './sync-processes.js';
import type { Child } from './sync-processes.js';

export type SyncBenchOptions = {
  skus: number;
  customers: number;
  orders: number;
  changed: number;
  liveSamples: number;
  /** Live channels to open against one HQ process, spread over `fleetChildren` processes. */
  connections: number;
  fleetChildren: number;
  /** Round-trip load: in flight at once (over all children), for how long, over how many devices. */
  roundtripConcurrency: number;
  roundtripSeconds: number;
  roundtripDevices: number;
  /** Round trips over the devices' live sockets (default) or signed HTTP. */
  roundtripTransport: 'live' | 'http';
};

/** Defaults are the workload; BENCH_SYNC_* scale the extras down for a quick check (never the 200k/10k/1k in a real run). */
export function syncOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SyncBenchOptions {
  const n = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    skus: n('BENCH_SYNC_SKUS', 200_000),
    customers: n('BENCH_SYNC_CUSTOMERS', 50_000),
    orders: n('BENCH_SYNC_ORDERS', 10_000),
    changed: n('BENCH_SYNC_CHANGED', 1000),
    liveSamples: n('BENCH_SYNC_LIVE_SAMPLES', 60),
    connections: n('BENCH_SYNC_CONNECTIONS', 50_000),
    fleetChildren: n('BENCH_SYNC_FLEET_CHILDREN', 4),
    roundtripConcurrency: n('BENCH_SYNC_RT_CONCURRENCY', 128),
    roundtripSeconds: n('BENCH_SYNC_RT_SECONDS', 10),
    roundtripDevices: n('BENCH_SYNC_RT_DEVICES', 1000),
    roundtripTransport: env.BENCH_SYNC_RT_TRANSPORT === 'http' ? 'http' : 'live',
  };
}

export async function benchSync(options: SyncBenchOptions = syncOptionsFromEnv()): Promise<BenchResult[]> {
  const o = options;
  const results: BenchResult[] = [];
  const began = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'shopfloor-bench-sync-'));
  let server: PostgresServer | null = null;
  let db: HqDb | null = null;
  const children: Child[] = [];
  try {
    progress('starting PostgreSQL (fsync on)');
    server = await startPostgres({ fsync: true, lifetimeS: 900 + fleetPhasesSeconds(o.connections, o.roundtripSeconds) });
    const pgPid = server.pid;
    const databaseUrl = await server.freshDatabase('bench_sync');
    db = await openHqDb({ databaseUrl });
    const hqDb = db;
    await migrateHq(db);
    const t = performance.now();
    progress(`loading the sample brand (${o.skus} SKUs, ${o.customers} customers) into HQ`);
    const counts = await importSampleBrand(db, { skus: o.skus, customers: o.customers, stockStores: ['S001'] });
    const [brandRow] = await db.query<{ brand: string }>('SELECT code AS brand FROM brand LIMIT 1');
    const brand = brandRow?.brand ?? '';
    // The sample brand's warehouse stock travels in the brand scope (endless aisle): 200k more rows
    // that the peers' catalog does not have. This HQ holds the catalog only, as if that stock had
    // never been imported (its tombstones are dropped with it: no device has seen it yet).
    await db.tx(async (sql) => {
      await sql.query("DELETE FROM stock WHERE location_id IN (SELECT id FROM location WHERE kind = 'warehouse')");
      await sql.query("DELETE FROM change WHERE scope = $1 AND kind = 'stock'", [`brand:${brand}`]);
    });
    const stores = (await db.query<{ id: string }>("SELECT id FROM location WHERE kind = 'store' ORDER BY code")).map((r) => r.id);
    const homeStore = stores[0] ?? '';
    await registerFleet(db, o.connections, stores);
    // A real HQ has statistics and no checkpoint pending from a bulk load: settle both before the clocks start.
    await db.exec('VACUUM ANALYZE');
    await db.exec('CHECKPOINT');
    const importS = (performance.now() - t) / 1000;
    const [feed] = await db.query<{ brand: string; store: string }>(
      'SELECT (SELECT count(*) FROM change WHERE scope = $1) AS brand, (SELECT count(*) FROM change WHERE scope = $2) AS store',
      [`brand:${brand}`, `store:${homeStore}`],
    );
    const { code } = await createEnrolCode(db, { storeId: homeStore, ttlMinutes: 60, createdBy: 'bench', now: new Date() });
    if (PROFILE_DIR) {
      // Profiling: PostgreSQL logs every statement that takes 5 ms or more, and the plan of each that
      // takes 50 ms or more with its time per node and per trigger (foreign-key checks are triggers)
      // — auto_explain, loaded by the sessions HQ opens from here; copied to PROFILE_DIR at the end.
      // (ALTER SYSTEM takes auto_explain's settings only from a session that loaded it: one of its own.)
      const profiler = await openHqDb({ databaseUrl, poolSize: 1 });
      for (const setting of [
        "LOAD 'auto_explain'",
        'ALTER SYSTEM SET log_min_duration_statement = 5',
        "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'",
        "ALTER SYSTEM SET auto_explain.log_min_duration = '50ms'",
        'ALTER SYSTEM SET auto_explain.log_analyze = on',
        'ALTER SYSTEM SET auto_explain.log_triggers = on',
      ])
        await profiler.exec(setting);
      await profiler.close();
      await db.exec('SELECT pg_reload_conf()');
    }

    // HQ: the real server process (sync/hq/cli.js) on that database.
    progress(`HQ loaded in ${round(importS, 1)} s; starting the HQ process`);
    const hq = startChild(
      [
        ...profileArgs('hq'),
        HQ_CLI,
        '--port=0',
        `--data-dir=${join(dir, 'hq')}`,
        `--lifetime-s=${600 + fleetPhasesSeconds(o.connections, o.roundtripSeconds)}`,
      ],
      {
        ...process.env,
        DATABASE_URL: databaseUrl,
        SHOPFLOOR_ADMIN_PASSWORD: 'bench-admin-password',
      },
    );
    children.push(hq);
    const ready = await hq.line<{ url: string; hqFingerprint: string }>('HQ_READY ', 60_000);
    const hqPid = hq.proc.pid as number;
    const setup = `PostgreSQL 15 (private cluster on 127.0.0.1, fsync on) + HQ (sync/hq/cli.js, own process); HQ loaded before the clocks: sample brand ${fmt(counts.skus)} SKUs, ${fmt(counts.customers)} customers, ${counts.locations} locations in ${round(importS, 1)} s`;

    // The device: its own process, encrypted SQLite on disk.
    progress('device: provision, push, incremental, live');
    const deviceLoad = loadavg()[0] ?? 0;
    try {
      const device = startChild(
        script('sync-device', [
          `--url=${ready.url}`,
          `--database-url=${databaseUrl}`,
          // With HQ's key fingerprint: the device enrols over plain HTTP.
          `--code=${code}@${ready.hqFingerprint}`,
          `--dir=${join(dir, 'device')}`,
          `--orders=${o.orders}`,
          `--changed=${o.changed}`,
          `--live-samples=${o.liveSamples}`,
          `--hq-pid=${hqPid}`,
          `--pg-pid=${pgPid ?? 0}`,
          '--lifetime-s=300',
        ]),
      );
      children.push(device);
      const d = await device.line<DeviceResult>(DEVICE_RESULT, 300_000);
      await device.stop();
      results.push(
        ...deviceRows(d, o, feed, `${setup}; load average ${round(deviceLoad, 1)} on ${availableParallelism()} CPUs at the start`),
      );
    } catch (error) {
      results.push(failure('provision_200k_s', 's', error));
    }

    // Many devices at once: live channels, then round trips, from child processes (sync-fleet-phases.ts).
    const fleet = { ...o, url: ready.url, hqPid, pgPid, db: hqDb, brand, stores, children };
    results.push(...(await fleetConnections(fleet)));
    results.push(...(await fleetRoundtrips(fleet)));
    results.push({
      name: 'sync_bench_total_s',
      value: round((performance.now() - began) / 1000, 1),
      unit: 's',
      note: 'wall time of the whole sync benchmark (PostgreSQL start, HQ load, all of the above)',
    });
    return results;
  } catch (error) {
    results.push(failure('sync_bench', 's', error));
    return results;
  } finally {
    for (const c of children) await c.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    if (PROFILE_DIR && server?.dataDir) cpSync(join(dirname(server.dataDir), 'postgres.log'), join(PROFILE_DIR, 'postgres.log'));
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU ms per phase: on a machine shared with other work, the wall time alone misleads. */
function phaseCpu(c: PhaseCpu): string {
  return `CPU in the timed part: device ${round(c.device, 0)} ms, HQ ${round(c.hq, 0)} ms, PostgreSQL ${round(c.pg, 0)} ms`;
}

function deviceRows(
  d: DeviceResult,
  o: SyncBenchOptions,
  feed: { brand: string; store: string } | undefined,
  setup: string,
): BenchResult[] {
  const results: BenchResult[] = [];
  const p = d.provision;
  results.push({
    name: 'provision_200k_s',
    value: round(p.ms / 1000, 2),
    unit: 's',
    note: `fresh enrolled device pulls its brand scope (${p.rows} rows: ${p.skus} SKUs + styles, promotions, brand coupons; ${feed?.brand ?? '?'} in HQ's feed) into its encrypted SQLite, pages of 50k with the next page fetched while one is applied, ${p.requests} requests, ${p.progressEvents} progress events; ${phaseCpu(d.cpu.provision)}; the checkpoint it leaves running off the till's thread was done ${round(p.checkpointMs, 0)} ms later (beside the store scope's pull); goal ≤ 3 s. ${setup}`,
  });
  results.push({
    name: 'provision_docs_per_s',
    value: round(p.rows / (p.ms / 1000), 0),
    unit: 'docs/s',
    note: `brand scope rows applied per second (provision_200k_s)`,
  });
  results.push({
    name: 'provision_peak_mb',
    value: round(p.peakMb, 0),
    unit: 'MB',
    note: `peak RSS of the device process after provisioning the brand scope (whole process: Node, SQLCipher, pages in flight)`,
  });
  const s = d.provisionStore;
  results.push({
    name: 'provision_store_s',
    value: round(s.ms / 1000, 2),
    unit: 's',
    note: `then its store and device scopes: ${s.rows} rows (${s.customers} customers + member codes, ${s.stock} stock rows, ${s.staff} staff + PIN credentials, coupons, and the customer book: profiles, tags, notes, purchases, tasks, results) from ${feed?.store ?? '?'} feed rows; peak RSS ${round(s.peakMb, 0)} MB; ${phaseCpu(d.cpu.provisionStore)}; not part of provision_200k_s`,
  });
  const u = d.push;
  const exact =
    u.hqEvents === o.orders &&
    u.hqSales === o.orders &&
    u.hqNetFen === u.deviceNetFen &&
    u.outboxLeft === 0 &&
    u.deadLetters === 0 &&
    u.hqEventsAfterRepush === o.orders &&
    u.repushDuplicates === Math.min(500, o.orders);
  results.push({
    name: 'push_10k_s',
    value: round(u.ms / 1000, 2),
    unit: 's',
    note: `${u.events} sale.completed events (~${u.bytesPerEvent} B payload; workload orders written offline through writeChange) pushed in ${u.batches} signed batches until the outbox was empty; HQ checks each batch and records it (event + projection queue, one statement) in one transaction and answers — the sales, stock etc. are its projector's (push_10k_projected_s). Exactly once: ${exact ? 'OK' : 'FAILED'} — HQ holds ${u.hqEvents} events / ${u.hqSales} sales, net ${u.hqNetFen} fen vs the device's ${u.deviceNetFen}, outbox left ${u.outboxLeft}, dead letters ${u.deadLetters}; the first 500 pushed again came back duplicate (${u.repushDuplicates}), HQ still ${u.hqEventsAfterRepush}; ${phaseCpu(d.cpu.push)}; goal ≤ 0.5 s`,
  });
  results.push({
    name: 'push_10k_projected_s',
    value: round(u.projectedMs / 1000, 2),
    unit: 's',
    note: `from the same push's start until HQ's projector had applied all ${u.events} events (projection queue empty, polled 5 ms apart): sales, lines, tenders, stock summed per store × SKU per batch of ≤ 2,000 with one change-log row each, points, coupons, customer book — ${u.hqSales} sales, net ${u.hqNetFen} fen; ${phaseCpu(d.cpu.pushProjected)}; the peers' push (peer_rxdb_push_10k_s, peer_pouchdb_push_10k_s) stores documents only: no checks, no sales or stock at the other end; goal ≤ 1.5 s`,
  });
  results.push({
    name: 'push_docs_per_s',
    value: round(u.events / (u.ms / 1000), 0),
    unit: 'docs/s',
    note: 'events pushed per second (push_10k_s)',
  });
  const inc = d.incremental;
  results.push({
    name: 'incremental_1k_ms',
    value: round(inc.ms, 0),
    unit: 'ms',
    note: `${o.changed} SKUs repriced at HQ in one UPDATE (commit ${round(inc.hqCommitMs, 0)} ms, not counted), then the device's pull of all its scopes until applied: ${inc.rows} rows in ${inc.requests} requests, ${inc.verified}/${o.changed} new prices verified in SQLite; ${phaseCpu(d.cpu.incremental)}; goal ≤ 100`,
  });
  const live = [...d.live.samplesMs];
  const commit = [...d.live.commitMs];
  results.push({
    name: 'live_change_p50_ms',
    value: round(percentile(live, 50), 0),
    unit: 'ms',
    note: `${live.length} samples (${d.live.missed} missed within 5 s): one SKU's price UPDATE sent to PostgreSQL (autocommit; commit itself p50 ${round(percentile(commit, 50), 1)} ms) → NOTIFY → HQ's live hub → WebSocket nudge → the device's replicator pulls and applies → its state event, where the new price is read back from SQLite. Samples 80 ms apart (HQ coalesces nudges within 50 ms); goal ≤ 100`,
  });
  results.push({
    name: 'live_change_p95_ms',
    value: round(percentile(live, 95), 0),
    unit: 'ms',
    note: `same samples; max ${round(percentile(live, 100), 0)} ms`,
  });
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchSync()) console.log(`${r.name.padEnd(24)} ${String(r.value).padStart(10)} ${r.unit.padEnd(6)} ${r.note}`);
}
