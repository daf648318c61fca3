import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { FetchLike } from '../client/signed-http.js';

/**
 * A `fetch` for fault tests that opens a fresh TCP connection for every request (no keep-alive
 * pool). The chaos proxy picks its fault per connection, so each push or pull request meets a
 * fault of its own instead of inheriting one from a pooled socket. Failures look like the global
 * fetch's (`TypeError('fetch failed', {cause})`), so the replicator sees what it would in production;
 * a body cut short is a failure too, never a shorter answer.
 */
export const oneConnectionFetch: FetchLike = (input, init) =>
  new Promise<Response>((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = { connection: 'close' };
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init?.body === 'string' ? Buffer.from(init.body) : init?.body instanceof Uint8Array ? Buffer.from(init.body) : null;
    if (init?.body != null && body === null) throw new Error('oneConnectionFetch sends string or byte bodies only');
    if (body) headers['content-length'] = String(body.length);
    const failed = (cause: unknown) => reject(init?.signal?.aborted ? init.signal.reason : new TypeError('fetch failed', { cause }));
    const req = request(url, { method: init?.method ?? 'GET', headers, agent: false, signal: init?.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', failed);
      res.on('aborted', () => failed(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' })));
      res.on('end', () => {
        if (!res.complete) return failed(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }));
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, headers: flatHeaders(res.headers) }));
      });
    });
    req.on('error', failed);
    req.end(body ?? undefined);
  });

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}
