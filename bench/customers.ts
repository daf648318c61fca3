/**
 * The customer book's figures (issue 11), measured, never asserted:
 * - customer_search_p99_ms: a guide's and a manager's searches (name prefix, last four digits of
 *   the phone, tag) over a store of 50,000 customers, through the API dispatcher; goal ≤ 10 ms.
 * - offboard_propagation_s: HQ (PostgreSQL) offboards a guide holding 5,000 customers → every
 *   connected device of the store has refused the guide (staff row inactive, their session ended)
 *   and shows the customers under the successor, taking over; goal ≤ 2 s.
 * - task_generation_s: one reactivation campaign over a chain of 500,000 customers at HQ on
 *   PostgreSQL (dormancy, consent, do-not-disturb); goal ≤ 10 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTerminal } from '../main/app/terminal.js';
import type { Terminal } from '../main/app/terminal-types.js';
import { fileKeyStore } from '../main/store/key-store.js';
import { openStore } from '../main/store/open-store.js';
import type { Store } from '../main/store/open-store.js';
import { enrolStoreIfNeeded } from '../main/sync/enrol-store.js';
import { demoPin } from '../fixtures/checkout-sample.js';
import { sampleSeeder } from '../fixtures/sample-seeder.js';
import { setAdminPassword } from '../sync/hq/admin/admin-users.js';
import { runCampaign } from '../sync/hq/customers/campaigns.js';
import { openHqDb } from '../sync/hq/db.js';
import type { HqDb } from '../sync/hq/db.js';
import { createEnrolCode } from '../sync/hq/enrol.js';
import { migrateHq } from '../sync/hq/migrate.js';
import { importSampleBrand } from '../sync/hq/sample-brand.js';
import { createHqServer } from '../sync/hq/server.js';
import { uuidv7Generator } from '../sync/protocol/uuidv7.js';
import { startPostgres } from '../sync/testing/postgres-server.js';
import type { PostgresServer } from '../sync/testing/postgres-server.js';
import { percentile, round } from './stats.js';
import type { BenchResult } from './stats.js';

type Recorder = (r: BenchResult) => void;
const CALL = { transport: 'test' as const, connectionId: 'bench' };
const log = () => undefined;

export async function benchCustomers(record: Recorder): Promise<void> {
  await benchSearch(record);
  let server: PostgresServer;
  try {
    server = await startPostgres({ fsync: true, lifetimeS: 900 });
  } catch (error) {
    const note = `skipped: no PostgreSQL here (${(error as Error).message})`;
    record({ name: 'offboard_propagation_s', value: Number.NaN, unit: 's', note });
    record({ name: 'task_generation_s', value: Number.NaN, unit: 's', note });
    return;
  }
  try {
    await benchOffboarding(record, await server.freshDatabase('bench_offboard'));
    await benchCampaign(record, await server.freshDatabase('bench_campaign'));
  } finally {
    await server.stop();
  }
}

/** 71,500 sample customers put 50,000 in the first store (its share is 70 %). */
const SEARCH_CUSTOMERS = 71_500;

async function benchSearch(record: Recorder): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shopfloor-bench-book-'));
  const terminal = openTerminal({
    dataDir: dir,
    keyStore: fileKeyStore(join(dir, 'store.key')),
    appVersion: 'bench',
    log,
    seed: sampleSeeder({ skus: 2_000, customers: SEARCH_CUSTOMERS }),
  });
  const side = openStore({ path: join(dir, 'shopfloor.db'), keyStore: fileKeyStore(join(dir, 'store.key')), quickCheck: false });
  try {
    const storeCustomers = side.db.prepare(`SELECT count(*) FROM customer WHERE store_id = 'loc-S001'`).pluck().get() as number;
    const phones = side.db
      .prepare(`SELECT phone FROM customer WHERE store_id = 'loc-S001' ORDER BY random() LIMIT 500`)
      .pluck()
      .all() as string[];
    const names = side.db
      .prepare(`SELECT DISTINCT substr(name, 1, 1) FROM customer WHERE store_id = 'loc-S001' LIMIT 40`)
      .pluck()
      .all() as string[];
    const tags = side.db.prepare(`SELECT DISTINCT tag FROM customer_tag WHERE store_id = 'loc-S001' LIMIT 30`).pluck().all() as string[];
    const queries: { kind: string; input: Record<string, unknown> }[] = [];
    for (let i = 0; i < 300; i++) {
      queries.push({ kind: 'name', input: { query: names[i % names.length]! } });
      queries.push({ kind: 'phone', input: { query: phones[i % phones.length]!.slice(-4) } });
      queries.push({ kind: 'tag', input: { query: '', tag: tags[i % tags.length]! } });
    }
    const samples: { [who: string]: number[] } = {};
    for (const [who, code, scope] of [
      ['guide', 'S001-04', 'mine'],
      ['manager', 'S001-01', 'store'],
    ] as const) {
      await terminal.dispatch('staff', 'login', { code, pin: demoPin(code) }, CALL);
      for (const q of queries.slice(0, 60)) await terminal.dispatch('customers', 'list', { scope, limit: 20, ...q.input }, CALL); // warm-up
      for (const q of queries) {
        const start = performance.now();
        const result = await terminal.dispatch('customers', 'list', { scope, limit: 20, ...q.input }, CALL);
        const ms = performance.now() - start;
        if (!result.ok) throw new Error(`search failed: ${result.error.code}`);
        (samples[`${who}:${q.kind}`] ??= []).push(ms);
        (samples.all ??= []).push(ms);
      }
    }
    const p = (k: string, n = 99) => round(percentile([...(samples[k] ?? [])], n), 2);
    record({
      name: 'customer_search_p99_ms',
      value: p('all'),
      unit: 'ms',
      note:
        `${samples.all!.length} searches of one page (20) through the API over a store of ${storeCustomers} customers, sorted by next action; ` +
        `p99 guide name ${p('guide:name')} / phone ${p('guide:phone')} / tag ${p('guide:tag')}, manager (whole store) name ${p('manager:name')} / phone ${p('manager:phone')} / tag ${p('manager:tag')}; p50 ${p('all', 50)} ms; goal ≤ 10`,
    });
  } finally {
    side.close();
    await terminal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const BOOK = 5_000;
const DEVICES = 3;
const newId = uuidv7Generator();

type Device = { dir: string; terminal: Terminal; side: Store };

async function benchOffboarding(record: Recorder, databaseUrl: string): Promise<void> {
  const db = await openHqDb({ databaseUrl });
  await migrateHq(db);
  await importSampleBrand(db, { skus: 500, customers: 8_000, stores: 2, stockStores: ['S001'] });
  await setAdminPassword(db, 'bench', 'bench-password');
  const hq = await createHqServer({ db, log });
  const devices: Device[] = [];
  try {
    const [g, successor] = (await db.query<{ id: string }>(`SELECT id FROM staff WHERE code IN ('S001-04', 'S001-05') ORDER BY code`)).map(
      (s) => s.id,
    ) as [string, string];
    await db.query(`UPDATE customer SET guide_id = NULL WHERE guide_id = $1`, [g]);
    await db.query(
      `UPDATE customer SET guide_id = $1 WHERE id IN (SELECT id FROM customer WHERE store_id = 'loc-S001' ORDER BY id LIMIT ${BOOK})`,
      [g],
    );
    for (let i = 0; i < DEVICES; i++) devices.push(await openDevice(hq.url, hq.hqFingerprint, db));
    for (const d of devices) {
      const login = await d.terminal.dispatch('staff', 'login', { code: 'S001-04', pin: demoPin('S001-04') }, CALL);
      if (!login.ok) throw new Error(`the guide could not log in before the offboarding: ${login.error.code}`);
    }
    const token = await adminToken(hq.url);
    const reached = devices.map((d) => watchOffboarding(d, g, successor));
    const start = performance.now();
    const answer = await fetch(`${hq.url}/admin/v1/staff/${g}/offboard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ requestId: 'bench-offboard', rule: 'successor', successorId: successor }),
    });
    if (!answer.ok) throw new Error(`offboarding failed: ${answer.status} ${await answer.text()}`);
    const hqMs = performance.now() - start;
    const times = (await Promise.all(reached)).map((t) => (t - start) / 1000);
    for (const d of devices) {
      const again = await d.terminal.dispatch('staff', 'login', { code: 'S001-04', pin: demoPin('S001-04') }, CALL);
      if (again.ok || again.error.code !== 'WRONG_PIN') throw new Error('a device still accepts the offboarded guide');
    }
    record({
      name: 'offboard_propagation_s',
      value: round(Math.max(...times), 2),
      unit: 's',
      note: `HQ on PostgreSQL offboards a guide holding ${BOOK} customers (${round(hqMs / 1000, 2)} s at HQ) → each of ${DEVICES} connected devices of the store has ended the guide's session, refuses the PIN and shows the ${BOOK} customers under the successor, taking over (devices: ${times.map((t) => round(t, 2)).join(', ')} s); goal ≤ 2`,
    });
  } finally {
    for (const d of devices) {
      d.side.close();
      // Its checkpoint worker may still write the store's files.
      await d.terminal.close();
      rmSync(d.dir, { recursive: true, force: true });
    }
    hq.app.server.closeAllConnections();
    await hq.close();
    await db.close();
  }
}

async function openDevice(hqUrl: string, hqFingerprint: string, db: HqDb): Promise<Device> {
  const dir = mkdtempSync(join(tmpdir(), 'shopfloor-bench-device-'));
  const keyStore = fileKeyStore(join(dir, 'store.key'));
  const code = (await createEnrolCode(db, { storeId: 'loc-S001', ttlMinutes: 60, createdBy: 'bench', now: new Date() })).code;
  await enrolStoreIfNeeded({ dataDir: dir, keyStore, hqUrl, hqFingerprint, code, appVersion: 'bench', hostname: 'bench', newId, log });
  const terminal = openTerminal({ dataDir: dir, keyStore, appVersion: 'bench', log });
  for (let round = 0; ; round++) {
    const state = await terminal.dispatch('sync', 'syncNow', {}, CALL);
    const s = state.ok ? (state.value as { lastSyncAt: string | null; provisioning: { phase: string } | null }) : null;
    if (s?.lastSyncAt && s.provisioning?.phase !== 'running') break;
    if (round > 60) throw new Error('a bench device did not provision');
  }
  const side = openStore({ path: join(dir, 'shopfloor.db'), keyStore, quickCheck: false });
  return { dir, terminal, side };
}

/** Resolves with the instant the device has it all: the guide refused and logged out, the book under the successor, taking over. */
function watchOffboarding(d: Device, g: string, successor: string): Promise<number> {
  const moved = d.side.db.prepare(
    `SELECT (SELECT active FROM staff WHERE id = ?) = 0
        AND (SELECT count(*) FROM customer c JOIN customer_profile p ON p.customer_id = c.id WHERE c.guide_id = ? AND p.takeover_from = ?) = ${BOOK}`,
  );
  let ended = false;
  const off = d.terminal.events.subscribe((frame) => {
    if (frame.name === 'staff.session' && (frame.payload as { state: string }).state === 'logged_out') ended = true;
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const check = () => {
      if (ended && moved.pluck().get(g, successor, g) === 1) {
        off();
        resolve(performance.now());
      } else if (Date.now() > deadline) {
        off();
        reject(new Error('a device did not get the offboarding within 60 s'));
      } else setTimeout(check, 5);
    };
    check();
  });
}

async function adminToken(url: string): Promise<string> {
  const answer = await fetch(`${url}/admin/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: 'bench-password' }),
  });
  return ((await answer.json()) as { token: string }).token;
}

const CHAIN = 500_000;
const STORES = 100;

async function benchCampaign(record: Recorder, databaseUrl: string): Promise<void> {
  const db = await openHqDb({ databaseUrl });
  try {
    await migrateHq(db);
    const setupStart = performance.now();
    await db.tx(async (sql) => {
      await sql.exec(`
        INSERT INTO brand VALUES ('BB', '品牌', 'Brand');
        INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
          SELECT 'st-' || n, 'BB', 'store', 'B' || lpad(n::text, 4, '0'), '店' || n, 'Store ' || n, '上海', 'Shanghai', 31.2, 121.4, 'Asia/Shanghai'
            FROM generate_series(1, ${STORES}) AS n;
        INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash)
          SELECT 'g-' || s || '-' || k, 'st-' || s, 'B' || s || '-' || k, '导购' || k, 'guide', true, 'salt', 'hash'
            FROM generate_series(1, ${STORES}) AS s, generate_series(1, 6) AS k;
        INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
          SELECT 'c-' || n, 'st-' || (1 + n % ${STORES}), '客' || n, '1' || lpad(n::text, 10, '0'), 'blue', 0,
                 CASE WHEN n % 10 = 0 THEN NULL ELSE 'g-' || (1 + n % ${STORES}) || '-' || (1 + n % 6) END, now() - interval '3 years'
            FROM generate_series(1, ${CHAIN}) AS n;
        -- Last purchases spread over four years: about a third dormant 180–720 days; 3 % opted out.
        UPDATE customer_profile SET last_purchase_at = now() - make_interval(days => (hashtext(customer_id) & 2047) % 1500),
                                    opted_out = (hashtext(customer_id) & 1023) < 31;
        -- 5 % were contacted twice this week: the do-not-disturb rule (2 in 7 days) protects them.
        INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, note, at)
          SELECT 'k-' || c.id || '-' || k, c.id, c.store_id, coalesce(c.guide_id, 'g'), 'call', 'no_answer', '', now() - make_interval(days => k)
            FROM customer c, generate_series(1, 2) AS k WHERE (hashtext(c.id) & 1023) >= 1000 OR c.id LIKE '%3';
      `);
    });
    await db.exec('ANALYZE');
    const setupS = (performance.now() - setupStart) / 1000;
    const start = performance.now();
    const result = await db.tx((sql) =>
      runCampaign(
        sql,
        {
          id: 'bench-wake',
          brand: 'BB',
          kind: 'reactivate',
          name_zh: '唤醒沉睡客户',
          name_en: 'Reactivate',
          script_zh: '好久不见！',
          script_en: 'Long time no see!',
          coupon: 'CPN-15-PCT',
          params: { dormantMinDays: 180, dormantMaxDays: 720 },
          dueDays: 3,
        },
        'bench',
        new Date(),
      ),
    );
    const seconds = (performance.now() - start) / 1000;
    record({
      name: 'task_generation_s',
      value: round(seconds, 2),
      unit: 's',
      note: `one reactivation campaign (180–720 days dormant) over a chain of ${CHAIN} customers in ${STORES} stores on PostgreSQL: ${result.tasks} tasks made and fed to the stores, skipped ${result.skipped.optedOut} opted out and ${result.skipped.doNotDisturb} under do-not-disturb (setup ${round(setupS, 0)} s, not counted); goal ≤ 10`,
    });
  } finally {
    await db.close();
  }
}
