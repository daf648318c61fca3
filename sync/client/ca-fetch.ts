import { Agent, request } from 'node:https';
import type { FetchLike } from './signed-http.js';

/**
 * fetch() for an HQ whose TLS certificate is signed by a CA the system does not know (a company
 * CA, or a self-signed certificate): Node's built-in fetch takes no CA option, so https requests
 * go through node:https with `ca`, and the answer comes back as a standard Response. Anything else
 * (http) goes to the global fetch. A CA for every process is NODE_EXTRA_CA_CERTS instead.
 */
export function fetchWithCa(ca: string): FetchLike {
  const agent = new Agent({ ca, keepAlive: true });
  const caFetch = (input: Parameters<FetchLike>[0], init: Parameters<FetchLike>[1] = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'https:') return globalThis.fetch(input, init);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
      return Promise.reject(new TypeError('fetchWithCa sends string or byte bodies only'));
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
        res.on('end', () => {
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) answerHeaders.append(name, v);
          }
          const status = res.statusCode ?? 502;
          const noBody = status === 204 || status === 205 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: answerHeaders }));
        });
      });
      // Shaped like the global fetch's failures (a TypeError with the cause), which signed-http.ts reads.
      req.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      req.end(body ?? undefined);
    });
  };
  return caFetch as FetchLike;
}
