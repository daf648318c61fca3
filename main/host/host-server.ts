import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { WS_PROTOCOL, WS_TOKEN_PREFIX } from '../api/contract.js';
import { handleFrame } from '../api/dispatcher.js';
import type { Terminal } from '../app/terminal-types.js';
import type { Log } from '../app/terminal-types.js';
import { readStatic, resolveStatic } from './static-files.js';

/** The same policy the Electron window enforces, plus the loopback WebSocket. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export type HostOptions = {
  terminal: Terminal;
  /** Built renderer (dist/renderer). */
  staticDir: string;
  /** 0 picks a free port. */
  port: number;
  log: Log;
  /** Per-launch secret; generated when absent. */
  token?: string;
};

export type Host = {
  readonly url: string;
  /** The URL to open: carries the token in the fragment, which browsers never send to the server. */
  readonly launchUrl: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The browser host: serves the renderer and the terminal's API over a WebSocket on 127.0.0.1.
 * Three checks keep other local processes and web pages from driving the terminal: loopback only,
 * a Host header naming this server (DNS rebinding), and a per-launch token presented as a
 * WebSocket subprotocol. A browser page from another origin is refused as well.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const { terminal, log } = options;
  let port = 0;
  const allowedHosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`);

  const serveStatic = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const found = await resolveStatic(options.staticDir, path);
    if (!found) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const body = await readStatic(found.file);
    res.writeHead(200, {
      'Content-Type': found.type,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': found.type.startsWith('text/html') ? 'no-store' : 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    serveStatic(req, res).catch((error: unknown) => {
      log('static file failed', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1_000_000,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, reason: string) => {
      log(`websocket refused: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/api') return refuse(404, 'Not Found');
    if (!allowedHosts().includes(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().includes(origin)) return refuse(403, 'Forbidden');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const presented = offered.find((p) => p.startsWith(WS_TOKEN_PREFIX))?.slice(WS_TOKEN_PREFIX.length) ?? '';
    if (!offered.includes(WS_PROTOCOL)) return refuse(400, 'Bad Request');
    if (!sameSecret(presented, token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  let connections = 0;
  const attach = (ws: WebSocket) => {
    const ctx = { transport: 'ws' as const, connectionId: `ws-${++connections}` };
    const send = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = terminal.events.subscribe(send);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return log(`${ctx.connectionId}: binary frame ignored`);
      handleFrame(terminal.dispatch, data.toString('utf8'), ctx, (reason) => log(`${ctx.connectionId}: ${reason}`))
        .then((response) => response && send(response))
        .catch((error: unknown) => log(`${ctx.connectionId}: frame failed`, error));
    });
    ws.on('close', unsubscribe);
    ws.on('error', (error) => log(`${ctx.connectionId}: socket error`, error));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const url = `http://127.0.0.1:${port}/`;
  return { url, launchUrl: `${url}#token=${token}`, token, port, close };
}
