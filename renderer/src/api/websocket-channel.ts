import { ListenedChannel } from './channel.js';
import type { Channel } from './channel.js';
import type { RequestFrame } from './contract.js';

/**
 * Copies of WS_PROTOCOL and WS_TOKEN_PREFIX from main/api/contract.ts: the renderer may only
 * import types from main/, so these two strings are duplicated; change both places together.
 */
export const WS_PROTOCOL = 'shopfloor.v1';
export const WS_TOKEN_PREFIX = 'token.';

export type WebSocketChannelOptions = {
  url: string;
  token: string;
  /** First retry delay; doubles after each failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  createSocket?: (url: string, protocols: string[]) => WebSocket;
};

/**
 * The browser-host transport: JSON text frames over a WebSocket to main/host. The token rides
 * as a second subprotocol because browsers cannot set headers on a WebSocket handshake.
 * Reconnects by itself with capped exponential backoff until disposed.
 */
export class WebSocketChannel extends ListenedChannel implements Channel {
  private socket: WebSocket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs: number;
  private disposed = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly createSocket: (url: string, protocols: string[]) => WebSocket;

  constructor(private readonly options: WebSocketChannelOptions) {
    super();
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.backoffMs = this.minBackoffMs;
    this.createSocket = options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols));
    this.connect();
  }

  send(frame: RequestFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
  }

  private connect(): void {
    if (this.disposed) return;
    let socket: WebSocket;
    try {
      socket = this.createSocket(this.options.url, [WS_PROTOCOL, WS_TOKEN_PREFIX + this.options.token]);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.backoffMs = this.minBackoffMs;
      this.listeners.emitOpen();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return; // the protocol is JSON text only
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.warn('[shopfloor] main sent a frame that is not JSON');
        return;
      }
      this.listeners.emitFrame(frame);
    };
    // 'error' is always followed by 'close'; reconnecting is handled there.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (opened) this.listeners.emitClose();
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}
