import WebSocket from 'ws';
import { SYNC_PATHS, hqErrorSchema } from '../protocol/http.js';
import type { PullRequest } from '../protocol/feed.js';
import { liveAnswerNonce, openLiveFrame, splitLiveAnswer } from '../protocol/live.js';
import type { LiveMessage, LivePull } from '../protocol/live.js';
import { SIGN_HEADERS, signRequest } from '../protocol/signing.js';
import { fullJitter } from './backoff.js';
import type { Timers } from './backoff.js';
import type { HqTrust } from './hq-trust.js';
import { HqRequestError } from './signed-http.js';
import type { DeviceKey } from './signed-http.js';

export type LiveOptions = {
  /** HQ base url (http or https); the channel is ws(s) on SYNC_PATHS.live. */
  url: string;
  key: DeviceKey;
  /** HQ's pinned key: messages and refusals HQ did not sign are ignored. */
  trust: HqTrust;
  /** A CA (PEM) for HQ's TLS certificate (wss). */
  ca?: string;
  clock: () => Date;
  random: () => number;
  timers: Timers;
  log: (message: string, detail?: unknown) => void;
  /** HQ says these scopes changed: pull now. */
  onChanged(scopes: string[]): void;
  /** The channel is up (HQ sent `ready`): the device may stop polling. */
  onUp(): void;
  /** The channel is down: poll until it is back. */
  onDown(reason: string): void;
  /** HQ revoked this device (a `revoked` message or a 403 device_revoked on upgrade). */
  onRevoked(): void;
  /** HQ refused the upgrade as `stale_time` and said its time: the signing clock can correct itself before the next try. */
  onServerTime?(serverTime: string): void;
  /**
   * A connection not up yet got a message the pinned key does not verify (at most once per
   * connection): HQ may have rotated its key, which only a signed HTTP answer can show this device
   * (it carries the key's endorsements). The caller asks HQ over HTTP, then calls recheck() — and
   * again after every later round, as that first one may have reached an HQ process still on the
   * old key (a rolling restart behind one address).
   */
  onUnverified?(): void;
  /**
   * Ping HQ this often; a socket that answered nothing (no pong, no message) since the last ping is
   * dead and dropped. Default LIVE_PING_MS.
   */
  pingMs?: number;
};

/**
 * A socket can go silent without closing: a NAT or proxy that drops the mapping, a Wi-Fi that
 * roams, an HQ host that vanished. Without pings the device would think it is live, stop polling,
 * and hear nothing more. Two intervals of silence at most before it falls back to polling.
 */
export const LIVE_PING_MS = 30_000;

/** HQ's answer to a pull sent over the channel, its signature checked (hq-trust.ts), not yet read. */
export type LiveAnswer = { status: number; text: string };

/** A pull could not go over the live channel (down, closed before the answer, or an answer HQ did not sign): ask over HTTP. */
export class LiveUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveUnavailableError';
  }
}

/** A live answer may be a page of rows: as large as a pull answer over HTTP. */
export const MAX_LIVE_ANSWER_BYTES = 256 * 1024 * 1024;

export type LiveChannel = {
  close(): void;
  isUp(): boolean;
  /** Up, and HQ said it answers pulls on it (an older HQ is asked over HTTP). */
  canPull(): boolean;
  /**
   * Sends a pull (a PullRequest) over the channel and resolves with HQ's signed answer; rejects with
   * LiveUnavailableError when the channel is not up or drops before the answer, and with
   * `timeout` (an HqRequestError) when HQ does not answer within `timeoutMs`.
   */
  pull(request: PullRequest, timeoutMs: number): Promise<LiveAnswer>;
  /**
   * Checks again, with the key pinned now, the messages the open connection got before it was up
   * that the key pinned then did not verify (onUnverified): HQ's `ready` after a key rotation. The
   * ones still unverified are kept for the next recheck, until the connection is up or ends.
   */
  recheck(): void;
};

type Waiter = { resolve(answer: LiveAnswer): void; reject(error: Error): void; timer: unknown };

/**
 * The live channel: a WebSocket with a signed upgrade (GET, empty body). It carries HQ's nudges,
 * and the device's pulls and HQ's signed answers to them (pull()). When it drops — or goes
 * silent: it is pinged — it reconnects with exponential backoff and full jitter (1 s → 60 s).
 */
export function openLive(options: LiveOptions): LiveChannel {
  let closed = false;
  let up = false;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: unknown = null;
  // Set while the channel is up: sends a pull on the current connection.
  let send: LiveChannel['pull'] | null = null;
  // Set while a connection is open: its recheck().
  let recheckHere: (() => void) | null = null;
  const pingMs = options.pingMs ?? LIVE_PING_MS;
  const wsUrl = `${options.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`;

  const down = (reason: string) => {
    const wasUp = up;
    up = false;
    send = null;
    recheckHere = null;
    socket = null;
    if (closed) return;
    if (wasUp || attempt === 0) options.onDown(reason);
    const wait = fullJitter(attempt++, options.random);
    timer = options.timers.setTimeout(connect, wait);
  };

  function connect(): void {
    timer = null;
    if (closed) return;
    const headers = signRequest(options.key.privateKey, {
      deviceId: options.key.deviceId,
      method: 'GET',
      path: SYNC_PATHS.live,
      body: '',
      now: options.clock(),
    });
    const ws = new WebSocket(wsUrl, {
      headers,
      handshakeTimeout: 10_000,
      maxPayload: MAX_LIVE_ANSWER_BYTES,
      perMessageDeflate: false,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const upgradeNonce = headers[SIGN_HEADERS.nonce] ?? '';
    const seen = new Set<string>();
    socket = ws;
    let ended = false;
    const waiting = new Map<number, Waiter>();
    let lastId = 0;
    let servesPulls = false;
    // While an upgrade refusal's body is read, the socket's own error/close say nothing new.
    let refusing = false;
    let pingTimer: unknown = null;
    // Anything from HQ since the last ping (a pong, a message, HQ's own ping) shows the socket lives.
    let heard = true;
    // Messages of this connection the pinned key did not verify before it was up (a few: `pulls`, `ready`), for recheck().
    const unverified: string[] = [];
    let askedToRecheck = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      if (pingTimer !== null) options.timers.clearTimeout(pingTimer);
      pingTimer = null;
      dropWaiting(reason);
      down(reason);
    };
    const dropWaiting = (reason: string) => {
      for (const w of waiting.values()) {
        options.timers.clearTimeout(w.timer);
        w.reject(new LiveUnavailableError(reason));
      }
      waiting.clear();
    };
    const pullHere: LiveChannel['pull'] = (request, timeoutMs) =>
      new Promise<LiveAnswer>((resolve, reject) => {
        if (ended || ws.readyState !== WebSocket.OPEN) return reject(new LiveUnavailableError('live channel not open'));
        const id = ++lastId;
        const timer = options.timers.setTimeout(() => {
          waiting.delete(id);
          reject(new HqRequestError('timeout', null, `HQ did not answer a live pull within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        ws.send(JSON.stringify({ type: 'pull', id, request } satisfies LivePull), (error) => {
          const w = waiting.get(id);
          if (!error || !w) return;
          waiting.delete(id);
          options.timers.clearTimeout(w.timer);
          w.reject(new LiveUnavailableError(`live: ${error.message}`));
        });
      });
    // HQ's answer to one of our pulls, believed only with HQ's signature over this connection's nonce and the pull's id.
    const answered = (text: string): boolean => {
      const split = splitLiveAnswer(text);
      if (!split) return false;
      const { head, body } = split;
      const w = waiting.get(head.answer);
      if (!w) return true;
      waiting.delete(head.answer);
      options.timers.clearTimeout(w.timer);
      const problem = options.trust.check({
        status: head.status,
        method: 'POST',
        path: SYNC_PATHS.pull,
        nonce: liveAnswerNonce(upgradeNonce, head.answer),
        body,
        header: (name) => head.headers[name] ?? null,
      });
      if (problem) w.reject(new LiveUnavailableError(`live: ${problem.message}`));
      else w.resolve({ status: head.status, text: body });
      return true;
    };
    const beat = () => {
      pingTimer = null;
      if (ended || ws.readyState !== WebSocket.OPEN) return;
      if (!heard) {
        end('live: HQ went silent');
        ws.terminate();
        return;
      }
      heard = false;
      ws.ping();
      pingTimer = options.timers.setTimeout(beat, pingMs);
    };
    const alive = () => {
      heard = true;
    };
    ws.on('open', () => {
      pingTimer = options.timers.setTimeout(beat, pingMs);
    });
    ws.on('pong', alive);
    ws.on('ping', alive);
    ws.on('unexpected-response', (_request, response) => {
      refusing = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < 4096) chunks.push(chunk);
        size += chunk.length;
      });
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        // Only a refusal HQ signed is believed: anyone on the network could answer `device_revoked`.
        const signed =
          options.trust.check({
            status: response.statusCode ?? 0,
            method: 'GET',
            path: SYNC_PATHS.live,
            nonce: upgradeNonce,
            body,
            header: (name) => {
              const value = response.headers[name];
              return typeof value === 'string' ? value : null;
            },
          }) === null;
        let code: string | undefined;
        let serverTime: string | undefined;
        try {
          const parsed = hqErrorSchema.safeParse(JSON.parse(body.toString('utf8')));
          code = signed && parsed.success ? parsed.data.error.code : undefined;
          serverTime = signed && parsed.success ? parsed.data.error.serverTime : undefined;
        } catch {
          code = undefined;
        }
        if (code === 'stale_time' && serverTime !== undefined) options.onServerTime?.(serverTime);
        if (code === 'device_revoked') {
          ended = true;
          up = false;
          socket = null;
          ws.terminate();
          options.onRevoked();
          return;
        }
        ws.terminate();
        end(`live upgrade refused: ${response.statusCode ?? '?'} ${code ?? ''}`.trim());
      });
      response.on('error', () => {
        ws.terminate();
        end('live upgrade failed');
      });
    });
    // Whether the message verified (and was acted on).
    const handle = (text: string, again: boolean): boolean => {
      const message = verifiedMessage(options.trust, text, upgradeNonce, seen);
      if (!message) {
        if (again) return false;
        options.log('live: ignored a message HQ did not sign (or not in the protocol)');
        if (up || unverified.length >= 8) return false;
        unverified.push(text);
        if (!askedToRecheck) {
          askedToRecheck = true;
          options.onUnverified?.();
        }
        return false;
      }
      if (message.type === 'pulls') {
        servesPulls = true;
      } else if (message.type === 'ready') {
        attempt = 0;
        up = true;
        // An HQ that does not answer pull frames (older than this device) is asked over HTTP.
        send = servesPulls ? pullHere : null;
        options.onUp();
      } else if (message.type === 'changed') {
        options.onChanged(message.scopes);
      } else {
        // Closed first: ending this connection then schedules no reconnect.
        closed = true;
        end('HQ revoked this device');
        ws.close();
        options.onRevoked();
      }
      return true;
    };
    recheckHere = () => {
      if (ended || up) return;
      for (const text of unverified.splice(0)) if (!ended && !handle(text, true)) unverified.push(text);
    };
    ws.on('message', (data) => {
      heard = true;
      const text = String(data);
      if (text.includes('\n')) {
        if (!answered(text)) options.log('live: ignored an answer frame not in the protocol');
        return;
      }
      handle(text, false);
    });
    ws.on('error', (error) => {
      if (!refusing) end(`live: ${error.message}`);
    });
    ws.on('close', () => {
      if (!refusing) end('live closed');
    });
  }

  connect();
  return {
    isUp: () => up,
    canPull: () => send !== null,
    pull: (request, timeoutMs) => (send ? send(request, timeoutMs) : Promise.reject(new LiveUnavailableError('live channel down'))),
    recheck: () => recheckHere?.(),
    close() {
      closed = true;
      up = false;
      if (timer !== null) options.timers.clearTimeout(timer);
      timer = null;
      socket?.terminate();
      socket = null;
    },
  };
}

/**
 * A live message HQ signed for this channel, or null. `ready` and `revoked` must be signed over
 * this connection's upgrade nonce (so they cannot come from another device's channel); a
 * `changed` carries its own nonce, accepted once per connection.
 */
function verifiedMessage(trust: HqTrust, text: string, upgradeNonce: string, seen: Set<string>): LiveMessage | null {
  const key = trust.liveKey();
  const opened = key ? openLiveFrame(key, text) : null;
  if (!opened) return null;
  if (opened.message.type !== 'changed') return opened.nonce === upgradeNonce ? opened.message : null;
  if (opened.nonce === upgradeNonce || seen.has(opened.nonce)) return null;
  if (seen.size >= 10_000) seen.clear();
  seen.add(opened.nonce);
  return opened.message;
}
