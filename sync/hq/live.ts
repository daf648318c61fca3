import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { SYNC_PATHS } from '../protocol/http.js';
import type { HqErrorBody } from '../protocol/http.js';
import { MAX_LIVE_PULL_BYTES, signLiveFrame } from '../protocol/live.js';
import type { LiveMessage } from '../protocol/live.js';
import { NONCE_PATTERN, SIGN_HEADERS, signAnswer } from '../protocol/signing.js';
import type { HqSigningKey } from '../protocol/signing.js';
import type { AuthedDevice, HqContext, HqLog, LiveHub } from './context.js';
import { HqHttpError, hqErrorBody } from './http-error.js';
import { answerLivePull } from './live-pull.js';
import type { LivePullServer, PullChannel } from './live-pull.js';
import { servePull } from './routes/pull.js';

/** Bursts of changes (a bulk import NOTIFYs per statement) reach a channel at most once per window. */
export const LIVE_COALESCE_MS = 50;
/** One ping for all sockets per interval; a socket that did not answer the previous ping is dropped. */
export const LIVE_HEARTBEAT_MS = 30_000;
/** nudgeAll() reaches every channel within this window, in slices. */
export const LIVE_NUDGE_ALL_SPREAD_MS = 5_000;
const NUDGE_ALL_SLICES = 20;

/**
 * Per socket: the socket, its device (and so its scopes), what is waiting to be sent, whether it
 * answered the last ping, its upgrade nonce, and its pulls in flight.
 */
type Channel = PullChannel & { pending: Set<string> | null; alive: boolean };

type Registry = {
  add(ws: WebSocket, device: AuthedDevice, nonce: string): void;
  key: HqSigningKey | null;
  /** Given by attachLive, before it accepts the first socket: pulls over a channel are answered the way the HTTP pull route answers them. */
  pulls: { serve: LivePullServer; clock: () => Date };
  /** Called as an upgrade's authentication begins: whether its device was revoked since (`revokedSince`), and `end` once it is decided. */
  upgrading(): { revokedSince(deviceId: string): boolean; end(): void };
};
const registries = new WeakMap<LiveHub, Registry>();

const READY = JSON.stringify({ type: 'ready' } satisfies LiveMessage);
const REVOKED = JSON.stringify({ type: 'revoked' } satisfies LiveMessage);
const PULLS = JSON.stringify({ type: 'pulls' } satisfies LiveMessage);

/**
 * The registry of open live channels in this HQ process. Cheap per connection (10,000+ idle
 * sockets): no timer per socket — one heartbeat interval and one coalescing timer for all.
 * The first change after a quiet window goes out at once (a nudge in milliseconds); changes
 * arriving while the window is open are merged and sent when it closes.
 */
export function createLiveHub(
  log: HqLog,
  options: {
    heartbeatMs?: number;
    coalesceMs?: number;
    nudgeAllSpreadMs?: number;
    /** Signs every message (devices refuse unsigned ones); without it, plain messages (the hub's own tests). */
    key?: HqSigningKey;
  } = {},
): LiveHub {
  const key = options.key ?? null;
  // `ready` and `revoked` are signed over the channel's upgrade nonce (bound to that device and
  // connection); a `changed` text is signed once per flush with its own nonce and sent to every
  // channel it concerns (a brand-wide change reaches thousands: one signature, not thousands).
  const frame = (text: string, nonce: string) => (key ? signLiveFrame(key, text, nonce, new Date()) : text);
  const byScope = new Map<string, Set<Channel>>();
  // Keyed by socket: the socket's listeners are shared by all channels (below) and find theirs here.
  const all = new Map<WebSocket, Channel>();
  const dirty = new Set<Channel>();
  let window: NodeJS.Timeout | null = null;
  const spreading = new Set<NodeJS.Timeout>();
  let closed = false;
  const coalesceMs = options.coalesceMs ?? LIVE_COALESCE_MS;
  // Revocations heard while upgrades are being authenticated: an upgrade reads its device (active)
  // before its nonce and last-seen writes, and a revocation heard meanwhile found no channel to
  // close. Numbered, so an upgrade tells those after its own start; kept only while upgrades run.
  let revocations = 0;
  let upgrades = 0;
  const revokedAt = new Map<string, number>();

  const send = (channel: Channel, text: string) => {
    if (channel.ws.readyState !== channel.ws.OPEN) return;
    channel.ws.send(text, (error) => {
      if (error) channel.ws.terminate();
    });
  };
  const flush = () => {
    const frames = new Map<string, string>();
    for (const channel of dirty) {
      const scopes = channel.pending;
      channel.pending = null;
      if (!scopes) continue;
      const text = JSON.stringify({ type: 'changed', scopes: [...scopes] } satisfies LiveMessage);
      let signed = frames.get(text);
      if (signed === undefined) frames.set(text, (signed = frame(text, randomBytes(16).toString('hex'))));
      send(channel, signed);
    }
    dirty.clear();
  };
  const openWindow = () => {
    window = setTimeout(() => {
      window = null;
      if (dirty.size === 0) return;
      flush();
      openWindow();
    }, coalesceMs);
    window.unref();
  };
  const closing = new Set<Channel['ws']>();
  const remove = (channel: Channel) => {
    if (all.get(channel.ws) === channel) all.delete(channel.ws);
    dirty.delete(channel);
    for (const scope of channel.device.scopes) {
      const set = byScope.get(scope);
      set?.delete(channel);
      if (set?.size === 0) byScope.delete(scope);
    }
  };

  const heartbeat = setInterval(() => {
    for (const channel of all.values()) {
      if (!channel.alive) {
        remove(channel);
        channel.ws.terminate();
        continue;
      }
      channel.alive = false;
      channel.ws.ping();
    }
  }, options.heartbeatMs ?? LIVE_HEARTBEAT_MS);
  heartbeat.unref();

  const hub: LiveHub = {
    changed(scope) {
      const channels = byScope.get(scope);
      if (!channels) return;
      for (const channel of channels) {
        (channel.pending ??= new Set()).add(scope);
        dirty.add(channel);
      }
      if (window === null) {
        flush();
        openWindow();
      }
    },
    revoked(deviceId) {
      revocations++;
      if (upgrades > 0) revokedAt.set(deviceId, revocations);
      for (const channel of [...(byScope.get(`device:${deviceId}`) ?? [])]) {
        send(channel, frame(REVOKED, channel.nonce));
        channel.ws.close(4003, 'revoked');
        remove(channel);
        // Until its close handshake ends: a peer that never answers it is still terminated by
        // close() instead of holding HQ's shutdown for 30 s.
        closing.add(channel.ws);
        channel.ws.once('close', () => closing.delete(channel.ws));
      }
    },
    nudgeAll() {
      const channels = [...all.values()];
      const spread = options.nudgeAllSpreadMs ?? LIVE_NUDGE_ALL_SPREAD_MS;
      const size = Math.ceil(channels.length / NUDGE_ALL_SLICES);
      for (let slice = 0; slice * size < channels.length; slice++) {
        const part = channels.slice(slice * size, (slice + 1) * size);
        const timer = setTimeout(
          () => {
            spreading.delete(timer);
            const frames = new Map<string, string>();
            for (const channel of part) {
              // Only channels still open and here: one that closed meanwhile pulls when it reconnects anyway.
              if (all.get(channel.ws) !== channel) continue;
              const text = JSON.stringify({ type: 'changed', scopes: [...channel.device.scopes] } satisfies LiveMessage);
              let signed = frames.get(text);
              if (signed === undefined) frames.set(text, (signed = frame(text, randomBytes(16).toString('hex'))));
              send(channel, signed);
            }
          },
          Math.floor((slice * spread) / NUDGE_ALL_SLICES),
        );
        timer.unref();
        spreading.add(timer);
      }
    },
    devices: () => [...new Set([...all.values()].map((channel) => channel.device.id))],
    connections: () => all.size,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (window) clearTimeout(window);
      for (const timer of spreading) clearTimeout(timer);
      spreading.clear();
      const gone = [...all.keys(), ...closing].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.terminate();
          }),
      );
      all.clear();
      closing.clear();
      byScope.clear();
      dirty.clear();
      await Promise.all(gone);
    },
  };

  // One set of listeners for every socket (`this` is the socket): nothing allocated per channel
  // beyond the channel itself (a fleet of 50,000 sockets on one process).
  function onPong(this: WebSocket): void {
    const channel = all.get(this);
    if (channel) channel.alive = true;
  }
  function onClose(this: WebSocket): void {
    const channel = all.get(this);
    if (channel) remove(channel);
  }
  function onError(this: WebSocket, error: Error): void {
    log('live channel error', error.message);
    this.terminate();
  }
  function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    const channel = all.get(this);
    if (!channel) return;
    // Whatever a device sends shows it is there: as good as a pong.
    channel.alive = true;
    if (isBinary) {
      this.close(1003, 'live: text frames only');
      return;
    }
    answerLivePull(channel, data.toString('utf8'), { ...registry.pulls, key, log });
  }

  const registry: Registry = {
    key,
    // Replaced by attachLive, which alone accepts sockets: no channel is ever added before it.
    pulls: { serve: () => Promise.reject(new Error('attachLive has not given this hub a pull route')), clock: () => new Date() },
    upgrading() {
      upgrades++;
      const since = revocations;
      let ended = false;
      return {
        revokedSince: (deviceId) => (revokedAt.get(deviceId) ?? 0) > since,
        end() {
          if (ended) return;
          ended = true;
          if (--upgrades === 0) revokedAt.clear();
        },
      };
    },
    add(ws, device, nonce) {
      if (closed) {
        ws.terminate();
        return;
      }
      const channel: Channel = { ws, device, nonce, inFlight: 0, pending: null, alive: true };
      all.set(ws, channel);
      for (const scope of device.scopes) {
        let set = byScope.get(scope);
        if (!set) byScope.set(scope, (set = new Set()));
        set.add(channel);
      }
      ws.on('pong', onPong);
      ws.on('close', onClose);
      ws.on('error', onError);
      ws.on('message', onMessage);
      send(channel, frame(PULLS, nonce));
      send(channel, frame(READY, nonce));
    },
  };
  registries.set(hub, registry);
  return hub;
}

/**
 * Accepts signed WebSocket upgrades on SYNC_PATHS.live (a signed GET with an empty body) and
 * registers them with the hub; refuses others with an HTTP error on the socket. Pulls sent on an
 * open channel are answered with the HTTP pull route's servePull().
 */
export function attachLive(server: Server | HttpsServer, hq: HqContext): void {
  const registry = registries.get(hq.live);
  if (!registry) throw new Error('attachLive needs a hub made by createLiveHub');
  // The pull route's own page function with the process's feed heads: a pull at the head is
  // answered from memory, as over HTTP (sync/hq/feed-heads.ts). A pull stamps last_seen_at as a
  // signed request does (at most once a minute per device), so IT sees a device on its socket as seen.
  registry.pulls = {
    serve: async (device, request) =>
      (await Promise.all([servePull(hq.db, device, request, hq.clock(), hq.feedHeads), hq.seen(device.id)]))[0],
    clock: hq.clock,
  };
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_LIVE_PULL_BYTES, clientTracking: false });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    const header = request.headers[SIGN_HEADERS.nonce];
    const nonce = typeof header === 'string' && NONCE_PATTERN.test(header) ? header : '';
    // A refusal is signed like any answer: a device stops for `device_revoked` only if HQ said it.
    const refuse = (status: number, body: HqErrorBody) => {
      const text = JSON.stringify(body);
      const signed = registry.key
        ? signAnswer(registry.key, { status, method: 'GET', path: request.url ?? '', nonce, body: text, now: hq.clock() })
        : {};
      refuseUpgrade(socket, status, text, signed);
    };
    if (path !== SYNC_PATHS.live) {
      refuse(404, { error: { code: 'not_found', message: 'no live channel here' } });
      return;
    }
    socket.on('error', () => socket.destroy());
    const upgrade = registry.upgrading();
    hq.authenticate({ method: 'GET', url: request.url ?? '', headers: request.headers, rawBody: Buffer.alloc(0) }).then(
      (device) => {
        const revoked = upgrade.revokedSince(device.id);
        upgrade.end();
        if (socket.destroyed) return;
        // Revoked after authenticate read the device as active: the revocation's notice found no
        // channel to close, and one opened now would serve the revoked device's pulls for good.
        if (revoked) {
          refuse(403, { error: { code: 'device_revoked', message: 'this device was revoked' } });
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => registry.add(ws, device, nonce));
      },
      (error: unknown) => {
        upgrade.end();
        if (error instanceof HqHttpError) refuse(error.status, hqErrorBody(error));
        else {
          hq.log('live upgrade failed', error instanceof Error ? error.message : String(error));
          refuse(500, { error: { code: 'internal', message: 'HQ failed to open the live channel' } });
        }
      },
    );
  });
}

function refuseUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string>): void {
  if (socket.destroyed) return;
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Refused'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}Connection: close\r\n\r\n${text}`,
  );
}
