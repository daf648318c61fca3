import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { OutboxEvent } from '../../sync/protocol/events.js';
import type { IdGenerator } from './uuidv7.js';

export type OutboxContext = {
  db: Database;
  newId: IdGenerator;
  clock: () => Date;
  deviceId: string;
  storeId: string;
};

export type ChangeInput<P> = {
  type: string;
  payload: P;
  /** Who made the change; null for the device itself (e.g. a settings change before login). */
  staffId: string | null;
};

/**
 * Runs a local change and records its outbox event in one transaction: after a crash at any
 * instant the store holds both or neither. `effect` runs first and may return a value; if it
 * throws, nothing is written. Every feature that changes data goes through here.
 */
export function writeChange<P, R>(
  ctx: OutboxContext,
  change: ChangeInput<P>,
  effect: (db: Database) => R,
): { result: R; event: OutboxEvent } {
  const run = ctx.db.transaction(() => {
    const result = effect(ctx.db);
    const event: OutboxEvent = {
      id: ctx.newId(),
      type: change.type,
      payload: change.payload,
      staffId: change.staffId,
      deviceId: ctx.deviceId,
      storeId: ctx.storeId,
      occurredAt: ctx.clock().toISOString(),
    };
    ctx.db
      .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(event.id, event.type, JSON.stringify(event.payload), event.staffId, event.deviceId, event.storeId, event.occurredAt);
    return { result, event };
  });
  // IMMEDIATE: take the write lock up front so two writers never deadlock upgrading a read lock.
  return run.immediate();
}

export function pendingCount(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
}

/** Oldest first, for the pusher (sync issue) and the outbox screen. */
export function readOutbox(db: Database, limit: number): OutboxEvent[] {
  const rows = db
    .prepare('SELECT id, type, payload, staff_id, device_id, store_id, occurred_at FROM outbox ORDER BY seq LIMIT ?')
    .all(limit) as {
    id: string;
    type: string;
    payload: string;
    staff_id: string | null;
    device_id: string;
    store_id: string;
    occurred_at: string;
  }[];
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    payload: JSON.parse(r.payload) as unknown,
    staffId: r.staff_id,
    deviceId: r.device_id,
    storeId: r.store_id,
    occurredAt: r.occurred_at,
  }));
}
