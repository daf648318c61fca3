import { generateKeyPairSync } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { deviceScopes } from '../protocol/feed.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { MAX_CLOCK_SKEW_MS, SIGN_HEADERS } from '../protocol/signing.js';
import type { HqDb } from './db.js';
import { testBackends } from './testing/backends.js';
import { lockWaiter, lockWaiters, raceHeldTransaction } from './testing/lock-waiter.js';
import { httpCall, openTestHqDb, startTestHq, testDevice } from './testing/test-hq.js';
import type { TestHq } from './testing/test-hq.js';
import { HQ_SETUP_TIMEOUT_MS, useTestHq } from './testing/use-test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;

describe.each(backends)('device request signatures on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  it('accepts a correctly signed request and records when the device was last seen', async () => {
    const device = await testDevice(hq);
    const answer = await device.call('POST', SYNC_PATHS.hello, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ deviceId: device.id, storeId: 'loc-S001', status: 'active' });
    const [row] = await db.query<{ seen: boolean }>('SELECT last_seen_at IS NOT NULL AS seen FROM device WHERE id = $1', [device.id]);
    expect(row?.seen).toBe(true);
  });

  it('records every device as seen when many send their first request at once', async () => {
    const devices = await Promise.all(Array.from({ length: 12 }, () => testDevice(hq)));
    const answers = await Promise.all(devices.map((d) => d.call('POST', SYNC_PATHS.hello, {})));
    expect(answers.map((a) => a.status)).toEqual(devices.map(() => 200));
    const [row] = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM device WHERE id = ANY($1::uuid[]) AND last_seen_at IS NOT NULL',
      [devices.map((d) => d.id)],
    );
    expect(Number(row?.n)).toBe(devices.length);
  });

  it('refuses a request without signature headers, or with malformed ones', async () => {
    const device = await testDevice(hq);
    const none = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(errorCode(none.body)).toBe('unauthenticated');
    for (const header of Object.values(SIGN_HEADERS)) {
      const headers: Record<string, string> = { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' };
      delete headers[header];
      const answer = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers, body: '{}' });
      expect(answer.status, header).toBe(401);
      expect(errorCode(answer.body)).toBe('unauthenticated');
    }
    const garbled = {
      ...device.sign('POST', SYNC_PATHS.hello, '{}'),
      [SIGN_HEADERS.time]: 'yesterday',
      'content-type': 'application/json',
    };
    const answer = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers: garbled, body: '{}' });
    expect(answer.status).toBe(401);
    expect(errorCode(answer.body)).toBe('unauthenticated');
  });

  it('refuses an unknown device', async () => {
    const device = await testDevice(hq);
    const answer = await device.call('POST', SYNC_PATHS.hello, {}, { deviceId: uuidv7Generator()() });
    expect(answer.status).toBe(401);
    expect(errorCode(answer.body)).toBe('unknown_device');
  });

  it('refuses a signature made with another key', async () => {
    const device = await testDevice(hq);
    const answer = await device.call('POST', SYNC_PATHS.hello, {}, { key: generateKeyPairSync('ed25519').privateKey });
    expect(answer.status).toBe(401);
    expect(errorCode(answer.body)).toBe('bad_signature');
  });

  it('refuses a body or a path changed after signing', async () => {
    const device = await testDevice(hq);
    const headers = { ...device.sign('POST', SYNC_PATHS.hello, '{"a":1}'), 'content-type': 'application/json' };
    const changedBody = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers, body: '{"a":2}' });
    expect(changedBody.status).toBe(401);
    expect(errorCode(changedBody.body)).toBe('bad_signature');
    const headers2 = { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' };
    const changedPath = await httpCall(`${hq.url}${SYNC_PATHS.hello}?x=1`, { method: 'POST', headers: headers2, body: '{}' });
    expect(changedPath.status).toBe(401);
    expect(errorCode(changedPath.body)).toBe('bad_signature');
  });

  it('refuses a timestamp too far in the past and too far in the future', async () => {
    const device = await testDevice(hq);
    const skew = MAX_CLOCK_SKEW_MS + 60_000;
    for (const offset of [-skew, skew]) {
      const answer = await device.call('POST', SYNC_PATHS.hello, {}, { now: new Date(Date.now() + offset) });
      expect(answer.status, String(offset)).toBe(401);
      expect(errorCode(answer.body)).toBe('stale_time');
    }
    // Within the window is fine.
    expect((await device.call('POST', SYNC_PATHS.hello, {}, { now: new Date(Date.now() - MAX_CLOCK_SKEW_MS / 2) })).status).toBe(200);
  });

  it('refuses a replayed request (same nonce) even though its signature is right', async () => {
    const device = await testDevice(hq);
    const headers = { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' };
    const first = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers, body: '{}' });
    const again = await httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers, body: '{}' });
    expect(first.status).toBe(200);
    expect(again.status).toBe(401);
    expect(errorCode(again.body)).toBe('replayed');
  });

  it('accepts one of the same request sent many times at once and refuses the rest as replays', async () => {
    const device = await testDevice(hq);
    const headers = { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' };
    // Concurrent copies land in one nonce batch or in several: either way exactly one gets through.
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers, body: '{}' })),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401 && errorCode(a.body) === 'replayed')).toHaveLength(11);
  });

  it('accepts many different requests at once, each nonce recorded once', async () => {
    const device = await testDevice(hq);
    const [before] = await db.query<{ n: string }>('SELECT count(*) AS n FROM request_nonce WHERE device_id = $1', [device.id]);
    const answers = await Promise.all(Array.from({ length: 40 }, () => device.call('POST', SYNC_PATHS.hello, {})));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const [after] = await db.query<{ n: string }>('SELECT count(*) AS n FROM request_nonce WHERE device_id = $1', [device.id]);
    expect(Number(after?.n) - Number(before?.n)).toBe(40);
  });

  it('a wrongly signed request does not use up its nonce', async () => {
    const device = await testDevice(hq);
    const nonce = 'ab'.repeat(16);
    const forged = await device.call('POST', SYNC_PATHS.hello, {}, { nonce, key: generateKeyPairSync('ed25519').privateKey });
    expect(errorCode(forged.body)).toBe('bad_signature');
    expect((await device.call('POST', SYNC_PATHS.hello, {}, { nonce })).status).toBe(200);
  });

  it('refuses a revoked device at once, and keeps refusing it', async () => {
    const device = await testDevice(hq);
    expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    const revoked = await hq.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    const answer = await device.call('POST', SYNC_PATHS.hello, {});
    expect(answer.status).toBe(403);
    expect(errorCode(answer.body)).toBe('device_revoked');
    const pull = await device.call('POST', SYNC_PATHS.pull, { scopes: [{ scope: 'store:loc-S001', cursor: '' }], limit: 10 });
    expect(errorCode(pull.body)).toBe('device_revoked');
  });

  it('refuses a request whose headers were checked before a revocation and whose body arrived after it', async () => {
    const device = await testDevice(hq);
    expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    const scopes = deviceScopes({ brand: device.enrolment.brand, storeId: device.enrolment.storeId, deviceId: device.id });
    const body = JSON.stringify({ scopes: scopes.map((scope) => ({ scope, cursor: '' })), limit: 50 });
    const url = new URL(hq.url);
    // A stolen device opens a pull (a push would do the same) and sends its body slowly: the headers
    // are checked (an active device) as soon as they arrive.
    const request = httpRequest({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: SYNC_PATHS.pull,
      agent: false,
      headers: {
        ...device.sign('POST', SYNC_PATHS.pull, body),
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => request.write(body.slice(0, 10), (error) => (error ? reject(error) : resolve())));
    // IT revokes the device meanwhile; then the rest of the body arrives.
    expect((await hq.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    request.end(body.slice(10));
    const answer = await answered;
    expect(answer.status).toBe(403);
    expect(errorCode(JSON.parse(answer.text))).toBe('device_revoked');
  });

  it('rotates a key: the old key is refused afterwards, the new one accepted', async () => {
    const { rotateProofText } = await import('../protocol/enrol.js');
    const { publicKeyToBase64 } = await import('../protocol/signing.js');
    const { sign } = await import('node:crypto');
    const device = await testDevice(hq);
    const next = generateKeyPairSync('ed25519');
    const publicKey = publicKeyToBase64(next.publicKey);
    const badProof = sign(null, Buffer.from(rotateProofText(device.id, publicKey)), device.privateKey).toString('base64');
    const refused = await device.call('POST', SYNC_PATHS.rotateKey, { publicKey, proof: badProof });
    expect(refused.status).toBe(401);
    const proof = sign(null, Buffer.from(rotateProofText(device.id, publicKey)), next.privateKey).toString('base64');
    const rotated = await device.call('POST', SYNC_PATHS.rotateKey, { publicKey, proof });
    expect(rotated.status).toBe(200);
    const old = await device.call('POST', SYNC_PATHS.hello, {});
    expect(errorCode(old.body)).toBe('bad_signature');
    expect((await device.call('POST', SYNC_PATHS.hello, {}, { key: next.privateKey })).status).toBe(200);
  });
});

describe('two HQ processes on one PostgreSQL', () => {
  let db1: HqDb;
  let db2: HqDb;
  let hq1: TestHq;
  let hq2: TestHq;
  const notices: { what: string; deviceId: string }[] = [];
  const waiters: (() => void)[] = [];
  beforeAll(async () => {
    const url = await backends[1]?.databaseUrl();
    db1 = await openTestHqDb({ databaseUrl: url });
    // The second process: its own pool, its own listener, its own device cache.
    const { openHqDb } = await import('./db.js');
    db2 = await openHqDb({ databaseUrl: url });
    hq1 = await startTestHq(db1);
    hq2 = await startTestHq(db2, {
      onDeviceNotice: (notice) => {
        notices.push(notice);
        for (const wake of waiters.splice(0)) wake();
      },
    });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await hq1?.close();
    await hq2?.close();
    await db1?.close();
    await db2?.close();
  });

  it('a revocation through one process is refused by the other, whose cache held the device', async () => {
    const device = await testDevice(hq1);
    const hello2 = () =>
      httpCall(`${hq2.url}${SYNC_PATHS.hello}`, {
        method: 'POST',
        headers: { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await hello2()).status).toBe(200);
    const heard = new Promise<void>((resolve) => waiters.push(resolve));
    expect((await hq1.admin('POST', `/admin/v1/devices/${device.id}/revoke`, {})).status).toBe(200);
    await heard;
    expect(notices).toContainEqual({ what: 'revoked', deviceId: device.id });
    const answer = await hello2();
    expect(answer.status).toBe(403);
    expect(errorCode(answer.body)).toBe('device_revoked');
  });
});

describe.each(backends)('replays across HQ processes whose clocks differ, on $name', (backend) => {
  // Three HQ processes on one database: one on time, one far ahead, one far behind (a dead NTP
  // daemon). Each refuses or accepts a request's time by its own clock; a nonce must still be
  // there whenever any of them would accept the request's time, whichever of them prunes.
  let dbs: HqDb[] = [];
  let onTime: TestHq;
  let ahead: TestHq;
  let behind: TestHq;
  const OFF = 2 * MAX_CLOCK_SKEW_MS + 60_000;
  beforeAll(async () => {
    const url = await backend.databaseUrl();
    const first = await openTestHqDb({ databaseUrl: url });
    const { openHqDb } = await import('./db.js');
    // On PostgreSQL each process has its own pool; PGlite is one in-process database.
    const another = async (): Promise<HqDb> => (url ? openHqDb({ databaseUrl: url }) : first);
    dbs = [first, await another(), await another()];
    onTime = await startTestHq(dbs[0]!);
    ahead = await startTestHq(dbs[1]!, { clock: () => new Date(Date.now() + OFF) });
    behind = await startTestHq(dbs[2]!, { clock: () => new Date(Date.now() - OFF) });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    for (const hq of [onTime, ahead, behind]) await hq?.close();
    for (const db of new Set(dbs)) await db.close();
  });

  const send = (hq: TestHq, headers: Record<string, string>) =>
    httpCall(`${hq.url}${SYNC_PATHS.hello}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });

  // First in the block: no prune has moved the horizon yet, so the process behind accepts the request once.
  it('a process whose clock is behind refuses the replay of a request whose nonce was pruned', async () => {
    const device = await testDevice(onTime);
    const headers = device.sign('POST', SYNC_PATHS.hello, '{}', { now: behind.hq.clock() });
    expect((await send(behind, headers)).status).toBe(200);
    await onTime.pruneNonces();
    const replay = await send(behind, headers);
    expect(replay.status).toBe(401);
    expect(errorCode(replay.body)).toBe('stale_time');
  });

  it('a process whose clock is ahead prunes no nonce another process still needs to refuse a replay', async () => {
    const device = await testDevice(onTime);
    const headers = device.sign('POST', SYNC_PATHS.hello, '{}', { now: new Date() });
    expect((await send(onTime, headers)).status).toBe(200);
    await ahead.pruneNonces();
    const replay = await send(onTime, headers);
    expect(replay.status).toBe(401);
    expect(errorCode(replay.body)).toBe('replayed');
  });
  it.skipIf(backend.name !== 'postgres')('refuses a replay that races the prune deleting its nonce', async () => {
    const device = await testDevice(onTime);
    const at = new Date();
    const headers = device.sign('POST', SYNC_PATHS.hello, '{}', { now: at });
    expect((await send(onTime, headers)).status).toBe(200);
    try {
      // A prune under way (as auth.ts prunes, with a horizon just past this request): the horizon
      // moved and the nonce deleted, not yet committed, while the replay arrives.
      const replay = await raceHeldTransaction(
        dbs[0]!,
        async (sql) => {
          await sql.query('UPDATE request_nonce_horizon SET horizon = $1', [new Date(at.getTime() + 1)]);
          await sql.query('DELETE FROM request_nonce WHERE device_id = $1', [device.id]);
        },
        () => send(onTime, headers),
      );
      expect(replay.status).toBe(401);
      expect(errorCode(replay.body)).toBe('stale_time');
    } finally {
      // The horizon never moves back in HQ; this test's database puts it back for the tests after it.
      await dbs[0]!.query(`UPDATE request_nonce_horizon SET horizon = '-infinity'`);
    }
  });

  it.skipIf(backend.name !== 'postgres')('answers signed requests while a prune is still deleting the nonces it forgot', async () => {
    const device = await testDevice(onTime);
    // A nonce of a request long gone, below any horizon: the prune deletes it. A transaction of the
    // test holds its row, so the prune's delete is under way (as a big delete is) until it ends.
    const old = new Date(Date.now() - 10 * MAX_CLOCK_SKEW_MS);
    await dbs[0]!.query('INSERT INTO request_nonce (device_id, nonce, seen_at, request_at) VALUES ($1, $2, $3, $3)', [
      device.id,
      'an-old-nonce-0000000000',
      old,
    ]);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = dbs[1]!.tx(async (sql) => {
      await sql.query('SELECT 1 FROM request_nonce WHERE device_id = $1 FOR UPDATE', [device.id]);
      holding();
      await released;
    });
    await held;
    const pruning = ahead.pruneNonces();
    try {
      await lockWaiter(dbs[0]!, 'the prune never reached the held nonce');
      // The horizon has moved: a device's fresh request is answered now, not after the delete.
      const answer = send(onTime, device.sign('POST', SYNC_PATHS.hello, '{}', { now: new Date() }));
      const seen = new AbortController();
      const blocked = lockWaiters(dbs[0]!, 2, 'neither answered nor waited', seen.signal).then(() => 'waited for the prune' as const);
      const outcome = await Promise.race([answer.then((a) => a.status), blocked]).finally(() => seen.abort());
      expect(outcome).toBe(200);
      await answer;
    } finally {
      release();
      await holder;
      await pruning;
    }
    const [left] = await dbs[0]!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM request_nonce WHERE device_id = $1 AND request_at < $2',
      [device.id, new Date(old.getTime() + 1)],
    );
    expect(left?.n).toBe(0);
  });
});
