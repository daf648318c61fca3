import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError, checkpointOffThread } from '../../main/store/checkpoint-worker.js';
import type { CheckpointResult } from '../../main/store/checkpoint-worker.js';
import { fileKeyStore } from '../../main/store/key-store.js';
import { openStore } from '../../main/store/open-store.js';
import { tempDir } from '../../main/testing/temp-dir.js';
import { deviceOutbox } from '../../main/store/outbox.js';
import { ApplyStatements } from './apply.js';
import type { WirePage } from './apply.js';
import { checkpointsDone, OFF_THREAD_CHECKPOINT_ROWS, pullAll, withCheckpointsDeferred } from './pull.js';
import { HqRequestError } from './signed-http.js';
import type { SignedClient } from './signed-http.js';
import { NOW, sku, style } from './testing/page-fixture.js';
import { testDevice } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';

const ROWS = 5_000;

describe("a provisioning's checkpoint off the till's thread", () => {
  let device: TestDevice;
  const cleanups: (() => void)[] = [];
  beforeEach(() => {
    device = testDevice();
    device.store.db.exec('CREATE TABLE probe (n INTEGER PRIMARY KEY, pad BLOB)');
  });
  afterEach(async () => {
    for (const open of gates.splice(0)) open();
    await checkpointsDone(device.store.db);
    device.cleanup();
    for (const c of cleanups.splice(0)) c();
  });

  const db = () => device.store.db;
  const autoCheckpoint = () => db().pragma('wal_autocheckpoint', { simple: true }) as number;
  const walBytes = () => statSync(join(device.dir, 'shopfloor.db-wal')).size;
  /** A provisioning's writes: thousands of WAL pages, in transactions. */
  const provision = async (from: number) => {
    const insert = db().prepare('INSERT INTO probe (n, pad) VALUES (?, randomblob(200))');
    db().transaction(() => {
      for (let n = from; n < from + ROWS; n++) insert.run(n);
    })();
    await Promise.resolve();
  };
  /** The probe rows in the database file alone: a copy of the file without its WAL, opened with the store's key. */
  const rowsInDatabaseFile = (): number => {
    const copy = tempDir('shopfloor-checkpoint-copy-');
    cleanups.push(copy.cleanup);
    copyFileSync(join(device.dir, 'shopfloor.db'), join(copy.path, 'shopfloor.db'));
    copyFileSync(join(device.dir, 'store.key'), join(copy.path, 'store.key'));
    const store = openStore({ path: join(copy.path, 'shopfloor.db'), keyStore: fileKeyStore(join(copy.path, 'store.key')) });
    try {
      const table = store.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'probe'").get();
      return table ? (store.db.prepare('SELECT count(*) AS n FROM probe').get() as { n: number }).n : 0;
    } finally {
      store.close();
    }
  };
  /** The store's checkpoint off the thread, started only once the test lets it (afterEach lets every one). */
  const gates: (() => void)[] = [];
  const gated = () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    gates.push(open);
    let started = false;
    let finished: Promise<unknown> = gate;
    return {
      run: () => {
        finished = gate.then(() => {
          started = true;
          return device.store.checkpointOffThread();
        });
        return finished;
      },
      open: () => open(),
      started: () => started,
      finished: () => finished,
    };
  };

  it('is done after the provisioning is; checkpoints stay held off until then, and the pages end up in the database file', async () => {
    const checkpoint = gated();
    await withCheckpointsDeferred(db(), () => provision(0), checkpoint.run);
    // The provisioning is over and its checkpoint has not run: nothing of it is in the file yet.
    expect(checkpoint.started()).toBe(false);
    expect(autoCheckpoint()).toBe(0);
    expect(rowsInDatabaseFile()).toBe(0);
    // The till sells meanwhile: a commit goes to the WAL as ever.
    db().prepare('INSERT INTO probe (n) VALUES (?)').run(ROWS);
    checkpoint.open();
    await checkpointsDone(db());
    expect(autoCheckpoint()).toBe(1000);
    expect(rowsInDatabaseFile()).toBe(ROWS + 1);
    // The worker's checkpoint, not the thread's (which would have truncated the WAL).
    expect(walBytes()).toBeGreaterThan(0);
  });

  it('runs here when the worker found the checkpoint lock taken (it did nothing)', async () => {
    await withCheckpointsDeferred(
      db(),
      () => provision(0),
      () => Promise.resolve({ busy: 1, log: -1, checkpointed: -1 }),
    );
    await checkpointsDone(db());
    expect(walBytes()).toBe(0);
    expect(rowsInDatabaseFile()).toBe(ROWS);
    expect(autoCheckpoint()).toBe(1000);
  });

  it('nests: a second provisioning while the first checkpoint runs; the setting from before comes back once both are done', async () => {
    db().pragma('wal_autocheckpoint = 500');
    const first = gated();
    const second = gated();
    await withCheckpointsDeferred(db(), () => provision(0), first.run);
    await withCheckpointsDeferred(db(), () => provision(ROWS), second.run);
    // The first one's checkpoint is done, the second one's is not: still held off.
    first.open();
    await first.finished();
    // Its hold ends a few turns after the worker's answer.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(autoCheckpoint()).toBe(0);
    second.open();
    await checkpointsDone(db());
    expect(autoCheckpoint()).toBe(500);
    expect(rowsInDatabaseFile()).toBe(2 * ROWS);
  });

  it('runs here when it fails off the thread: the WAL is checkpointed and truncated, and the setting comes back', async () => {
    await withCheckpointsDeferred(
      db(),
      () => provision(0),
      () => Promise.reject(new CheckpointError('no worker here')),
    );
    await checkpointsDone(db());
    expect(autoCheckpoint()).toBe(1000);
    expect(walBytes()).toBe(0);
    expect(rowsInDatabaseFile()).toBe(ROWS);
  });

  it('without a checkpoint off the thread, runs it here before the provisioning is done (as before)', async () => {
    await withCheckpointsDeferred(db(), () => provision(0));
    expect(autoCheckpoint()).toBe(1000);
    expect(walBytes()).toBe(0);
    expect(rowsInDatabaseFile()).toBe(ROWS);
  });

  it('ends the hold without a checkpoint when what was done is not worth one', async () => {
    const offThread = vi.fn(() => device.store.checkpointOffThread());
    await withCheckpointsDeferred(
      db(),
      () => provision(0),
      offThread,
      () => false,
    );
    expect(offThread).not.toHaveBeenCalled();
    expect(autoCheckpoint()).toBe(1000);
    expect(rowsInDatabaseFile()).toBe(0);
  });

  it(`gives the worker an incremental pull's checkpoint from ${OFF_THREAD_CHECKPOINT_ROWS} rows on; a smaller pull's is SQLite's as before`, async () => {
    // HQ's answers, one per request: each pull gets its page, then an empty drained one.
    const answers: WirePage[][] = [];
    let xid = 10;
    const skuPage = (n: number, price: number): WirePage => ({
      scope: 'brand:SF',
      cursor: `${xid++}:0:`,
      more: false,
      sets: [
        { kind: 'style', rows: [style('ST1')], deletes: [] },
        {
          kind: 'sku',
          rows: Array.from({ length: n }, (_, i) => sku(`SF-${i}`, 'ST1', String(6_900_000_000_000 + i), price)),
          deletes: [],
        },
      ],
    });
    const client: SignedClient = {
      post: (_path, _body, schema) => Promise.resolve(schema.parse({ pages: answers.shift() ?? [], serverTime: NOW })),
    };
    const offThread = vi.fn(() => device.store.checkpointOffThread());
    const st = new ApplyStatements(db(), deviceOutbox(db()));
    const pull = (page: WirePage) => {
      answers.push([page]);
      return pullAll({ st, client, scopes: ['brand:SF'], storeId: 'loc-S001', clock: () => new Date(NOW), checkpoint: offThread });
    };
    const down: SignedClient = { post: () => Promise.reject(new HqRequestError('network', null, 'down')) };
    const pullFrom = (c: SignedClient, checkpoint?: () => Promise<unknown>) =>
      pullAll({ st, client: c, scopes: ['brand:SF'], storeId: 'loc-S001', clock: () => new Date(NOW), checkpoint });
    // A provisioning that got nothing (HQ unreachable): no checkpoint, no worker.
    await expect(pullFrom(down, offThread)).rejects.toThrow(/down/);
    expect(offThread).not.toHaveBeenCalled();
    // Provisioning, however small: the worker.
    expect(await pull(skuPage(10, 29900))).toMatchObject({ provisioning: true, rows: 11 });
    expect(offThread).toHaveBeenCalledTimes(1);
    await checkpointsDone(db());
    // Deletes count: 449 rows and 51 deletes (of SKUs that are not there: a delete is a delete).
    const mixed = skuPage(OFF_THREAD_CHECKPOINT_ROWS - 52, 19900);
    const skus = mixed.sets[1] as WirePage['sets'][number];
    mixed.sets[1] = { ...skus, deletes: Array.from({ length: 51 }, (_, i) => [`GONE-${i}`]) };
    expect(await pull(mixed)).toMatchObject({ provisioning: false, rows: OFF_THREAD_CHECKPOINT_ROWS - 51 });
    expect(offThread).toHaveBeenCalledTimes(2);
    // Held off until the worker is done, then back.
    expect(autoCheckpoint()).toBe(0);
    await checkpointsDone(db());
    expect(autoCheckpoint()).toBe(1000);
    expect(await pull(skuPage(OFF_THREAD_CHECKPOINT_ROWS - 2, 9900))).toMatchObject({
      provisioning: false,
      rows: OFF_THREAD_CHECKPOINT_ROWS - 1,
    });
    expect(offThread).toHaveBeenCalledTimes(2);
    expect(autoCheckpoint()).toBe(1000);
    // A pull that fails before it applied anything (HQ unreachable, a till offline for hours, every
    // backoff): no worker, no key read again.
    await expect(pullFrom(down, offThread)).rejects.toThrow(/down/);
    expect(offThread).toHaveBeenCalledTimes(2);
    expect(autoCheckpoint()).toBe(1000);
    // Without a worker, a large pull is SQLite's as before: no hold, no checkpoint of the pull's own
    // (a TRUNCATE here would have emptied the WAL file).
    answers.push([skuPage(OFF_THREAD_CHECKPOINT_ROWS, 8900)]);
    expect(await pullFrom(client)).toMatchObject({ rows: OFF_THREAD_CHECKPOINT_ROWS + 1 });
    expect(walBytes()).toBeGreaterThan(0);
    expect(offThread).toHaveBeenCalledTimes(2);
  });

  it('runs one worker at a time: checkpoints asked for back to back each copy the whole log, none finds the lock taken', async () => {
    const results: CheckpointResult[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const offThread = async () => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      try {
        const result = await device.store.checkpointOffThread();
        results.push(result);
        return result;
      } finally {
        running--;
      }
    };
    for (let n = 0; n < 3; n++) await withCheckpointsDeferred(db(), () => provision(n * ROWS), offThread);
    await checkpointsDone(db());
    expect(results).toHaveLength(3);
    expect(mostAtOnce).toBe(1);
    for (const r of results) expect(r).toEqual({ busy: 0, log: r.log, checkpointed: r.log });
    expect(rowsInDatabaseFile()).toBe(3 * ROWS);
    expect(autoCheckpoint()).toBe(1000);
  });

  it('says why when the worker cannot checkpoint: a wrong key, a missing file (not created)', async () => {
    await provision(0);
    const path = join(device.dir, 'shopfloor.db');
    const wrongKey = [`cipher = 'sqlcipher'`, 'legacy = 4', `key = "x'${'00'.repeat(32)}'"`];
    await expect(checkpointOffThread(path, wrongKey)).rejects.toThrow(CheckpointError);
    await expect(checkpointOffThread(path, wrongKey)).rejects.toMatchObject({ name: 'CheckpointError' });
    await expect(checkpointOffThread(path, wrongKey)).rejects.toThrow(/not a database/);
    const missing = join(device.dir, 'gone.db');
    await expect(checkpointOffThread(missing, wrongKey)).rejects.toThrow(/gone\.db failed: unable to open/);
    expect(existsSync(missing)).toBe(false);
    // A worker that does not answer in time is ended, and says so.
    await expect(checkpointOffThread(path, wrongKey, 1)).rejects.toThrow(/ran past 1 ms/);
    // The store's own checkpoint, with its key, copies every frame of the WAL.
    const result = await device.store.checkpointOffThread();
    expect(result.log).toBeGreaterThan(0);
    expect(result).toEqual({ busy: 0, log: result.log, checkpointed: result.log });
  });
});
