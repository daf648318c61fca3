import Database from 'better-sqlite3-multiple-ciphers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAtMarker } from '../../sync/faults/kill-at-marker.js';
import { tempDir } from '../testing/temp-dir.js';
import { fileKeyStore } from './key-store.js';
import { openStore } from './open-store.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { deviceOutbox, pendingCount, readOutbox, writeChange } from './outbox.js';
import { UUID_RE, uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { outboxEventSchema } from '../../sync/protocol/events/index.js';
import { untypedChange } from '../testing/untyped-change.js';

const child = fileURLToPath(new URL('../testing/outbox-crash-child.ts', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const paths = () => ({ db: join(dir.path, 'shopfloor.db'), key: join(dir.path, 'store.key') });
const open = () => openStore({ path: paths().db, keyStore: fileKeyStore(paths().key) });

/** Starts the child in `mode`, waits for `marker`, then SIGKILLs it `afterMs` later. */
const killAfter = (mode: 'loop' | 'pause' | 'before-outbox', marker: string, afterMs: number) =>
  killAtMarker(child, [paths().db, paths().key, mode], marker, afterMs, { timeoutMs: 30_000 });

/** Every domain row has its event and every event its row. */
function domainAndOutbox() {
  const store = open();
  const keys = (store.db.prepare("SELECT key FROM meta WHERE key LIKE 'change:%'").all() as { key: string }[]).map((r) => r.key).sort();
  const events = readOutbox(store.db, 1_000_000);
  store.close();
  return { keys, eventKeys: events.map((e) => (e.payload as { key: string }).key).sort(), events };
}

describe('writeChange', () => {
  it('writes the effect and a well-formed outbox event together', () => {
    const store = open();
    const times = [Date.UTC(2026, 10, 22, 8, 0, 0)];
    const ctx = {
      db: store.db,
      newId: uuidv7Generator(() => times[0]!),
      clock: () => new Date(times[0]!),
      deviceId: 'dev-1',
      storeId: 'loc-S001',
    };
    const { result, event } = writeChange(
      ctx,
      untypedChange('test.changed', { n: 1 }, 'stf-1'),
      (db) => db.prepare("INSERT INTO meta (key, value) VALUES ('a', 'b')").run().changes,
    );
    expect(result).toBe(1);
    expect(event.id).toMatch(UUID_RE);
    expect(readOutbox(store.db, 10)).toEqual([event]);
    expect(outboxEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'test.changed',
      staffId: 'stf-1',
      deviceId: 'dev-1',
      storeId: 'loc-S001',
      occurredAt: '2026-11-22T08:00:00.000Z',
    });
    store.close();
  });

  it('writes neither when the effect fails', () => {
    const store = open();
    const ctx = { db: store.db, newId: uuidv7Generator(), clock: () => new Date(), deviceId: 'dev-1', storeId: 'loc-S001' };
    expect(() =>
      writeChange(ctx, untypedChange('test.changed', {}, null), (db) => {
        db.prepare("INSERT INTO meta (key, value) VALUES ('a', 'b')").run();
        throw new Error('effect failed');
      }),
    ).toThrow('effect failed');
    expect(pendingCount(store.db)).toBe(0);
    expect(store.db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'a'").get()).toEqual({ n: 0 });
    store.close();
  });

  it('leaves neither when the process is killed inside the transaction', async () => {
    open().close();
    expect(await killAfter('pause', 'in-transaction', 0)).toBe('SIGKILL');
    const { keys, events } = domainAndOutbox();
    expect(keys).toEqual([]);
    expect(events).toEqual([]);
  });

  it('leaves neither when killed after the effect and before its outbox row is written', async () => {
    open().close();
    expect(await killAfter('before-outbox', 'before-outbox', 0)).toBe('SIGKILL');
    const { keys, eventKeys } = domainAndOutbox();
    // The effect ran (the pause is at the outbox insert, after it) yet did not outlive the kill:
    // effect and event commit together, or an effect without its event would be left here.
    expect(keys).toEqual([]);
    expect(eventKeys).toEqual([]);
  });

  it('leaves both or neither for every change when killed at random moments of a write loop', async () => {
    open().close();
    let total = 0;
    for (const afterMs of [5, 37, 111, 260]) {
      expect(await killAfter('loop', 'started', afterMs)).toBe('SIGKILL');
      const { keys, eventKeys } = domainAndOutbox();
      expect(eventKeys).toEqual(keys);
      expect(keys.length).toBeGreaterThanOrEqual(total);
      total = keys.length;
    }
    // The loop really was writing when it died (otherwise the test proves nothing).
    expect(total).toBeGreaterThan(0);
  });
});

describe('settling HQ’s answers', () => {
  it('zeroes what a settled customer event leaves in the file, and lets sales go without rewriting the pages they free', () => {
    // Unencrypted, so that the test can read the file; zeroing on, as SQLCipher has it on the store.
    const path = join(dir.path, 'plain.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('secure_delete = ON');
      migrate(db, migrations);
      const ctx = { db, newId: uuidv7Generator(), clock: () => new Date(), deviceId: 'dev-1', storeId: 'loc-S001' };
      const pad = 'x'.repeat(1_500);
      // The notes first, then the sales: each settle frees whole pages of its own kind, which only zeroing rewrites.
      for (let i = 0; i < 200; i++) {
        const [type, marker] = i < 100 ? ['customer.note_added', 'NOTE-BODY-'] : ['sale.completed', 'SALE-ITEM-'];
        writeChange(ctx, untypedChange(type, { text: `${marker}${i}`, pad }, 'stf-1'), () => undefined);
      }
      /** WAL frames written since the last call, the file then checkpointed whole (the WAL emptied). */
      const framesWritten = () => {
        const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
        db.pragma('wal_checkpoint(TRUNCATE)');
        return log;
      };
      const inFile = (marker: string) => readFileSync(path).includes(marker);
      framesWritten();
      expect(inFile('NOTE-BODY-')).toBe(true);

      const outbox = deviceOutbox(db);
      const sent = outbox.oldest(1_000);
      const settle = (type: string) => {
        const these = sent.filter((e) => e.type === type);
        outbox.settle(
          these,
          these.map((e) => ({ id: e.id, status: 'accepted' as const })),
          new Date().toISOString(),
        );
        return framesWritten();
      };
      const notes = settle('customer.note_added');
      const sales = settle('sale.completed');
      expect(outbox.pendingCount()).toBe(0);
      // A customer's note leaves no readable trace in the file's free pages.
      expect(inFile('NOTE-BODY-')).toBe(false);
      // The sales' pages freed whole were not rewritten with zeros: the same number of rows of the
      // same size took a fraction of the writes (the sale rows keep what those pages held).
      expect(sales * 4).toBeLessThan(notes);
      // …and the store zeroes again after them, also in a batch of both.
      expect(db.pragma('secure_delete', { simple: true })).toBe(1);
      writeChange(ctx, untypedChange('customer.note_added', { text: 'NOTE-AGAIN', pad }, 'stf-1'), () => undefined);
      writeChange(ctx, untypedChange('sale.completed', { text: 'SALE-AGAIN', pad }, 'stf-1'), () => undefined);
      framesWritten();
      const both = outbox.oldest(10);
      outbox.settle(
        both,
        both.map((e) => ({ id: e.id, status: 'accepted' as const })),
        new Date().toISOString(),
      );
      framesWritten();
      expect(inFile('NOTE-AGAIN')).toBe(false);
    } finally {
      db.close();
    }
  });
});

describe('uuidv7', () => {
  it('makes strictly increasing ids within one millisecond and across a clock step back', () => {
    const ms = [1_000_000, 1_000_000, 1_000_000, 999_000, 1_000_001];
    let i = 0;
    const next = uuidv7Generator(() => ms[Math.min(i++, ms.length - 1)]!);
    const ids = Array.from({ length: 5 }, () => next());
    for (const id of ids) expect(id).toMatch(UUID_RE);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(5);
  });
});
