import type { HqErrorCode } from '../protocol/http.js';

/** A refusal HQ answers with: an HTTP status and a code from the protocol's closed set. */
export class HqHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HqErrorCode,
    message: string,
  ) {
    super(message);
  }
}
