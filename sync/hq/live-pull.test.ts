import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceScopes } from '../protocol/feed.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { liveAnswerNonce, splitLiveAnswer } from '../protocol/live.js';
import type { LiveAnswerHead } from '../protocol/live.js';
import { ANSWER_HEADERS, SIGN_HEADERS, publicKeyFromBase64, verifyAnswer } from '../protocol/signing.js';
import type { HqDb } from './db.js';
import { testBackends } from './testing/backends.js';
import { testDevice } from './testing/test-hq.js';
import type { TestDevice, TestHq } from './testing/test-hq.js';
import { useTestHq } from './testing/use-test-hq.js';

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
