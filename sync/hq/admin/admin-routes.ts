import type { FastifyInstance, FastifyRequest } from 'fastify';
import receiptline from 'receiptline';
import { z } from 'zod';
import { enrolmentText } from '../../protocol/enrol.js';
import { hashPin, newPinSalt } from '../../protocol/pin-credential.js';
import { STORE_CODE_RE } from '../../protocol/receipt-number.js';
import { DEVICE_CHANNEL, deviceNotice } from '../auth.js';
import type { HqContext } from '../context.js';
import { createFailureLimiter } from '../auth-limiter.js';
import { createEnrolCode } from '../enrol.js';
import { HqHttpError } from '../http-error.js';
import { registerAdminAccountRoutes } from './admin-account-routes.js';
import { guardAdminRoutes } from './admin-roles.js';
import { adminLogin, adminOfRequest, adminSessionOfRequest } from './admin-users.js';
import { catalogFromCsv, catalogFromJson, writeCatalog } from './catalog-import.js';
import { registerDeadLetterRoutes } from './dead-letter-routes.js';
import { registerCustomerBookRoutes } from './customer-book-routes.js';
import { registerSettlementRoutes } from './settlement-routes.js';
import { registerStoreRoutes } from './store-routes.js';

export const ADMIN_PREFIX = '/admin/v1';
/** A 200,000-SKU catalog as JSON is ~50 MB; device requests keep the server's 8 MB limit. */
const CATALOG_BODY_LIMIT = 128 * 1024 * 1024;
const LOGIN_PATH = `${ADMIN_PREFIX}/login`;
/** A name and a password (loginSchema) with room to spare: anyone may call login, so it reads no more. */
const LOGIN_BODY_LIMIT = 4096;
/** Wrong passwords per client (address or IPv6 /64) a minute, counted across every HQ process (auth-limiter.ts). */
export const ADMIN_LOGIN_FAILURES_PER_MINUTE = 10;

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const name = z.string().min(1).max(200);

const loginSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();
const brandSchema = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/), name_zh: name, name_en: name }).strict();
const locationSchema = z
  .object({
    id,
    brand: z.string().min(1).max(32),
    kind: z.enum(['store', 'warehouse']),
    code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    name_zh: name,
    name_en: name,
    city_zh: name,
    city_en: name,
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    timezone: z.string().min(1).max(64).default('Asia/Shanghai'),
  })
  .strict()
  // Its tills begin every receipt number with it, and HQ checks a sale's receipt number by it.
  .refine((l) => l.kind !== 'store' || STORE_CODE_RE.test(l.code), {
    path: ['code'],
    message: 'a store’s code begins its receipt numbers: 1 to 6 capital letters or digits',
  });
const staffSchema = z
  .object({
    id,
    storeId: id,
    code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
    name,
    role: z.enum(['cashier', 'guide', 'manager']),
    pin: z.string().regex(/^[0-9]{4,8}$/, 'a PIN is 4–8 digits'),
    /** Default: true for a new staff member; an existing one keeps theirs (re-saving a departed guide's name does not bring them back). */
    active: z.boolean().optional(),
  })
  .strict();
const stockSchema = z
  .object({
    locationId: id,
    levels: z
      .array(z.object({ sku: z.string().min(1).max(64), qty: z.number().int().min(-1_000_000).max(1_000_000) }).strict())
      .min(1)
      .max(500_000),
  })
  .strict();
const enrolCodeSchema = z
  .object({
    storeId: id,
    ttlMinutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30)
      .default(60),
  })
  .strict();
/**
 * A device id as HQ keys it everywhere in memory (its cache, the sf_device notice, live channels):
 * lower case. PostgreSQL takes a UUID in capitals as the same device, so one pasted that way would
 * revoke the row while every process's cache and live channel, looking for the other spelling, kept
 * serving the device.
 */
const deviceIdSchema = z.object({ id: z.uuid().transform((id) => id.toLowerCase()) }).strict();

/** Postgres constraint failures (unknown parent, duplicate, check) are bad input here, not HQ bugs. */
function asBadInput(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === '23503' || code === '23505' || code === '23514' || code === '23502') {
    const detail = (error as { detail?: unknown }).detail;
    return new HqHttpError(400, 'bad_request', `${(error as Error).message}${typeof detail === 'string' ? ` (${detail})` : ''}`);
  }
  return error;
}

/** The enrolment (`CODE@FINGERPRINT`) as a QR (SVG) for the device's camera, with receiptline's quiet zone. */
export function enrolQrSvg(enrolment: string): string {
  return receiptline.transform(`{code:${enrolment}; option:qrcode,6}`, { command: 'svg' });
}

/**
 * The admin API: log in with a password, then everything else needs the bearer token of an
 * account whose role the route allows (admin-roles.ts). No anonymous writes.
 */
export type AdminRouteDeps = {
  /** A device's status changed: forget it in this process now (the others hear the NOTIFY). */
  forgetDevice: (deviceId: string) => void;
  /** HQ's signing key fingerprint, handed out with every enrolment code. */
  hqFingerprint: string;
};

export function registerAdminRoutes(app: FastifyInstance, hq: HqContext, deps: AdminRouteDeps): void {
  const { forgetDevice } = deps;
  const loginLimiter = createFailureLimiter(hq.db, 'admin_login', ADMIN_LOGIN_FAILURES_PER_MINUTE);
  // Before fastify waits for the requests in flight: a login waiting for a place would keep it waiting.
  app.addHook('preClose', () => loginLimiter.close());
  const admin = (request: FastifyRequest) => adminOfRequest(hq.db, request, hq.clock());
  // Every admin route declares who may call it (ADMIN_ROUTE_ROLES), and every one but login checks
  // the token and the role before its body is read, whatever the route's own handler does again:
  // an anonymous caller must not make HQ buffer and parse 8 MB of JSON.
  guardAdminRoutes(app, ADMIN_PREFIX, (request) => adminSessionOfRequest(hq.db, request, hq.clock()));
  registerAdminAccountRoutes(app, hq, ADMIN_PREFIX);
  registerDeadLetterRoutes(app, hq, ADMIN_PREFIX);
  registerCustomerBookRoutes(app, hq, ADMIN_PREFIX); // the customer book (issue 11)
  registerSettlementRoutes(app, hq, ADMIN_PREFIX);
  registerStoreRoutes(app, hq, ADMIN_PREFIX);

  app.post(LOGIN_PATH, { bodyLimit: LOGIN_BODY_LIMIT }, async (request) => {
    const now = hq.clock();
    const attempt = await loginLimiter.begin(request.ip, () => hq.clock().getTime());
    if (!attempt) throw new HqHttpError(429, 'forbidden', 'too many failed logins; wait a minute');
    try {
      const input = loginSchema.parse(request.body);
      return await adminLogin(hq.db, input.name, input.password, now);
    } catch (error) {
      if (error instanceof HqHttpError) await attempt.failed();
      throw error;
    } finally {
      await attempt.end();
    }
  });

  app.post(`${ADMIN_PREFIX}/brands`, async (request) => {
    await admin(request);
    const b = brandSchema.parse(request.body);
    await hq.db.query(
      'INSERT INTO brand (code, name_zh, name_en) VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en',
      [b.code, b.name_zh, b.name_en],
    );
    return { code: b.code };
  });

  // Routes with a big body check the token before reading it: an anonymous caller must not make HQ buffer 128 MB.
  const adminFirst = { bodyLimit: CATALOG_BODY_LIMIT, onRequest: async (request: FastifyRequest) => void (await admin(request)) };
  app.post(`${ADMIN_PREFIX}/catalog`, adminFirst, async (request) => {
    const query = request.query as Record<string, unknown>;
    const catalog = typeof request.body === 'string' ? catalogFromCsv(query.brand, request.body) : catalogFromJson(request.body);
    try {
      return await hq.db.tx((sql) => writeCatalog(sql, catalog));
    } catch (error) {
      throw asBadInput(error);
    }
  });

  app.post(`${ADMIN_PREFIX}/locations`, async (request) => {
    await admin(request);
    const l = locationSchema.parse(request.body);
    let written: unknown[];
    try {
      written = await hq.db.query(
        `INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET brand = excluded.brand, kind = excluded.kind, code = excluded.code, name_zh = excluded.name_zh,
           name_en = excluded.name_en, city_zh = excluded.city_zh, city_en = excluded.city_en, lat = excluded.lat, lng = excluded.lng, timezone = excluded.timezone
         -- A store's code is on every receipt its tills printed and in every sale they have not pushed yet: fixed once it has a device.
         WHERE location.code = excluded.code OR NOT EXISTS (SELECT 1 FROM device d WHERE d.store_id = location.id)
         RETURNING id`,
        [l.id, l.brand, l.kind, l.code, l.name_zh, l.name_en, l.city_zh, l.city_en, l.lat, l.lng, l.timezone],
      );
    } catch (error) {
      throw asBadInput(error);
    }
    if (written.length === 0) {
      throw new HqHttpError(
        409,
        'bad_request',
        `location ${l.id} has devices: its code begins their receipt numbers, printed and still to be pushed, and cannot change`,
      );
    }
    return { id: l.id };
  });

  app.post(`${ADMIN_PREFIX}/staff`, async (request) => {
    await admin(request);
    const s = staffSchema.parse(request.body);
    // The same scrypt scheme the device checks PINs with (main/staff/pin-hash.ts).
    const salt = newPinSalt();
    const pinHash = hashPin(s.pin, salt);
    try {
      await hq.db.tx(async (sql) => {
        const [store] = await sql.query<{ kind: string }>('SELECT kind FROM location WHERE id = $1', [s.storeId]);
        if (store?.kind !== 'store') throw new HqHttpError(400, 'bad_request', `${s.storeId} is not a store`);
        // Like deactivation (HQ migration 0005's trigger): a guide's customers are moved first, by a
        // transfer, never left bound to someone of another store or to a cashier, who holds none.
        // FOR UPDATE: a bind to them (which reads the staff row FOR SHARE) waits for this.
        const [before] = await sql.query<{ store_id: string; held: number }>(
          'SELECT store_id, (SELECT count(*) FROM customer c WHERE c.guide_id = s.id)::int AS held FROM staff s WHERE s.id = $1 FOR UPDATE',
          [s.id],
        );
        if (before && before.held > 0 && (before.store_id !== s.storeId || s.role === 'cashier')) {
          throw new HqHttpError(
            400,
            'bad_request',
            `staff ${s.id} still holds ${before.held} customer(s) of ${before.store_id}: move them first (POST ${ADMIN_PREFIX}/transfers)`,
          );
        }
        await sql.query(
          `INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash) VALUES ($1, $2, $3, $4, $5, coalesce($6::boolean, true), $7, $8)
           ON CONFLICT (id) DO UPDATE SET store_id = excluded.store_id, code = excluded.code, name = excluded.name, role = excluded.role,
             active = coalesce($6::boolean, staff.active), pin_salt = excluded.pin_salt, pin_hash = excluded.pin_hash`,
          [s.id, s.storeId, s.code, s.name, s.role, s.active ?? null, salt, pinHash],
        );
      });
    } catch (error) {
      throw asBadInput(error);
    }
    return { id: s.id };
  });

  app.put(`${ADMIN_PREFIX}/stock`, adminFirst, async (request) => {
    const s = stockSchema.parse(request.body);
    const now = hq.clock();
    try {
      await hq.db.query(
        `INSERT INTO stock (location_id, sku, qty, updated_at)
         SELECT $1, u.sku, u.qty, $4 FROM unnest($2::text[], $3::int[]) AS u(sku, qty)
         ON CONFLICT (location_id, sku) DO UPDATE SET qty = excluded.qty, updated_at = excluded.updated_at WHERE stock.qty <> excluded.qty`,
        [s.locationId, s.levels.map((l) => l.sku), s.levels.map((l) => l.qty), now],
      );
    } catch (error) {
      throw asBadInput(error);
    }
    return { levels: s.levels.length };
  });

  app.post(`${ADMIN_PREFIX}/enrolment-codes`, async (request) => {
    const by = await admin(request);
    const input = enrolCodeSchema.parse(request.body);
    const created = await createEnrolCode(hq.db, { storeId: input.storeId, ttlMinutes: input.ttlMinutes, createdBy: by, now: hq.clock() });
    // What the store types or scans: the code with HQ's fingerprint (sync/protocol/enrol.ts parseEnrolment).
    const enrolment = enrolmentText(created.code, deps.hqFingerprint);
    return { ...created, hqFingerprint: deps.hqFingerprint, enrolment, qrSvg: enrolQrSvg(enrolment) };
  });

  app.get(`${ADMIN_PREFIX}/devices`, async (request) => {
    await admin(request);
    const rows = await hq.db.query<{
      id: string;
      store_id: string;
      receipt_code: string;
      status: string;
      enrolled_at: Date;
      last_seen_at: Date | null;
      app_version: string;
      hostname: string;
    }>(
      'SELECT id::text AS id, store_id, receipt_code, status, enrolled_at, last_seen_at, app_version, hostname FROM device ORDER BY store_id, receipt_code',
    );
    return {
      devices: rows.map((d) => ({
        id: d.id,
        storeId: d.store_id,
        receiptCode: d.receipt_code,
        status: d.status,
        enrolledAt: d.enrolled_at.toISOString(),
        lastSeenAt: d.last_seen_at ? d.last_seen_at.toISOString() : null,
        appVersion: d.app_version,
        hostname: d.hostname,
      })),
    };
  });

  // Idempotent: revoking a revoked device changes nothing, keeps the first revocation's time and
  // says so (`alreadyRevoked`), so IT clicking twice or a retried request reads clearly.
  app.post(`${ADMIN_PREFIX}/devices/:id/revoke`, async (request) => {
    await admin(request);
    const { id: deviceId } = deviceIdSchema.parse(request.params);
    const now = hq.clock();
    const outcome = await hq.db.tx(async (sql) => {
      const [before] = await sql.query<{ status: string; revoked_at: Date | null }>(
        'SELECT status, revoked_at FROM device WHERE id = $1 FOR UPDATE',
        [deviceId],
      );
      if (!before) return null;
      if (before.status === 'revoked') return { revokedAt: before.revoked_at ?? now, alreadyRevoked: true };
      await sql.query('UPDATE device SET status = $2, revoked_at = coalesce(revoked_at, $3) WHERE id = $1', [deviceId, 'revoked', now]);
      // At commit every HQ process hears it, drops the device from its cache and closes its live channels.
      await sql.query('SELECT pg_notify($1, $2)', [DEVICE_CHANNEL, deviceNotice('revoked', deviceId)]);
      return { revokedAt: before.revoked_at ?? now, alreadyRevoked: false };
    });
    if (!outcome) throw new HqHttpError(404, 'not_found', `no device ${deviceId}`);
    forgetDevice(deviceId);
    return { id: deviceId, status: 'revoked', revokedAt: outcome.revokedAt.toISOString(), alreadyRevoked: outcome.alreadyRevoked };
  });

  app.get(`${ADMIN_PREFIX}/dead-letters`, async (request) => {
    await admin(request);
    const rows = await hq.db.query<{
      device_id: string;
      event_id: string;
      type: string;
      reason: string;
      message: string;
      occurred_at: Date;
      rejected_at: Date;
      reported_at: Date;
      reapplicable: boolean;
      reapplied_at: Date | null;
      reapply_result: string | null;
    }>(
      `SELECT device_id::text AS device_id, event_id, type, reason, message, occurred_at, rejected_at, reported_at,
              event IS NOT NULL AS reapplicable, reapplied_at, reapply_result
         FROM dead_letter ORDER BY reported_at DESC LIMIT 1000`,
    );
    return {
      deadLetters: rows.map((r) => ({
        deviceId: r.device_id,
        eventId: r.event_id,
        type: r.type,
        reason: r.reason,
        message: r.message,
        occurredAt: r.occurred_at.toISOString(),
        rejectedAt: r.rejected_at.toISOString(),
        reportedAt: r.reported_at.toISOString(),
        reapplicable: r.reapplicable,
        reappliedAt: r.reapplied_at?.toISOString() ?? null,
        reapplyResult: r.reapply_result,
      })),
    };
  });
}
