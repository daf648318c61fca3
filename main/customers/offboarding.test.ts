import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartState, CustomerPage, CustomerProfile, RequestView, Result, SessionState, TillState } from '../api/contract.js';
import { openTerminal } from '../app/terminal.js';
import type { Terminal } from '../app/terminal-types.js';
import { fileKeyStore } from '../store/key-store.js';
import { enrolStoreIfNeeded } from '../sync/enrol-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import type { HqDb } from '../../sync/hq/db.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../../sync/hq/testing/test-hq.js';
import type { TestHq } from '../../sync/hq/testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS } from '../../sync/hq/testing/use-test-hq.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { startChaosProxy } from '../../sync/testing/chaos-proxy.js';
import type { ChaosProxy } from '../../sync/testing/chaos-proxy.js';

/**
 * Offboarding end to end (issue 11): guide G holds 1,000 customers; two devices of the store, one
 * of them offline when HQ offboards G. After each syncs, both refuse G's PIN and end G's session;
 * G's customers are the successor's ("taking over"), their notes intact; a sale made offline
 * before the offboarding keeps G's credit; a customer who declines is in the pool; a third
 * in-service transfer in 90 days is refused with its reason on the device. And two devices binding
 * the same customer offline: the first to reach HQ keeps it, the other shows the refusal.
 */
const G = 'S001-04';
const SUCCESSOR = 'S001-05';
const CASHIER = 'S001-02';
const MANAGER = 'S001-01';
const BOOK = 1000;
const newId = uuidv7Generator();

type Device = { terminal: Terminal; proxy: ChaosProxy; dir: ReturnType<typeof tempDir>; upstream: { host: string; port: number } };

let db: HqDb;
let hq: TestHq;
let a: Device;
let b: Device;
let gId: string;
let successorId: string;

const call = (d: Device, connectionId = 't') => ({ transport: 'test' as const, connectionId });
async function value<T>(d: Device, domain: string, method: string, input: unknown = {}): Promise<T> {
  const r: Result<unknown> = await d.terminal.dispatch(domain, method, input, call(d));
  if (!r.ok) throw new Error(`${domain}.${method}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
async function code(d: Device, domain: string, method: string, input: unknown = {}): Promise<string> {
  const r = await d.terminal.dispatch(domain, method, input, call(d));
  return r.ok ? 'ok' : r.error.code;
}
const login = (d: Device, staff: string) => code(d, 'staff', 'login', { code: staff, pin: demoPin(staff) });
const syncNow = (d: Device) => d.terminal.dispatch('sync', 'syncNow', {}, call(d));

async function device(): Promise<Device> {
  const dir = tempDir('shopfloor-offboard-');
  const upstream = { host: '127.0.0.1', port: Number(new URL(hq.url).port) };
  const proxy = await startChaosProxy({ upstream });
  const keyStore = fileKeyStore(join(dir.path, 'store.key'));
  const outcome = await enrolStoreIfNeeded({
    dataDir: dir.path,
    keyStore,
    hqUrl: proxy.url,
    code: await hq.enrolment(),
    appVersion: '0.0.0-test',
    hostname: 't',
    newId,
    log: () => undefined,
  });
  expect(outcome).toBe('enrolled');
  const terminal = openTerminal({ dataDir: dir.path, keyStore, appVersion: '0.0.0-test', log: () => undefined });
  const d = { terminal, proxy, dir, upstream };
  // Provisioned and online: a sync round that ends with a last sync time and nothing left to download.
  for (let round = 0; ; round++) {
    const state = await value<{ provisioning: { phase: string } | null; lastSyncAt: string | null }>(d, 'sync', 'syncNow');
    if (state.lastSyncAt !== null && state.provisioning?.phase !== 'running') break;
    if (round > 30) throw new Error(`device did not provision: ${JSON.stringify(state)}`);
  }
  return d;
}
const offline = (d: Device) => d.proxy.close();
async function online(d: Device): Promise<void> {
  d.proxy = await startChaosProxy({ upstream: d.upstream, port: d.proxy.port });
}

beforeAll(async () => {
  db = await openTestHqDb({ skus: 60, customers: 1600 });
  hq = await startTestHq(db);
  [{ id: gId }, { id: successorId }] = (await db.query<{ id: string }>('SELECT id FROM staff WHERE code = ANY($1) ORDER BY code', [
    [G, SUCCESSOR],
  ])) as [{ id: string }, { id: string }];
  // G's book: exactly 1,000 of the store's customers, one with a note of G's.
  await db.query(`UPDATE customer SET guide_id = (SELECT id FROM staff WHERE code = 'S001-06') WHERE guide_id = $1`, [gId]);
  await db.query(`UPDATE customer SET guide_id = $1 WHERE id IN (SELECT id FROM customer WHERE store_id = $2 ORDER BY id LIMIT ${BOOK})`, [
    gId,
    TEST_STORE,
  ]);
  await db.query(
    `INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at)
     SELECT 'note-g', id, store_id, $1, '只穿深色，喜欢羊毛大衣', now() FROM customer WHERE guide_id = $1 ORDER BY id LIMIT 1`,
    [gId],
  );
  a = await device();
  b = await device();
}, HQ_SETUP_TIMEOUT_MS);
afterAll(async () => {
  for (const d of [a, b]) {
    d?.terminal.close();
    await d?.proxy.close();
    d?.dir.cleanup();
  }
  hq?.app.server.closeAllConnections();
  await hq?.close();
  await db?.close();
});

describe('offboarding a guide, end to end', () => {
  let sold: { saleId: string; customerId: string };

  it('moves the book to the successor on every device, ends G’s sessions and refuses G’s PIN, also on a device offline at the time', async () => {
    expect(await login(a, G)).toBe('ok');
    expect((await value<CustomerPage>(a, 'customers', 'list', { scope: 'mine' })).total).toBe(BOOK);

    // Device B is offline. G is logged in there, and a cashier sells to one of G's customers.
    expect(await login(b, CASHIER)).toBe('ok');
    const till = await value<TillState>(b, 'cashup', 'state');
    if (till.state === 'closed') await value(b, 'cashup', 'open', { floatFen: 10_000 });
    await offline(b);
    await expect.poll(async () => (await value<{ hq: string }>(b, 'sync', 'syncNow')).hq).toBe('offline');
    const [customer] = await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id DESC LIMIT 1', [gId]);
    const [ean] = await db.query<{ ean: string }>(
      'SELECT s.ean FROM sku s JOIN stock k ON k.sku = s.sku AND k.location_id = $1 WHERE s.active ORDER BY s.sku LIMIT 1',
      [TEST_STORE],
    );
    await value(b, 'checkout', 'scan', { code: ean!.ean });
    await value(b, 'checkout', 'identifyMember', { code: memberCodeOf(customer!.id) });
    const cart = await value<CartState>(b, 'checkout', 'cart');
    await value(b, 'checkout', 'addTender', { method: 'cash', givenFen: cart.totals.dueFen });
    const sale = await value<{ sale: { saleId: string } }>(b, 'checkout', 'complete');
    sold = { saleId: sale.sale.saleId, customerId: customer!.id };
    expect(await login(b, G)).toBe('ok');

    // HQ offboards G: the successor takes over with a 24-hour window.
    const off = await hq.admin('POST', `/admin/v1/staff/${gId}/offboard`, {
      requestId: 'off-g',
      rule: 'successor',
      successorId,
      reason: '离职',
    });
    expect(off.status).toBe(200);

    // Device A is online: the live channel brings it at once. G's session ends and the PIN is refused.
    await expect.poll(async () => (await value<SessionState>(a, 'staff', 'session')).state, { timeout: 20_000 }).toBe('logged_out');
    expect(await login(a, G)).toBe('WRONG_PIN');
    expect(await login(a, SUCCESSOR)).toBe('ok');
    const page = await value<CustomerPage>(a, 'customers', 'list', { scope: 'mine', limit: 50 });
    expect(page.total).toBeGreaterThanOrEqual(BOOK);
    const moved = page.items.filter((c) => c.takingOver?.from?.id === gId);
    expect(moved.length).toBeGreaterThan(0);
    // History stays with the customer: G's note, now read by the successor.
    const [noted] = await db.query<{ customer_id: string }>(`SELECT customer_id FROM customer_note WHERE id = 'note-g'`);
    const profile = await value<CustomerProfile>(a, 'customers', 'profile', { customerId: noted!.customer_id });
    expect(profile.notes.map((n) => n.body)).toContain('只穿深色，喜欢羊毛大衣');
    expect(profile.takingOver?.from?.id).toBe(gId);

    // Device B comes back: its sale goes up, the offboarding comes down, G's session there ends too.
    expect((await value<SessionState>(b, 'staff', 'session')).state).toBe('active');
    await online(b);
    await syncNow(b);
    await expect.poll(async () => (await value<SessionState>(b, 'staff', 'session')).state, { timeout: 20_000 }).toBe('logged_out');
    expect(await login(b, G)).toBe('WRONG_PIN');
  }, 120_000);

  it('keeps G’s service credit for the sale made offline before the offboarding', async () => {
    await expect
      .poll(async () => (await db.query('SELECT 1 FROM customer_purchase WHERE id = $1', [sold.saleId])).length, { timeout: 20_000 })
      .toBe(1);
    const [purchase] = await db.query<{ service_guide_id: string }>('SELECT service_guide_id FROM customer_purchase WHERE id = $1', [
      sold.saleId,
    ]);
    expect(purchase!.service_guide_id).toBe(gId);
  });

  it('puts a customer who declines into the pool, and refuses a third in-service transfer on the device with the reason', async () => {
    const [decliner] = await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id LIMIT 1', [successorId]);
    expect((await hq.admin('POST', `/admin/v1/customers/${decliner!.id}/decline-transfer`, {})).status).toBe(200);
    expect(await login(a, MANAGER)).toBe('ok');
    await syncNow(a);
    await expect
      .poll(
        async () =>
          (await value<CustomerPage>(a, 'customers', 'list', { scope: 'pool', query: memberCodeOf(decliner!.id) })).items.map((c) => c.id),
        { timeout: 20_000 },
      )
      .toEqual([decliner!.id]);

    // Two in-service moves at HQ, then the manager's third on the device.
    const [moving] = await db.query<{ id: string }>('SELECT id FROM customer WHERE guide_id = $1 ORDER BY id LIMIT 1 OFFSET 5', [
      successorId,
    ]);
    const [other] = await db.query<{ id: string }>(
      `SELECT id FROM staff WHERE store_id = $1 AND role = 'guide' AND active AND id <> $2 ORDER BY id LIMIT 1`,
      [TEST_STORE, successorId],
    );
    for (const [n, to] of [
      [1, other!.id],
      [2, successorId],
    ] as const) {
      const moved = await hq.admin('POST', '/admin/v1/transfers', {
        requestId: `rb-${n}`,
        kind: 'rebalance',
        storeId: TEST_STORE,
        reason: 'rebalance',
        takeoverHours: 0,
        moves: [{ customerId: moving!.id, toGuideId: to }],
      });
      expect(moved.status).toBe(200);
    }
    await syncNow(a);
    const asked = await value<RequestView>(a, 'customers', 'assign', { customerId: moving!.id, guideId: other!.id });
    expect(asked.status).toBe('pending');
    await syncNow(a);
    await expect
      .poll(async () => (await value<{ items: RequestView[] }>(a, 'customers', 'requests')).items.find((r) => r.id === asked.id), {
        timeout: 20_000,
      })
      .toMatchObject({ status: 'refused', reason: 'transfer_limit' });
  }, 60_000);

  it('keeps the binding of the device that reaches HQ first when two devices bind the same customer offline', async () => {
    const [pooled] = await db.query<{ id: string }>(
      'SELECT id FROM customer WHERE store_id = $1 AND guide_id IS NULL ORDER BY id DESC LIMIT 1',
      [TEST_STORE],
    );
    const [g1, g2] = ['S001-06', SUCCESSOR];
    await offline(a);
    await offline(b);
    // Both know they are offline (a round in flight when the network went is over).
    for (const d of [a, b]) await expect.poll(async () => (await value<{ hq: string }>(d, 'sync', 'syncNow')).hq).toBe('offline');
    expect(await login(a, g1)).toBe('ok');
    expect(await login(b, g2)).toBe('ok');
    const fromA = await value<RequestView>(a, 'customers', 'bind', { memberCode: memberCodeOf(pooled!.id) });
    const fromB = await value<RequestView>(b, 'customers', 'bind', { memberCode: memberCodeOf(pooled!.id) });
    expect([fromA.status, fromB.status]).toEqual(['pending', 'pending']);
    // B reaches HQ first.
    await online(b);
    await syncNow(b);
    await online(a);
    await syncNow(a);
    await syncNow(b);
    const request = async (d: Device, id: string) =>
      (await value<{ items: RequestView[] }>(d, 'customers', 'requests')).items.find((r) => r.id === id);
    await expect.poll(() => request(b, fromB.id), { timeout: 20_000 }).toMatchObject({ status: 'done' });
    await expect
      .poll(() => request(a, fromA.id), { timeout: 20_000 })
      .toMatchObject({ status: 'refused', reason: 'bound_elsewhere', currentGuide: { code: g2 } });
  }, 60_000);
});
