import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { RedemptionHolds } from '../checkout/redemptions.js';
import { clockedClient, deviceClock } from '../../sync/client/device-clock.js';
import { hqConnection } from '../../sync/client/hq-connection.js';
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
export function redemptionHolds(
  db: Database,
  options: { clock: () => Date; hqUrl?: string; log: (message: string) => void },
): RedemptionHolds | null {
  const identity = readIdentity(db);
  if (!identity) return null;
  // As the replicator does: HQ's pinned key checks the answer, HQ's time signs the request.
  const connection = hqConnection(db, identity, { log: options.log });
  const hqClock = deviceClock(options.clock);
  const signed = signedClient({
    url: (options.hqUrl ?? identity.hqUrl).replace(/\/+$/, ''),
    timeoutMs: HOLD_TIMEOUT_MS,
    fetch: connection.fetch,
    trust: connection.trust,
    key: { deviceId: identity.deviceId, privateKey: identity.privateKey },
    clock: hqClock.now,
  });
  const client = clockedClient(signed, hqClock, options.clock);
  return { hold: (request) => client.post(SYNC_PATHS.hold, request, holdAnswerSchema) };
}
