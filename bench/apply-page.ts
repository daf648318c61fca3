/**
 * `npx tsx bench/apply-page.ts [rows]`: how long the device takes to apply one pull page of
 * `rows` SKUs (default 50,000, the largest page HQ sends) to a fresh encrypted on-disk store —
 * the provisioning path (plain INSERTs) and the incremental path (upserts over rows already
 * there, every row a price change) and an incremental pull's page (1,000 of those rows repriced,
 * spread evenly over the table, as bench/sync-device.ts does: one table page per row) — median
 * of 5 runs each, wall and this process's CPU (wall is noisy on a shared machine). Prints the
 * figures; asserts nothing. Run it before and after a change to sync/client/apply.ts.
 *
 * Then a provisioning's end: four such pages into one store with SQLite's automatic checkpoints
 * held off, as sync/client/pull.ts does, and the one checkpoint after them — encrypted (the
 * device's SQLCipher settings) and plain, to show what encryption costs the apply and the
 * checkpoint (which reads every page out of the WAL and writes it into the database); and
 * encrypted with the checkpoint in its worker, as the terminal provisions: how soon the
 * provisioning is done, and how much later the checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { fileKeyStore } from '../main/store/key-store.js';
import { migrate } from '../main/store/migrate.js';
import { migrations } from '../main/store/migrations/index.js';
import { applyKey, applyStoreSettings, openStore } from '../main/store/open-store.js';
import { deviceOutbox } from '../main/store/outbox.js';
import { tempDir } from '../main/testing/temp-dir.js';
import { ApplyStatements, applyPage } from '../sync/client/apply.js';
import { checkpointsDone, withCheckpointsDeferred } from '../sync/client/pull.js';
import type { WirePage } from '../sync/client/apply.js';
import { percentile, round } from './stats.js';

const ROWS = Number(process.argv[2] ?? 50_000);
const RUNS = 5;
const NOW = '2026-11-23T01:00:00.000Z';

/** EANs in no order the SKUs are sent in, as a real catalog's are (7,919 and 1,000,003 are prime: no two SKUs share one). */
const ean = (i: number) => String(6_900_000_000_000 + ((i * 7_919) % 1_000_003));

function skuPage(cursor: string, price: number, only?: readonly number[], from = 0, more = false): WirePage {
  const rows = (only ?? Array.from({ length: ROWS }, (_, i) => from + i)).map((i) => [
    `SF-${String(i).padStart(6, '0')}`,
    'ST1',
    '001',
    '黑',
    'Black',
    'M',
    2,
    ean(i),
    price,
    true,
  ]);
  return { scope: 'brand:SF', cursor, more, sets: [{ kind: 'sku', rows, deletes: [] }] };
}

const style = { kind: 'style', rows: [['ST1', 'SF', '羽绒服', 'Down coat', '外套', 'Coats', '25W', 29900]], deletes: [] };
const provisioning: number[] = [];
const incremental: number[] = [];
const spread: number[] = [];
const spreadCpu: number[] = [];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
for (let run = 0; run < RUNS; run++) {
  const dir = tempDir('shopfloor-apply-bench-');
  const store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: fileKeyStore(join(dir.path, 'store.key')) });
  try {
    const st = new ApplyStatements(store.db, deviceOutbox(store.db));
    applyPage(st, { scope: 'brand:SF', cursor: 'c0', more: true, sets: [style] }, { storeId: 'loc-S001', now: NOW });
    // A provisioning of one page: the table loaded without its secondary indexes, and them built, in one transaction (sync/client/deferred-indexes.ts).
    const first = skuPage('c1', 29900);
    const t0 = performance.now();
    applyPage(st, first, { storeId: 'loc-S001', now: NOW, insertOnly: true });
    provisioning.push(performance.now() - t0);
    const again = skuPage('c2', 19900);
    const t1 = performance.now();
    applyPage(st, again, { storeId: 'loc-S001', now: NOW });
    incremental.push(performance.now() - t1);
    const changed = Array.from({ length: Math.min(1000, ROWS) }, (_, k) => Math.floor((k * ROWS) / Math.min(1000, ROWS)));
    const c2 = cpuMs();
    const t2 = performance.now();
    applyPage(st, skuPage('c3', 9900, changed), { storeId: 'loc-S001', now: NOW });
    spread.push(performance.now() - t2);
    spreadCpu.push(cpuMs() - c2);
  } finally {
    store.close();
    dir.cleanup();
  }
}
const show = (name: string, values: number[]) =>
  console.log(
    `${name.padEnd(36)} median ${round(percentile([...values], 50), 0)} ms (runs: ${values.map((v) => Math.round(v)).join(', ')})`,
  );
show(`provision ${ROWS} rows (insert)`, provisioning);
show(`update ${ROWS} rows (upsert)`, incremental);
show(`1000 of ${ROWS} repriced, spread`, spread);
show(`  the same, CPU`, spreadCpu);

/**
 * Four pages with automatic checkpoints held off, then the checkpoint: [apply ms, ms until the
 * provisioning is done, ms until the checkpoint is]. `off-thread`: the encrypted store's
 * checkpoint in its worker (Store.checkpointOffThread), as the terminal provisions. The pages
 * load the table without its secondary indexes and the last builds them
 * (sync/client/deferred-indexes.ts); `indexes kept`: encrypted, on a table that already holds a
 * row, which a provisioning loads with its indexes — what the device did before.
 */
async function provisioningEnd(mode: 'encrypted' | 'plain' | 'off-thread' | 'indexes kept'): Promise<[number, number, number]> {
  const dir = tempDir('shopfloor-apply-bench-');
  const path = join(dir.path, 'shopfloor.db');
  // The store's own settings, with or without its key.
  const store = mode === 'off-thread' ? openStore({ path, keyStore: fileKeyStore(join(dir.path, 'store.key')) }) : null;
  const db = store?.db ?? new Database(path);
  try {
    if (!store) {
      if (mode !== 'plain') applyKey(db, randomBytes(32));
      applyStoreSettings(db);
      migrate(db, migrations);
    }
    const st = new ApplyStatements(db, deviceOutbox(db));
    const sets = mode === 'indexes kept' ? [style, skuPage('c0', 29900, [4 * ROWS]).sets[0]!] : [style];
    applyPage(st, { scope: 'brand:SF', cursor: 'c0', more: true, sets }, { storeId: 'loc-S001', now: NOW });
    const pages = [0, 1, 2, 3].map((p) => skuPage(`p${p}`, 29900, undefined, p * ROWS, p < 3));
    const t0 = performance.now();
    let t1 = t0;
    // As a provisioning pull does (sync/client/pull.ts): the checkpoint runs once the pages are in.
    await withCheckpointsDeferred(
      db,
      async () => {
        for (const page of pages) applyPage(st, page, { storeId: 'loc-S001', now: NOW, insertOnly: true });
        t1 = performance.now();
      },
      store?.checkpointOffThread,
    );
    const t2 = performance.now();
    await checkpointsDone(db);
    return [t1 - t0, t2 - t1, performance.now() - t1];
  } finally {
    db.close();
    dir.cleanup();
  }
}
for (const mode of ['encrypted', 'indexes kept', 'off-thread', 'plain'] as const) {
  const runs: [number, number, number][] = [];
  for (let run = 0; run < 3; run++) runs.push(await provisioningEnd(mode));
  const name = `4 × ${ROWS}, ${mode}`;
  show(
    `${name}: apply`,
    runs.map(([apply]) => apply),
  );
  show(
    `${name}: then done`,
    runs.map(([, done]) => done),
  );
  if (mode === 'off-thread') {
    show(
      `${name}: then checkpointed`,
      runs.map(([, , checkpointed]) => checkpointed),
    );
  }
}
