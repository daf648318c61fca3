import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { hqErrorSchema } from '../protocol/http.js';
import type { HqErrorCode } from '../protocol/http.js';
import { SIGN_HEADERS, signRequest } from '../protocol/signing.js';
import type { HqTrust, TrustProblem } from './hq-trust.js';

/**
 * Why a request to HQ failed: HQ's own code, or what went wrong on the way. `bad_response`: the
 * answer is not HQ's (not signed by it, changed on the way) or not in the protocol; enrolment adds
 * the two ways HQ's key can fail to be vouched for (hq-trust.ts).
 */
export type HqFailureCode = HqErrorCode | 'network' | 'timeout' | 'bad_response' | 'hq_key_mismatch' | 'hq_unverified';

/**
 * A failed exchange with HQ. `status` is the HTTP status when HQ answered (null for network,
 * timeout). The replicator acts on `code` (device_revoked → stop; network → offline).
 */
export class HqRequestError extends Error {
  constructor(
    readonly code: HqFailureCode,
    readonly status: number | null,
    message: string,
    /** HQ's clock when it refused a request as `stale_time` (device-clock.ts corrects by it). */
    readonly serverTime?: string,
  ) {
    super(message);
    this.name = 'HqRequestError';
  }
}

export type FetchLike = typeof globalThis.fetch;

export type HttpOptions = {
  /** HQ base url without trailing slash. */
  url: string;
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Aborts every request in flight (the replicator's close()). */
  signal?: AbortSignal;
  /** Checks that HQ signed every answer before anything in it is believed (hq-trust.ts). */
  trust: HqTrust;
};

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Lets a request just handed to fetch reach the network before the caller runs synchronous work
 * (a SQLite transaction): fetch writes it on a later turn of the event loop, and synchronous work
 * holds the loop until it ends — the request would leave after it, and HQ would start on it only
 * then. One turn writes a request on an idle kept-alive connection; a request that opens a new
 * connection (the first one sent while an answer's connection is not back in the pool yet) needs
 * another for a plain TCP connect to a near address. A connect that takes longer — a far HQ, a
 * TLS handshake, a name to look up — is not waited for: that one request then leaves after the
 * work, as every request did before.
 */
export async function letRequestLeave(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * POSTs JSON to HQ and validates the answer with `schema`: HQ is trusted no more than the
 * renderer. The answer must be signed by HQ over the request's nonce (in `headers`, added by the
 * caller) and its exact bytes, or it is `bad_response` and nothing in it counts. Every failure
 * becomes an HqRequestError (never a bare TypeError from fetch).
 */
export async function postJson<T>(
  options: HttpOptions,
  path: string,
  body: string,
  headers: Record<string, string>,
  schema: z.ZodType<T>,
  post: PostOptions = {},
): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const failed = (error: unknown): HqRequestError => {
    if (timeout.aborted)
      return new HqRequestError('timeout', null, `HQ did not answer ${path} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return new HqRequestError('network', null, `HQ unreachable (${path}): ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  };
  let response: Response;
  try {
    response = await doFetch(`${options.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
    });
  } catch (error) {
    throw failed(error);
  }
  const status = response.status;
  const answerHeaders = response.headers;
  // Before the body is read: nothing in the headers is believed yet (see PostOptions).
  post.onHeaders?.((name) => answerHeaders.get(name));
  let bytes: Uint8Array;
  try {
    // The signature covers the bytes as sent: hashed before any decoding.
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw failed(error);
  }
  const distrust = options.trust.check({
    status,
    method: 'POST',
    path,
    nonce: headers[SIGN_HEADERS.nonce] ?? '',
    body: bytes,
    header: (name) => answerHeaders.get(name),
  });
  // Decoded in place: Buffer.from(bytes) would first copy them (a provisioning page is ~5 MB).
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return readAnswer({ status, text, distrust, path }, schema);
}

/**
 * What an answer of HQ's means, once its signature was checked (`distrust`: the problem, or null
 * when HQ signed it): the value `schema` accepts, or the HqRequestError it amounts to. Shared by
 * HTTP answers and the live channel's (sync/client/live-pull.ts).
 */
export function readAnswer<T>(
  answer: { status: number; text: string; distrust: TrustProblem | null; path: string },
  schema: z.ZodType<T>,
): T {
  const { status, distrust, path } = answer;
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  if (status < 200 || status > 299) {
    // A proxy or a crashed HQ answers without HQ's signature: 5xx is unavailable (retry later);
    // anything else unsigned — a forged `device_revoked` included — is acted on as nothing.
    if (distrust)
      throw new HqRequestError(
        status >= 500 ? 'unavailable' : distrust.code,
        status,
        `HQ answered ${status} to ${path}: ${distrust.message}`,
      );
    const parsed = hqErrorSchema.safeParse(json);
    if (parsed.success) throw new HqRequestError(parsed.data.error.code, status, parsed.data.error.message, parsed.data.error.serverTime);
    throw new HqRequestError(status >= 500 ? 'unavailable' : 'bad_response', status, `HQ answered ${status} to ${path}`);
  }
  if (distrust) throw new HqRequestError(distrust.code, status, distrust.message);
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new HqRequestError(
      'bad_response',
      status,
      `HQ's answer to ${path} does not match the protocol: ${parsed.error.issues[0]?.message ?? 'unreadable'}`,
    );
  return parsed.data;
}

export type DeviceKey = { deviceId: string; privateKey: KeyObject };

export type PostOptions = {
  /**
   * Told the answer's headers as soon as they arrive, before its body is read and its signature
   * checked: a hint to act on early (the pull's next request, PULL_PAGES_HEADER), never a fact.
   * Not called when there are no HTTP headers (an answer over the live channel) or no answer.
   */
  onHeaders?: (header: (name: string) => string | null) => void;
};

/** A device's signed client: every request carries x-sf-device/time/nonce/signature over its exact body. */
export type SignedClient = {
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, options?: PostOptions): Promise<T>;
};

function isRawJson(body: unknown): body is { rawJson: string } {
  return typeof body === 'object' && body !== null && typeof (body as { rawJson?: unknown }).rawJson === 'string';
}

/** A fresh nonce header for an unsigned request (enrolment): HQ signs its answer over it. */
export function nonceHeader(): Record<string, string> {
  return { [SIGN_HEADERS.nonce]: randomBytes(16).toString('hex') };
}

export function signedClient(options: HttpOptions & { key: DeviceKey; clock: () => Date }): SignedClient {
  return {
    post(path, body, schema, post) {
      // A body already serialised (the push batch) goes out as it is: the signature covers those bytes.
      const text = isRawJson(body) ? body.rawJson : JSON.stringify(body);
      const headers = signRequest(options.key.privateKey, {
        deviceId: options.key.deviceId,
        method: 'POST',
        path,
        body: text,
        now: options.clock(),
      });
      return postJson(options, path, text, headers, schema, post);
    },
  };
}
