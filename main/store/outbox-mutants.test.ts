import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';
import { untypedChange } from '../testing/untyped-change.js';
import { fileKeyStore } from './key-store.js';
import { migrations } from './migrations/index.js';
import { openStore } from './open-store.js';
import type { Store } from './open-store.js';
import { deviceOutbox, pendingCount, readOutbox, writeChange } from './outbox.js';
import type { OutboxContext } from './outbox.js';
import type { StoredEvent } from '../../sync/protocol/events/index.js';
import type { PushResult } from '../../sync/protocol/push.js';

// The outbox's settle, dead-letter list and pending-stock queries, each behaviour pinned on a real
// encrypted store file: mutation testing (npm run mutation -- outbox) showed them untested here.

let dir: ReturnType<typeof tempDir>;
let store: Store;
let ctx: OutboxContext;
let tick: number;
beforeEach(() => {
  dir = tempDir();
  store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: fileKeyStore(join(dir.path, 'store.key')) });
  tick = 0;
  ctx = {
    db: store.db,
    newId: () => `evt-${String(++tick).padStart(3, '0')}`,
    clock: () => new Date(Date.UTC(2026, 10, 23, 1, 0, tick)),
    deviceId: 'dev-1',
    storeId: 'loc-S001',
  };
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

/** Writes `n` outbox events through writeChange (no effect) and returns them as the replicator reads them. */
function write(n: number, type = 'test.changed', payload: (i: number) => unknown = (i) => ({ i })): StoredEvent[] {
  for (let i = 0; i < n; i++) writeChange(ctx, untypedChange(type, payload(i), 'stf-1'), () => undefined);
  return deviceOutbox(store.db).oldest(1000);
}

const reject = (id: string, message = 'totals do not add up'): PushResult => ({
  id,
  status: 'rejected',
  reason: 'invalid_payload',
  message,
});

describe('deviceOutbox.settle', () => {
  it('removes accepted, duplicate and deferred events, dead-letters rejected ones as they were, keeps unanswered ones', () => {
    const sent = write(5);
    const outbox = deviceOutbox(store.db);
    const answer: PushResult[] = [
      { id: sent[0]!.id, status: 'accepted' },
      { id: sent[1]!.id, status: 'duplicate' },
      { id: sent[2]!.id, status: 'deferred', message: 'later' },
      reject(sent[3]!.id),
    ];
    expect(outbox.settle(sent, answer, '2026-11-23T02:00:00.000Z')).toEqual({ done: 4, rejected: 1 });
    expect(outbox.oldest(10)).toEqual([sent[4]]);
    expect(outbox.pendingCount()).toBe(1);
    expect(outbox.deadLetterCount()).toBe(1);
    const row = store.db.prepare('SELECT * FROM dead_letter').get();
    expect(row).toEqual({
      id: sent[3]!.id,
      type: 'test.changed',
      payload: '{"i":3}',
      staff_id: 'stf-1',
      device_id: 'dev-1',
      store_id: 'loc-S001',
      occurred_at: sent[3]!.occurredAt,
      reason: 'invalid_payload',
      message: 'totals do not add up',
      rejected_at: '2026-11-23T02:00:00.000Z',
      reported_at: null,
    });
  });

  it('ignores an answer for an event the batch did not carry, and a second answer for the same event', () => {
    const sent = write(3);
    const outbox = deviceOutbox(store.db);
    const answer: PushResult[] = [
      { id: 'evt-999', status: 'accepted' },
      { id: sent[2]!.id, status: 'accepted' },
      { id: sent[0]!.id, status: 'accepted' },
      reject(sent[0]!.id),
    ];
    // Only the first two events were in this batch: the third is waiting but was not sent.
    expect(outbox.settle(sent.slice(0, 2), answer, '2026-11-23T02:00:00.000Z')).toEqual({ done: 1, rejected: 0 });
    expect(outbox.oldest(10).map((e) => e.id)).toEqual([sent[1]!.id, sent[2]!.id]);
    expect(outbox.deadLetterCount()).toBe(0);
  });

  it('writes nothing when one answer cannot be applied: the whole answer is one transaction', () => {
    const sent = write(2);
    const outbox = deviceOutbox(store.db);
    store.db.exec(
      `CREATE TRIGGER no_delete BEFORE DELETE ON outbox WHEN old.id = '${sent[0]!.id}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    const answer: PushResult[] = [
      { id: sent[1]!.id, status: 'accepted' },
      { id: sent[0]!.id, status: 'accepted' },
    ];
    expect(() => outbox.settle([sent[1]!, sent[0]!], answer, '2026-11-23T03:00:00.000Z')).toThrow('disk full');
    expect(outbox.oldest(10)).toEqual(sent);
  });
});

describe('deviceOutbox dead letters', () => {
  /** Three rejected events, rejected at 02:00, 02:00 and 01:00 (the list orders by time, then id). */
  function threeDead(message = (i: number) => `bad ${i}`) {
    const sent = write(3);
    const outbox = deviceOutbox(store.db);
    outbox.settle(sent.slice(0, 2), [reject(sent[1]!.id, message(1)), reject(sent[0]!.id, message(0))], '2026-11-23T02:00:00.000Z');
    outbox.settle([sent[2]!], [reject(sent[2]!.id, message(2))], '2026-11-23T01:00:00.000Z');
    return { sent, outbox };
  }

  it('lists unreported ones oldest first with the event itself, then only those not marked reported', () => {
    const { sent, outbox } = threeDead();
    const unreported = outbox.unreported(10);
    expect(unreported.map((i) => i.id)).toEqual([sent[2]!.id, sent[0]!.id, sent[1]!.id]);
    expect(unreported[1]).toEqual({
      id: sent[0]!.id,
      type: 'test.changed',
      reason: 'invalid_payload',
      message: 'bad 0',
      occurredAt: sent[0]!.occurredAt,
      rejectedAt: '2026-11-23T02:00:00.000Z',
      event: {
        id: sent[0]!.id,
        type: 'test.changed',
        payload: { i: 0 },
        staffId: 'stf-1',
        deviceId: 'dev-1',
        storeId: 'loc-S001',
        occurredAt: sent[0]!.occurredAt,
      },
    });
    expect(outbox.unreported(1).map((i) => i.id)).toEqual([sent[2]!.id]);

    outbox.markReported([sent[2]!.id, sent[0]!.id], '2026-11-23T04:00:00.000Z');
    expect(outbox.unreported(10).map((i) => i.id)).toEqual([sent[1]!.id]);
    expect(outbox.reported(10)).toEqual([
      {
        id: sent[2]!.id,
        type: 'test.changed',
        reason: 'invalid_payload',
        message: 'bad 2',
        occurredAt: sent[2]!.occurredAt,
        rejectedAt: '2026-11-23T01:00:00.000Z',
      },
      {
        id: sent[0]!.id,
        type: 'test.changed',
        reason: 'invalid_payload',
        message: 'bad 0',
        occurredAt: sent[0]!.occurredAt,
        rejectedAt: '2026-11-23T02:00:00.000Z',
      },
    ]);
    expect(outbox.reported(1).map((i) => i.id)).toEqual([sent[2]!.id]);
    expect(store.db.prepare('SELECT reported_at FROM dead_letter WHERE id = ?').pluck().get(sent[0]!.id)).toBe('2026-11-23T04:00:00.000Z');
  });

  it('cuts the message HQ is told to 500 characters, and keeps it whole on the device list', () => {
    const long = (i: number) => `${'x'.repeat(499)}${i}yz`;
    const { sent, outbox } = threeDead(long);
    expect(outbox.unreported(10)[1]!.message).toBe(`${'x'.repeat(499)}0`);
    outbox.markReported([sent[0]!.id], '2026-11-23T04:00:00.000Z');
    expect(outbox.reported(10)[0]!.message).toBe(`${'x'.repeat(499)}0`);
    expect(outbox.deadLetters(10).find((d) => d.id === sent[0]!.id)!.message).toBe(long(0));
  });

  it('resolves only reported dead letters, and counts what it took off', () => {
    const { sent, outbox } = threeDead();
    outbox.markReported([sent[0]!.id], '2026-11-23T04:00:00.000Z');
    expect(outbox.resolve([sent[0]!.id, sent[1]!.id, 'evt-999'])).toBe(1);
    expect(outbox.deadLetterCount()).toBe(2);
    expect(outbox.deadLetters(10).map((d) => d.id)).toEqual([sent[1]!.id, sent[2]!.id]);
    expect(outbox.resolve([])).toBe(0);
  });

  it('lists the dead letters newest first, reported or not, up to the limit', () => {
    const { sent, outbox } = threeDead();
    outbox.markReported([sent[1]!.id], '2026-11-23T04:00:00.000Z');
    expect(outbox.deadLetters(10)).toEqual([
      {
        id: sent[1]!.id,
        type: 'test.changed',
        reason: 'invalid_payload',
        message: 'bad 1',
        occurredAt: sent[1]!.occurredAt,
        rejectedAt: '2026-11-23T02:00:00.000Z',
        reported: true,
      },
      {
        id: sent[0]!.id,
        type: 'test.changed',
        reason: 'invalid_payload',
        message: 'bad 0',
        occurredAt: sent[0]!.occurredAt,
        rejectedAt: '2026-11-23T02:00:00.000Z',
        reported: false,
      },
      {
        id: sent[2]!.id,
        type: 'test.changed',
        reason: 'invalid_payload',
        message: 'bad 2',
        occurredAt: sent[2]!.occurredAt,
        rejectedAt: '2026-11-23T01:00:00.000Z',
        reported: false,
      },
    ]);
    expect(outbox.deadLetters(2).map((d) => d.id)).toEqual([sent[1]!.id, sent[0]!.id]);
  });

  it('marks a batch of reports in one transaction', () => {
    const { sent, outbox } = threeDead();
    store.db.exec(
      `CREATE TRIGGER no_mark BEFORE UPDATE ON dead_letter WHEN new.id = '${sent[1]!.id}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    expect(() => outbox.markReported([sent[0]!.id, sent[1]!.id], '2026-11-23T04:00:00.000Z')).toThrow('disk full');
    expect(outbox.unreported(10)).toHaveLength(3);
  });
});

describe('a store from before the sync migration (no dead-letter list)', () => {
  // The migrations before 0004-create-sync, which made the dead-letter list.
  const NO_SYNC = migrations.findIndex((m) => m.version === 4);

  it('opens, counts and lists no dead letters, and refuses to settle or mark with a clear error', () => {
    const old = tempDir();
    const s = openStore({
      path: join(old.path, 'old.db'),
      keyStore: fileKeyStore(join(old.path, 'store.key')),
      migrations: migrations.slice(0, NO_SYNC),
    });
    try {
      const outbox = deviceOutbox(s.db);
      expect(outbox.deadLetterCount()).toBe(0);
      expect(outbox.deadLetters(10)).toEqual([]);
      expect(outbox.unreported(10)).toEqual([]);
      expect(outbox.reported(10)).toEqual([]);
      const error = 'this store has no dead-letter list (the sync migration has not run)';
      expect(() => outbox.settle([], [], '2026-11-23T02:00:00.000Z')).toThrow(error);
      expect(() => outbox.markReported([], '2026-11-23T02:00:00.000Z')).toThrow(error);
      expect(() => outbox.resolve([])).toThrow(error);
    } finally {
      s.close();
      old.cleanup();
    }
  });
});

describe('deviceOutbox pending stock and other stores', () => {
  const sale = (storeLines: { sku: string | null; qty: number }[]) => ({ lines: storeLines });

  it("sums the unpushed sales' quantities per SKU at this store only, returns negative, drops zeros and lines without a SKU", () => {
    write(1, 'sale.completed', () =>
      sale([
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
        { sku: null, qty: 4 },
      ]),
    );
    write(1, 'sale.completed', () =>
      sale([
        { sku: 'A', qty: 3 },
        { sku: 'B', qty: -1 },
        { sku: 'C', qty: -2 },
      ]),
    );
    write(1, 'test.changed', () => sale([{ sku: 'A', qty: 100 }]));
    ctx = { ...ctx, storeId: 'loc-S002' };
    write(1, 'sale.completed', () => sale([{ sku: 'A', qty: 50 }]));
    const outbox = deviceOutbox(store.db);
    expect(outbox.pendingStock('loc-S001')).toEqual(
      new Map([
        ['A', 5],
        ['C', -2],
      ]),
    );
    expect(outbox.pendingStock('loc-S002')).toEqual(new Map([['A', 50]]));
    expect(outbox.pendingStock('loc-S003')).toEqual(new Map());
  });

  it('counts the waiting events of other stores', () => {
    write(2);
    ctx = { ...ctx, storeId: 'loc-S002' };
    write(3);
    const outbox = deviceOutbox(store.db);
    expect(outbox.pendingOutside('loc-S001')).toBe(3);
    expect(outbox.pendingOutside('loc-S002')).toBe(2);
    expect(outbox.pendingOutside('loc-S009')).toBe(5);
    expect(outbox.pendingCount()).toBe(5);
    expect(pendingCount(store.db)).toBe(5);
  });

  it('reads the waiting events oldest first, payloads parsed, up to the limit', () => {
    write(3);
    expect(readOutbox(store.db, 2)).toEqual([
      {
        id: 'evt-001',
        type: 'test.changed',
        payload: { i: 0 },
        staffId: 'stf-1',
        deviceId: 'dev-1',
        storeId: 'loc-S001',
        occurredAt: '2026-11-23T01:00:01.000Z',
      },
      {
        id: 'evt-002',
        type: 'test.changed',
        payload: { i: 1 },
        staffId: 'stf-1',
        deviceId: 'dev-1',
        storeId: 'loc-S001',
        occurredAt: '2026-11-23T01:00:02.000Z',
      },
    ]);
  });
});
