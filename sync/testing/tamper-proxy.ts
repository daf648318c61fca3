import { connect } from 'node:net';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * A man in the middle for the sync tests: an HTTP proxy on 127.0.0.1 in front of HQ that can
 * rewrite HQ's answers or answer itself, the way any machine on a store network could without
 * TLS. It forwards requests byte for byte; `forge` may answer instead of HQ, `rewrite` may change
 * what HQ answered (status, headers, body). WebSocket upgrades (the live channel) are passed
 * through untouched. Where the chaos proxy (chaos-proxy.ts) breaks connections, this one lies.
 */
export type ProxiedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer };
export type ProxiedAnswer = { status: number; headers: Record<string, string>; body: Buffer };

export type Tampering = {
  /** Answer this request without asking HQ (return null to forward it). */
  forge?: (request: ProxiedRequest) => ProxiedAnswer | null;
  /** Change HQ's answer before the device gets it. */
  rewrite?: (request: ProxiedRequest, answer: ProxiedAnswer) => ProxiedAnswer;
};

export type TamperProxy = {
  url: string;
  port: number;
  /** Every request the proxy received, in order (method and path). */
  seen: { method: string; path: string }[];
  /** From the next request on. */
  setTampering(tampering: Tampering): void;
  close(): Promise<void>;
};

// Hop-by-hop headers, and the length the proxy recomputes for the (maybe rewritten) body.
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade']);

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export async function startTamperProxy(options: { upstream: { host: string; port: number }; tampering?: Tampering }): Promise<TamperProxy> {
  let tampering: Tampering = options.tampering ?? {};
  const seen: TamperProxy['seen'] = [];

  const forward = (request: ProxiedRequest): Promise<ProxiedAnswer> =>
    new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          host: options.upstream.host,
          port: options.upstream.port,
          method: request.method,
          path: request.path,
          headers: { ...plainHeaders(request.headers), 'content-length': String(request.body.length) },
        },
        (response) => {
          readAll(response).then(
            (body) => resolve({ status: response.statusCode ?? 502, headers: plainHeaders(response.headers), body }),
            reject,
          );
        },
      );
      out.on('error', reject);
      out.end(request.body);
    });

  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const request: ProxiedRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: await readAll(incoming),
      };
      seen.push({ method: request.method, path: request.path });
      const current = tampering;
      let answer = current.forge?.(request) ?? null;
      if (!answer) {
        answer = await forward(request);
        if (current.rewrite) answer = current.rewrite(request, answer);
      }
      outgoing.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      outgoing.end(answer.body);
    })().catch(() => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
  });
  // The live channel: the upgrade request goes to HQ as it came, then bytes both ways.
  const tunnels = new Set<{ destroy(): void }>();
  server.on('upgrade', (incoming: IncomingMessage, socket, head: Buffer) => {
    seen.push({ method: incoming.method ?? 'GET', path: incoming.url ?? '/' });
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    const upstream = connect(options.upstream.port, options.upstream.host, () => {
      const lines = [`${incoming.method} ${incoming.url} HTTP/1.1`];
      for (let i = 0; i < incoming.rawHeaders.length; i += 2) lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.once('close', () => tunnels.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the tamper proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    seen,
    setTampering(next) {
      tampering = next;
    },
    async close() {
      server.closeAllConnections();
      for (const tunnel of tunnels) tunnel.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
