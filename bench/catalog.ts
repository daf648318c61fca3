/**
 * HQ's catalog import (issue 13, "Catalog import and the first start"), on a real PostgreSQL
 * (private cluster, fsync on), in bench/results.json:
 *
 * - hq_catalog_import_200k_s: the sample brand — 200,000 SKUs, 50,000 customers with their
 *   customer book, stock of the warehouse and of S001 (the load bench/sync.ts makes) — into an
 *   empty, migrated HQ, commits included: `importSampleBrand` (the brand, then its catalog and its
 *   customer book side by side, each in its own transaction on its own connection), the set-based
 *   path (sync/hq/bulk-load.ts), as HQ's own non-superuser account with the grant a chain gives it
 *   (deploy/README.md). The note splits the CPU between Node (generation, parameters)
 *   and PostgreSQL, which says more than the wall time on a shared machine.
 */
import { availableParallelism, loadavg } from 'node:os';
import { openHqDb } from '../sync/hq/db.js';
import type { HqDb } from '../sync/hq/db.js';
import { migrateHq } from '../sync/hq/migrate.js';
import { importSampleBrand } from '../sync/hq/sample-brand.js';
import { startPostgres } from '../sync/testing/postgres-server.js';
import type { PostgresServer } from '../sync/testing/postgres-server.js';
import { round } from './stats.js';
import type { BenchResult } from './stats.js';
import { cpuSplit } from './sync-shared.js';

/**
 * A database as deploy/README.md sets one up for a chain: owned by HQ's own account, which is not
 * a superuser and holds the one grant the bulk loader needs (`SET ON PARAMETER
 * session_replication_role`); HQ migrates and imports as that account. `admin` is the cluster's
 * superuser (the bench's own CHECKPOINT needs it).
 */
async function chainAccountDatabase(server: PostgresServer, admin: HqDb): Promise<string> {
  await admin.exec(`CREATE ROLE ${HQ_ROLE} LOGIN`);
  await admin.exec(`CREATE DATABASE bench_catalog OWNER ${HQ_ROLE}`);
  await admin.exec(`GRANT SET ON PARAMETER session_replication_role TO ${HQ_ROLE}`);
  const url = new URL(server.url);
  url.username = HQ_ROLE; // the private cluster trusts local connections: no password
  url.pathname = '/bench_catalog';
  return url.toString();
}

const HQ_ROLE = 'shopfloor_hq';

export type CatalogBenchOptions = { skus: number; customers: number };

export function catalogOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CatalogBenchOptions {
  return { skus: Number(env.BENCH_CATALOG_SKUS ?? 200_000), customers: Number(env.BENCH_CATALOG_CUSTOMERS ?? 50_000) };
}

export async function benchCatalog(options: CatalogBenchOptions = catalogOptionsFromEnv()): Promise<BenchResult[]> {
  let server: PostgresServer | null = null;
  let admin: HqDb | null = null;
  let db: HqDb | null = null;
  try {
    server = await startPostgres({ fsync: true, lifetimeS: 600 });
    admin = await openHqDb({ databaseUrl: server.url, poolSize: 1 });
    db = await openHqDb({ databaseUrl: await chainAccountDatabase(server, admin) });
    await migrateHq(db);
    await admin.exec('CHECKPOINT');
    const before = cpuSplit(process.pid, server.pid, []);
    const started = performance.now();
    const counts = await importSampleBrand(db, { skus: options.skus, customers: options.customers, stockStores: ['S001'] });
    const seconds = (performance.now() - started) / 1000;
    const after = cpuSplit(process.pid, server.pid, []);
    const [feed] = await db.query<{ n: number; chunks: number }>(
      'SELECT coalesce(sum(n), 0)::int AS n, (count(*) FILTER (WHERE keys IS NOT NULL))::int AS chunks FROM change',
    );
    return [
      {
        name: 'hq_catalog_import_200k_s',
        value: round(seconds, 1),
        unit: 's',
        note:
          `sample brand into an empty HQ on PostgreSQL 15 (private cluster, fsync on) as HQ's own account (not a superuser; granted SET on ` +
          `session_replication_role, as deploy/README.md has it), commits included — the brand, then its catalog and its customers side by side ` +
          `(two transactions on two connections): ${counts.skus} SKUs, ` +
          `${counts.styles} styles, ${counts.customers} customers with their book, ${counts.stockRows} stock rows, ${feed?.n ?? 0} change-log rows (${feed?.chunks ?? 0} chunks hold most); ` +
          `CPU: Node ${round(after.hq - before.hq, 1)} s (generation + parameters), PostgreSQL ${round(after.pg - before.pg, 1)} s; ` +
          `load average ${round(loadavg()[0] ?? 0, 1)} on ${availableParallelism()} CPUs; goal ≤ 10 s (48.7 s before the set-based load)`,
      },
    ];
  } finally {
    await db?.close();
    await admin?.close();
    await server?.stop();
  }
}
