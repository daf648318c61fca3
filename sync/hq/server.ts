import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import { ZodError } from 'zod';
import type { HqErrorBody, HqErrorCode } from '../protocol/http.js';
import { MAX_PUSH_BYTES } from '../protocol/push.js';
import { NONCE_PATTERN, SIGN_HEADERS, keyFingerprint, signAnswer } from '../protocol/signing.js';
import type { HqSigningKey } from '../protocol/signing.js';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { createAuthenticator } from './auth.js';
import { registerConsoleRoutes } from './console-files.js';
import type { DeviceNoticeKind } from './auth.js';
import type { HqContext, HqLog } from './context.js';
import { isConnectionError, isDataError } from './db.js';
import type { HqDb } from './db.js';
import { registerEnrolRoutes } from './enrol.js';
import { ephemeralHqKey } from './hq-key.js';
import { HqHttpError, hqErrorBody } from './http-error.js';
import { attachLive, createLiveHub } from './live.js';
import { migrateHq } from './migrate.js';
import { notifyBarrier } from './feed-barrier.js';
import { createFeedHeads } from './feed-heads.js';
import { CHANGE_CHANNEL, listenForNotices } from './notice-listeners.js';
import { applyDeferred } from './push/deferred.js';
import { PROJECT_CHANNEL, startProjector } from './projector/projector.js';
import type { Projector } from './projector/projector.js';
import { deviceRoutes } from './routes/device-route.js';
import { registerSyncRoutes } from './routes/sync-routes.js';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface FastifyRequest {
    /** The body exactly as received (signatures cover these bytes); null when there was none. */
    rawBody: Buffer | null;
  }
}

/** How long a clean stop waits for the projector to empty the queue. */
const CLOSE_DRAIN_MS = 5000;

export type HqServerOptions = {
  db: HqDb;
  clock?: () => Date;
  log?: HqLog;
  host?: string;
  port?: number;
  /** Called after this process handled an sf_device notice (its cache no longer holds the device): tests wait on it. */
  onDeviceNotice?: (notice: { what: DeviceNoticeKind; deviceId: string }) => void;
  /**
   * HQ's signing key (hq-key.ts loadHqKey): every answer to a device is signed with it. Without
   * one, a key only this process knows (tests): devices enrolled there trust this process alone.
   */
  hqKey?: HqSigningKey;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (fastify's trustProxy:
   * true, a hop count, or addresses/CIDRs). Rate limits key on that address. Off by default: a
   * client then cannot dodge a limit with a made-up header.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** The built finance console (dist/console), served at /console/; none served without it. */
  consoleDir?: string;
};

export type HqServer = {
  url: string;
  port: number;
  hq: HqContext;
  app: FastifyInstance;
  /** HQ's public key (base64) and its fingerprint, as printed with enrolment codes. */
  hqPublicKey: string;
  hqFingerprint: string;
  /** This process's projector: pushes are answered once recorded, their effects follow (`settled()` waits for them). */
  projector: Projector;
  /** Forgets the request nonces no request could still carry (a timer does it every minute): tests call it to prune now. */
  pruneNonces(): Promise<void>;
  close(): Promise<void>;
};

/** How long /health waits for the database's answer about the projection queue. */
export const HEALTH_DB_WAIT_MS = 300;

/**
 * For /health: the events recorded and not yet projected (their sales and stock still to come).
 * Null when the database did not answer within HEALTH_DB_WAIT_MS, or cannot be asked (a failover:
 * HQ itself is up and answers devices with retryable 503s then). /health answers at once whatever
 * the database does: haproxy takes an HQ that misses two checks of a second out of rotation
 * (deploy/haproxy.cfg), and after an outage, when every connection of the pool is busy with the
 * stores' pushes, a check that waited for one would take every HQ out and leave the devices
 * haproxy's own 503s. At most two reads wait for the pool at a time; a check past them answers null.
 */
function pendingProjections(db: HqDb): () => Promise<number | null> {
  let waiting = 0;
  return async () => {
    if (waiting >= 2) return null;
    waiting++;
    const read = db
      .query<{ n: number }>('SELECT count(*)::int AS n FROM projection_queue')
      .then(([queue]) => queue?.n ?? 0)
      .catch(() => null)
      .finally(() => waiting--);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, HEALTH_DB_WAIT_MS, null)));
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  };
}

/**
 * One HQ process: the device sync API, enrolment and the admin API over one database. It keeps
 * no state beyond caches, so several of them can serve one PostgreSQL: NOTIFYs from the database
 * keep their caches and live channels in step.
 */
export async function createHqServer(options: HqServerOptions): Promise<HqServer> {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());
  const log: HqLog = options.log ?? ((message, detail) => console.error(`[hq] ${message}`, detail ?? ''));
  await migrateHq(db);
  // Events an older HQ kept without knowing their type are applied by the HQ that knows it.
  await applyDeferred(db, clock(), log);

  const hqKey = options.hqKey ?? ephemeralHqKey();
  const hqFingerprint = keyFingerprint(hqKey.publicKey);
  const auth = createAuthenticator(db, clock, log);
  const live = createLiveHub(log, { key: hqKey });
  const feedHeads = createFeedHeads({ sendBarrier: notifyBarrier(db, CHANGE_CHANNEL) });
  const hq: HqContext = {
    db,
    clock,
    log,
    authenticate: (request) => auth.authenticate(request),
    seen: (deviceId) => auth.seen(deviceId),
    live,
    feedHeads,
  };

  // On close, open keep-alive connections are cut rather than waited for (a device keeps one open
  // for minutes); anything in flight is idempotent and the device retries it.
  // The https server's type differs from the http one's only in what HQ never touches.
  const app = Fastify({
    bodyLimit: MAX_PUSH_BYTES,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    trustProxy: options.trustProxy ?? false,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;
  app.decorateRequest('rawBody', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    // A signed device route parses only after the signature over these bytes checked out (device-route.ts).
    if (body.length === 0 || request.routeOptions.config.signedDevice) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new HqHttpError(400, 'bad_request', 'the body is not valid JSON'), undefined);
    }
  });
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (request.routeOptions.config.signedDevice)
      return done(new HqHttpError(415, 'bad_request', 'a device sends application/json'), undefined);
    done(null, body.toString('utf8'));
  });
  app.setErrorHandler((error, _request, reply) => {
    const described = describeError(error, log);
    return reply.status(described.status).send(hqErrorBody(described));
  });
  app.setNotFoundHandler((request, reply) => {
    const body: HqErrorBody = { error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` } };
    return reply.status(404).send(body);
  });

  // Every answer to a device is signed (sync/protocol/signing.ts signAnswer), refusals included:
  // the device acts on nothing HQ did not say. Bound to the request by the device's nonce.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.url.startsWith('/sync/')) return payload;
    const body = payload === null || payload === undefined ? '' : payload;
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return payload;
    const header = request.headers[SIGN_HEADERS.nonce];
    const nonce = typeof header === 'string' && NONCE_PATTERN.test(header) ? header : '';
    reply.headers(signAnswer(hqKey, { status: reply.statusCode, method: request.method, path: request.url, nonce, body, now: clock() }));
    return payload;
  });

  const projectionPending = pendingProjections(db);
  app.get('/health', async () => ({
    ok: true,
    db: db.kind,
    liveConnections: live.connections(),
    feedHeads: feedHeads.stats(),
    projectionPending: await projectionPending(),
  }));
  // The process that revokes or rotates forgets the device at once; the others when the NOTIFY arrives.
  const forgetDevice = (deviceId: string) => auth.forget(deviceId);
  const routes = deviceRoutes(app, auth);
  registerEnrolRoutes(app, hq, { routes, forgetDevice, deviceEnrolled: (deviceId) => auth.enrolled(deviceId) });
  const projector = startProjector(db, clock, log);
  registerSyncRoutes(hq, routes, (events) => projector.recorded(events));
  registerAdminRoutes(app, hq, { forgetDevice, hqFingerprint });
  if (options.consoleDir !== undefined) registerConsoleRoutes(app, options.consoleDir);

  const stopListening: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    auth.close();
    await projector.stop();
    for (const stop of stopListening.splice(0)) await stop().catch(() => undefined);
  };
  try {
    // Changed scopes and device notices, listened for again after a PostgreSQL restart (notice-listeners.ts).
    stopListening.push(
      await listenForNotices({
        db,
        live,
        auth,
        log,
        feedHeads,
        onDeviceNotice: options.onDeviceNotice,
      }),
    );
    // Pushes another HQ process recorded (and, after a lost listener, whatever was missed meanwhile).
    stopListening.push(await db.listen(PROJECT_CHANNEL, () => projector.wake(), { onRestored: () => projector.wake() }));
    await app.ready();
    attachLive(app.server, hq);
    await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  } catch (error) {
    await stopAll();
    await live.close().catch(() => undefined);
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | null = null;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    hq,
    app,
    hqPublicKey: hqKey.publicKey,
    hqFingerprint,
    projector,
    pruneNonces: () => auth.prune(),
    close() {
      closing ??= (async () => {
        await live.close();
        await app.close();
        // A clean stop first projects what its pushes recorded, so the sales and stock are there for
        // whoever reads the database next; bounded, because with the database away the next HQ does it.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([projector.settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_DRAIN_MS)))]);
        clearTimeout(timer);
        await stopAll();
      })();
      return closing;
    },
  };
}

/** Maps anything a route throws to an answer: bad input is always a 4xx with a reason; only a real bug is a 500. */
function describeError(error: unknown, log: HqLog): { status: number; code: HqErrorCode; message: string; serverTime?: string } {
  if (error instanceof HqHttpError) return { status: error.status, code: error.code, message: error.message, serverTime: error.serverTime };
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { status: 400, code: 'bad_request', message: `${where}${issue?.message ?? 'invalid input'}` };
  }
  // The database is restarting or failing over: nothing half-done was kept (one transaction per
  // request); the device retries with backoff.
  if (isConnectionError(error)) {
    log('database unavailable', error instanceof Error ? error.message : String(error));
    return { status: 503, code: 'unavailable', message: "HQ's database is switching over: try again shortly" };
  }
  // PostgreSQL's data exceptions (22xxx: a NUL in a text, a number out of range) and integrity
  // violations (23xxx: unknown parent, duplicate) come from what a caller sent, not from a bug here.
  if (isDataError(error)) {
    return { status: 400, code: 'bad_request', message: error instanceof Error ? error.message : 'the database refused this input' };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status === 413) return { status, code: 'too_large', message: 'the body is larger than HQ accepts' };
  if (status >= 400 && status < 500)
    return { status, code: status === 404 ? 'not_found' : 'bad_request', message: fastifyError.message ?? 'bad request' };
  log('internal error', error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { status: 500, code: 'internal', message: 'HQ failed to answer this request' };
}
