import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { pendingCount, readOutbox } from '../../main/store/outbox.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { MAX_PUSH_BYTES, pushRequestSchema } from '../protocol/push.js';
import type { PushResult } from '../protocol/push.js';
import { ENVELOPE_BYTES, pushOutbox, recheckDeadLetters, reportDeadLetters } from './push.js';
import type { SignedClient } from './signed-http.js';
import { HqRequestError } from './signed-http.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import { deviceOutbox } from '../../main/store/outbox.js';

const NOW = new Date('2026-11-23T01:00:00.000Z');
let device: TestDevice;
const newId = uuidv7Generator(() => NOW.getTime());
beforeEach(() => {
  device = testDevice();
});
afterEach(() => device.cleanup());

/** Writes one event with `payload` into the outbox (by stf-1 at loc-S001, at NOW) and answers its id. */
function addEvent(payload: unknown, type = 'sale.completed', id = newId()): string {
  device.store.db
    .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(id, type, JSON.stringify(payload), 'stf-1', device.deviceId, 'loc-S001', NOW.toISOString());
  return id;
}

function addEvents(n: number, type = 'sale.completed'): string[] {
  return Array.from({ length: n }, (_, i) => addEvent({ n: i, lines: [] }, type));
}

/**
 * Stands in for HQ's answers only (the real HQ is in replicator.test.ts); checks what the device
 * sends: each body, and the byte size of each one sent as raw JSON text (the pushes).
 */
function fakeClient(
  answer: (events: { id: string; type: string }[]) => PushResult[],
): SignedClient & { bodies: unknown[]; bytes: number[] } {
  const bodies: unknown[] = [];
  const bytes: number[] = [];
  return {
    bodies,
    bytes,
    post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
      const raw = typeof body === 'object' && body !== null && 'rawJson' in body ? (body as { rawJson: string }).rawJson : null;
      if (raw !== null) bytes.push(Buffer.byteLength(raw));
      const json = raw !== null ? JSON.parse(raw) : body;
      bodies.push(json);
      if (path.endsWith('/push')) {
        const request = pushRequestSchema.parse(json);
        return Promise.resolve(schema.parse({ results: answer(request.events), serverTime: NOW.toISOString() }));
      }
      return Promise.resolve(schema.parse({ ok: true }));
    },
  };
}

describe('pushOutbox', () => {
  it('sends oldest first in batches, removes accepted, duplicate and deferred events, dead-letters rejected ones, keeps unanswered ones', async () => {
    const ids = addEvents(7);
    const client = fakeClient((events) =>
      events.flatMap((e): PushResult[] => {
        if (e.id === ids[1]) return [{ id: e.id, status: 'duplicate' }];
        if (e.id === ids[4]) return [{ id: e.id, status: 'deferred', message: 'HQ keeps it until it knows the type' }];
        if (e.id === ids[2])
          return [{ id: e.id, status: 'rejected', reason: 'foreign_staff', message: 'staff stf-1 is not of this store' }];
        if (e.id === ids[6]) return []; // HQ said nothing about it
        return [{ id: e.id, status: 'accepted' }];
      }),
    );
    const outcome = await pushOutbox({
      outbox: deviceOutbox(device.store.db),
      client,
      deviceId: device.deviceId,
      storeId: 'loc-S001',
      clock: () => NOW,
      batchSize: 3,
    });
    expect(outcome).toEqual({ pushed: 5, rejected: 1, batches: 3 });
    expect((client.bodies as { events: { id: string }[] }[]).map((b) => b.events.map((e) => e.id))).toEqual([
      ids.slice(0, 3),
      ids.slice(3, 6),
      [ids[6]],
    ]);
    expect(readOutbox(device.store.db, 10).map((e) => e.id)).toEqual([ids[6]]);
    const dead = device.store.db.prepare('SELECT id, type, reason, message, payload, reported_at FROM dead_letter').all();
    expect(dead).toEqual([
      {
        id: ids[2],
        type: 'sale.completed',
        reason: 'foreign_staff',
        message: 'staff stf-1 is not of this store',
        payload: '{"n":2,"lines":[]}',
        reported_at: null,
      },
    ]);

    expect(await reportDeadLetters(deviceOutbox(device.store.db), client, () => NOW)).toBe(1);
    expect(client.bodies.at(-1)).toEqual({
      items: [
        {
          id: ids[2],
          type: 'sale.completed',
          reason: 'foreign_staff',
          message: 'staff stf-1 is not of this store',
          occurredAt: NOW.toISOString(),
          rejectedAt: NOW.toISOString(),
          // The event itself goes with the report, so IT can re-apply it at HQ once HQ is fixed.
          event: {
            id: ids[2],
            type: 'sale.completed',
            payload: { n: 2, lines: [] },
            staffId: 'stf-1',
            deviceId: device.deviceId,
            storeId: 'loc-S001',
            occurredAt: NOW.toISOString(),
          },
        },
      ],
    });
    expect(await reportDeadLetters(deviceOutbox(device.store.db), client, () => NOW)).toBe(0);
  });

  const pushAll = (client: SignedClient, batchSize: number) =>
    pushOutbox({
      outbox: deviceOutbox(device.store.db),
      client,
      deviceId: device.deviceId,
      storeId: 'loc-S001',
      clock: () => NOW,
      batchSize,
    });
  const sentIds = (client: { bodies: unknown[] }) =>
    (client.bodies as { events: { id: string }[] }[]).map((b) => b.events.map((e) => e.id));
  const acceptAll = (events: { id: string }[]): PushResult[] => events.map((e) => ({ id: e.id, status: 'accepted' }));

  it('sends the next batch once HQ has answered the one before, and writes that answer down while HQ works on the next', async () => {
    const ids = addEvents(7);
    const waitingAtSend: number[] = [];
    const client = fakeClient((events) => acceptAll(events));
    const post = client.post.bind(client);
    client.post = (path, body, schema) => {
      waitingAtSend.push(pendingCount(device.store.db));
      return post(path, body, schema);
    };
    expect(await pushAll(client, 3)).toEqual({ pushed: 7, rejected: 0, batches: 3 });
    expect(sentIds(client)).toEqual([ids.slice(0, 3), ids.slice(3, 6), [ids[6]]]);
    // The second and third requests left before the answer to the one before was settled.
    expect(waitingAtSend).toEqual([7, 7, 4]);
    expect(pendingCount(device.store.db)).toBe(0);
  });

  it('an event HQ left unanswered goes again in the next batch, before the events written after it', async () => {
    const ids = addEvents(6);
    let first = true;
    const client = fakeClient((events) => {
      const results = acceptAll(events).filter((r) => !(first && r.id === ids[1]));
      first = false;
      return results;
    });
    expect(await pushAll(client, 3)).toEqual({ pushed: 6, rejected: 0, batches: 3 });
    expect(sentIds(client)).toEqual([ids.slice(0, 3), [ids[1], ids[3], ids[4]], [ids[5]]]);
  });

  it('a request sent before the answer to the one before was written down fails: that answer is kept, its events are not', async () => {
    const ids = addEvents(5);
    const client = fakeClient((events) => acceptAll(events));
    const post = client.post.bind(client);
    let calls = 0;
    client.post = (path, body, schema) =>
      ++calls === 2 ? Promise.reject(new HqRequestError('network', null, 'down')) : post(path, body, schema);
    await expect(pushAll(client, 2)).rejects.toThrow('down');
    expect(readOutbox(device.store.db, 10).map((e) => e.id)).toEqual(ids.slice(2));
    expect(await pushAll(client, 2)).toEqual({ pushed: 3, rejected: 0, batches: 2 });
    expect(pendingCount(device.store.db)).toBe(0);
  });

  it("splits a batch where its body would pass HQ's byte limit, and sends an event bigger than the limit alone", async () => {
    // Payloads of ~3 MiB: two fit under the 8 MiB limit with their envelope, three do not.
    const ids = [3, 3, 3, 9, 1].map((mib) => addEvent({ pad: 'x'.repeat(mib * 1024 * 1024) }));
    const client = fakeClient((events) => acceptAll(events));
    expect(await pushAll(client, 10)).toEqual({ pushed: 5, rejected: 0, batches: 4 });
    expect(sentIds(client)).toEqual([ids.slice(0, 2), [ids[2]], [ids[3]], [ids[4]]]);
    expect(client.bytes.slice(0, 2).every((b) => b <= MAX_PUSH_BYTES)).toBe(true);
    expect(client.bytes[2]! > MAX_PUSH_BYTES / 2).toBe(true);
  });

  it('fills a request up to the byte limit exactly, and not one byte past it', async () => {
    // An event's size on the wire, written out as the push request's schema has it (not by push.ts's own code).
    const wireBytes = (id: string, pad: number) =>
      Buffer.byteLength(
        JSON.stringify({
          id,
          type: 'sale.completed',
          payload: { pad: 'x'.repeat(pad) },
          staffId: 'stf-1',
          deviceId: device.deviceId,
          storeId: 'loc-S001',
          occurredAt: NOW.toISOString(),
        }),
      );
    /** Two events whose wire forms, a comma each and the envelope's allowance come to MAX_PUSH_BYTES + `over`. */
    const twoEvents = (over: number) => {
      const [a, b] = [newId(), newId()];
      const padA = 4 * 1024 * 1024;
      const padB = MAX_PUSH_BYTES + over - ENVELOPE_BYTES - (wireBytes(a, padA) + 1) - (wireBytes(b, 0) + 1);
      return [addEvent({ pad: 'x'.repeat(padA) }, 'sale.completed', a), addEvent({ pad: 'x'.repeat(padB) }, 'sale.completed', b)];
    };
    const client = fakeClient((events) => acceptAll(events));
    const exact = twoEvents(0);
    expect(await pushAll(client, 10)).toEqual({ pushed: 2, rejected: 0, batches: 1 });
    // The real body, envelope included, is within HQ's limit and takes up all but the allowance.
    expect(client.bytes[0]).toBeLessThanOrEqual(MAX_PUSH_BYTES);
    expect(client.bytes[0]).toBeGreaterThan(MAX_PUSH_BYTES - ENVELOPE_BYTES);
    const past = twoEvents(1);
    expect(await pushAll(client, 10)).toEqual({ pushed: 2, rejected: 0, batches: 2 });
    expect(sentIds(client)).toEqual([exact, [past[0]], [past[1]]]);
  });

  it('asks HQ about reported dead letters only, and takes off its list only those HQ now holds', async () => {
    const outbox = deviceOutbox(device.store.db);
    const reject = (events: { id: string }[]) =>
      events.map((e): PushResult => ({ id: e.id, status: 'rejected', reason: 'foreign_staff', message: 'not of this store' }));
    const resolvedByHq: string[][] = [];
    const client = fakeClient(reject);
    const post = client.post.bind(client);
    client.post = (path, body, schema) =>
      path.endsWith('/push') || !('items' in (body as object)) || resolvedByHq.length === 0
        ? post(path, body, schema)
        : (client.bodies.push(body), Promise.resolve(schema.parse({ recorded: 0, resolved: resolvedByHq.shift() })));
    // Nothing reported yet: no request at all.
    expect(await recheckDeadLetters(outbox, client)).toBe(0);
    expect(client.bodies).toEqual([]);
    // Two dead letters, reported; a third rejected later, not reported yet.
    const ids = addEvents(2);
    await pushAll(client, 2);
    expect(await reportDeadLetters(outbox, client, () => NOW)).toBe(2);
    const late = addEvents(1);
    await pushAll(client, 2);
    // HQ holds the first again, and names the unreported one too: only the first leaves the list.
    resolvedByHq.push([ids[0]!, late[0]!]);
    const asked = client.bodies.length;
    expect(await recheckDeadLetters(outbox, client)).toBe(1);
    expect((client.bodies[asked] as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([ids[0], ids[1]]);
    // An HQ that answers without the list (an older one) takes nothing off.
    expect(await recheckDeadLetters(outbox, client)).toBe(0);
    const left = device.store.db.prepare('SELECT id FROM dead_letter ORDER BY id').all() as { id: string }[];
    expect(left.map((r) => r.id)).toEqual([ids[1], late[0]].sort());
  });

  it('ignores answers for events it did not send, and keeps the outbox when HQ fails', async () => {
    addEvents(2);
    const stranger = '01900000-0000-7000-8000-000000000000';
    const liar = fakeClient(() => [{ id: stranger, status: 'accepted' }]);
    expect(
      await pushOutbox({
        outbox: deviceOutbox(device.store.db),
        client: liar,
        deviceId: device.deviceId,
        storeId: 'loc-S001',
        clock: () => NOW,
      }),
    ).toEqual({ pushed: 0, rejected: 0, batches: 1 });
    expect(pendingCount(device.store.db)).toBe(2);
    const down: SignedClient = { post: () => Promise.reject(new HqRequestError('network', null, 'down')) };
    await expect(
      pushOutbox({ outbox: deviceOutbox(device.store.db), client: down, deviceId: device.deviceId, storeId: 'loc-S001', clock: () => NOW }),
    ).rejects.toThrow('down');
    expect(pendingCount(device.store.db)).toBe(2);
  });
});
