import type { StoredEvent } from '../protocol/events/index.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { deadLetterAnswerSchema, MAX_PUSH_BYTES, MAX_PUSH_EVENTS, pushResponseSchema } from '../protocol/push.js';
import type { DeadLetterReport } from '../protocol/push.js';
import { letRequestLeave } from './signed-http.js';
import type { SignedClient } from './signed-http.js';
import type { OutboxPort } from './types.js';

export type PushOptions = {
  outbox: OutboxPort;
  client: SignedClient;
  deviceId: string;
  storeId: string;
  clock: () => Date;
  /** Events per request (≤ MAX_PUSH_EVENTS, the default); the body also stays under MAX_PUSH_BYTES. */
  batchSize?: number;
};

export type PushOutcome = { pushed: number; rejected: number; batches: number };

/** Room for the envelope ({"deviceId":…,"storeId":…,"events":[…]}) under HQ's body limit. */
export const ENVELOPE_BYTES = 1024;

/** One event on the wire; the payload is the stored JSON text, not parsed and re-serialised. */
function wireEvent(e: StoredEvent): string {
  const q = JSON.stringify;
  return `{"id":${q(e.id)},"type":${q(e.type)},"payload":${e.payloadJson},"staffId":${q(e.staffId)},"deviceId":${q(e.deviceId)},"storeId":${q(e.storeId)},"occurredAt":${q(e.occurredAt)}}`;
}

type Batch = { events: StoredEvent[]; json: string[] };

/** The oldest events (after the event `after`, when given), as many as fit one request. */
function nextBatch(outbox: OutboxPort, limit: number, after?: string): Batch {
  const events = outbox.oldest(limit, after);
  const json: string[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const e of events) {
    const text = wireEvent(e);
    const size = Buffer.byteLength(text) + 1;
    // One event bigger than the limit still goes alone: HQ refuses it (413) and the error shows.
    if (json.length > 0 && bytes + size > MAX_PUSH_BYTES) break;
    json.push(text);
    bytes += size;
  }
  return { events: events.slice(0, json.length), json };
}

/**
 * Pushes the outbox oldest first until it is empty or HQ stops making progress. One caller at
 * a time (the replicator's loop): two pushers would send the same events twice — harmless at HQ
 * (exactly once by id) but wasteful.
 *
 * Requests go one at a time, in outbox order: a batch is sent only once HQ has answered the one
 * before (and so recorded it), so a return never reaches HQ before its sale. When HQ answered
 * every event of a batch, the next batch — the events after it — goes out before the device
 * writes that answer down: the settle (a transaction with an fsync, now and then a WAL
 * checkpoint) runs while HQ works on the next request, not between the two. A crash in between
 * leaves the answered events in the outbox; they go again and HQ answers `duplicate`. When HQ
 * left an event unanswered, the answer is written down first and the next batch starts from the
 * oldest event again, that one included, as it always did.
 */
export async function pushOutbox(options: PushOptions): Promise<PushOutcome> {
  const { outbox, client } = options;
  // As many events as HQ takes per request: after an outage, half the round trips, signatures and
  // outbox commits of batches of 500 (HQ records a batch in one statement whatever its size).
  const batchSize = Math.min(options.batchSize ?? MAX_PUSH_EVENTS, MAX_PUSH_EVENTS);
  const outcome: PushOutcome = { pushed: 0, rejected: 0, batches: 0 };
  // Built as text so payloads are not parsed and re-serialised; the same bytes are signed and sent.
  const send = ({ json }: Batch) =>
    client.post(
      SYNC_PATHS.push,
      rawJson(`{"deviceId":${JSON.stringify(options.deviceId)},"storeId":${JSON.stringify(options.storeId)},"events":[${json.join(',')}]}`),
      pushResponseSchema,
    );
  let batch = nextBatch(outbox, batchSize);
  if (batch.events.length === 0) return outcome;
  let answer = await send(batch);
  for (;;) {
    const answered = new Set(answer.results.map((r) => r.id));
    const whole = batch.events.every((e) => answered.has(e.id));
    let next = whole ? nextBatch(outbox, batchSize, batch.events.at(-1)?.id) : null;
    let request = next && next.events.length > 0 ? send(next) : null;
    if (request) {
      // Its failure is met where it is awaited below; its bytes go out before the synchronous settle.
      request.catch(() => undefined);
      await letRequestLeave();
    }
    const { done, rejected } = outbox.settle(batch.events, answer.results, options.clock().toISOString());
    outcome.batches++;
    outcome.pushed += done - rejected;
    outcome.rejected += rejected;
    if (done === 0) return outcome;
    if (!request || !next) {
      next = nextBatch(outbox, batchSize);
      if (next.events.length === 0) return outcome;
      request = send(next);
    }
    batch = next;
    answer = await request;
  }
}

/** A body that is already JSON text (the signed client sends it unchanged). */
export type RawJson = { readonly rawJson: string };
export function rawJson(text: string): RawJson {
  return { rawJson: text };
}

/** Tells HQ about dead letters it has not heard of yet, then marks them reported. Returns how many. */
export async function reportDeadLetters(outbox: OutboxPort, client: SignedClient, clock: () => Date): Promise<number> {
  let reported = 0;
  for (;;) {
    const items = outbox.unreported(500);
    if (items.length === 0) return reported;
    const report: DeadLetterReport = { items };
    await client.post(SYNC_PATHS.deadLetters, report, deadLetterAnswerSchema);
    outbox.markReported(
      items.map((i) => i.id),
      clock().toISOString(),
    );
    reported += items.length;
  }
}

/** How often a device that has dead letters asks HQ which of them IT has re-applied since. */
export const DEAD_LETTER_RECHECK_MS = 10 * 60_000;

/**
 * Reports the dead letters HQ already knows again (without their events) and takes off the list
 * those HQ answers it now holds: IT re-applied them once HQ was fixed. Returns how many.
 */
export async function recheckDeadLetters(outbox: OutboxPort, client: SignedClient): Promise<number> {
  const items = outbox.reported(500);
  if (items.length === 0) return 0;
  const answer = await client.post(SYNC_PATHS.deadLetters, { items } satisfies DeadLetterReport, deadLetterAnswerSchema);
  const asked = new Set(items.map((i) => i.id));
  return outbox.resolve((answer.resolved ?? []).filter((id) => asked.has(id)));
}
