/**
 * The chain's HQ on deploy/up.sh's HA set (pg_auto_failover monitor, primary + synchronous
 * standby, two HQ processes behind haproxy, fast failover timeouts), three tills through haproxy:
 * - what one primary takes: sustained pushes (sales/s) and feed reads (pulls/s), wall time and per
 *   CPU-second of the primary's PostgreSQL (its processes' utime+stime from /proc: the machine is
 *   shared, so CPU time says more than wall time about what a dedicated primary would do);
 * - failover: the primary killed -9 as HQ acknowledges a push, the standby promoted: kill → next
 *   accepted push, and acknowledged sales HQ no longer has.
 * Skipped (no figures) when pg_autoctl or haproxy is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrng } from '../fixtures/prng.js';
import type { Prng } from '../fixtures/prng.js';
import { waitForState } from '../sync/client/testing/test-device.js';
import type { Replicator } from '../sync/client/types.js';
import { openHqDb } from '../sync/hq/db.js';
import type { HqDb } from '../sync/hq/db.js';
import { deviceReplicator, drainedOf, sell } from '../sync/faults/fault-device.js';
import type { FaultDevice } from '../sync/faults/fault-device.js';
import { enrolHaTill, haClusterMissing, haTillReplicator, startHaCluster } from '../sync/faults/ha-cluster.js';
import type { HaCluster } from '../sync/faults/ha-cluster.js';
import { waitProjected } from '../sync/faults/hq-process.js';
import { pushRecorder } from '../sync/faults/push-recorder.js';
import type { PushRecorder } from '../sync/faults/push-recorder.js';
import { cpuSplit } from './sync-shared.js';
import { round } from './stats.js';
import type { BenchResult } from './stats.js';

const DEVICES = 3;
const STORE = 'loc-S001';

export type FailoverBenchOptions = { salesPerDevice: number; pullsPerDevice: number };

export function failoverOptionsFromEnv(): FailoverBenchOptions {
  return {
    salesPerDevice: Number(process.env.BENCH_FAILOVER_SALES ?? 1_500),
    pullsPerDevice: Number(process.env.BENCH_FAILOVER_PULLS ?? 300),
  };
}

/** CPU time (ms) of a postmaster and every process under it, the ended ones included (reaped into cutime/cstime). */
function treeCpuMs(postmaster: number): number {
  return cpuSplit(process.pid, postmaster, []).pg * 1000;
}

function primaryPostmaster(cluster: HaCluster, node: string): number {
  return Number(readFileSync(join(cluster.base, node, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

type Till = { device: FaultDevice; replicator: Replicator | null; eans: string[] };

async function ringUp(tills: Till[], prng: Prng, n: number): Promise<void> {
  for (const t of tills) for (let i = 0; i < n; i++) await sell(t.device, prng, t.eans);
}

function startReplicators(tills: Till[], cluster: HaCluster, recorder: PushRecorder, prng: Prng): void {
  for (const t of tills) {
    t.replicator = haTillReplicator(t.device, cluster, recorder, prng);
    t.replicator.start();
  }
}

async function drained(tills: Till[], timeoutMs: number): Promise<void> {
  await Promise.all(tills.map((t, i) => waitForState(t.replicator as Replicator, drainedOf(t.device), timeoutMs, `till ${i + 1} drained`)));
}

async function closeReplicators(tills: Till[]): Promise<void> {
  for (const t of tills) {
    await t.replicator?.close();
    t.replicator = null;
  }
}

export async function benchFailover(options: FailoverBenchOptions = failoverOptionsFromEnv()): Promise<BenchResult[]> {
  const missing = haClusterMissing();
  if (missing) {
    console.log(`failover bench skipped: ${missing}`);
    return [];
  }
  const results: BenchResult[] = [];
  const prng = createPrng('bench-failover');
  const cluster = await startHaCluster({ hqs: 2, lifetimeS: 900 });
  const tills: Till[] = [];
  let check: HqDb | null = null;
  try {
    check = await openHqDb({ databaseUrl: cluster.databaseUrl, poolSize: 4 });
    for (let i = 0; i < DEVICES; i++) {
      const { device, replicator, eans } = await enrolHaTill(check, cluster, {
        storeId: STORE,
        createdBy: 'bench',
        what: `till ${i + 1}`,
        replicator: (d) => deviceReplicator(d, cluster.url, { random: () => prng.next() }),
      });
      await replicator.close();
      tills.push({ device, replicator: null, eans });
    }

    // 1. Pushes: every till's offline sales at once, through haproxy, committed on the primary and its synchronous standby.
    await ringUp(tills, prng, options.salesPerDevice);
    const postmaster = primaryPostmaster(cluster, 'node1');
    let cpu0 = treeCpuMs(postmaster);
    let t0 = performance.now();
    startReplicators(tills, cluster, pushRecorder(), prng);
    await drained(tills, 300_000);
    // A push only records events; HQ's projector writes the sales afterwards, and that is the primary's work too.
    await waitProjected(cluster.url, 300_000);
    const pushMs = performance.now() - t0;
    const pushCpuMs = treeCpuMs(postmaster) - cpu0;
    const sales = DEVICES * options.salesPerDevice;
    results.push({
      name: 'primary_sales_per_s',
      value: round(sales / (pushMs / 1000), 0),
      unit: '/s',
      note: `${sales} offline sales from ${DEVICES} tills pushed at once through haproxy to 2 HQs, primary + synchronous standby (fsync on), wall time on this shared 2-core machine; the primary's PostgreSQL used ${round(pushCpuMs / 1000, 2)} CPU-s: ${round(sales / (pushCpuMs / 1000), 0)} sales per primary CPU-second`,
    });
    results.push({
      name: 'primary_sales_per_cpu_s',
      value: round(sales / (pushCpuMs / 1000), 0),
      unit: '/s',
      note: "sales one CPU-second of the primary's PostgreSQL takes (utime+stime of its processes from /proc over the push above); the README's per-primary capacity is computed from it",
    });

    // 2. Feed reads: pulls at the head of the feed (what every idle till does on a nudge or poll), all tills at once.
    await closeReplicators(tills);
    const pullers = tills.map((t) => deviceReplicator(t.device, cluster.url, { random: () => prng.next() }));
    cpu0 = treeCpuMs(postmaster);
    t0 = performance.now();
    await Promise.all(
      pullers.map(async (r) => {
        for (let i = 0; i < options.pullsPerDevice; i++) await r.syncNow();
      }),
    );
    const pullMs = performance.now() - t0;
    const pullCpuMs = treeCpuMs(postmaster) - cpu0;
    for (const r of pullers) await r.close();
    const pulls = DEVICES * options.pullsPerDevice;
    results.push({
      name: 'primary_feed_reads_per_s',
      value: round(pulls / (pullMs / 1000), 0),
      unit: '/s',
      note: `${pulls} signed pull round trips at the feed head (${DEVICES} tills, one at a time each) through haproxy, wall time here; the primary's PostgreSQL used ${round(pullCpuMs / 1000, 2)} CPU-s: ${round(pulls / (pullCpuMs / 1000), 0)} pulls per primary CPU-second`,
    });

    // 3. Failover: kill -9 the primary as the first batch is acknowledged; the standby takes over.
    await ringUp(tills, prng, 600);
    const recorder = pushRecorder();
    const killed = recorder.onFirstAccepted(() => cluster.killPrimary());
    startReplicators(tills, cluster, recorder, prng);
    await killed;
    const killedAt = performance.now();
    await ringUp(tills, prng, 20);
    await drained(tills, 180_000);
    const recoveredAt = recorder.firstAcceptedAfter(killedAt);
    // Sales queued for the projector are not lost: count them once projected.
    await waitProjected(cluster.url, 180_000);
    const ids = [...recorder.accepted];
    const [held] = await check.query<{ n: string }>('SELECT count(*)::text AS n FROM event WHERE id::text = ANY($1::text[])', [ids]);
    let deviceSales = 0;
    for (const t of tills) deviceSales += (t.device.pos.store.db.prepare('SELECT count(*) AS n FROM sale').get() as { n: number }).n;
    const ids2 = tills.map((t) => t.device.deviceId);
    const [atHq] = await check.query<{ n: string }>(
      'SELECT count(DISTINCT id)::text AS n FROM sale WHERE device_id::text = ANY($1::text[])',
      [ids2],
    );
    const lost = ids.length - Number(held?.n) + (deviceSales - Number(atHq?.n));
    results.push({
      name: 'failover_recovery_s',
      value: recoveredAt === null ? -1 : round((recoveredAt - killedAt) / 1000, 1),
      unit: 's',
      note: `kill -9 of the primary (keeper + PostgreSQL) as HQ acknowledged a push → the next push answered accepted, sent after the kill; monitor timeouts of deploy/up.sh --fast-failover (unhealthy after 3 s, demote timeout 5 s); devices back off with full jitter from 1 s; ${recorder.unavailable} 503s meanwhile; goal ≤ 30`,
    });
    results.push({
      name: 'failover_lost_sales',
      value: lost,
      unit: '',
      note: `acknowledged sales missing at HQ after the failover (${ids.length} accepted answers) plus sales the tills made that HQ lacks once they drained (${deviceSales}); goal 0`,
    });
  } finally {
    await closeReplicators(tills).catch(() => undefined);
    for (const t of tills) t.device.cleanup();
    await check?.close().catch(() => undefined);
    await cluster.down();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await benchFailover()) console.log(`${r.name.padEnd(26)} ${String(r.value).padStart(10)} ${r.unit.padEnd(3)} ${r.note}`);
}
