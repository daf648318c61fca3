import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { RedemptionHolds } from '../checkout/redemptions.js';
import { readIdentity } from '../../sync/client/identity.js';
import { signedClient } from '../../sync/client/signed-http.js';
import { SYNC_PATHS } from '../../sync/protocol/http.js';
import { holdAnswerSchema } from '../../sync/protocol/holds.js';

/** A short wait: a till asking HQ for a hold must not keep the customer waiting; no answer means offline. */
const HOLD_TIMEOUT_MS = 5_000;

/**
 * HQ's holds on a cart's coupons and points, asked with the device's signed client; null for a
 * device that never enrolled (the till then follows only its store's offline policy).
 */
export function redemptionHolds(db: Database, options: { clock: () => Date; hqUrl?: string }): RedemptionHolds | null {
  const identity = readIdentity(db);
  if (!identity) return null;
  const client = signedClient({
    url: (options.hqUrl ?? identity.hqUrl).replace(/\/+$/, ''),
    timeoutMs: HOLD_TIMEOUT_MS,
    key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
    clock: options.clock,
  });
  return { hold: (request) => client.post(SYNC_PATHS.hold, request, holdAnswerSchema) };
}
