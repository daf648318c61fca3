import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { uuidv7Generator } from '../../protocol/uuidv7.js';
import type { EnrolResponse } from '../../protocol/enrol.js';
import { enrolProofText, enrolmentText } from '../../protocol/enrol.js';
import { SYNC_PATHS } from '../../protocol/http.js';
import { publicKeyToBase64, signRequest } from '../../protocol/signing.js';
import { setAdminPassword } from '../admin/admin-users.js';
import { openHqDb } from '../db.js';
import type { HqDb } from '../db.js';
import { createEnrolCode } from '../enrol.js';
import { migrateHq } from '../migrate.js';
import { importSampleBrand } from '../sample-brand.js';
import { createHqServer } from '../server.js';
import type { HqServer, HqServerOptions } from '../server.js';

/** The demo store of the sample brand. */
export const TEST_STORE = 'loc-S001';
export const TEST_ADMIN = { name: 'admin', password: 'test-admin-password' } as const;

export type HttpAnswer = { status: number; body: unknown };

/** A small HTTP client for tests: JSON in, parsed JSON (or text) out, never throws on a 4xx. */
export async function httpCall(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<HttpAnswer> {
  const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/**
 * A database for HQ tests with the schema and a small sample brand: PGlite in memory, or a
 * fresh database on a PostgreSQL server (`databaseUrl`). The caller closes it.
 */
export async function openTestHqDb(
  options: { databaseUrl?: string; skus?: number; customers?: number; stores?: number } = {},
): Promise<HqDb> {
  const db = await openHqDb({ databaseUrl: options.databaseUrl, poolSize: 10 });
  await migrateHq(db);
  // Two stores: enough for cross-store cases, and few PIN hashes to make (scrypt, ~10 ms each).
  await importSampleBrand(db, {
    skus: options.skus ?? 60,
    customers: options.customers ?? 30,
    stores: options.stores ?? 2,
    stockStores: ['S001'],
  });
  await setAdminPassword(db, TEST_ADMIN.name, TEST_ADMIN.password);
  return db;
}

export type TestHq = HqServer & {
  db: HqDb;
  /** Logs in as the test admin and returns a bearer token. */
  adminToken(): Promise<string>;
  /** An admin API call with the test admin's token (or `token`, or none with `token: null`). */
  admin(method: string, path: string, body?: unknown, options?: { token?: string | null; contentType?: string }): Promise<HttpAnswer>;
  /** A fresh one-time enrolment code for a store (default the demo store). */
  enrolCode(storeId?: string, ttlMinutes?: number): Promise<string>;
  /** The same as IT hands it to a device: `CODE@FINGERPRINT` of this HQ's key. */
  enrolment(storeId?: string, ttlMinutes?: number): Promise<string>;
};

/** An HQ server on 127.0.0.1:0 over `db` (from openTestHqDb). close() stops the server, not the db. */
export async function startTestHq(
  db: HqDb,
  options: Pick<HqServerOptions, 'clock' | 'onDeviceNotice' | 'log' | 'hqKey' | 'tls' | 'trustProxy'> = {},
): Promise<TestHq> {
  const server = await createHqServer({
    db,
    clock: options.clock,
    log: options.log ?? (() => undefined),
    onDeviceNotice: options.onDeviceNotice,
    hqKey: options.hqKey,
    tls: options.tls,
    trustProxy: options.trustProxy,
  });
  let token: string | null = null;
  const adminToken = async (): Promise<string> => {
    if (token) return token;
    const answer = await httpCall(`${server.url}/admin/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TEST_ADMIN),
    });
    if (answer.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(answer.body)}`);
    token = (answer.body as { token: string }).token;
    return token;
  };
  return {
    ...server,
    db,
    adminToken,
    async admin(method, path, body, opts = {}) {
      const bearer = opts.token === undefined ? await adminToken() : opts.token;
      const headers: Record<string, string> = {};
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      return httpCall(`${server.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
    async enrolCode(storeId = TEST_STORE, ttlMinutes = 60) {
      return (await createEnrolCode(db, { storeId, ttlMinutes, createdBy: 'test', now: server.hq.clock() })).code;
    },
    async enrolment(storeId = TEST_STORE, ttlMinutes = 60) {
      const { code } = await createEnrolCode(db, { storeId, ttlMinutes, createdBy: 'test', now: server.hq.clock() });
      return enrolmentText(code, server.hqFingerprint);
    },
  };
}

export type SignOptions = { now?: Date; nonce?: string; key?: KeyObject; deviceId?: string };

export type TestDevice = {
  id: string;
  privateKey: KeyObject;
  publicKey: string;
  enrolment: EnrolResponse;
  /** Signed headers for a request (the test may then change the body or the headers). */
  sign(method: string, path: string, body: string, options?: SignOptions): Record<string, string>;
  /** A signed JSON request to HQ. */
  call(method: string, path: string, body?: unknown, options?: SignOptions): Promise<HttpAnswer>;
};

const newId = uuidv7Generator();

/** A fresh Ed25519 key pair and the enrolment request a device would send with it. */
export function enrolmentRequest(
  code: string,
  deviceId = newId(),
): { body: Record<string, string>; privateKey: KeyObject; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyText = publicKeyToBase64(publicKey);
  const proof = sign(null, Buffer.from(enrolProofText(code, deviceId, publicKeyText)), privateKey).toString('base64');
  return {
    body: { code, deviceId, publicKey: publicKeyText, proof, appVersion: '0.1.0-test', hostname: 'test-device' },
    privateKey,
    publicKey: publicKeyText,
  };
}

/** Enrols a new device (fresh key, fresh code) in `storeId` and returns a client that signs its requests. */
export async function testDevice(hq: TestHq, storeId = TEST_STORE): Promise<TestDevice> {
  const request = enrolmentRequest(await hq.enrolCode(storeId));
  const answer = await httpCall(`${hq.url}${SYNC_PATHS.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.body),
  });
  if (answer.status !== 200) throw new Error(`enrolment failed: ${JSON.stringify(answer.body)}`);
  const enrolment = answer.body as EnrolResponse;
  const device: TestDevice = {
    id: enrolment.deviceId,
    privateKey: request.privateKey,
    publicKey: request.publicKey,
    enrolment,
    sign(method, path, body, options = {}) {
      return signRequest(options.key ?? device.privateKey, {
        deviceId: options.deviceId ?? device.id,
        method,
        path,
        body,
        now: options.now ?? hq.hq.clock(),
        nonce: options.nonce,
      });
    },
    async call(method, path, body, options) {
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = {
        ...device.sign(method, path, text, options),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      };
      return httpCall(`${hq.url}${path}`, { method, headers, body: body === undefined ? undefined : text });
    },
  };
  return device;
}
