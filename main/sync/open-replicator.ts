import type { Database } from 'better-sqlite3-multiple-ciphers';
import { createReplicator } from '../../sync/client/replicator.js';
import type { Replicator } from '../../sync/client/types.js';
import type { Log } from '../core/log.js';
import { deviceOutbox } from '../store/outbox.js';
import { enrolledHq } from './enrolment-state.js';

export type ReplicatorOptions = {
  db: Database;
  deviceId: string;
  storeId: string;
  clock: () => Date;
  log: Log;
  /** Overrides the HQ address stored at enrolment (HQ moved; tests put a proxy in between). */
  hqUrl?: string;
  /** The store's checkpoint off the till's thread (Store.checkpointOffThread), for the end of a provisioning or a large pull. */
  checkpoint?: () => Promise<unknown>;
};

/** The replicator of an enrolled device; null for a device that never enrolled (it stays standalone). */
export function openReplicator(options: ReplicatorOptions): Replicator | null {
  const enrolled = enrolledHq(options.db);
  if (!enrolled) return null;
  return createReplicator({
    db: options.db,
    outbox: deviceOutbox(options.db),
    deviceId: options.deviceId,
    storeId: options.storeId,
    hqUrl: options.hqUrl ?? enrolled.hqUrl,
    clock: options.clock,
    log: options.log,
    checkpoint: options.checkpoint,
  });
}
