import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { hqErrorSchema } from '../protocol/http.js';
import type { HqErrorCode } from '../protocol/http.js';
import { signRequest } from '../protocol/signing.js';

/** Why a request to HQ failed: HQ's own code, or what went wrong on the way. */
export type HqFailureCode = HqErrorCode | 'network' | 'timeout' | 'bad_response';

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
};

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * POSTs JSON to HQ and validates the answer with `schema`: HQ is trusted no more than the
 * renderer. Every failure becomes an HqRequestError (never a bare TypeError from fetch).
 */
export async function postJson<T>(
  options: HttpOptions,
  path: string,
  body: string,
  headers: Record<string, string>,
  schema: z.ZodType<T>,
): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let text: string;
  let status: number;
  try {
    const response = await doFetch(`${options.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (timeout.aborted)
      throw new HqRequestError('timeout', null, `HQ did not answer ${path} within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new HqRequestError('network', null, `HQ unreachable (${path}): ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (status < 200 || status > 299) {
    const parsed = hqErrorSchema.safeParse(json);
    if (parsed.success) throw new HqRequestError(parsed.data.error.code, status, parsed.data.error.message, parsed.data.error.serverTime);
    // A proxy or a crashed HQ answers without HQ's body: treat 5xx as unavailable, the rest as bad_response.
    throw new HqRequestError(status >= 500 ? 'unavailable' : 'bad_response', status, `HQ answered ${status} to ${path}`);
  }
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

/** A device's signed client: every request carries x-sf-device/time/nonce/signature over its exact body. */
export type SignedClient = {
  post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
};

function isRawJson(body: unknown): body is { rawJson: string } {
  return typeof body === 'object' && body !== null && typeof (body as { rawJson?: unknown }).rawJson === 'string';
}

export function signedClient(options: HttpOptions & { key: DeviceKey; clock: () => Date }): SignedClient {
  return {
    post(path, body, schema) {
      // A body already serialised (the push batch) goes out as it is: the signature covers those bytes.
      const text = isRawJson(body) ? body.rawJson : JSON.stringify(body);
      const headers = signRequest(options.key.privateKey, {
        deviceId: options.key.deviceId,
        method: 'POST',
        path,
        body: text,
        now: options.clock(),
      });
      return postJson(options, path, text, headers, schema);
    },
  };
}
