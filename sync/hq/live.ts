import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { SYNC_PATHS } from '../protocol/http.js';
import type { HqErrorBody } from '../protocol/http.js';
import type { LiveMessage } from '../protocol/live.js';
import type { AuthedDevice, HqContext, HqLog, LiveHub } from './context.js';
import { HqHttpError, hqErrorBody } from './http-error.js';

/** Bursts of changes (a bulk import NOTIFYs per statement) reach a channel at most once per window. */
export const LIVE_COALESCE_MS = 50;
/** One ping for all sockets per interval; a socket that did not answer the previous ping is dropped. */
export const LIVE_HEARTBEAT_MS = 30_000;
/** nudgeAll() reaches every channel within this window, in slices. */
export const LIVE_NUDGE_ALL_SPREAD_MS = 5_000;
const NUDGE_ALL_SLICES = 20;

/** Per socket: the socket, its device and scopes, what is waiting to be sent, and whether it answered the last ping. */
type Channel = { ws: WebSocket; deviceId: string; scopes: readonly string[]; pending: Set<string> | null; alive: boolean };

type Registry = { add(ws: WebSocket, device: AuthedDevice): void };
const registries = new WeakMap<LiveHub, Registry>();

const READY = JSON.stringify({ type: 'ready' } satisfies LiveMessage);
const REVOKED = JSON.stringify({ type: 'revoked' } satisfies LiveMessage);

/**
 * The registry of open live channels in this HQ process. Cheap per connection (10,000+ idle
 * sockets): no timer per socket — one heartbeat interval and one coalescing timer for all.
 * The first change after a quiet window goes out at once (a nudge in milliseconds); changes
 * arriving while the window is open are merged and sent when it closes.
 */
export function createLiveHub(log: HqLog, options: { heartbeatMs?: number; coalesceMs?: number; nudgeAllSpreadMs?: number } = {}): LiveHub {
  const byScope = new Map<string, Set<Channel>>();
  const all = new Set<Channel>();
  const dirty = new Set<Channel>();
  let window: NodeJS.Timeout | null = null;
  const spreading = new Set<NodeJS.Timeout>();
  let closed = false;
  const coalesceMs = options.coalesceMs ?? LIVE_COALESCE_MS;

  const send = (channel: Channel, text: string) => {
    if (channel.ws.readyState !== channel.ws.OPEN) return;
    channel.ws.send(text, (error) => {
      if (error) channel.ws.terminate();
    });
  };
  const flush = () => {
    for (const channel of dirty) {
      const scopes = channel.pending;
      channel.pending = null;
      if (scopes) send(channel, JSON.stringify({ type: 'changed', scopes: [...scopes] } satisfies LiveMessage));
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
    all.delete(channel);
    dirty.delete(channel);
    for (const scope of channel.scopes) {
      const set = byScope.get(scope);
      set?.delete(channel);
      if (set?.size === 0) byScope.delete(scope);
    }
  };

  const heartbeat = setInterval(() => {
    for (const channel of all) {
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
      for (const channel of [...(byScope.get(`device:${deviceId}`) ?? [])]) {
        send(channel, REVOKED);
        channel.ws.close(4003, 'revoked');
        remove(channel);
        // Until its close handshake ends: a peer that never answers it is still terminated by
        // close() instead of holding HQ's shutdown for 30 s.
        closing.add(channel.ws);
        channel.ws.once('close', () => closing.delete(channel.ws));
      }
    },
    nudgeAll() {
      const channels = [...all];
      const spread = options.nudgeAllSpreadMs ?? LIVE_NUDGE_ALL_SPREAD_MS;
      const size = Math.ceil(channels.length / NUDGE_ALL_SLICES);
      for (let slice = 0; slice * size < channels.length; slice++) {
        const part = channels.slice(slice * size, (slice + 1) * size);
        const timer = setTimeout(
          () => {
            spreading.delete(timer);
            for (const channel of part) {
              // Only channels still open and here: one that closed meanwhile pulls when it reconnects anyway.
              if (all.has(channel)) send(channel, JSON.stringify({ type: 'changed', scopes: [...channel.scopes] } satisfies LiveMessage));
            }
          },
          Math.floor((slice * spread) / NUDGE_ALL_SLICES),
        );
        timer.unref();
        spreading.add(timer);
      }
    },
    devices: () => [...new Set([...all].map((channel) => channel.deviceId))],
    connections: () => all.size,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      if (window) clearTimeout(window);
      for (const timer of spreading) clearTimeout(timer);
      spreading.clear();
      const gone = [...[...all].map((channel) => channel.ws), ...closing].map(
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

  registries.set(hub, {
    add(ws, device) {
      if (closed) {
        ws.terminate();
        return;
      }
      const channel: Channel = { ws, deviceId: device.id, scopes: device.scopes, pending: null, alive: true };
      all.add(channel);
      for (const scope of channel.scopes) {
        let set = byScope.get(scope);
        if (!set) byScope.set(scope, (set = new Set()));
        set.add(channel);
      }
      ws.on('pong', () => {
        channel.alive = true;
      });
      ws.on('close', () => remove(channel));
      ws.on('error', (error) => {
        log('live channel error', error.message);
        ws.terminate();
      });
      // The device sends nothing on this channel; anything it sends is ignored.
      send(channel, READY);
    },
  });
  return hub;
}

/**
 * Accepts signed WebSocket upgrades on SYNC_PATHS.live (a signed GET with an empty body) and
 * registers them with the hub; refuses others with an HTTP error on the socket.
 */
export function attachLive(server: Server, hq: HqContext): void {
  const registry = registries.get(hq.live);
  if (!registry) throw new Error('attachLive needs a hub made by createLiveHub');
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024, clientTracking: false });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== SYNC_PATHS.live) {
      refuse(socket, 404, { error: { code: 'not_found', message: 'no live channel here' } });
      return;
    }
    socket.on('error', () => socket.destroy());
    hq.authenticate({ method: 'GET', url: request.url ?? '', headers: request.headers, rawBody: Buffer.alloc(0) }).then(
      (device) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(request, socket, head, (ws) => registry.add(ws, device));
      },
      (error: unknown) => {
        if (error instanceof HqHttpError) refuse(socket, error.status, hqErrorBody(error));
        else {
          hq.log('live upgrade failed', error instanceof Error ? error.message : String(error));
          refuse(socket, 500, { error: { code: 'internal', message: 'HQ failed to open the live channel' } });
        }
      },
    );
  });
}

function refuse(socket: Duplex, status: number, body: HqErrorBody): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Refused'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
