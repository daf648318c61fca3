import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PUSH_BYTES } from '../../protocol/push.js';
import type { Authenticator, CheckedHeaders } from '../auth.js';
import type { AuthedDevice, SignedRequest } from '../context.js';
import { HqHttpError } from '../http-error.js';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface FastifyContextConfig {
    /** A signed device route: the JSON parser keeps the raw body and parses nothing (device-route.ts). */
    signedDevice?: boolean;
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface FastifyRequest {
    /** What the signature headers showed, checked before the body was read (signed device routes). */
    deviceHeaders: CheckedHeaders | null;
  }
}

/** The raw request a signature covers (the server's JSON parser keeps the body bytes). */
export function signedRequestOf(request: FastifyRequest): SignedRequest {
  return { method: request.method, url: request.url, headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) };
}

export type DeviceHandler<T> = (device: AuthedDevice, body: unknown, request: FastifyRequest, reply: FastifyReply) => Promise<T>;

/** Registers signed device routes: POST `path` with its own body limit. */
export type DeviceRoutes = { post<T>(path: string, bodyLimit: number, handler: DeviceHandler<T>): void };

/**
 * Signed device routes, checked in the order that costs an attacker's request the least: a
 * declared body over the route's limit (413) and the signature headers — a device HQ enrolled and
 * did not revoke, a fresh time — before a byte of the body is read; then the body, read raw up to
 * the limit (a chunked body is cut off there with 413); then the signature over those exact bytes
 * and the nonce; only then is the JSON parsed. Nobody but an enrolled device with its key makes
 * HQ parse anything.
 */
export function deviceRoutes(app: FastifyInstance, auth: Authenticator): DeviceRoutes {
  app.decorateRequest('deviceHeaders', null);
  return {
    post(path, bodyLimit, handler) {
      app.post(
        path,
        {
          bodyLimit,
          config: { signedDevice: true },
          onRequest: async (request) => {
            const declared = Number(request.headers['content-length']);
            if (declared > bodyLimit) throw new HqHttpError(413, 'too_large', `the body is larger than ${bodyLimit} bytes`);
            request.deviceHeaders = await auth.checkHeaders(request.headers);
          },
        },
        async (request, reply) => {
          const checked = request.deviceHeaders;
          if (!checked) throw new HqHttpError(401, 'unauthenticated', 'signature headers missing');
          const device = await auth.verifyBody(signedRequestOf(request), checked);
          return handler(device, parseJson(request.rawBody), request, reply);
        },
      );
    },
  };
}

function parseJson(raw: Buffer | null): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new HqHttpError(400, 'bad_request', 'the body is not valid JSON');
  }
}

/**
 * Body limits of the signed routes: what the largest valid request can be, with room to spare.
 * A push's is the protocol's MAX_PUSH_BYTES; a dead-letter report (500 items, which may carry
 * their events for IT to re-apply) keeps the same 8 MB it always had; a pull names at most 8
 * scopes, and hello and a key rotation are a few hundred bytes.
 */
export const SMALL_BODY_LIMIT = 64 * 1024;
export const DEAD_LETTER_BODY_LIMIT = MAX_PUSH_BYTES;
