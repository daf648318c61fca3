import type { HqErrorBody, HqErrorCode } from '../protocol/http.js';

/** A refusal HQ answers with: an HTTP status and a code from the protocol's closed set. */
export class HqHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HqErrorCode,
    message: string,
    /** HQ's clock, for a `stale_time` refusal (the device corrects its signing time by it). */
    readonly serverTime?: string,
  ) {
    super(message);
  }
}

/** The body of a refusal (sync/protocol/http.ts hqErrorSchema). */
export function hqErrorBody(error: { code: HqErrorCode; message: string; serverTime?: string }): HqErrorBody {
  const { code, message, serverTime } = error;
  return { error: serverTime === undefined ? { code, message } : { code, message, serverTime } };
}
