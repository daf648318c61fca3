import { createHash, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EnrolResponse } from '../protocol/enrol.js';
import { enrolProofText, enrolRequestSchema, rotateKeyRequestSchema, rotateProofText } from '../protocol/enrol.js';
import { deviceScopes } from '../protocol/feed.js';
import type { HelloResponse } from '../protocol/http.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { publicKeyFromBase64, verifySignature } from '../protocol/signing.js';
import { DEVICE_CHANNEL, deviceNotice } from './auth.js';
import { createFailureLimiter } from './auth-limiter.js';
import type { HqContext } from './context.js';
import type { Sql } from './db.js';
import { HqHttpError } from './http-error.js';
import { SMALL_BODY_LIMIT } from './routes/device-route.js';
import type { DeviceRoutes } from './routes/device-route.js';

/** Letters and digits a person reads off a screen without confusing them (no I, O, 0, 1). */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A fresh one-time enrolment code, `XXXX-XXXX-XXXX` (~60 bits). */
export function newEnrolCode(): string {
  const part = () => Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `${part()}-${part()}-${part()}`;
}

/** Codes are stored hashed: a leaked table does not enrol anything. */
export function enrolCodeHash(code: string): string {
  return createHash('sha256').update(`sf-enrol/${code}`).digest('hex');
}

/** Creates a one-time code for a store; IT shows it as text and QR. */
export async function createEnrolCode(
  sql: Sql,
  input: { storeId: string; ttlMinutes: number; createdBy: string; now: Date },
): Promise<{ code: string; expiresAt: string }> {
  const [store] = await sql.query<{ kind: string }>('SELECT kind FROM location WHERE id = $1', [input.storeId]);
  if (!store) throw new HqHttpError(404, 'not_found', `no location ${input.storeId}`);
  if (store.kind !== 'store') throw new HqHttpError(400, 'bad_request', `${input.storeId} is a ${store.kind}, not a store`);
  const code = newEnrolCode();
  const expiresAt = new Date(input.now.getTime() + input.ttlMinutes * 60_000);
  await sql.query('INSERT INTO enrolment_code (code_hash, store_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    enrolCodeHash(code),
    input.storeId,
    input.createdBy,
    input.now,
    expiresAt,
  ]);
  return { code, expiresAt: expiresAt.toISOString() };
}

export const ENROL_FAILURES_PER_MINUTE = 10;

type CodeRow = { store_id: string; expires_at: Date; used_at: Date | null; device_id: string | null };
type StoreRow = { code: string; brand: string };

export type EnrolRouteDeps = {
  routes: DeviceRoutes;
  /** A device's key or status changed: forget it in this process now (the others hear the NOTIFY). */
  forgetDevice: (deviceId: string) => void;
  /** A device was enrolled: this process knows it at once (the others hear the NOTIFY). */
  deviceEnrolled: (deviceId: string) => void;
};

/** Enrolment (unsigned: the proof shows the device holds the key), hello and key rotation. */
export function registerEnrolRoutes(app: FastifyInstance, hq: HqContext, deps: EnrolRouteDeps): void {
  const limiter = createFailureLimiter(hq.db, 'enrol', ENROL_FAILURES_PER_MINUTE);
  // Before fastify waits for the requests in flight: a try waiting for a place would keep it waiting.
  app.addHook('preClose', () => limiter.close());

  app.post(SYNC_PATHS.enrol, { bodyLimit: SMALL_BODY_LIMIT }, async (request): Promise<EnrolResponse> => {
    const now = hq.clock();
    // The client's address as fastify sees it: behind a proxy HQ trusts (trustProxy), the one it forwarded.
    const attempt = await limiter.begin(request.ip, () => hq.clock().getTime());
    if (!attempt) throw new HqHttpError(429, 'forbidden', 'too many failed enrolment attempts; wait a minute');
    try {
      const input = enrolRequestSchema.parse(request.body);
      const answer = await enrol(hq, input, now);
      deps.deviceEnrolled(answer.deviceId);
      return answer;
    } catch (error) {
      if (error instanceof HqHttpError && error.status !== 409) await attempt.failed();
      throw error;
    } finally {
      await attempt.end();
    }
  });

  deps.routes.post(SYNC_PATHS.hello, SMALL_BODY_LIMIT, async (device): Promise<HelloResponse> => {
    return { deviceId: device.id, storeId: device.storeId, status: 'active', serverTime: hq.clock().toISOString(), scopes: device.scopes };
  });

  deps.routes.post(SYNC_PATHS.rotateKey, SMALL_BODY_LIMIT, async (device, body) => {
    const input = rotateKeyRequestSchema.parse(body);
    if (!verifySignature(publicKeyFromBase64(input.publicKey), rotateProofText(device.id, input.publicKey), input.proof)) {
      throw new HqHttpError(401, 'bad_signature', 'the proof was not signed with the new key');
    }
    const now = hq.clock();
    await hq.db.tx(async (sql) => {
      await sql.query('UPDATE device SET public_key = $2, key_rotated_at = $3 WHERE id = $1', [device.id, input.publicKey, now]);
      // Delivered at commit to every HQ process, which drop the old key from their caches.
      await sql.query('SELECT pg_notify($1, $2)', [DEVICE_CHANNEL, deviceNotice('rotated', device.id)]);
    });
    deps.forgetDevice(device.id);
    return { deviceId: device.id, rotatedAt: now.toISOString() };
  });
}

async function enrol(hq: HqContext, input: ReturnType<typeof enrolRequestSchema.parse>, now: Date): Promise<EnrolResponse> {
  if (!verifySignature(publicKeyFromBase64(input.publicKey), enrolProofText(input.code, input.deviceId, input.publicKey), input.proof)) {
    throw new HqHttpError(401, 'bad_signature', 'the proof was not signed with the key being enrolled');
  }
  return hq.db.tx(async (sql) => {
    const [code] = await sql.query<CodeRow>(
      'SELECT store_id, expires_at, used_at, device_id::text AS device_id FROM enrolment_code WHERE code_hash = $1 FOR UPDATE',
      [enrolCodeHash(input.code)],
    );
    if (!code) throw new HqHttpError(404, 'enrolment_invalid', 'this enrolment code does not exist');
    const [store] = await sql.query<StoreRow>('SELECT code, brand FROM location WHERE id = $1 FOR UPDATE', [code.store_id]);
    if (!store) throw new HqHttpError(404, 'enrolment_invalid', 'the store of this code no longer exists');
    const [existing] = await sql.query<{ store_id: string; public_key: string; receipt_code: string }>(
      'SELECT store_id, public_key, receipt_code FROM device WHERE id = $1',
      [input.deviceId],
    );
    if (code.used_at) {
      // The same device asking again (the answer to its first try was lost) gets the same answer.
      if (code.device_id === input.deviceId && existing?.public_key === input.publicKey)
        return response(input.deviceId, code.store_id, store, existing.receipt_code);
      throw new HqHttpError(409, 'enrolment_used', 'this enrolment code was already used');
    }
    if (code.expires_at.getTime() <= now.getTime())
      throw new HqHttpError(410, 'enrolment_expired', 'this enrolment code has expired; ask IT for a new one');
    if (existing) throw new HqHttpError(409, 'forbidden', 'a device with this id is already enrolled');
    const receiptCode = await nextReceiptCode(sql, code.store_id);
    await sql.query(
      `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname, enrolled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [input.deviceId, code.store_id, input.publicKey, receiptCode, input.appVersion, input.hostname, now],
    );
    await sql.query('UPDATE enrolment_code SET used_at = $2, device_id = $3 WHERE code_hash = $1', [
      enrolCodeHash(input.code),
      now,
      input.deviceId,
    ]);
    // Every HQ process adds the device to its known ids at commit (known-devices.ts).
    await sql.query('SELECT pg_notify($1, $2)', [DEVICE_CHANNEL, deviceNotice('enrolled', input.deviceId)]);
    return response(input.deviceId, code.store_id, store, receiptCode);
  });
}

function response(deviceId: string, storeId: string, store: StoreRow, receiptCode: string): EnrolResponse {
  return {
    deviceId,
    storeId,
    storeCode: store.code,
    brand: store.brand,
    receiptCode,
    scopes: deviceScopes({ brand: store.brand, storeId, deviceId }),
  };
}

/** D1, D2, … the lowest free one in the store (the location row is locked, so two enrolments cannot take the same). */
async function nextReceiptCode(sql: Sql, storeId: string): Promise<string> {
  const rows = await sql.query<{ receipt_code: string }>('SELECT receipt_code FROM device WHERE store_id = $1', [storeId]);
  const taken = new Set(rows.map((r) => r.receipt_code));
  for (let n = 1; n < 1000; n++) {
    const candidate = `D${n}`;
    if (!taken.has(candidate)) return candidate;
  }
  throw new HqHttpError(409, 'forbidden', 'this store has no receipt codes left');
}
