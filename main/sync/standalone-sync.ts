import type { SyncState } from '../api/contract.js';

/** The sync state of a terminal without HQ (demo without enrolment, tests): honest about what waits. */
export function standaloneSync(pendingEvents: number): SyncState {
  return { hq: 'not_configured', pendingEvents, lastSyncAt: null, deadLetters: 0, lastError: null, provisioning: null };
}
