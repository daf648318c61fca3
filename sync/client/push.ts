import type { StoredEvent } from '../protocol/events/index.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { deadLetterAnswerSchema, MAX_PUSH_BYTES, MAX_PUSH_EVENTS, pushResponseSchema } from '../protocol/push.js';
import type { DeadLetterReport } from '../protocol/push.js';
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

// Room for the envelope ({"deviceId":…,"storeId":…,"events":[…]}) under HQ's body limit.
const ENVELOPE_BYTES = 1024;

/** One event on the wire; the payload is the stored JSON text, not parsed and re-serialised. */
function wireEvent(e: StoredEvent): string {
  const q = JSON.stringify;
  return `{"id":${q(e.id)},"type":${q(e.type)},"payload":${e.payloadJson},"staffId":${q(e.staffId)},"deviceId":${q(e.deviceId)},"storeId":${q(e.storeId)},"occurredAt":${q(e.occurredAt)}}`;
}

/** The oldest events, as many as fit one request. */
function nextBatch(outbox: OutboxPort, limit: number): { events: StoredEvent[]; json: string[] } {
  const events = outbox.oldest(limit);
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
 */
export async function pushOutbox(options: PushOptions): Promise<PushOutcome> {
  const { outbox, client } = options;
  // As many events as HQ takes per request: after an outage, half the round trips, signatures and
  // outbox commits of batches of 500 (HQ records a batch in one statement whatever its size).
  const batchSize = Math.min(options.batchSize ?? MAX_PUSH_EVENTS, MAX_PUSH_EVENTS);
  const outcome: PushOutcome = { pushed: 0, rejected: 0, batches: 0 };
  for (;;) {
    const { events, json } = nextBatch(outbox, batchSize);
    if (events.length === 0) return outcome;
    // Built as text so payloads are not parsed and re-serialised; the same bytes are signed and sent.
    const body = `{"deviceId":${JSON.stringify(options.deviceId)},"storeId":${JSON.stringify(options.storeId)},"events":[${json.join(',')}]}`;
    const answer = await client.post(SYNC_PATHS.push, rawJson(body), pushResponseSchema);
    const { done, rejected } = outbox.settle(events, answer.results, options.clock().toISOString());
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
