import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../hq/db.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { writeChange } from '../../main/store/outbox.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { enrolAt, testDevice, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const OTHER_STORE = 'loc-S002';

describe.each(backends)('a customer moving stores, on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  const devices: TestDevice[] = [];
  const replicators: Replicator[] = [];
  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    hq = await startTestHq(db);
  }, 180_000);
  afterAll(async () => {
    for (const r of replicators) await r.close();
    for (const d of devices) d.cleanup();
    await hq?.close();
    await db?.close();
  });

  /** A device of `storeId`, provisioned. */
  async function syncedDevice(storeId: string): Promise<{ device: TestDevice; replicator: Replicator }> {
    const device = testDevice();
    devices.push(device);
    await enrolAt(device, hq, { storeId });
    const replicator = testReplicator(device, hq.url, { storeId });
    replicators.push(replicator);
    expect(await replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    return { device, replicator };
  }

  /** What the till finds for a member code (main/checkout/members.ts looks members up this way), and their coupons. */
  const member = (device: TestDevice, code: string) => {
    const found = device.store.db
      .prepare('SELECT c.id FROM customer c JOIN member_code m ON m.customer_id = c.id WHERE m.code = ? COLLATE NOCASE')
      .get(code) as { id: string } | undefined;
    const coupons = device.store.db.prepare('SELECT code FROM coupon WHERE customer_id = ? ORDER BY code').all(found?.id ?? '') as {
      code: string;
    }[];
    return { id: found?.id ?? null, coupons: coupons.map((c) => c.code) };
  };

  it("brings their member code and coupons to the new store's devices and takes them from the old store's", async () => {
    const [customer] = await db.query<{ id: string; code: string; brand: string }>(
      `SELECT c.id, m.code, l.brand FROM customer c JOIN member_code m ON m.customer_id = c.id JOIN location l ON l.id = c.store_id
        WHERE c.store_id = $1 AND NOT EXISTS (SELECT 1 FROM coupon WHERE customer_id = c.id) ORDER BY c.id LIMIT 1`,
      [TEST_STORE],
    );
    if (!customer) throw new Error('no customer to move');
    const coupons = [`CPN-MOVE-${customer.id}-1`, `CPN-MOVE-${customer.id}-2`];
    for (const code of coupons) {
      await db.query(
        `INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, valid_from, valid_until)
         VALUES ($1, $2, $3, 'amount', '券', 'Coupon', 1000, '2025-01-01T00:00:00Z', '2099-01-01T00:00:00Z')`,
        [code, customer.brand, customer.id],
      );
    }
    const a = await syncedDevice(TEST_STORE);
    const b = await syncedDevice(OTHER_STORE);
    expect(member(a.device, customer.code)).toEqual({ id: customer.id, coupons });
    expect(member(b.device, customer.code)).toEqual({ id: null, coupons: [] });

    await db.query('UPDATE customer SET store_id = $2 WHERE id = $1', [customer.id, OTHER_STORE]);
    expect(await b.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    expect(await a.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    expect(member(b.device, customer.code)).toEqual({ id: customer.id, coupons });
    expect(member(a.device, customer.code)).toEqual({ id: null, coupons: [] });
    const leftovers = (device: TestDevice) =>
      device.store.db
        .prepare(`SELECT (SELECT count(*) FROM member_code WHERE code = ?) + (SELECT count(*) FROM coupon WHERE code IN (?, ?)) AS n`)
        .get(customer.code, ...coupons) as { n: number };
    expect(leftovers(a.device).n).toBe(0);

    // A device the old store provisions afterwards never gets them either.
    const fresh = await syncedDevice(TEST_STORE);
    expect(leftovers(fresh.device).n).toBe(0);
  });

  it("takes the customer's book off the old store's device, what a guide wrote there before HQ heard of it included", async () => {
    const [customer] = await db.query<{ id: string }>(
      `SELECT c.id FROM customer c WHERE c.store_id = $1 AND EXISTS (SELECT 1 FROM customer_note n WHERE n.customer_id = c.id)
        ORDER BY c.id DESC LIMIT 1`,
      [TEST_STORE],
    );
    if (!customer) throw new Error('no customer with notes to move');
    const a = await syncedDevice(TEST_STORE);
    const db3 = a.device.store.db;
    const guide = db3
      .prepare('SELECT id FROM staff WHERE store_id = ? AND active = 1 ORDER BY id LIMIT 1')
      .pluck()
      .get(TEST_STORE) as string;
    // The guide writes a note and a tag, not synced yet: shown at once, waiting in the outbox (main/customers/customer-book.ts).
    const ctx = {
      db: db3,
      newId: uuidv7Generator(() => Date.now()),
      clock: () => new Date(),
      deviceId: a.device.deviceId,
      storeId: TEST_STORE,
    };
    const noteId = ctx.newId();
    const at = new Date().toISOString();
    writeChange(
      ctx,
      { type: 'customer.note_added', payload: { noteId, customerId: customer.id, body: 'wants the red coat in M' }, staffId: guide },
      () =>
        db3
          .prepare('INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(noteId, customer.id, TEST_STORE, guide, 'wants the red coat in M', at),
    );
    writeChange(ctx, { type: 'customer.tag_added', payload: { customerId: customer.id, tag: 'vip-red' }, staffId: guide }, () =>
      db3
        .prepare(`INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, ?, ?, 'manual', ?)`)
        .run(customer.id, 'vip-red', TEST_STORE, at),
    );
    const book = () =>
      Object.fromEntries(
        ['customer_profile', 'customer_tag', 'customer_note', 'customer_contact', 'customer_purchase', 'customer_task'].map((t) => [
          t,
          db3.prepare(`SELECT count(*) FROM ${t} WHERE customer_id = ?`).pluck().get(customer.id),
        ]),
      );
    expect(book().customer_note).toBeGreaterThan(1);

    // Meanwhile HQ moves the customer to another store; the device comes back online.
    await db.query('UPDATE customer SET store_id = $2 WHERE id = $1', [customer.id, OTHER_STORE]);
    expect(await a.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null, pendingEvents: 0 });
    expect(db3.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(customer.id)).toBe(0);
    expect(book()).toEqual({
      customer_profile: 0,
      customer_tag: 0,
      customer_note: 0,
      customer_contact: 0,
      customer_purchase: 0,
      customer_task: 0,
    });
  });

  it('keeps no name or phone of a member made on this device once HQ moved them to another store', async () => {
    const a = await syncedDevice(TEST_STORE);
    const db3 = a.device.store.db;
    const guide = db3
      .prepare("SELECT id FROM staff WHERE store_id = ? AND active = 1 AND role = 'guide' ORDER BY id LIMIT 1")
      .pluck()
      .get(TEST_STORE) as string;
    const newId = uuidv7Generator(() => Date.now());
    const ctx = { db: db3, newId, clock: () => new Date(), deviceId: a.device.deviceId, storeId: TEST_STORE };
    const requestId = newId();
    const customerId = newId();
    const member = { name: '周新会员', phone: '13987654321', consent: true };
    // A new member made on the tablet (main/customers/customer-requests.ts): pending, with the name and phone the guide typed.
    writeChange(ctx, { type: 'customer.member_created', payload: { requestId, customerId, ...member }, staffId: guide }, () =>
      db3
        .prepare(
          `INSERT INTO customer_request (id, kind, store_id, customer_id, guide_id, requested_by, status, requested_at, name, phone)
           VALUES (?, 'new_member', ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        )
        .run(requestId, TEST_STORE, customerId, guide, guide, new Date().toISOString(), member.name, member.phone),
    );
    expect(await a.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null, pendingEvents: 0 });
    await hq.projector.settled();
    expect(await a.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    expect(db3.prepare('SELECT status FROM customer_request WHERE id = ?').pluck().get(requestId)).toBe('done');
    expect(db3.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(customerId)).toBe(1);

    await db.query('UPDATE customer SET store_id = $2 WHERE id = $1', [customerId, OTHER_STORE]);
    expect(await a.replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    expect(db3.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(customerId)).toBe(0);
    const kept = db3
      .prepare('SELECT id, name, phone FROM customer_request WHERE name = ? OR phone = ? OR customer_id = ?')
      .all(member.name, member.phone, customerId) as { id: string; name: string | null; phone: string | null }[];
    // The store's record of what its guide asked stays; the person's name and number go with them.
    expect(kept).toEqual([{ id: requestId, name: null, phone: null }]);
  });
});
