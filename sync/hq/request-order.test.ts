import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../protocol/http.js';
import { MAX_PUSH_BYTES } from '../protocol/push.js';
import { signRequest } from '../protocol/signing.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import type { HqDb } from './db.js';
import { openHqDb } from './db.js';
import { SMALL_BODY_LIMIT } from './routes/device-route.js';
import { testBackends } from './testing/backends.js';
import { sendRaw } from './testing/fuzz/raw-http.js';
import type { RawAnswer, RawRequest } from './testing/fuzz/raw-http.js';
import { openTestHqDb, startTestHq, testDevice } from './testing/test-hq.js';
import type { TestHq } from './testing/test-hq.js';
import { useTestHq } from './testing/use-test-hq.js';
import { postgresAvailable } from '../testing/postgres-server.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const newId = uuidv7Generator();
const stranger = generateKeyPairSync('ed25519').privateKey;
const code = (answer: RawAnswer): string | undefined => (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code;

/** Statements that look a device up (by id, or the set of all ids). */
const DEVICE_LOOKUP = /\bFROM device\b/;

/** `db` with its device lookups counted. */
function counting(db: HqDb): { db: HqDb; lookups: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      query: (text, params, options) => {
        if (DEVICE_LOOKUP.test(text)) n++;
        return db.query(text, params, options);
      },
    },
    lookups: () => n,
  };
}

/** A request signed by a device HQ never enrolled (a fresh id every time). */
function fromUnknownDevice(hq: TestHq, body: string, path: string = SYNC_PATHS.push): RawRequest {
  const headers = signRequest(stranger, { deviceId: newId(), method: 'POST', path, body, now: hq.hq.clock() });
  return { method: 'POST', path, headers: { ...headers, 'content-type': 'application/json' }, body };
}

/** HQ must answer without the rest of the body, which never comes: a bounded wait, so a hang fails the test. */
function answeredWithin<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms (HQ waited for the body)`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

describe.each(backends)('HQ checks who sends a request before it reads or parses the body, on $name', (backend) => {
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ hq } = opened));

  it('refuses a body that is not even JSON as unsigned, unknown device or bad signature, not as bad JSON', async () => {
    const junk = '{"deviceId": not json at all';
    const unsigned = await sendRaw(hq.url, {
      method: 'POST',
      path: SYNC_PATHS.push,
      headers: { 'content-type': 'application/json' },
      body: junk,
    });
    expect([unsigned.status, code(unsigned)]).toEqual([401, 'unauthenticated']);
    const unknown = await sendRaw(hq.url, fromUnknownDevice(hq, junk));
    expect([unknown.status, code(unknown)]).toEqual([401, 'unknown_device']);
    const device = await testDevice(hq);
    const wrong = await sendRaw(hq.url, {
      method: 'POST',
      path: SYNC_PATHS.push,
      headers: { ...device.sign('POST', SYNC_PATHS.push, '{}'), 'content-type': 'application/json' },
      body: junk,
    });
    expect([wrong.status, code(wrong)]).toEqual([401, 'bad_signature']);
    // Signed by the device: only now is it parsed, and refused for what it is.
    const signed = await sendRaw(hq.url, {
      method: 'POST',
      path: SYNC_PATHS.push,
      headers: { ...device.sign('POST', SYNC_PATHS.push, junk), 'content-type': 'application/json' },
      body: junk,
    });
    expect([signed.status, code(signed)]).toEqual([400, 'bad_request']);
  });

  it('answers an unknown device announcing an 8 MB push from its headers, without reading the body', async () => {
    // Exactly the push limit: the size alone would not refuse it, so HQ would wait for 8 MB.
    const head = Buffer.from('{"deviceId":"x","events":[');
    const request = { ...fromUnknownDevice(hq, 'never sent in full'), body: head, declaredLength: MAX_PUSH_BYTES };
    const answer = await answeredWithin(sendRaw(hq.url, request), 'an 8 MB push from an unknown device');
    expect([answer.status, code(answer)]).toEqual([401, 'unknown_device']);
  });

  it("refuses a body over its route's limit with 413: a pull is small, however enrolled its sender", async () => {
    const device = await testDevice(hq);
    const body = JSON.stringify({ scopes: [{ scope: `device:${device.id}`, cursor: '' }], limit: 1, pad: 'x'.repeat(SMALL_BODY_LIMIT) });
    const declared = await answeredWithin(
      sendRaw(hq.url, {
        method: 'POST',
        path: SYNC_PATHS.pull,
        headers: { ...device.sign('POST', SYNC_PATHS.pull, body), 'content-type': 'application/json' },
        body: body.slice(0, 1024),
        declaredLength: Buffer.byteLength(body),
      }),
      'an oversized pull',
    );
    expect([declared.status, code(declared)]).toEqual([413, 'too_large']);
    const chunked = await sendRaw(hq.url, {
      method: 'POST',
      path: SYNC_PATHS.pull,
      headers: { ...device.sign('POST', SYNC_PATHS.pull, body), 'content-type': 'application/json' },
      body,
      chunkBytes: 16 * 1024,
    });
    expect([chunked.status, code(chunked)]).toEqual([413, 'too_large']);
  });
});

describe.each(backends)('a flood of made-up device ids, on $name', (backend) => {
  it('costs at most a handful of device lookups for 1,000 requests, and an enrolled device is known at once', async () => {
    const base = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 10, customers: 2 });
    const { db, lookups } = counting(base);
    const hq = await startTestHq(db);
    try {
      const before = lookups();
      const codes = new Map<string, number>();
      const body = '{"probe":1}';
      for (let batch = 0; batch < 40; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 25 }, async () => {
            const request = fromUnknownDevice(hq, body, SYNC_PATHS.hello);
            const response = await fetch(`${hq.url}${request.path}`, { method: 'POST', headers: request.headers, body });
            return (JSON.parse(await response.text()) as { error: { code: string } }).error.code;
          }),
        );
        for (const c of answers) codes.set(c, (codes.get(c) ?? 0) + 1);
      }
      expect(Object.fromEntries(codes)).toEqual({ unknown_device: 1000 });
      // One load of the enrolled ids, and a reload if the flood outlasts its 10 s window.
      expect(lookups() - before).toBeLessThanOrEqual(3);
      // A device enrolled now is known without waiting for a reload.
      const device = await testDevice(hq);
      expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
    } finally {
      await hq.close();
      await base.close();
    }
  }, 120_000);
});

describe.skipIf(!postgresAvailable())('two HQ processes on one PostgreSQL', () => {
  it('a device enrolled through one is known to the other at once, by NOTIFY, not by a reload', async () => {
    const url = await backends.find((b) => b.name === 'postgres')!.databaseUrl();
    const db1 = await openTestHqDb({ databaseUrl: url, skus: 10, customers: 2 });
    const hq1 = await startTestHq(db1);
    const plain2 = await openHqDb({ databaseUrl: url, poolSize: 4 });
    const { db: db2, lookups } = counting(plain2);
    const enrolled = new Set<string>();
    const waiters: (() => void)[] = [];
    const hq2 = await startTestHq(db2, {
      onDeviceNotice: (notice) => {
        if (notice.what === 'enrolled') enrolled.add(notice.deviceId);
        for (const w of waiters.splice(0)) w();
      },
    });
    try {
      // HQ 2 loads its known ids once (an unknown device asking).
      expect((await sendRaw(hq2.url, fromUnknownDevice(hq2, '{}', SYNC_PATHS.hello))).status).toBe(401);
      const loaded = lookups();
      const device = await testDevice(hq1);
      while (!enrolled.has(device.id)) await new Promise<void>((resolve) => waiters.push(resolve));
      const answer = await fetch(`${hq2.url}${SYNC_PATHS.hello}`, {
        method: 'POST',
        headers: { ...device.sign('POST', SYNC_PATHS.hello, '{}'), 'content-type': 'application/json' },
        body: '{}',
      });
      expect(answer.status).toBe(200);
      // The device's own row, read once: no reload of every id.
      expect(lookups() - loaded).toBe(1);
    } finally {
      await hq2.close();
      await plain2.close();
      await hq1.close();
      await db1.close();
    }
  }, 120_000);
});
