import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { enrolProofText, enrolResponseSchema } from '../protocol/enrol.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { MAX_PUSH_BYTES } from '../protocol/push.js';
import type { HqDb } from './db.js';
import { createEnrolCode, ENROL_FAILURES_PER_MINUTE, newEnrolCode } from './enrol.js';
import { testBackends } from './testing/backends.js';
import { enrolmentRequest, httpCall, startTestHq } from './testing/test-hq.js';
import type { TestHq } from './testing/test-hq.js';
import { useTestHq } from './testing/use-test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;

function enrolCall(hq: TestHq, body: unknown) {
  return httpCall(`${hq.url}${SYNC_PATHS.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe.each(backends)('enrolment on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  useTestHq(backend, (opened) => ({ db, hq } = opened));

  it('enrols a device with its own id and key, gives each device of a store its own receipt code, and uses the code up', async () => {
    const first = enrolmentRequest(await hq.enrolCode('loc-S001'));
    const second = enrolmentRequest(await hq.enrolCode('loc-S001'));
    const a = await enrolCall(hq, first.body);
    const b = await enrolCall(hq, second.body);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const ea = enrolResponseSchema.parse(a.body);
    const eb = enrolResponseSchema.parse(b.body);
    expect(ea).toMatchObject({ deviceId: first.body.deviceId, storeId: 'loc-S001', storeCode: 'S001', brand: 'SFL' });
    expect(ea.scopes).toEqual(['brand:SFL', 'store:loc-S001', `device:${first.body.deviceId}`]);
    expect(ea.receiptCode).not.toBe(eb.receiptCode);
    const [row] = await db.query<{ public_key: string; status: string }>('SELECT public_key, status FROM device WHERE id = $1', [
      first.body.deviceId,
    ]);
    expect(row).toEqual({ public_key: first.body.publicKey, status: 'active' });
    // The device's own scope got its profile row (what it pulls first).
    const [change] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM change WHERE scope = $1', [
      `device:${first.body.deviceId}`,
    ]);
    expect(change?.n).toBe(1);
  });

  it('answers the same device asking again with the same answer (its first answer was lost), but nobody else', async () => {
    const request = enrolmentRequest(await hq.enrolCode());
    const first = await enrolCall(hq, request.body);
    const again = await enrolCall(hq, request.body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = enrolmentRequest(request.body.code as string);
    const used = await enrolCall(hq, other.body);
    expect(used.status).toBe(409);
    expect(errorCode(used.body)).toBe('enrolment_used');
  });

  it('refuses an expired code', async () => {
    const { code } = await createEnrolCode(db, {
      storeId: 'loc-S001',
      ttlMinutes: 5,
      createdBy: 'test',
      now: new Date(Date.now() - 10 * 60_000),
    });
    const answer = await enrolCall(hq, enrolmentRequest(code).body);
    expect(answer.status).toBe(410);
    expect(errorCode(answer.body)).toBe('enrolment_expired');
  });

  it('refuses an unknown code', async () => {
    const answer = await enrolCall(hq, enrolmentRequest(newEnrolCode()).body);
    expect(answer.status).toBe(404);
    expect(errorCode(answer.body)).toBe('enrolment_invalid');
  });

  it('refuses a proof not signed with the enrolled key, and leaves the code usable', async () => {
    const code = await hq.enrolCode();
    const request = enrolmentRequest(code);
    const forged = {
      ...request.body,
      proof: sign(
        null,
        Buffer.from(enrolProofText(code, request.body.deviceId as string, request.body.publicKey as string)),
        generateKeyPairSync('ed25519').privateKey,
      ).toString('base64'),
    };
    const answer = await enrolCall(hq, forged);
    expect(answer.status).toBe(401);
    expect(errorCode(answer.body)).toBe('bad_signature');
    expect((await enrolCall(hq, request.body)).status).toBe(200);
  });

  it('refuses a device id that is already enrolled with another key', async () => {
    const first = enrolmentRequest(await hq.enrolCode());
    expect((await enrolCall(hq, first.body)).status).toBe(200);
    const impostor = enrolmentRequest(await hq.enrolCode(), first.body.deviceId);
    const answer = await enrolCall(hq, impostor.body);
    expect(answer.status).toBe(409);
    const [row] = await db.query<{ public_key: string }>('SELECT public_key FROM device WHERE id = $1', [first.body.deviceId]);
    expect(row?.public_key).toBe(first.body.publicKey);
  });

  it('answers malformed, non-JSON, wrongly typed and oversized bodies with a 4xx and a reason', async () => {
    const bad = [
      { body: 'not json', type: 'application/json', status: 400, code: 'bad_request' },
      { body: '{"code":"AAAA"}', type: 'application/json', status: 400, code: 'bad_request' },
      { body: '[]', type: 'application/json', status: 400, code: 'bad_request' },
      { body: '', type: 'application/json', status: 400, code: 'bad_request' },
      { body: 'code=1', type: 'application/x-www-form-urlencoded', status: 415, code: 'bad_request' },
    ];
    for (const c of bad) {
      const answer = await httpCall(`${hq.url}${SYNC_PATHS.enrol}`, { method: 'POST', headers: { 'content-type': c.type }, body: c.body });
      expect(answer.status, c.body).toBe(c.status);
      expect(errorCode(answer.body), c.body).toBe(c.code);
    }
    // Text PostgreSQL cannot store is bad input too, not an HQ failure.
    const nul = enrolmentRequest(await hq.enrolCode());
    const nulAnswer = await enrolCall(hq, { ...nul.body, hostname: 'till\u0000one' });
    expect(nulAnswer.status).toBe(400);
    expect(errorCode(nulAnswer.body)).toBe('bad_request');
    const huge = await httpCall(`${hq.url}${SYNC_PATHS.enrol}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(MAX_PUSH_BYTES)}"`,
    });
    expect(huge.status).toBe(413);
    expect(errorCode(huge.body)).toBe('too_large');
    const nowhere = await httpCall(`${hq.url}/sync/v1/nothing`);
    expect(nowhere.status).toBe(404);
    expect(errorCode(nowhere.body)).toBe('not_found');
  });

  it(`stops a source guessing codes after ${ENROL_FAILURES_PER_MINUTE} wrong ones, even for a right code`, async () => {
    // Every test comes from 127.0.0.1, and the budget is kept in the database for every HQ process:
    // a server an hour ahead counts in a window of its own, past the other tests' wrong codes.
    const guarded = await startTestHq(db, { clock: () => new Date(Date.now() + 3600_000) });
    try {
      for (let i = 0; i < ENROL_FAILURES_PER_MINUTE; i++) {
        const answer = await enrolCall(guarded, enrolmentRequest(newEnrolCode()).body);
        expect(answer.status).toBe(404);
      }
      const right = enrolmentRequest(await hq.enrolCode());
      const blocked = await enrolCall(guarded, right.body);
      expect(blocked.status).toBe(429);
      expect(errorCode(blocked.body)).toBe('forbidden');
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM device WHERE id = $1', [right.body.deviceId]);
      expect(row?.n).toBe(0);
    } finally {
      await guarded.close();
    }
  });
});
