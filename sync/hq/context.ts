import type { IncomingHttpHeaders } from 'node:http';
import { deviceScopes } from '../protocol/feed.js';
import type { HqDb } from './db.js';
import type { FeedHeads } from './feed-heads.js';

/** What a signature covers; from a fastify request (raw body kept by the server's parser) or a WebSocket upgrade. */
export type SignedRequest = { method: string; url: string; headers: IncomingHttpHeaders; rawBody: Buffer };

export type HqLog = (message: string, detail?: unknown) => void;

/** A device that proved who it is on this request (signature, time, nonce checked). */
export type AuthedDevice = {
  id: string;
  storeId: string;
  brand: string;
  receiptCode: string;
  /** Its scopes (sync/protocol/feed.ts deviceScopes). */
  scopes: string[];
};

/** The AuthedDevice of device `id`, from a row of its store, brand and receipt code. */
export function authedDeviceOf(id: string, row: { store_id: string; brand: string; receipt_code: string }): AuthedDevice {
  return {
    id,
    storeId: row.store_id,
    brand: row.brand,
    receiptCode: row.receipt_code,
    scopes: deviceScopes({ brand: row.brand, storeId: row.store_id, deviceId: id }),
  };
}

/**
 * What every HQ route gets. HQ holds no state of its own beyond caches: any number of HQ
 * processes can serve the same database.
 */
export type HqContext = {
  db: HqDb;
  clock: () => Date;
  log: HqLog;
  /**
   * Checks the request's signature headers against the raw body and the device's key, refuses
   * stale times and replayed nonces, and a revoked or unknown device. Throws HqHttpError.
   */
  authenticate(request: SignedRequest): Promise<AuthedDevice>;
  /** Stamps a device's last_seen_at (at most once a minute) when it is heard outside a signed request: a pull over its live channel. */
  seen(deviceId: string): Promise<void>;
  /** Live channel registry: nudges connected devices whose scopes changed (fed by LISTEN sf_change). */
  live: LiveHub;
  /**
   * Each scope's head as this process knows it (fed by LISTEN sf_change): a pull at the head is
   * answered without a query (`feedHeads.isAtHead(scope, cursor)`, routes/pull.ts servePull). Absent: every pull reads.
   */
  feedHeads?: FeedHeads;
};

export type LiveHub = {
  /** Called for every `sf_change` notification from the database (any HQ process). */
  changed(scope: string): void;
  /** A device was revoked: tell its open channels and close them. */
  revoked(deviceId: string): void;
  /**
   * Tells every open channel that all its scopes changed (each device pulls once), spread over a
   * few seconds so a whole fleet does not pull at the same instant: after the change listener was
   * away, whatever was notified meanwhile was missed.
   */
  nudgeAll(): void;
  /** The devices with an open channel here (to check for revocations missed while the listener was away). */
  devices(): string[];
  connections(): number;
  close(): Promise<void>;
};
