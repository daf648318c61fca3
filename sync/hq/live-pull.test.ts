import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTITIES } from '../protocol/entities.js';
import { MAX_PULL_LIMIT, deviceScopes } from '../protocol/feed.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { liveAnswerNonce, splitLiveAnswer } from '../protocol/live.js';
import type { LiveAnswerHead } from '../protocol/live.js';
import { ANSWER_HEADERS, SIGN_HEADERS, publicKeyFromBase64, verifyAnswer } from '../protocol/signing.js';
import type { HqDb } from './db.js';
import type { FeedHeadStats } from './feed-heads.js';
import { testBackends } from './testing/backends.js';
import { startTestHq, testDevice } from './testing/test-hq.js';
import type { TestDevice, TestHq } from './testing/test-hq.js';
import { useTestHq } from './testing/use-test-hq.js';
import { lockWaiter } from './testing/lock-waiter.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

type Answer = { head: LiveAnswerHead; body: string };

/** A device's live channel, opened with its signed upgrade, as a raw socket: frames in, answers out. */
async function openChannel(hq: TestHq, device: TestDevice) {
  const headers = device.sign('GET', SYNC_PATHS.live, '');
  const ws = new WebSocket(`${hq.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`, { headers });
  const answers = new Map<number, Answer>();
  const waiters = new Map<number, (answer: Answer) => void>();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  ws.on('message', (data) => {
    const split = splitLiveAnswer(String(data));
    if (!split) return ready();
    answers.set(split.head.answer, split);
    waiters.get(split.head.answer)?.(split);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await isReady;
  return {
    ws,
    closed,
    upgradeNonce: headers[SIGN_HEADERS.nonce] ?? '',
    send(frame: unknown, id: number): Promise<Answer> {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
      const known = answers.get(id);
      return known ? Promise.resolve(known) : new Promise((resolve) => waiters.set(id, resolve));
    },
  };
}

describe.each(backends)('pulls over the live channel on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  const signedByHq = (answer: Answer, upgradeNonce: string, id: number) =>
    verifyAnswer(publicKeyFromBase64(hq.hqPublicKey), {
      status: answer.head.status,
      method: 'POST',
      path: SYNC_PATHS.pull,
      nonce: liveAnswerNonce(upgradeNonce, id),
      body: answer.body,
      time: answer.head.headers[ANSWER_HEADERS.time] ?? '',
      signature: answer.head.headers[ANSWER_HEADERS.signature] ?? '',
    });

  it('answers a pull frame with the pages the HTTP route serves, signed by HQ for that channel and that pull only', async () => {
    const device = await testDevice(hq);
    const channel = await openChannel(hq, device);
    const scopes = deviceScopes({ brand: device.enrolment.brand, storeId: device.enrolment.storeId, deviceId: device.id });
    const request = { scopes: scopes.map((scope) => ({ scope, cursor: '' })), limit: 50 };

    const live = await channel.send({ type: 'pull', id: 1, request }, 1);
    const http = await device.call('POST', SYNC_PATHS.pull, request);
    expect(live.head.status).toBe(200);
    expect(http.status).toBe(200);
    const pages = (text: string) => (JSON.parse(text) as { pages: unknown[] }).pages;
    expect(pages(live.body)).toEqual((http.body as { pages: unknown[] }).pages);
    expect(pages(live.body)).toHaveLength(3);

    expect(signedByHq(live, channel.upgradeNonce, 1)).toBe(true);
    // Replayed as the answer to another pull, or on another connection, it is not HQ's.
    expect(signedByHq(live, channel.upgradeNonce, 2)).toBe(false);
    const other = await openChannel(hq, device);
    expect(signedByHq(live, other.upgradeNonce, 1)).toBe(false);
    other.ws.close();

    // Pulling on from the page's cursors: the channel keeps answering, one answer per pull id.
    const cursors = (JSON.parse(live.body) as { pages: { scope: string; cursor: string }[] }).pages;
    const next = await channel.send(
      { type: 'pull', id: 2, request: { scopes: cursors.map(({ scope, cursor }) => ({ scope, cursor })), limit: 50 } },
      2,
    );
    expect(next.head.status).toBe(200);
    expect(signedByHq(next, channel.upgradeNonce, 2)).toBe(true);
    channel.ws.close();
  });

  it('answers a pull at the head from memory, and the next pull after a commit with the change', async () => {
    const device = await testDevice(hq);
    const channel = await openChannel(hq, device);
    const scopes = deviceScopes({ brand: device.enrolment.brand, storeId: device.enrolment.storeId, deviceId: device.id });
    type Page = { scope: string; cursor: string; sets: { kind: string; rows: unknown[][] }[] };
    const pagesOf = (answer: Answer) => (JSON.parse(answer.body) as { pages: Page[] }).pages;
    const pullFrom = (id: number, pages: Page[]) =>
      channel.send(
        { type: 'pull', id, request: { scopes: pages.map(({ scope, cursor }) => ({ scope, cursor })), limit: MAX_PULL_LIMIT } },
        id,
      );
    const headStats = async () => ((await (await fetch(`${hq.url}/health`)).json()) as { feedHeads: FeedHeadStats }).feedHeads;

    const first = pagesOf(
      await channel.send(
        { type: 'pull', id: 1, request: { scopes: scopes.map((scope) => ({ scope, cursor: '' })), limit: MAX_PULL_LIMIT } },
        1,
      ),
    );
    const before = await headStats();
    const idle = await pullFrom(2, first);
    expect(idle.head.status).toBe(200);
    expect(signedByHq(idle, channel.upgradeNonce, 2)).toBe(true);
    expect(pagesOf(idle).map((p) => [p.cursor, p.sets])).toEqual(first.map((p) => [p.cursor, []]));
    const after = await headStats();
    expect(after.fromMemory - before.fromMemory).toBe(1);
    expect(after.reads).toBe(before.reads);

    // Pulled as soon as the commit returned: the barrier makes sure its notice was heard first.
    const [sku] = await db.query<{ sku: string }>('SELECT sku FROM sku ORDER BY sku LIMIT 1');
    await db.query('UPDATE sku SET price_fen = 12345 WHERE sku = $1', [sku?.sku]);
    const changed = pagesOf(await pullFrom(3, first));
    const column = (name: string) => ENTITIES.sku.columns.findIndex((c) => c.name === name);
    const repriced = changed.flatMap((p) => p.sets.filter((set) => set.kind === 'sku').flatMap((set) => set.rows));
    expect(repriced.map((row) => [row[column('sku')], row[column('price_fen')]])).toEqual([[sku?.sku, 12345]]);
    channel.ws.close();
  });

  it('stamps last_seen_at for a device that only pulls over its socket, as a signed request does (at most once a minute)', async () => {
    let offsetMs = 0;
    const clocked = await startTestHq(db, { clock: () => new Date(Date.now() + offsetMs) });
    try {
      const device = await testDevice(clocked);
      const channel = await openChannel(clocked, device);
      const lastSeen = async () =>
        (await db.query<{ at: Date }>('SELECT last_seen_at AS at FROM device WHERE id = $1', [device.id]))[0]?.at.getTime() ?? 0;
      const upgraded = await lastSeen();
      expect(upgraded).toBeGreaterThan(0);
      const request = { scopes: [{ scope: `device:${device.id}`, cursor: '' }], limit: 10 };

      offsetMs = 30_000;
      expect((await channel.send({ type: 'pull', id: 1, request }, 1)).head.status).toBe(200);
      expect(await lastSeen()).toBe(upgraded);

      offsetMs = 120_000;
      expect((await channel.send({ type: 'pull', id: 2, request }, 2)).head.status).toBe(200);
      expect(await lastSeen()).toBeGreaterThanOrEqual(upgraded + 120_000);
      channel.ws.close();
    } finally {
      await clocked.close();
    }
  });

  it.skipIf(backend.name !== 'postgres')(
    'opens no channel for a device revoked while its upgrade was being checked, so it cannot pull on after the revocation',
    async () => {
      const revoked: string[] = [];
      const heard: (() => void)[] = [];
      const revoking = await startTestHq(db, {
        onDeviceNotice: (notice) => {
          if (notice.what === 'revoked') revoked.push(notice.deviceId);
          for (const wake of heard.splice(0)) wake();
        },
      });
      try {
        const device = await testDevice(revoking);
        await revoking.adminToken();
        // The upgrade's nonce insert waits on this lock: its device row was read (active) before that.
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = db.tx(async (sql) => {
          await sql.query('LOCK TABLE request_nonce IN SHARE ROW EXCLUSIVE MODE');
          locked();
          await gate;
        });
        await isLocked;
        const headers = device.sign('GET', SYNC_PATHS.live, '');
        const ws = new WebSocket(`${revoking.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`, { headers });
        ws.on('error', () => undefined);
        const outcome = new Promise<number | 'open'>((resolve) => {
          ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          ws.on('open', () => resolve('open'));
        });
        await lockWaiter(db, 'the upgrade never waited for its nonce');
        // IT revokes the device while its upgrade is in flight; this HQ process hears the notice.
        expect((await revoking.admin('POST', `/admin/v1/devices/${device.id}/revoke`)).status).toBe(200);
        while (!revoked.includes(device.id)) await new Promise<void>((resolve) => heard.push(resolve));
        release();
        await holder;
        // Refused as revoked: an open channel would keep answering this device's pulls for good.
        expect(await outcome).toBe(403);
        expect(revoking.hq.live.connections()).toBe(0);
        ws.terminate();
      } finally {
        await revoking.close();
      }
    },
  );

  it("refuses another store's scope and a bad request with a signed error, and closes on a frame it cannot answer", async () => {
    const device = await testDevice(hq);
    const [otherStore] = await db.query<{ id: string }>("SELECT id FROM location WHERE kind = 'store' AND id <> $1 LIMIT 1", [
      device.enrolment.storeId,
    ]);
    const channel = await openChannel(hq, device);

    const forbidden = await channel.send(
      { type: 'pull', id: 7, request: { scopes: [{ scope: `store:${otherStore?.id}`, cursor: '' }], limit: 10 } },
      7,
    );
    expect(forbidden.head.status).toBe(403);
    expect(JSON.parse(forbidden.body)).toMatchObject({ error: { code: 'forbidden' } });
    expect(signedByHq(forbidden, channel.upgradeNonce, 7)).toBe(true);

    const bad = await channel.send({ type: 'pull', id: 8, request: { scopes: [], limit: 0 } }, 8);
    expect(bad.head.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'bad_request' } });

    const cursor = await channel.send(
      { type: 'pull', id: 9, request: { scopes: [{ scope: `device:${device.id}`, cursor: 'nonsense' }], limit: 10 } },
      9,
    );
    expect(cursor.head.status).toBe(400);

    channel.ws.send('{"type":"pull"}');
    expect(await channel.closed).toBe(1008);
  });
});
