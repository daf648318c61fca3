/**
 * Where applyPush spends its time on a real PostgreSQL (private cluster, fsync on): 10,000 ~1 KB
 * sales of 2 lines each applied in batches of 500, straight through applyPush (no HTTP), with the
 * time of every statement summed by its first words. Run: `npx tsx sync/hq/push/measure-apply.ts`.
 * Figures only — tests never time anything.
 */
import { startPostgres } from '../../testing/postgres-server.js';
import { openHqDb } from '../db.js';
import type { HqDb, Sql } from '../db.js';
import { migrateHq } from '../migrate.js';
import { readFileSync, readdirSync } from 'node:fs';
import { applyPush as currentApplyPush } from './apply-push.js';
import { FIXTURE, deviceOf, saleEvent, seedFixture } from './push-fixture.js';

const SKUS = 2000;
const EVENTS = 10_000;
const BATCH = Number(process.env.BATCH ?? 500);
/** APPLY=<module path>: measure another applyPush (e.g. the previous version, to compare on the same machine load). */
const applyPush: typeof currentApplyPush = process.env.APPLY ? ((await import(process.env.APPLY)) as { applyPush: typeof currentApplyPush }).applyPush : currentApplyPush;

/** CPU seconds used so far by the cluster's processes (postmaster and its children): less sensitive to machine load than wall time. */
function clusterCpuS(postmaster: number): number {
  const tick = 100;
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (Number(name) === postmaster || Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

function timed(db: HqDb, costs: Map<string, number>): HqDb {
  const label = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 40);
  const wrap = (sql: Sql): Sql => ({
    ...sql,
    async query(text, params) {
      const start = process.hrtime.bigint();
      try {
        return await sql.query(text, params);
      } finally {
        const key = label(text);
        costs.set(key, (costs.get(key) ?? 0) + Number(process.hrtime.bigint() - start) / 1e6);
      }
    },
  });
  return { ...db, ...wrap(db), tx: (fn) => db.tx((sql) => fn(wrap(sql))) };
}

const server = await startPostgres({ lifetimeS: 600 });
try {
  const db = await openHqDb({ databaseUrl: await server.freshDatabase('apply') });
  await migrateHq(db);
  await seedFixture(db, SKUS);
  const events = Array.from({ length: EVENTS }, (_, i) => saleEvent('S1', [1 + (i % SKUS), 1 + ((i * 7) % SKUS)]));
  const costs = new Map<string, number>();
  const measured = timed(db, costs);
  const device = deviceOf('S1');
  const cpuBefore = clusterCpuS(server.pid ?? -1);
  const start = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += BATCH) {
    const results = await applyPush(measured, device, { deviceId: FIXTURE.devices.S1, storeId: 'S1', events: events.slice(i, i + BATCH) }, new Date());
    if (results.some((r) => r.status !== 'accepted')) throw new Error(`not accepted: ${JSON.stringify(results.find((r) => r.status !== 'accepted'))}`);
  }
  const total = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = clusterCpuS(server.pid ?? -1) - cpuBefore;
  const batches = Math.ceil(EVENTS / BATCH);
  console.log(`applyPush ${EVENTS} events in batches of ${BATCH}: ${(total / 1000).toFixed(3)} s (${(total / batches).toFixed(1)} ms/batch), PostgreSQL CPU ${cpu.toFixed(2)} s; load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`);
  for (const [key, ms] of [...costs].sort((a, b) => b[1] - a[1])) console.log(`  ${(ms / batches).toFixed(1).padStart(7)} ms/batch  ${key}`);
  const [check] = await db.query<{ events: string; sales: string; lines: string; stock: string }>(
    `SELECT (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM sale) AS sales, (SELECT count(*) FROM sale_line) AS lines, (SELECT sum(qty) FROM stock) AS stock`,
  );
  console.log(`  HQ holds ${check?.events} events, ${check?.sales} sales, ${check?.lines} lines; stock total ${check?.stock} (was ${SKUS * 100})`);
  await db.close();
} finally {
  await server.stop();
}
