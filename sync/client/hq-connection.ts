import type { Database } from 'better-sqlite3-multiple-ciphers';
import { fetchWithCa } from './ca-fetch.js';
import { metaKeyPins, pinnedTrust } from './hq-trust.js';
import type { HqTrust } from './hq-trust.js';
import type { DeviceIdentity } from './identity.js';
import type { FetchLike } from './signed-http.js';

/** How an enrolled device reaches HQ and knows it is HQ: the pinned key, and the CA of HQ's certificate if it has one. */
export type HqConnection = { trust: HqTrust; fetch: FetchLike | undefined; ca: string | undefined };

export function hqConnection(
  db: Database,
  identity: DeviceIdentity,
  options: { fetch?: FetchLike; log: (message: string) => void },
): HqConnection {
  const ca = identity.hqCa ?? undefined;
  return {
    trust: pinnedTrust(metaKeyPins(db), options.log),
    fetch: options.fetch ?? (ca ? fetchWithCa(ca) : undefined),
    ca,
  };
}
