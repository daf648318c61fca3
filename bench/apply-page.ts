/**
 * `npx tsx bench/apply-page.ts [rows]`: how long the device takes to apply one pull page of
 * `rows` SKUs (default 50,000, the largest page HQ sends) to a fresh encrypted on-disk store —
 * the provisioning path (plain INSERTs) and the incremental path (upserts over rows already
 * there, every row a price change) and an incremental pull's page (1,000 of those rows repriced,
 * spread evenly over the table, as bench/sync-device.ts does: one table page per row) — median
 * of 5 runs each, wall and this process's CPU (wall is noisy on a shared machine). Prints the
 * figures; asserts nothing. Run it before and after a change to sync/client/apply.ts.
 */
import { join } from 'node:path';
import { fileKeyStore } from '../main/store/key-store.js';
import { openStore } from '../main/store/open-store.js';
import { deviceOutbox } from '../main/store/outbox.js';
import { tempDir } from '../main/testing/temp-dir.js';
import { ApplyStatements, applyPage } from '../sync/client/apply.js';
import type { WirePage } from '../sync/client/apply.js';
import { percentile, round } from './stats.js';

const ROWS = Number(process.argv[2] ?? 50_000);
const RUNS = 5;
const NOW = '2026-11-23T01:00:00.000Z';

function skuPage(cursor: string, price: number, only?: readonly number[]): WirePage {
  const rows = (only ?? Array.from({ length: ROWS }, (_, i) => i)).map((i) => [
    `SF-${String(i).padStart(6, '0')}`,
    'ST1',
    '001',
    '黑',
    'Black',
    'M',
    2,
    String(6_900_000_000_000 + i),
    price,
    true,
  ]);
  return { scope: 'brand:SF', cursor, more: false, sets: [{ kind: 'sku', rows, deletes: [] }] };
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
    `${name.padEnd(28)} median ${round(percentile([...values], 50), 0)} ms (runs: ${values.map((v) => Math.round(v)).join(', ')})`,
  );
show(`provision ${ROWS} rows (insert)`, provisioning);
show(`update ${ROWS} rows (upsert)`, incremental);
show(`1000 of ${ROWS} repriced, spread`, spread);
show(`  the same, CPU`, spreadCpu);
