import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../../protocol/http.js';
import { openLiveFrame } from '../../protocol/live.js';
import type { LiveMessage } from '../../protocol/live.js';
import { publicKeyFromBase64 } from '../../protocol/signing.js';
import { pullResponseSchema } from '../../protocol/feed.js';
import { pushResponseSchema } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { openHqDb } from '../db.js';
import { saleEventFrom } from '../testing/push-fixture.js';
import type { EventSource } from '../testing/push-fixture.js';
import { testBackends } from '../testing/backends.js';
import { TEST_STORE, openTestHqDb, startTestHq, testDevice } from '../testing/test-hq.js';
import type { TestDevice, TestHq } from '../testing/test-hq.js';
import { postgresAvailable } from '../../testing/postgres-server.js';
import { CHANGE_ROWS } from '../testing/change-log.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

async function sourceOf(db: HqDb, device: TestDevice): Promise<EventSource> {
  const [staff] = await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id = $1 ORDER BY id LIMIT 1', [
    device.enrolment.storeId,
  ]);
  return { deviceId: device.id, storeId: device.enrolment.storeId, staffId: staff!.id };
}

async function stockedSku(db: HqDb, storeId: string): Promise<{ sku: string; qty: number }> {
  const [row] = await db.query<{ sku: string; qty: number }>('SELECT sku, qty FROM stock WHERE location_id = $1 ORDER BY sku LIMIT 1', [
    storeId,
  ]);
  return row!;
}

/** A live channel opened the way a device opens it: a signed GET upgrade. Collects the messages (each signed by HQ). */
async function openLive(hq: { url: string; hqPublicKey: string }, device: TestDevice, headers = device.sign('GET', SYNC_PATHS.live, '')) {
  const ws = new WebSocket(`${hq.url.replace('http', 'ws')}${SYNC_PATHS.live}`, { headers });
  const messages: LiveMessage[] = [];
  const waiters: (() => void)[] = [];
  const hqKey = publicKeyFromBase64(hq.hqPublicKey);
  ws.on('message', (data) => {
    const opened = openLiveFrame(hqKey, String(data));
    if (!opened) throw new Error(`a live frame HQ did not sign: ${String(data)}`);
    messages.push(opened.message);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const next = async (match: (m: LiveMessage) => boolean): Promise<LiveMessage> => {
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, messages, next, closed };
}

/** Resolves with the HTTP status of a refused upgrade. */
function refusedUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}${SYNC_PATHS.live}`, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

describe.each(backends)('sync routes over HTTP on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  let device: TestDevice;
  let other: TestDevice;
  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    hq = await startTestHq(db);
    device = await testDevice(hq);
    const [second] = await db.query<{ id: string }>("SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1", [
      TEST_STORE,
    ]);
    other = await testDevice(hq, second!.id);
  });
  afterAll(async () => {
    await hq.close();
    await db.close();
  });

  it('push: accepted, then duplicate on a retry; stock moves once', async () => {
    const source = await sourceOf(db, device);
    const { sku, qty } = await stockedSku(db, source.storeId);
    const events = [saleEventFrom(source, [sku], { qty: 2 }), saleEventFrom(source, [sku])];
    const body = { deviceId: device.id, storeId: source.storeId, events };
    const first = await device.call('POST', SYNC_PATHS.push, body);
    expect(first.status).toBe(200);
    expect(pushResponseSchema.parse(first.body).results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const again = await device.call('POST', SYNC_PATHS.push, body);
    expect(pushResponseSchema.parse(again.body).results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    // The push answered once the events were recorded; the projector moves the stock after.
    await hq.projector.settled();
    expect((await stockedSku(db, source.storeId)).qty).toBe(qty - 3);
  });

  it("push: refuses another store's envelope, an unsigned request and a malformed body, writing nothing", async () => {
    const source = await sourceOf(db, device);
    const [before] = await db.query<{ n: string }>('SELECT count(*) AS n FROM event');
    const events = [saleEventFrom(source, [(await stockedSku(db, source.storeId)).sku])];
    const foreign = await other.call('POST', SYNC_PATHS.push, { deviceId: other.id, storeId: other.enrolment.storeId, events });
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const posing = await device.call('POST', SYNC_PATHS.push, { deviceId: device.id, storeId: other.enrolment.storeId, events });
    expect(posing).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const unsigned = await fetch(`${hq.url}${SYNC_PATHS.push}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: device.id, storeId: source.storeId, events }),
    });
    expect(unsigned.status).toBe(401);
    const malformed = await device.call('POST', SYNC_PATHS.push, { deviceId: device.id, storeId: source.storeId, events: [{ id: 'x' }] });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
    const [after] = await db.query<{ n: string }>('SELECT count(*) AS n FROM event');
    expect(after?.n).toBe(before?.n);
  });

  it('pull: pages through the brand to the end; refuses a foreign scope and a forged cursor', async () => {
    const [count] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${CHANGE_ROWS} WHERE scope = $1 AND NOT deleted`, [
      `brand:${device.enrolment.brand}`,
    ]);
    let cursor = '';
    let rows = 0;
    for (let more = true; more;) {
      const answer = await device.call('POST', SYNC_PATHS.pull, {
        scopes: [{ scope: `brand:${device.enrolment.brand}`, cursor }],
        limit: 40,
      });
      expect(answer.status).toBe(200);
      const page = pullResponseSchema.parse(answer.body).pages[0]!;
      rows += page.sets.reduce((n, s) => n + s.rows.length, 0);
      cursor = page.cursor;
      more = page.more;
    }
    expect(rows).toBe(Number(count?.n));
    const foreign = await device.call('POST', SYNC_PATHS.pull, {
      scopes: [{ scope: `store:${other.enrolment.storeId}`, cursor: '' }],
      limit: 10,
    });
    expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const forged = await device.call('POST', SYNC_PATHS.pull, {
      scopes: [{ scope: `device:${device.id}`, cursor: 'drop table' }],
      limit: 10,
    });
    expect(forged).toMatchObject({ status: 400, body: { error: { code: 'bad_request' } } });
  });

  it('dead letters: recorded for the device, a repeated report updates in place', async () => {
    const item = {
      id: 'e-1',
      type: 'sale.completed',
      reason: 'conflict',
      message: 'receipt taken',
      occurredAt: '2026-11-20T08:00:00.000Z',
      rejectedAt: '2026-11-20T09:00:00.000Z',
    };
    const first = await device.call('POST', SYNC_PATHS.deadLetters, { items: [item, { ...item, id: 'e-2' }] });
    expect(first).toEqual({ status: 200, body: { recorded: 2, resolved: [] } });
    await device.call('POST', SYNC_PATHS.deadLetters, { items: [{ ...item, message: 'again' }] });
    const rows = await db.query<{ event_id: string; message: string }>(
      'SELECT event_id, message FROM dead_letter WHERE device_id = $1 ORDER BY event_id',
      [device.id],
    );
    expect(rows).toEqual([
      { event_id: 'e-1', message: 'again' },
      { event_id: 'e-2', message: 'receipt taken' },
    ]);
  });

  it('live: a signed upgrade gets ready, then changed for its store; unsigned is refused; revoked closes it', async () => {
    expect(await refusedUpgrade(hq.url, {})).toBe(401);
    const live = await openLive(hq, device);
    await live.next((m) => m.type === 'ready');
    expect(hq.hq.live.connections()).toBeGreaterThanOrEqual(1);
    // Any write to the store's entities feeds its devices: here a stock change by a push.
    const source = await sourceOf(db, device);
    await device.call('POST', SYNC_PATHS.push, {
      deviceId: device.id,
      storeId: source.storeId,
      events: [saleEventFrom(source, [(await stockedSku(db, source.storeId)).sku])],
    });
    // (The device's own scope may be nudged too: HQ notes when it last saw the device.)
    const changed = await live.next((m) => m.type === 'changed' && m.scopes.includes(`store:${source.storeId}`));
    expect(changed).toMatchObject({ type: 'changed' });
    hq.hq.live.revoked(device.id);
    await live.next((m) => m.type === 'revoked');
    expect(await live.closed).toBe(4003);
  });
});

describe.skipIf(!postgresAvailable())('live across two HQ processes on one PostgreSQL', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close();
  });

  it('a change committed through HQ 2 nudges the device connected to HQ 1', async () => {
    const url = await backends.find((b) => b.name === 'postgres')!.databaseUrl();
    const db1 = await openTestHqDb({ databaseUrl: url });
    opened.push(db1);
    const hq1 = await startTestHq(db1);
    opened.push(hq1);
    // HQ 2: its own pool and its own LISTEN connection; the only thing shared is the database.
    const db2 = await openHqDb({ databaseUrl: url, poolSize: 4 });
    opened.push(db2);
    const hq2 = await startTestHq(db2);
    opened.push(hq2);
    const device = await testDevice(hq1);
    const live = await openLive(hq1, device);
    await live.next((m) => m.type === 'ready');
    expect(hq2.hq.live.connections()).toBe(0);

    const source = await sourceOf(db2, device);
    const answer = await httpCall2(hq2.url, device, {
      deviceId: device.id,
      storeId: source.storeId,
      events: [saleEventFrom(source, [(await stockedSku(db2, source.storeId)).sku])],
    });
    expect(answer).toBe(200);
    expect(await live.next((m) => m.type === 'changed' && m.scopes.includes(`store:${source.storeId}`))).toMatchObject({ type: 'changed' });
    live.ws.close();
    await live.closed;
  });
});

/** A signed push sent to a given HQ (the device enrolled on another one of the same database). */
async function httpCall2(url: string, device: TestDevice, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  const response = await fetch(`${url}${SYNC_PATHS.push}`, {
    method: 'POST',
    headers: { ...device.sign('POST', SYNC_PATHS.push, text), 'content-type': 'application/json' },
    body: text,
  });
  await response.text();
  return response.status;
}
