import { z } from 'zod';

/** Paths of the sync API (all under one prefix, versioned). */
export const SYNC_PATHS = {
  enrol: '/sync/v1/enrol',
  hello: '/sync/v1/hello',
  push: '/sync/v1/push',
  pull: '/sync/v1/pull',
  deadLetters: '/sync/v1/dead-letters',
  rotateKey: '/sync/v1/rotate-key',
  hold: '/sync/v1/hold',
  live: '/sync/v1/live',
} as const;

/**
 * Every refusal from HQ is a 4xx/5xx with this body; `code` is one of a closed set the device
 * acts on (revoked → stop; stale_time → fix the clock; …), `message` is for people.
 */
export const HQ_ERROR_CODES = [
  'bad_request',
  'too_large',
  'unauthenticated',
  'bad_signature',
  'stale_time',
  'replayed',
  'unknown_device',
  'device_revoked',
  'forbidden',
  'enrolment_invalid',
  'enrolment_expired',
  'enrolment_used',
  'not_found',
  'unavailable',
  'internal',
] as const;
export type HqErrorCode = (typeof HQ_ERROR_CODES)[number];
export const hqErrorSchema = z
  .object({
    error: z
      .object({
        code: z.enum(HQ_ERROR_CODES),
        message: z.string(),
        /**
         * HQ's clock, sent with `stale_time` only: the device corrects its signing time by it and
         * sends again. Only there because an older device parses this body strictly and would no
         * longer read the code; `stale_time` is the one refusal an older device cannot act on anyway.
         */
        serverTime: z.iso.datetime().optional(),
      })
      .strict(),
  })
  .strict();
export type HqErrorBody = z.infer<typeof hqErrorSchema>;

export const helloResponseSchema = z
  .object({
    deviceId: z.string(),
    storeId: z.string(),
    status: z.enum(['active', 'revoked']),
    serverTime: z.iso.datetime(),
    scopes: z.array(z.string()),
  })
  .strict();
export type HelloResponse = z.infer<typeof helloResponseSchema>;
