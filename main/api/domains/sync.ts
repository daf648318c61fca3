import { z } from 'zod';
import { empty, method } from '../define.js';
import type { SyncState } from './system.js';

/** An event HQ rejected: kept on the device for a person, never dropped silently. */
export type DeadLetterView = {
  id: string;
  type: string;
  /** HQ's reason code (`foreign_staff`, `bad_payload`, …) and its message. */
  reason: string;
  message: string;
  occurredAt: string;
  rejectedAt: string;
  /** Whether HQ has been told (the device reports its dead letters). */
  reported: boolean;
};

export const syncContract = {
  /** Online/offline, last sync, events waiting, dead letters, provisioning progress. */
  state: method<SyncState>()(empty),
  /** A push and pull round now (the "sync now" button); answers with the state after it. Never fails for being offline. */
  syncNow: method<SyncState>()(empty),
  /** The dead-letter list, newest first. */
  deadLetters: method<{ items: DeadLetterView[] }>()(z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict()),
};

export type SyncEvents = Record<never, never>;
