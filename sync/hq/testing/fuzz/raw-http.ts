import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';

/** A request exactly as the fuzzer wants it on the wire: no header or body is added or fixed up. */
export type RawRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /**
   * Announce this Content-Length but send only `body`, then wait for the answer: proves HQ
   * refuses an oversized body from its header, without reading it.
   */
  declaredLength?: number;
  /** Send `body` with chunked transfer encoding, in pieces of this many bytes (no Content-Length). */
  chunkBytes?: number;
};

export type RawAnswer = { status: number; text: string; headers: IncomingMessage['headers'] };

/**
 * One request over a fresh connection (agent: false), so a request HQ refuses half-read cannot
 * poison the next one. Resolves with HQ's answer even when HQ stops reading the body early (the
 * client's write may then fail with EPIPE/ECONNRESET, which is expected, not an answer).
 */
export function sendRaw(baseUrl: string, raw: RawRequest): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const body = raw.body === undefined ? undefined : Buffer.isBuffer(raw.body) ? raw.body : Buffer.from(raw.body, 'utf8');
    const headers: Record<string, string | number> = { ...raw.headers };
    if (raw.declaredLength !== undefined) headers['content-length'] = raw.declaredLength;
    else if (raw.chunkBytes !== undefined) headers['transfer-encoding'] = 'chunked';
    else if (body !== undefined) headers['content-length'] = body.length;
    const req = httpRequest({ host: url.hostname, port: url.port, method: raw.method, path: raw.path, headers, agent: false });
    let failure: Error | null = null;
    let gotResponse = false;
    req.on('response', (response) => {
      gotResponse = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        settled = true;
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers });
        req.destroy();
      });
      response.on('close', () => {
        if (!settled) reject(new Error(`${raw.method} ${raw.path}: the answer was cut off`));
      });
    });
    // A WebSocket upgrade HQ accepted: the fuzzer never wants one, so report it as status 101.
    req.on('upgrade', (response, socket) => {
      settled = true;
      socket.destroy();
      resolve({ status: response.statusCode ?? 101, text: '', headers: response.headers });
    });
    // A write error after HQ refused the body (it stops reading and hangs up) is expected; only a
    // connection that closes with no answer at all is a failure.
    req.on('error', (error) => {
      failure ??= error;
    });
    req.on('close', () => {
      if (!settled && !gotResponse) reject(new Error(`${raw.method} ${raw.path}: no answer (${failure?.message ?? 'closed'})`));
    });
    if (body === undefined) {
      req.end();
    } else if (raw.declaredLength !== undefined) {
      // Part of the body, never the end: the answer must come without the rest.
      req.write(body);
      req.flushHeaders();
    } else if (raw.chunkBytes !== undefined) {
      writeChunked(req, body, raw.chunkBytes);
    } else {
      req.end(body);
    }
  });
}

/** Writes the body in pieces, honouring back-pressure, and stops once HQ has answered or hung up. */
function writeChunked(req: ReturnType<typeof httpRequest>, body: Buffer, chunkBytes: number): void {
  let offset = 0;
  let answered = false;
  req.on('response', () => {
    answered = true;
  });
  const pump = (): void => {
    while (!answered && !req.destroyed && offset < body.length) {
      const piece = body.subarray(offset, offset + chunkBytes);
      offset += piece.length;
      if (!req.write(piece)) {
        req.once('drain', pump);
        return;
      }
    }
    if (!answered && !req.destroyed) req.end();
  };
  pump();
}
