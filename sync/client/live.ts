import WebSocket from 'ws';
import { SYNC_PATHS, hqErrorSchema } from '../protocol/http.js';
import { liveMessageSchema } from '../protocol/live.js';
import { signRequest } from '../protocol/signing.js';
import { fullJitter } from './backoff.js';
import type { Timers } from './backoff.js';
import type { DeviceKey } from './signed-http.js';

export type LiveOptions = {
  /** HQ base url (http or https); the channel is ws(s) on SYNC_PATHS.live. */
  url: string;
  key: DeviceKey;
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
};

export type LiveChannel = { close(): void; isUp(): boolean };

/**
 * The live channel: a WebSocket with a signed upgrade (GET, empty body). It carries nudges, not
 * data. When it drops it reconnects with exponential backoff and full jitter (1 s → 60 s).
 */
export function openLive(options: LiveOptions): LiveChannel {
  let closed = false;
  let up = false;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: unknown = null;
  const wsUrl = `${options.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`;

  const down = (reason: string) => {
    const wasUp = up;
    up = false;
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
    const ws = new WebSocket(wsUrl, { headers, handshakeTimeout: 10_000, maxPayload: 64 * 1024 });
    socket = ws;
    let ended = false;
    // While an upgrade refusal's body is read, the socket's own error/close say nothing new.
    let refusing = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      down(reason);
    };
    ws.on('unexpected-response', (_request, response) => {
      refusing = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      response.on('end', () => {
        let code: string | undefined;
        try {
          const parsed = hqErrorSchema.safeParse(JSON.parse(body));
          code = parsed.success ? parsed.data.error.code : undefined;
        } catch {
          code = undefined;
        }
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
    ws.on('message', (data) => {
      let message;
      try {
        message = liveMessageSchema.parse(JSON.parse(String(data)));
      } catch {
        options.log('live: ignored a message that is not in the protocol');
        return;
      }
      if (message.type === 'ready') {
        attempt = 0;
        up = true;
        options.onUp();
      } else if (message.type === 'changed') {
        options.onChanged(message.scopes);
      } else {
        ended = true;
        up = false;
        closed = true;
        ws.close();
        options.onRevoked();
      }
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
