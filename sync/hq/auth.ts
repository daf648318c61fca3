import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  MAX_CLOCK_SKEW_MS,
  NONCE_PATTERN,
  SIGN_HEADERS,
  bodyHash,
  canonicalRequest,
  publicKeyFromBase64,
  verifySignature,
} from '../protocol/signing.js';
import { authedDeviceOf } from './context.js';
import type { AuthedDevice, HqLog, SignedRequest } from './context.js';
import type { HqDb } from './db.js';
import { HqHttpError } from './http-error.js';
import { knownDevices } from './known-devices.js';

/** The NOTIFY channel telling every HQ process that a device's key or status changed. */
export const DEVICE_CHANNEL = 'sf_device';

export type DeviceNoticeKind = 'revoked' | 'rotated' | 'enrolled';

/** `revoked:<id>`, `rotated:<id>` or `enrolled:<id>`: what happened to the device, so listeners react right. */
export function deviceNotice(what: DeviceNoticeKind, deviceId: string): string {
  return `${what}:${deviceId}`;
}

export function parseDeviceNotice(payload: string): { what: DeviceNoticeKind; deviceId: string } | null {
  const m = /^(revoked|rotated|enrolled):([0-9a-f-]{36})$/.exec(payload);
  return m ? { what: m[1] as DeviceNoticeKind, deviceId: m[2] as string } : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{1,15}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

/**
 * Cached rows live this long even without a NOTIFY: a safety net should a notification be lost
 * (a listener reconnecting). Revocation normally reaches every HQ process at once via sf_device.
 */
const CACHE_TTL_MS = 30_000;
/** last_seen_at is a hint for IT, not an audit: one write a minute per device is plenty. */
const LAST_SEEN_EVERY_MS = 60_000;
/**
 * A nonce is remembered while its request's own time is within this of the database's clock: a
 * request passes the time check of a process whose clock is within MAX_CLOCK_SKEW_MS of the
 * database's while its time is within 2 × MAX_CLOCK_SKEW_MS of the database's. Past that, the
 * request is refused as too old (the horizon), so a process with a worse clock still refuses it.
 */
const NONCE_KEEP_MS = 2 * MAX_CLOCK_SKEW_MS;
const PRUNE_EVERY_MS = 60_000;

export type DeviceEntry = { device: AuthedDevice; key: KeyObject; status: 'active' | 'revoked'; loadedAt: number };

/** What the headers of a signed request showed, before its body was read. */
export type CheckedHeaders = { entry: DeviceEntry; deviceId: string; time: string; nonce: string; signature: string; at: Date };

export type Authenticator = {
  /**
   * The checks that need only the headers: their shape, a device HQ enrolled and did not revoke,
   * a fresh time. Run before HQ reads a body, so an unknown or revoked device (or a request with
   * no signature at all) is refused without HQ buffering or parsing what it sent.
   */
  checkHeaders(headers: IncomingHttpHeaders): Promise<CheckedHeaders>;
  /** Then the signature over the exact body bytes, and the nonce (only a correctly signed request uses one up). */
  verifyBody(request: SignedRequest, checked: CheckedHeaders): Promise<AuthedDevice>;
  /** Both at once (a request whose body is already read, such as the live channel's upgrade). */
  authenticate(request: SignedRequest): Promise<AuthedDevice>;
  /** The device was heard without a signed request (a pull on its live channel): last_seen_at as a request stamps it. */
  seen(deviceId: string): Promise<void>;
  /** Drops a device from the cache (its key or status changed, maybe in another HQ process). */
  forget(deviceId: string): void;
  /** Drops every cached device: notices were missed while the listener was away (notice-listeners.ts). */
  forgetAll(): void;
  /** A device was just enrolled (here or, by NOTIFY, in another HQ process). */
  enrolled(deviceId: string): void;
  /** Forgets the nonces no request could still carry now (a timer does it every minute). */
  prune(): Promise<void>;
  /** Stops the nonce pruning timer. */
  close(): void;
};

/**
 * Checks signed device requests. Runs on every device request, so the device row and its parsed
 * public key are cached in memory; the only database work per request is the nonce insert.
 */
export function createAuthenticator(db: HqDb, clock: () => Date, log: HqLog): Authenticator {
  const cache = new Map<string, DeviceEntry>();
  const known = knownDevices(db);
  const lastSeen = new Map<string, number>();
  // Bumped by every forget(): a row read before a revocation was heard must not be cached after it.
  let epoch = 0;

  const load = async (id: string, now: number): Promise<DeviceEntry | null> => {
    const cached = cache.get(id);
    if (cached && now - cached.loadedAt < CACHE_TTL_MS) return cached;
    const startEpoch = epoch;
    const [row] = await db.query<{
      store_id: string;
      public_key: string;
      receipt_code: string;
      status: 'active' | 'revoked';
      brand: string;
    }>(
      `SELECT d.store_id, d.public_key, d.receipt_code, d.status, l.brand
         FROM device d JOIN location l ON l.id = d.store_id WHERE d.id = $1`,
      [id],
    );
    if (!row) {
      cache.delete(id);
      return null;
    }
    const entry: DeviceEntry = {
      device: authedDeviceOf(id, row),
      key: publicKeyFromBase64(row.public_key),
      status: row.status,
      loadedAt: now,
    };
    if (epoch === startEpoch) cache.set(id, entry);
    return entry;
  };

  /**
   * Nonces of concurrent requests go to PostgreSQL together: while one insert is on its way, the
   * requests that arrive wait and then go as the next batch, in ONE statement (a busy HQ sends a
   * few batches per millisecond of database time instead of a transaction per request). Strict
   * all the same: `ON CONFLICT DO NOTHING RETURNING` names exactly the nonces that were new, a
   * nonce not returned was there before (a replay), and a nonce twice in one batch is refused
   * here before it goes out.
   *
   * Durability is traded for speed on purpose: the statement sets synchronous_commit off for its
   * own implicit transaction (set_config(…, true) is read at commit), so a database crash may
   * forget the nonces of its last few hundred milliseconds and a captured request could be
   * replayed once within the skew window after such a crash. Every write a replay could cause is
   * idempotent anyway (events apply exactly once by id), and a WAL flush per request would cap HQ
   * at the disk's fsync rate.
   */
  type Remembered = 'fresh' | 'replayed' | 'too_old';
  type NonceWaiter = {
    deviceId: string;
    nonce: string;
    at: Date;
    requestAt: Date;
    done: (answer: Remembered) => void;
    fail: (error: unknown) => void;
  };
  // The horizon row is locked FOR SHARE: a prune's move of it (after which it deletes the nonces
  // below it) waits for this insert, or this insert waits for the move and then reads the new
  // horizon (READ COMMITTED re-reads a locked row that changed). So no nonce the prune deleted is stored
  // again by a replay that read the older horizon.
  const insertNonces = `WITH h AS (SELECT horizon FROM request_nonce_horizon FOR SHARE),
      ins AS (
        INSERT INTO request_nonce (device_id, nonce, seen_at, request_at)
        SELECT u.d, u.n, u.t, u.r FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS u(d, n, t, r)
         WHERE set_config('synchronous_commit', 'off', true) = 'off'
           AND u.r >= coalesce((SELECT horizon FROM h), '-infinity')
        ON CONFLICT DO NOTHING RETURNING device_id::text AS d, nonce AS n)
      SELECT d, n, NULL::timestamptz AS horizon FROM ins
      UNION ALL SELECT NULL, NULL, horizon FROM h`;
  const nonces = batched<string, NonceWaiter>(async (queued) => {
    const batch = [...queued.values()];
    try {
      // The horizon as first made, '-infinity', arrives as the number -Infinity, not a Date.
      const rows = await db.query<{ d: string | null; n: string | null; horizon: Date | number | null }>(
        insertNonces,
        [
          batch.map((w) => w.deviceId),
          batch.map((w) => w.nonce),
          batch.map((w) => w.at.toISOString()),
          batch.map((w) => w.requestAt.toISOString()),
        ],
        { name: 'nonce_insert_horizon' },
      );
      const accepted = new Set(rows.filter((r) => r.d !== null).map((r) => `${r.d} ${r.n}`));
      const stored = rows.find((r) => r.horizon !== null)?.horizon ?? Number.NEGATIVE_INFINITY;
      const horizon = typeof stored === 'number' ? stored : stored.getTime();
      for (const w of batch) {
        if (accepted.has(`${w.deviceId} ${w.nonce}`)) w.done('fresh');
        else w.done(w.requestAt.getTime() < horizon ? 'too_old' : 'replayed');
      }
    } catch (error) {
      for (const w of batch) w.fail(error);
    }
  });
  const rememberNonce = (deviceId: string, nonce: string, at: Date, requestAt: Date): Promise<Remembered> => {
    const key = `${deviceId} ${nonce}`;
    // The same nonce twice while neither is stored yet: the second is the replay.
    if (nonces.queued.has(key)) return Promise.resolve('replayed');
    return new Promise<Remembered>((done, fail) => nonces.add(key, { deviceId, nonce, at, requestAt, done, fail }));
  };

  // Awaited (it happens once a minute per device), which keeps last_seen_at true the moment a
  // request is answered; a failure is logged, never refused. Devices seen while one UPDATE is on
  // its way go together in the next (a fleet reconnecting after an outage opens thousands of
  // channels a second: one statement per batch, not per device), in id order so two HQ
  // processes updating the same devices cannot deadlock.
  const seen = batched<string, { at: Date; done: (() => void)[] }>(async (batch) => {
    const ids = [...batch.keys()].sort();
    await db
      .query(
        'UPDATE device AS d SET last_seen_at = u.t FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, t) WHERE d.id = u.id',
        [ids, ids.map((id) => batch.get(id)?.at.toISOString())],
        { name: 'last_seen_batch' },
      )
      .catch((error: unknown) => log('last_seen_at update failed', String(error)));
    for (const device of batch.values()) for (const done of device.done) done();
  });
  const touch = (deviceId: string, now: Date): Promise<void> => {
    const last = lastSeen.get(deviceId) ?? 0;
    if (now.getTime() - last < LAST_SEEN_EVERY_MS) return Promise.resolve();
    lastSeen.set(deviceId, now.getTime());
    if (lastSeen.size > 200_000) lastSeen.clear();
    return new Promise<void>((resolve) => {
      const waiting = seen.queued.get(deviceId);
      if (waiting) {
        waiting.at = now;
        waiting.done.push(resolve);
      } else seen.add(deviceId, { at: now, done: [resolve] });
    });
  };

  /**
   * By the database's clock, the one every HQ process shares: the horizon moves to its now minus
   * NONCE_KEEP_MS (never back), and only nonces of requests older than the horizon go. A process
   * whose own clock is off cannot delete a nonce another still needs: a request older than the
   * horizon is refused whatever the clock of the process it reaches says (rememberNonce).
   *
   * Two statements, each its own transaction. Moving the horizon locks its row, which every signed
   * request's nonce insert reads FOR SHARE: held through the delete, it made every signed request of
   * every process wait for a minute's nonces to be deleted (and for that commit's flush). The
   * delete needs no lock: once the horizon's move has committed, no insert stores a nonce below it
   * (an insert under way when it moved finished first; the move waited for it), so the nonces the
   * delete then finds below it are the only ones a replay could be checked against, and any
   * request that old is refused as too old.
   */
  const prune = async (): Promise<void> => {
    const [row] = await db.query<{ horizon: Date }>(
      `INSERT INTO request_nonce_horizon (one, horizon) VALUES (true, now() - $1 * interval '1 millisecond')
       ON CONFLICT (one) DO UPDATE SET horizon = greatest(request_nonce_horizon.horizon, excluded.horizon)
       RETURNING horizon`,
      [NONCE_KEEP_MS],
    );
    if (!row) return;
    await db.query('DELETE FROM request_nonce WHERE request_at < $1 OR (request_at IS NULL AND seen_at < $1)', [row.horizon]);
  };
  const pruneTimer = setInterval(() => {
    prune().catch((error: unknown) => log('nonce prune failed', String(error)));
    // A fleet on live sockets asks rarely after its upgrade: cached rows (a parsed key each) and
    // last-seen stamps past their use are dropped, not held for every device that ever connected.
    const now = clock().getTime();
    for (const [id, entry] of cache) if (now - entry.loadedAt >= CACHE_TTL_MS) cache.delete(id);
    for (const [id, at] of lastSeen) if (now - at >= LAST_SEEN_EVERY_MS) lastSeen.delete(id);
  }, PRUNE_EVERY_MS);
  pruneTimer.unref();

  const checkHeaders = async (headers: IncomingHttpHeaders): Promise<CheckedHeaders> => {
    const header = (name: string): string | null => {
      const value = headers[name];
      return typeof value === 'string' ? value : null;
    };
    const deviceId = header(SIGN_HEADERS.device);
    const time = header(SIGN_HEADERS.time);
    const nonce = header(SIGN_HEADERS.nonce);
    const signature = header(SIGN_HEADERS.signature);
    if (!deviceId || !time || !nonce || !signature) throw new HqHttpError(401, 'unauthenticated', 'signature headers missing');
    if (!UUID.test(deviceId) || !TIME.test(time) || !NONCE_PATTERN.test(nonce) || !SIGNATURE.test(signature)) {
      throw new HqHttpError(401, 'unauthenticated', 'signature headers malformed');
    }
    const now = clock();
    // An id HQ never enrolled costs no query (known-devices.ts).
    const entry = (await known.has(deviceId)) ? await load(deviceId, now.getTime()) : null;
    if (!entry) throw new HqHttpError(401, 'unknown_device', 'this device is not enrolled');
    if (entry.status === 'revoked') throw new HqHttpError(403, 'device_revoked', 'this device was revoked');
    if (Math.abs(now.getTime() - Number(time)) > MAX_CLOCK_SKEW_MS) {
      throw new HqHttpError(
        401,
        'stale_time',
        `the request time is more than ${MAX_CLOCK_SKEW_MS / 60_000} minutes from HQ's clock (${now.toISOString()})`,
        now.toISOString(),
      );
    }
    return { entry, deviceId, time, nonce, signature, at: now };
  };

  const verifyBody = async (request: SignedRequest, checked: CheckedHeaders): Promise<AuthedDevice> => {
    const { deviceId, time, nonce, signature, at } = checked;
    // The headers were checked as they arrived; the body may have taken minutes (a device can
    // send it as slowly as it likes). A revocation or key rotation heard meanwhile dropped the
    // cached row: read it again, so a request opened before IT revoked a stolen device is not
    // served after. The usual case costs nothing: the row checked is still the one cached.
    const entry = cache.get(deviceId) === checked.entry ? checked.entry : await load(deviceId, clock().getTime());
    if (!entry) throw new HqHttpError(401, 'unknown_device', 'this device is not enrolled');
    if (entry.status === 'revoked') throw new HqHttpError(403, 'device_revoked', 'this device was revoked');
    const text = canonicalRequest({ method: request.method, path: request.url, bodyHash: bodyHash(request.rawBody), time, nonce });
    if (!verifySignature(entry.key, text, signature))
      throw new HqHttpError(401, 'bad_signature', 'the signature does not match this request');
    // Checked last: only a correctly signed request may use up a nonce.
    const remembered = await rememberNonce(deviceId, nonce, at, new Date(Number(time)));
    if (remembered === 'replayed') throw new HqHttpError(401, 'replayed', 'this request was already received');
    // Older than the nonces HQ still keeps (this process's clock is behind the database's by
    // more than the allowed skew): HQ cannot tell whether it was received before.
    if (remembered === 'too_old')
      throw new HqHttpError(
        401,
        'stale_time',
        'the request is older than HQ remembers requests for; check the clocks of HQ and of this device',
      );
    await touch(deviceId, at);
    return entry.device;
  };

  return {
    checkHeaders,
    verifyBody,
    async authenticate(request) {
      return verifyBody(request, await checkHeaders(request.headers));
    },
    seen: (deviceId) => touch(deviceId, clock()),
    enrolled(deviceId) {
      known.add(deviceId);
      epoch++;
      cache.delete(deviceId);
    },
    forget(deviceId) {
      epoch++;
      cache.delete(deviceId);
    },
    forgetAll() {
      epoch++;
      cache.clear();
    },
    prune,
    close() {
      clearInterval(pruneTimer);
    },
  };
}

/**
 * Items added while one batch is on its way go together in the next: `run` takes each batch in
 * turn (one statement per batch, not per item) until nothing is queued. `queued` is the batch
 * being gathered.
 */
function batched<K, V>(run: (batch: Map<K, V>) => Promise<void>): { readonly queued: Map<K, V>; add(key: K, value: V): void } {
  let queued = new Map<K, V>();
  let running = false;
  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queued.size > 0) {
        const batch = queued;
        queued = new Map();
        await run(batch);
      }
    } finally {
      running = false;
    }
  };
  return {
    get queued() {
      return queued;
    },
    add(key, value) {
      queued.set(key, value);
      if (!running) void drain();
    },
  };
}
