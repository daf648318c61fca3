import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../fixtures/prng.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { ANSWER_HEADERS, NONCE_PATTERN, SIGN_HEADERS, publicKeyFromBase64, verifyAnswer } from '../protocol/signing.js';
import { pushResponseSchema } from '../protocol/push.js';
import type { HqDb } from './db.js';
import { createEnrolCode } from './enrol.js';
import { allCases } from './testing/fuzz/all-cases.js';
import { fingerprint } from './testing/fuzz/db-fingerprint.js';
import type { Fingerprint } from './testing/fuzz/db-fingerprint.js';
import type { FuzzDevice, FuzzTarget } from './testing/fuzz/fuzz-case.js';
import { signed } from './testing/fuzz/fuzz-case.js';
import { sendRaw } from './testing/fuzz/raw-http.js';
import { runCases } from './testing/fuzz/run-cases.js';
import type { AnswerCheck } from './testing/fuzz/run-cases.js';
import type { RunReport } from './testing/fuzz/run-cases.js';
import { saleEventFrom } from './testing/push-fixture.js';
import { testBackends } from './testing/backends.js';
import { TEST_STORE, enrolmentRequest, httpCall, openTestHqDb, startTestHq, testDevice } from './testing/test-hq.js';
import type { TestDevice, TestHq } from './testing/test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/**
 * HQ under 1,300+ deterministic bad requests (seeded: the same cases every run) over real HTTP
 * on 127.0.0.1, on PGlite and on a real PostgreSQL: malformed, oversized, wrongly signed,
 * replayed and cross-store requests, refused live upgrades and admin calls. Each must get a 4xx
 * with an HQ error body (or, inside a valid push, a per-event `rejected`), signed by HQ when it
 * answers a device path, HQ must answer /health after every case, and the watched tables must be
 * byte-for-byte as before.
 * To read what HQ answered: FUZZ_SHOW=<part of a case name>; the slowest answers: FUZZ_SLOW=1.
 */
const SEED = 'hq-fuzz-1';

async function fuzzDevice(db: HqDb, device: TestDevice): Promise<FuzzDevice> {
  const [staff] = await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id = $1 ORDER BY id LIMIT 1', [
    device.enrolment.storeId,
  ]);
  return {
    id: device.id,
    storeId: device.enrolment.storeId,
    brand: device.enrolment.brand,
    privateKey: device.privateKey,
    publicKey: device.publicKey,
    staffId: staff!.id,
  };
}

/** Every answer to a device — refusals included — is signed by HQ over that request's nonce and the body as sent. */
function signedByHq(hq: TestHq): AnswerCheck {
  const key = publicKeyFromBase64(hq.hqPublicKey);
  return (request, answer) => {
    if (!request.path.startsWith('/sync/')) return null;
    const header = (name: string) => {
      const value = answer.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const time = header(ANSWER_HEADERS.time);
    const signature = header(ANSWER_HEADERS.signature);
    if (!time || !signature) return `HQ did not sign its ${answer.status} answer`;
    const sent = request.headers[SIGN_HEADERS.nonce] ?? '';
    const nonce = NONCE_PATTERN.test(sent) ? sent : '';
    const body = Buffer.from(answer.text, 'utf8');
    const ok = verifyAnswer(key, { status: answer.status, method: request.method, path: request.path, nonce, body, time, signature });
    return ok ? null : `HQ's signature does not cover its ${answer.status} answer`;
  };
}

function summary(report: RunReport): string {
  const shown = report.failures.slice(0, 25).map((f) => `  [${f.family}] ${f.name} (step ${f.step}): ${f.problem}`);
  return `${report.failures.length} of ${report.requests} requests went wrong:\n${shown.join('\n')}`;
}

describe.each(backends)('HQ under fuzzing on $name', (backend) => {
  let db: HqDb;
  let hq: TestHq;
  let target: FuzzTarget;
  let a: TestDevice;
  const internalErrors: string[] = [];
  // HQ's clock stands still: the fuzzer's signatures stay fresh, and HQ's once-a-minute
  // last_seen_at write (which feeds the change log) happens only in the warm-up below.
  const now = new Date();

  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    hq = await startTestHq(db, {
      clock: () => now,
      log: (message, detail) => internalErrors.push(`${message} ${String(detail).slice(0, 300)}`),
    });
    a = await testDevice(hq);
    const [second] = await db.query<{ id: string }>("SELECT id FROM location WHERE kind = 'store' AND id <> $1 ORDER BY id LIMIT 1", [
      TEST_STORE,
    ]);
    const b = await testDevice(hq, second!.id);
    // A code already used (by a third device) and one that expired an hour ago.
    const used = await hq.enrolCode();
    const third = enrolmentRequest(used);
    expect(
      (
        await httpCall(`${hq.url}${SYNC_PATHS.enrol}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(third.body),
        })
      ).status,
    ).toBe(200);
    const expired = (
      await createEnrolCode(db, { storeId: TEST_STORE, ttlMinutes: 1, createdBy: 'fuzz', now: new Date(now.getTime() - 3_600_000) })
    ).code;
    const [stocked] = await db.query<{ sku: string }>('SELECT sku FROM stock WHERE location_id = $1 ORDER BY sku LIMIT 1', [TEST_STORE]);
    target = {
      a: await fuzzDevice(db, a),
      b: await fuzzDevice(db, b),
      now,
      adminToken: await hq.adminToken(),
      codes: { fresh: await hq.enrolCode(), used, expired },
      sku: stocked!.sku,
      prng: createPrng(SEED),
    };
    // Warm-up: the first signed request of each device records last_seen_at.
    for (const device of [a, b]) expect((await device.call('POST', SYNC_PATHS.hello, {})).status).toBe(200);
  });
  afterAll(async () => {
    await hq?.close();
    await db?.close();
  });

  it('answers 1,000+ bad requests with a 4xx and a reason, stays up, and writes nothing', async () => {
    const cases = allCases(target);
    const before = await fingerprint(db);
    const [noncesBefore] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM request_nonce');
    const report = await runCases(hq.url, cases, signedByHq(hq));

    const show = process.env.FUZZ_SHOW;
    if (process.env.FUZZ_SLOW)
      console.info(
        [...report.answers]
          .sort((x, y) => y.ms - x.ms)
          .slice(0, 40)
          .map((x) => `${x.ms}ms ${x.status} ${x.name}`)
          .join('\n'),
      );
    if (show)
      console.info(
        report.answers
          .filter((x) => x.name.includes(show))
          .map((x) => `${x.status} ${x.code} ${x.name}`)
          .join('\n'),
      );
    expect(report.requests).toBeGreaterThanOrEqual(1000);
    for (const family of ['malformed', 'oversized', 'signature', 'replay', 'cross-store', 'live', 'admin'] as const)
      expect(report.byFamily[family] ?? 0).toBeGreaterThan(0);
    expect(report.failures, summary(report)).toEqual([]);
    expect(Object.keys(report.byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(internalErrors).toEqual([]);
    const after: Fingerprint = await fingerprint(db);
    expect(after).toEqual(before);
    // Correctly signed requests refused for their body used up their nonces: the only growth.
    const [noncesAfter] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM request_nonce');
    expect(noncesAfter!.n).toBeGreaterThan(noncesBefore!.n);
    console.info(
      `[fuzz ${backend.name}] ${report.requests} requests: ${JSON.stringify(report.byFamily)}; ms ${JSON.stringify(report.msByFamily)}; statuses ${JSON.stringify(report.byStatus)}; request_nonce +${noncesAfter!.n - noncesBefore!.n}`,
    );
  });

  it('still takes a valid push afterwards, and refuses its byte-for-byte replay without writing', async () => {
    const source = { deviceId: target.a.id, storeId: target.a.storeId, staffId: target.a.staffId };
    const body = JSON.stringify({ deviceId: source.deviceId, storeId: source.storeId, events: [saleEventFrom(source, [target.sku])] });
    const request = { method: 'POST', path: SYNC_PATHS.push, headers: signed(target, target.a, 'POST', SYNC_PATHS.push, body), body };
    const before = await fingerprint(db);
    const first = await sendRaw(hq.url, request);
    expect(first.status).toBe(200);
    expect(pushResponseSchema.parse(JSON.parse(first.text)).results.map((r) => r.status)).toEqual(['accepted']);
    await hq.projector.settled();
    const written = await fingerprint(db);
    expect(written.event.rows).toBe(before.event.rows + 1);
    expect(written.sale.rows).toBe(before.sale.rows + 1);
    expect(written.stock).not.toEqual(before.stock);

    const replay = await sendRaw(hq.url, request);
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.text)).toMatchObject({ error: { code: 'replayed' } });
    expect(await fingerprint(db)).toEqual(written);
    // Sent again with a fresh signature, as a device retries: a duplicate, still nothing written.
    const again = await sendRaw(hq.url, { ...request, headers: signed(target, target.a, 'POST', SYNC_PATHS.push, body) });
    expect(pushResponseSchema.parse(JSON.parse(again.text)).results.map((r) => r.status)).toEqual(['duplicate']);
    await hq.projector.settled();
    expect(await fingerprint(db)).toEqual(written);
    expect(internalErrors).toEqual([]);
  });
});
