import type { Database } from 'better-sqlite3-multiple-ciphers';
import { buildEveryDeferredIndex } from '../../sync/client/deferred-indexes.js';

/**
 * The app's `beforeMigrations` for openStore: a store upgraded mid-provisioning has its deferred
 * indexes built before the new migrations run (sync/client/deferred-indexes.ts), so that a
 * migration finds every index its predecessors made.
 */
export function beforeStoreMigrations(db: Database): void {
  buildEveryDeferredIndex(db);
}
