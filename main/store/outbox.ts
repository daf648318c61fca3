import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { DeadLetterReport, PushResult } from '../../sync/protocol/push.js';
import type { EventPayload, EventType, OutboxEvent, StoredEvent } from '../../sync/protocol/events/index.js';
import { SALE_JSON } from '../../sync/protocol/events/index.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import { AWAIT_HQ_MS, OWN_CHANGE_TYPES } from '../../sync/protocol/own-changes.js';
import type { OwnChange } from '../../sync/protocol/own-changes.js';

/**
 * The device's outbox and dead-letter list. This module is the only code with SQL on the
 * `outbox` and `dead_letter` tables: domains write through `writeChange`, the replicator
 * (sync/client, through main/sync) reads batches and settles HQ's answers through `deviceOutbox`.
 */

export type OutboxContext = {
  db: Database;
  newId: IdGenerator;
  clock: () => Date;
  deviceId: string;
  storeId: string;
};

export type ChangeInput<T extends EventType> = {
  type: T;
  /** Checked by the compiler against the event's schema in sync/protocol/events (HQ validates with the same). */
  payload: EventPayload<T>;
  /** Who made the change; null for the device itself (e.g. a settings change before login). */
  staffId: string | null;
};

/**
 * Runs a local change and records its outbox event in one transaction: after a crash at any
 * instant the store holds both or neither. `effect` runs first and may return a value; if it
 * throws, nothing is written. Every feature that changes data goes through here.
 */
export function writeChange<T extends EventType, R>(
  ctx: OutboxContext,
  change: ChangeInput<T>,
  effect: (db: Database) => R,
): { result: R; event: OutboxEvent } {
  const st = statements(ctx.db);
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
    st.insert.run(event.id, event.type, JSON.stringify(event.payload), event.staffId, event.deviceId, event.storeId, event.occurredAt);
    return { result, event };
  });
  // IMMEDIATE: take the write lock up front so two writers never deadlock upgrading a read lock.
  return run.immediate();
}

/** A dead letter as the sync screen lists it. */
export type DeadLetter = {
  id: string;
  type: string;
  reason: string;
  message: string;
  occurredAt: string;
  rejectedAt: string;
  reported: boolean;
};

/** The outbox as the replicator and the sync screen use it (the shape sync/client's OutboxPort asks for). */
export type DeviceOutbox = {
  pendingCount(): number;
  deadLetterCount(): number;
  /**
   * The oldest waiting events, payloads as stored (JSON text: sent as is, never parsed again);
   * with `after` (a waiting event's id), the oldest of those written after it.
   */
  oldest(limit: number, after?: string): StoredEvent[];
  /**
   * Applies HQ's answers in one transaction: accepted and duplicate events leave the outbox,
   * rejected ones move to the dead-letter list as they were. An id HQ did not answer for stays
   * (the next push sends it again and gets `duplicate` if HQ had it after all); an answer for an
   * event the batch did not carry is ignored.
   */
  settle(sent: readonly StoredEvent[], results: readonly PushResult[], rejectedAt: string): { done: number; rejected: number };
  /** Dead letters HQ has not been told about yet, oldest first. */
  unreported(limit: number): DeadLetterReport['items'];
  markReported(ids: readonly string[], reportedAt: string): void;
  /** Dead letters HQ has been told about (without their events: HQ keeps them), oldest first. */
  reported(limit: number): DeadLetterReport['items'];
  /** Dead letters IT has since re-applied at HQ and HQ now holds: off the list. */
  resolve(ids: readonly string[]): number;
  /** The dead-letter list, newest first. */
  deadLetters(limit: number): DeadLetter[];
  /**
   * Per SKU, what this device's unpushed sales moved at `storeId` (sold > 0, returned < 0). HQ's
   * stock does not include them yet, so a pull takes them off what HQ sends.
   */
  pendingStock(storeId: string): Map<string, number>;
  /** Waiting events of another store than `storeId` (enrolling elsewhere would strand them). */
  pendingOutside(storeId: string): number;
  /**
   * The device's own customer-book changes of `storeId` that a pull must not undo (OWN_CHANGE_TYPES),
   * oldest first: those HQ accepted but has not been seen to apply ("awaiting HQ", kept by `settle`),
   * then those still waiting here. Accepted ones older than AWAIT_HQ_MS before `now` are forgotten first.
   */
  ownChanges(storeId: string, now: string): OwnChange[];
  /** Forgets accepted changes HQ's rows now show (sync/client/own-changes.ts). */
  heard(ids: readonly string[]): void;
};

/**
 * Accepted own changes are kept in `meta` under this key, as a JSON list: a handful at a time (a
 * guide's consent changes and tasks worked since HQ last projected), each gone once HQ's row shows it
 * or after AWAIT_HQ_MS. A table would need a device migration; this needs none and is read whole anyway.
 */
const AWAITING_KEY = 'awaiting_hq';

type Awaiting = { id: string; type: string; payload: string; storeId: string; occurredAt: string; settledAt: string };

type Row = { id: string; type: string; payload: string; staff_id: string | null; device_id: string; store_id: string; occurred_at: string };
type DeadRow = {
  id: string;
  type: string;
  reason: string;
  message: string;
  occurred_at: string;
  rejected_at: string;
  reported_at: string | null;
};

const cache = new WeakMap<Database, ReturnType<typeof prepare>>();

function statements(db: Database): ReturnType<typeof prepare> {
  let st = cache.get(db);
  if (!st) {
    st = prepare(db);
    cache.set(db, st);
  }
  return st;
}

/** Prepared once per database: the sale path runs them, it does not compile them. */
function prepare(db: Database) {
  return {
    insert: db.prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    count: db.prepare('SELECT count(*) AS n FROM outbox').pluck() as Statement<[], number>,
    oldest: db.prepare(
      `SELECT id, type, payload, staff_id, device_id, store_id, occurred_at FROM outbox
        WHERE seq > coalesce((SELECT seq FROM outbox WHERE id = ?), 0) ORDER BY seq LIMIT ?`,
    ) as Statement<[string | null, number], Row>,
    remove: db.prepare('DELETE FROM outbox WHERE id = ?'),
    outside: db.prepare('SELECT count(*) AS n FROM outbox WHERE store_id <> ?').pluck() as Statement<[string], number>,
    ownPending: db.prepare(
      `SELECT id, type, payload, occurred_at FROM outbox WHERE store_id = ? AND type IN (${[...OWN_CHANGE_TYPES].map((t) => `'${t}'`).join(', ')}) ORDER BY seq`,
    ) as Statement<[string], Pick<Row, 'id' | 'type' | 'payload' | 'occurred_at'>>,
    readAwaiting: db.prepare(`SELECT value FROM meta WHERE key = '${AWAITING_KEY}'`).pluck() as Statement<[], string>,
    writeAwaiting: db.prepare(
      `INSERT INTO meta (key, value) VALUES ('${AWAITING_KEY}', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    ),
    dropAwaiting: db.prepare(`DELETE FROM meta WHERE key = '${AWAITING_KEY}'`),
    pendingStock: db.prepare(
      `SELECT json_extract(l.value, '${SALE_JSON.sku}') AS sku, sum(json_extract(l.value, '${SALE_JSON.qty}')) AS qty
         FROM outbox AS o, json_each(o.payload, '${SALE_JSON.lines}') AS l
        WHERE o.type = 'sale.completed' AND o.store_id = ?
        GROUP BY 1`,
    ) as Statement<[string], { sku: string | null; qty: number | null }>,
  };
}

/**
 * The dead-letter statements, made on first use: a store from before the sync migration has no
 * `dead_letter` table, and its terminal must still open (it lists none).
 */
function deadStatements(db: Database) {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dead_letter'").get() !== undefined;
  if (!exists) return null;
  return {
    count: db.prepare('SELECT count(*) AS n FROM dead_letter').pluck() as Statement<[], number>,
    insert: db.prepare(
      `INSERT INTO dead_letter (id, type, payload, staff_id, device_id, store_id, occurred_at, reason, message, rejected_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
    ),
    unreported: db.prepare(
      `SELECT id, type, reason, message, occurred_at, rejected_at, payload, staff_id, device_id, store_id
         FROM dead_letter WHERE reported_at IS NULL ORDER BY rejected_at, id LIMIT ?`,
    ) as Statement<[number], Omit<DeadRow, 'reported_at'> & Pick<Row, 'payload' | 'staff_id' | 'device_id' | 'store_id'>>,
    mark: db.prepare('UPDATE dead_letter SET reported_at = ? WHERE id = ?'),
    reported: db.prepare(
      `SELECT id, type, reason, message, occurred_at, rejected_at FROM dead_letter WHERE reported_at IS NOT NULL ORDER BY rejected_at, id LIMIT ?`,
    ) as Statement<[number], Omit<DeadRow, 'reported_at'>>,
    resolve: db.prepare('DELETE FROM dead_letter WHERE id = ? AND reported_at IS NOT NULL'),
    list: db.prepare(
      'SELECT id, type, reason, message, occurred_at, rejected_at, reported_at FROM dead_letter ORDER BY rejected_at DESC, id DESC LIMIT ?',
    ) as Statement<[number], DeadRow>,
  };
}

/** A dead letter as HQ is told about it (its message cut to what the report allows). */
const reportItem = (r: Omit<DeadRow, 'reported_at'>): DeadLetterReport['items'][number] => ({
  id: r.id,
  type: r.type,
  reason: r.reason,
  message: r.message.slice(0, 500),
  occurredAt: r.occurred_at,
  rejectedAt: r.rejected_at,
});

/**
 * Event types whose payload holds nothing the device does not keep in its own rows once HQ has it:
 * a sale (ids, items and money; `sale`, `sale_line`, `sale_tender` … keep the same). Their outbox
 * rows leave without the freed pages being zeroed (below). Every other type — customers' notes and
 * requests, phone reveals, a cash movement's free-text reason — keeps the store's zeroing.
 */
const KEPT_IN_ROWS: ReadonlySet<string> = new Set(['sale.completed']);

/**
 * Runs `fn` with SQLite's `secure_delete` at FAST, then puts back the store's own (ON, SQLCipher's
 * default): what a delete frees inside a page that is written anyway is still zeroed, but a page
 * freed whole is not rewritten with zeros. Settling a batch of 1,000 sales wrote about 6 times the WAL pages of
 * the deletes alone to zero pages whose content the sale rows keep: 290 against 55 ms of CPU for
 * 10,000 outbox rows of 1.5 KB on the encrypted store, on the till's own thread while it catches
 * up after an outage.
 */
function withoutZeroingFreedPages(db: Database, fn: () => void): void {
  const was = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = FAST');
  try {
    fn();
  } finally {
    db.pragma(`secure_delete = ${was}`);
  }
}

/**
 * The list as stored. It only keeps a display right while HQ catches up, so a value the device did
 * not write (damaged, edited by hand) is dropped, entry by entry, never let block a settle: the
 * sales behind it must still leave the outbox. What is lost is the brief cover of a change HQ has
 * not projected yet, as before the list existed.
 */
function readAwaiting(st: ReturnType<typeof prepare>): Awaiting[] {
  const text = st.readAwaiting.get();
  if (text === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return [];
  }
  const fields = ['id', 'type', 'payload', 'storeId', 'occurredAt', 'settledAt'] as const;
  const isEntry = (a: unknown): a is Awaiting =>
    typeof a === 'object' && a !== null && fields.every((f) => typeof (a as Record<string, unknown>)[f] === 'string');
  return Array.isArray(list) ? list.filter(isEntry) : [];
}

function writeAwaiting(st: ReturnType<typeof prepare>, list: readonly Awaiting[]): void {
  if (list.length === 0) st.dropAwaiting.run();
  else st.writeAwaiting.run(JSON.stringify(list));
}

const toStored = (r: Row): StoredEvent => ({
  id: r.id,
  type: r.type,
  payloadJson: r.payload,
  staffId: r.staff_id,
  deviceId: r.device_id,
  storeId: r.store_id,
  occurredAt: r.occurred_at,
});

export function deviceOutbox(db: Database): DeviceOutbox {
  const st = statements(db);
  let dead: ReturnType<typeof deadStatements> | undefined;
  const deadSt = () => (dead === undefined ? (dead = deadStatements(db)) : dead);
  const needDead = () => {
    const d = deadSt();
    if (!d) throw new Error('this store has no dead-letter list (the sync migration has not run)');
    return d;
  };
  return {
    pendingCount: () => st.count.get() ?? 0,
    deadLetterCount: () => deadSt()?.count.get() ?? 0,
    oldest: (limit, after) => st.oldest.all(after ?? null, limit).map(toStored),
    settle(sent, results, rejectedAt) {
      const d = needDead();
      const byId = new Map(sent.map((e) => [e.id, e]));
      let done = 0;
      let rejected = 0;
      const kept: string[] = [];
      db.transaction(() => {
        const awaiting: Awaiting[] = [];
        for (const result of results) {
          const e = byId.get(result.id);
          if (!e) continue;
          byId.delete(result.id);
          if (result.status === 'rejected') {
            d.insert.run(
              e.id,
              e.type,
              e.payloadJson,
              e.staffId,
              e.deviceId,
              e.storeId,
              e.occurredAt,
              result.reason,
              result.message,
              rejectedAt,
            );
            rejected++;
          } else if (OWN_CHANGE_TYPES.has(e.type))
            // Accepted is not applied: HQ's projector may not have run yet (see sync/protocol/own-changes.ts).
            awaiting.push({
              id: e.id,
              type: e.type,
              payload: e.payloadJson,
              storeId: e.storeId,
              occurredAt: e.occurredAt,
              settledAt: rejectedAt,
            });
          // Zeroed as they go; the sales, whose rows keep what they held, after them (below).
          if (KEPT_IN_ROWS.has(e.type)) kept.push(e.id);
          else st.remove.run(e.id);
          done++;
        }
        withoutZeroingFreedPages(db, () => kept.forEach((id) => st.remove.run(id)));
        if (awaiting.length > 0) {
          const fresh = new Set(awaiting.map((a) => a.id));
          writeAwaiting(st, [...readAwaiting(st).filter((a) => !fresh.has(a.id)), ...awaiting]);
        }
      }).immediate();
      return { done, rejected };
    },
    unreported: (limit) =>
      (deadSt()?.unreported.all(limit) ?? []).map((r) => ({
        ...reportItem(r),
        // The event itself, so IT can re-apply it at HQ once HQ is fixed.
        event: {
          id: r.id,
          type: r.type,
          payload: JSON.parse(r.payload) as unknown,
          staffId: r.staff_id,
          deviceId: r.device_id,
          storeId: r.store_id,
          occurredAt: r.occurred_at,
        },
      })),
    markReported(ids, reportedAt) {
      const d = needDead();
      db.transaction(() => {
        for (const id of ids) d.mark.run(reportedAt, id);
      }).immediate();
    },
    reported: (limit) => (deadSt()?.reported.all(limit) ?? []).map(reportItem),
    resolve(ids) {
      const d = needDead();
      let n = 0;
      db.transaction(() => {
        for (const id of ids) n += d.resolve.run(id).changes;
      }).immediate();
      return n;
    },
    deadLetters: (limit) =>
      (deadSt()?.list.all(limit) ?? []).map((r) => ({
        id: r.id,
        type: r.type,
        reason: r.reason,
        message: r.message,
        occurredAt: r.occurred_at,
        rejectedAt: r.rejected_at,
        reported: r.reported_at !== null,
      })),
    pendingStock(storeId) {
      const rows = st.pendingStock.all(storeId);
      return new Map(rows.flatMap((r) => (r.sku !== null && r.qty ? [[r.sku, r.qty] as [string, number]] : [])));
    },
    pendingOutside: (storeId) => st.outside.get(storeId) ?? 0,
    ownChanges(storeId, now) {
      const all = readAwaiting(st);
      const since = Date.parse(now) - AWAIT_HQ_MS;
      const fresh = all.filter((a) => Date.parse(a.settledAt) >= since);
      if (fresh.length < all.length) writeAwaiting(st, fresh);
      const parse = (id: string, type: string, payload: string, occurredAt: string, awaiting: boolean): OwnChange => ({
        id,
        type,
        payload: JSON.parse(payload) as unknown,
        occurredAt,
        awaiting,
      });
      return [
        ...fresh.filter((a) => a.storeId === storeId).map((a) => parse(a.id, a.type, a.payload, a.occurredAt, true)),
        ...st.ownPending.all(storeId).map((r) => parse(r.id, r.type, r.payload, r.occurred_at, false)),
      ];
    },
    heard(ids) {
      if (ids.length === 0) return;
      const gone = new Set(ids);
      db.transaction(() =>
        writeAwaiting(
          st,
          readAwaiting(st).filter((a) => !gone.has(a.id)),
        ),
      ).immediate();
    },
  };
}

/** Events waiting for HQ. */
export function pendingCount(db: Database): number {
  return statements(db).count.get() ?? 0;
}

/** The waiting events, oldest first, payloads parsed (for tests and tools that read what a device would send). */
export function readOutbox(db: Database, limit: number): OutboxEvent[] {
  return statements(db)
    .oldest.all(null, limit)
    .map((r) => ({
      id: r.id,
      type: r.type,
      payload: JSON.parse(r.payload) as unknown,
      staffId: r.staff_id,
      deviceId: r.device_id,
      storeId: r.store_id,
      occurredAt: r.occurred_at,
    }));
}
