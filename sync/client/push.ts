import type { Database } from 'better-sqlite3-multiple-ciphers';
import { z } from 'zod';
import { SYNC_PATHS } from '../protocol/http.js';
import { MAX_PUSH_BYTES, MAX_PUSH_EVENTS, pushResponseSchema } from '../protocol/push.js';
import type { DeadLetterReport, PushResult } from '../protocol/push.js';
import type { SignedClient } from './signed-http.js';

export type PushOptions = {
  db: Database;
  client: SignedClient;
  deviceId: string;
  storeId: string;
  clock: () => Date;
  /** Events per request (≤ MAX_PUSH_EVENTS); the body also stays under MAX_PUSH_BYTES. */
  batchSize?: number;
};

export type PushOutcome = { pushed: number; rejected: number; batches: number };

type OutboxRow = {
  id: string;
  type: string;
  payload: string;
  staff_id: string | null;
  device_id: string;
  store_id: string;
  occurred_at: string;
};

// Room for the envelope ({"deviceId":…,"storeId":…,"events":[…]}) under HQ's body limit.
const ENVELOPE_BYTES = 1024;

/** The oldest events, as many as fit one request. The payload stays JSON text: it is sent as stored. */
function readBatch(db: Database, limit: number): { rows: OutboxRow[]; json: string[] } {
  const rows = db
    .prepare('SELECT id, type, payload, staff_id, device_id, store_id, occurred_at FROM outbox ORDER BY seq LIMIT ?')
    .all(limit) as OutboxRow[];
  const json: string[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const r of rows) {
    const text = `{"id":${JSON.stringify(r.id)},"type":${JSON.stringify(r.type)},"payload":${r.payload},"staffId":${JSON.stringify(r.staff_id)},"deviceId":${JSON.stringify(r.device_id)},"storeId":${JSON.stringify(r.store_id)},"occurredAt":${JSON.stringify(r.occurred_at)}}`;
    const size = Buffer.byteLength(text) + 1;
    // One event bigger than the limit still goes alone: HQ refuses it (413) and the error shows.
    if (json.length > 0 && bytes + size > MAX_PUSH_BYTES) break;
    json.push(text);
    bytes += size;
  }
  return { rows: rows.slice(0, json.length), json };
}

/**
 * Applies HQ's answers in one transaction: accepted and duplicate events leave the outbox,
 * rejected ones move to the dead-letter list as they were. An id HQ did not answer for stays
 * (the next push sends it again and gets `duplicate` if HQ had it after all).
 */
export function applyPushResults(
  db: Database,
  rows: readonly OutboxRow[],
  results: readonly PushResult[],
  rejectedAt: string,
): { done: number; rejected: number } {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const remove = db.prepare('DELETE FROM outbox WHERE id = ?');
  const dead = db.prepare(
    `INSERT INTO dead_letter (id, type, payload, staff_id, device_id, store_id, occurred_at, reason, message, rejected_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  );
  let done = 0;
  let rejected = 0;
  db.transaction(() => {
    for (const result of results) {
      const row = byId.get(result.id);
      // HQ answering for an event this batch did not carry is ignored: the device acts only on what it sent.
      if (!row) continue;
      byId.delete(result.id);
      if (result.status === 'rejected') {
        dead.run(
          row.id,
          row.type,
          row.payload,
          row.staff_id,
          row.device_id,
          row.store_id,
          row.occurred_at,
          result.reason,
          result.message,
          rejectedAt,
        );
        rejected++;
      }
      remove.run(row.id);
      done++;
    }
  }).immediate();
  return { done, rejected };
}

/**
 * Pushes the outbox oldest first until it is empty or HQ stops making progress. One caller at
 * a time (the replicator's loop): two pushers would send the same events twice — harmless at HQ
 * (exactly once by id) but wasteful.
 */
export async function pushOutbox(options: PushOptions): Promise<PushOutcome> {
  const { db, client } = options;
  const batchSize = Math.min(options.batchSize ?? 500, MAX_PUSH_EVENTS);
  const outcome: PushOutcome = { pushed: 0, rejected: 0, batches: 0 };
  for (;;) {
    const { rows, json } = readBatch(db, batchSize);
    if (rows.length === 0) return outcome;
    // Built as text so payloads are not parsed and re-serialised; the same bytes are signed and sent.
    const body = `{"deviceId":${JSON.stringify(options.deviceId)},"storeId":${JSON.stringify(options.storeId)},"events":[${json.join(',')}]}`;
    const answer = await client.post(SYNC_PATHS.push, rawJson(body), pushResponseSchema);
    const { done, rejected } = applyPushResults(db, rows, answer.results, options.clock().toISOString());
    outcome.batches++;
    outcome.pushed += done - rejected;
    outcome.rejected += rejected;
    if (done === 0) return outcome;
  }
}

/** A body that is already JSON text (the signed client sends it unchanged). */
export type RawJson = { readonly rawJson: string };
export function rawJson(text: string): RawJson {
  return { rawJson: text };
}

/** Parses nothing: HQ's answer to a dead-letter report only has to be a JSON object. */
const reportAnswerSchema = z.looseObject({});

/** Tells HQ about dead letters it has not heard of yet, then marks them reported. Returns how many. */
export async function reportDeadLetters(db: Database, client: SignedClient, clock: () => Date): Promise<number> {
  let reported = 0;
  for (;;) {
    const rows = db
      .prepare(
        'SELECT id, type, reason, message, occurred_at, rejected_at FROM dead_letter WHERE reported_at IS NULL ORDER BY rejected_at, id LIMIT 500',
      )
      .all() as { id: string; type: string; reason: string; message: string; occurred_at: string; rejected_at: string }[];
    if (rows.length === 0) return reported;
    const report: DeadLetterReport = {
      items: rows.map((r) => ({
        id: r.id,
        type: r.type,
        reason: r.reason,
        message: r.message.slice(0, 500),
        occurredAt: r.occurred_at,
        rejectedAt: r.rejected_at,
      })),
    };
    await client.post(SYNC_PATHS.deadLetters, report, reportAnswerSchema);
    const mark = db.prepare('UPDATE dead_letter SET reported_at = ? WHERE id = ?');
    const at = clock().toISOString();
    db.transaction(() => {
      for (const r of rows) mark.run(at, r.id);
    }).immediate();
    reported += rows.length;
  }
}
