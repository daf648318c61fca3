import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceOutbox } from '../../main/store/outbox.js';
import { pushResponseSchema } from '../protocol/push.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { startTamperProxy } from '../testing/tamper-proxy.js';
import type { ProxiedAnswer, TamperProxy } from '../testing/tamper-proxy.js';
import { readCursors } from './apply.js';
import { HQ_KEY_META } from './hq-trust.js';
import { readMeta } from './identity.js';
import { enrolAt, testDevice as testDeviceStore, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

const newId = uuidv7Generator();
const json = (answer: ProxiedAnswer): unknown => JSON.parse(answer.body.toString('utf8'));
const withBody = (answer: ProxiedAnswer, body: unknown): ProxiedAnswer => ({ ...answer, body: Buffer.from(JSON.stringify(body)) });

/**
 * HQ's answers are signed: a machine between the device and HQ (the tamper proxy here, anyone on
 * a store network in the field) can neither turn a rejected sale into an accepted one — the
 * device would delete it — nor change a price in a pull page, nor answer in HQ's place. The device
 * refuses such answers as `bad_response`, acts on nothing in them, and works again once the
 * answers are HQ's own.
 */
describe.each(backends)("the device acts only on HQ's signed answers, on $name", (backend) => {
  let hq: TestHq;
  let proxy: TamperProxy;
  let strangerId: string;
  const devices: TestDevice[] = [];
  const replicators: Replicator[] = [];

  beforeAll(async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 40, customers: 10 });
    hq = await startTestHq(db);
    proxy = await startTamperProxy({ upstream: { host: '127.0.0.1', port: hq.port } });
    strangerId = (await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id <> $1 LIMIT 1', [TEST_STORE]))[0]?.id ?? '';
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await hq?.close();
    await hq?.db.close();
  });
  afterEach(async () => {
    proxy.setTampering({});
    for (const r of replicators.splice(0)) await r.close();
    for (const d of devices.splice(0)) d.cleanup();
  });

  /** An enrolled, provisioned device syncing through the proxy. */
  async function syncingDevice(): Promise<{ device: TestDevice; r: Replicator }> {
    const device = testDeviceStore();
    devices.push(device);
    await enrolAt(device, hq);
    const r = testReplicator(device, proxy.url, { storeId: TEST_STORE });
    replicators.push(r);
    expect(await r.syncNow()).toMatchObject({ hq: 'online', lastError: null, provisioning: { phase: 'done' } });
    return { device, r };
  }

  /** A cash movement by staff of another store: HQ rejects it (foreign_staff). */
  function rejectedEvent(device: TestDevice): string {
    const id = newId();
    device.store.db
      .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(
        id,
        'cash.paid_in',
        JSON.stringify({ id: newId(), sessionId: newId(), amountFen: 100, reason: 'test', approvedBy: null }),
        strangerId,
        device.deviceId,
        TEST_STORE,
        new Date().toISOString(),
      );
    return id;
  }

  it('keeps an event whose rejection was turned into `accepted` on the way, and reports it', async () => {
    const { device, r } = await syncingDevice();
    const eventId = rejectedEvent(device);
    proxy.setTampering({
      rewrite: (request, answer) => {
        if (request.path !== SYNC_PATHS.push) return answer;
        const body = pushResponseSchema.parse(json(answer));
        return withBody(answer, { ...body, results: body.results.map((x) => ({ id: x.id, status: 'accepted' })) });
      },
    });
    const tampered = await r.syncNow();
    expect(tampered).toMatchObject({ pendingEvents: 1, deadLetters: 0, lastError: { code: 'bad_response' } });
    expect(tampered.lastError?.message).toMatch(/signature/);
    expect(
      deviceOutbox(device.store.db)
        .oldest(10)
        .map((e) => e.id),
    ).toEqual([eventId]);

    // The same exchange with HQ's own answer: the event goes where HQ says, the dead-letter list.
    proxy.setTampering({});
    expect(await r.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, deadLetters: 1, lastError: null });
  });

  it('applies nothing of a pull page whose price was changed on the way', async () => {
    const { device, r } = await syncingDevice();
    const [sku] = await hq.db.query<{ sku: string; price_fen: number }>('SELECT sku, price_fen FROM sku ORDER BY sku LIMIT 1');
    const before = sku!.price_fen;
    await hq.db.query('UPDATE sku SET price_fen = $2 WHERE sku = $1', [sku!.sku, before + 1000]);
    const cursors = readCursors(device.store.db);
    proxy.setTampering({
      rewrite: (request, answer) => {
        if (request.path !== SYNC_PATHS.pull) return answer;
        const body = json(answer) as { pages: { sets: { kind: string; rows: unknown[][] }[] }[] };
        for (const set of body.pages.flatMap((p) => p.sets))
          for (const row of set.rows) if (set.kind === 'sku' && row[0] === sku!.sku) row[8] = 1;
        return withBody(answer, body);
      },
    });
    const price = () =>
      (device.store.db.prepare('SELECT price_fen FROM sku WHERE sku = ?').get(sku!.sku) as { price_fen: number }).price_fen;
    expect(await r.syncNow()).toMatchObject({ lastError: { code: 'bad_response' } });
    expect(price()).toBe(before);
    expect(readCursors(device.store.db)).toEqual(cursors);

    proxy.setTampering({});
    expect(await r.syncNow()).toMatchObject({ lastError: null });
    expect(price()).toBe(before + 1000);
  });

  it('refuses answers made without HQ: unsigned, or with the headers of an earlier answer of HQ', async () => {
    const { device, r } = await syncingDevice();
    const eventId = rejectedEvent(device);
    // HQ's genuine headers, from an answer to another request: they do not sign a new nonce or body.
    let genuine: Record<string, string> = {};
    proxy.setTampering({
      rewrite: (_request, answer) => {
        genuine = answer.headers;
        return answer;
      },
    });
    expect((await r.syncNow()).deadLetters).toBe(1);
    const second = rejectedEvent(device);
    const accepted = (headers: Record<string, string>) => (): ProxiedAnswer => ({
      status: 200,
      headers: { ...headers, 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ results: [{ id: second, status: 'accepted' }], serverTime: new Date().toISOString() })),
    });
    for (const forged of [accepted({}), accepted(genuine)]) {
      proxy.setTampering({ forge: (request) => (request.path === SYNC_PATHS.push ? forged() : null) });
      expect(await r.syncNow()).toMatchObject({ pendingEvents: 1, lastError: { code: 'bad_response' } });
    }
    // Nor does a forged "revoked" stop the device.
    proxy.setTampering({
      forge: () => ({
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ error: { code: 'device_revoked', message: 'forged' } })),
      }),
    });
    expect(await r.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 1, lastError: { code: 'bad_response' } });
    proxy.setTampering({});
    expect(await r.syncNow()).toMatchObject({ hq: 'online', pendingEvents: 0, deadLetters: 2, lastError: null });
    expect(eventId).not.toBe(second);
  });

  it('pins the key HQ enrolled it with', async () => {
    const { device } = await syncingDevice();
    expect(readMeta(device.store.db, HQ_KEY_META)).toBe(hq.hqPublicKey);
  });
});
