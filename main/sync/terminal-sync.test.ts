import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartState, DeadLetterView, EventFrame, Result, SaleResult, SaleView, SyncState, TillState } from '../api/contract.js';
import { openTerminal } from '../app/terminal.js';
import type { Terminal } from '../app/terminal-types.js';
import { deviceShortCode } from '../checkout/receipt-number.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { tempDir } from '../testing/temp-dir.js';
import { sampleSeeder } from '../../fixtures/sample-seeder.js';
import type { HqDb } from '../../sync/hq/db.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../../sync/hq/testing/test-hq.js';
import type { TestHq } from '../../sync/hq/testing/test-hq.js';
import { enrolStoreIfNeeded } from './enrol-store.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { startChaosProxy } from '../../sync/testing/chaos-proxy.js';

const call = { transport: 'test' as const, connectionId: 't' };
const newId = uuidv7Generator();
// The seed a standalone start would load: an enrolled device must not get it.
const SEED = { skus: 500, customers: 10 };
const HQ_SKUS = 60;

let db: HqDb;
let hq: TestHq;
beforeAll(async () => {
  db = await openTestHqDb({ skus: HQ_SKUS, customers: 20 });
  hq = await startTestHq(db);
}, 180_000);
afterAll(async () => {
  // Keep-alive connections (the device's and this test's fetch) would hold HQ's close for a minute.
  hq.app.server.closeAllConnections();
  await hq.close();
  await db.close();
});

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function open(dataDir: string): Terminal {
  return openTerminal({
    dataDir,
    keyStore: fileKeyStore(join(dataDir, 'store.key')),
    appVersion: '0.0.0-test',
    log: () => undefined,
    seed: sampleSeeder(SEED),
  });
}

/** The next `sync.state` event that satisfies `ok` (or the current state, if it already does). */
function syncState(terminal: Terminal, ok: (s: SyncState) => boolean, what: string): Promise<SyncState> {
  const now = terminal.status();
  if (now.state === 'ready' && ok(now.sync)) return Promise.resolve(now.sync);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no sync.state with ${what} in 20 s`));
    }, 20_000);
    const off = terminal.events.subscribe((frame: EventFrame) => {
      if (frame.name !== 'sync.state' || !ok(frame.payload as SyncState)) return;
      clearTimeout(timer);
      off();
      resolve(frame.payload as SyncState);
    });
  });
}

describe('a device enrolled at HQ', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());
  const keyStore = () => fileKeyStore(join(dir.path, 'store.key'));
  const enrol = async (code: string) =>
    enrolStoreIfNeeded({
      dataDir: dir.path,
      keyStore: keyStore(),
      hqUrl: hq.url,
      code,
      appVersion: '0.0.0-test',
      hostname: 'test',
      newId,
      log: () => undefined,
    });
  let terminal: Terminal;

  it('enrols once, before the terminal opens; a later start does not use the code again', async () => {
    expect(await enrol(await hq.enrolment())).toBe('enrolled');
    // A spent code would be refused by HQ: a second start must not even send it.
    expect(await enrol('AAAA-BBBB-CCCC')).toBe('already_enrolled');
  });

  it('provisions its store from HQ instead of the sample seed, and comes online', async () => {
    terminal = open(dir.path);
    const state = await syncState(
      terminal,
      (s) => s.hq === 'online' && s.provisioning?.phase !== 'running' && s.lastSyncAt !== null,
      'online after provisioning',
    );
    expect(state.pendingEvents).toBe(0);
    const status = terminal.status();
    if (status.state !== 'ready') throw new Error('not ready');
    expect(status.store.id).toBe(TEST_STORE);
    expect(status.catalog.skus).toBe(HQ_SKUS);
    expect(value<SyncState>(await terminal.dispatch('sync', 'state', {}, call)).hq).toBe('online');
  });

  it('numbers receipts with the receipt code HQ assigned', async () => {
    const [device] = await db.query<{ receipt_code: string }>('SELECT receipt_code FROM device');
    const store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: keyStore() });
    try {
      expect(deviceShortCode(store.db, 'ffffffff-ffff-7fff-bfff-ffffffffffff')).toBe(device!.receipt_code.padStart(4, '0'));
    } finally {
      store.close();
    }
  });

  it('keeps an event HQ rejects on the dead-letter list, reported to HQ', async () => {
    const [stranger] = await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id <> $1 LIMIT 1', [TEST_STORE]);
    const store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore: keyStore() });
    const eventId = newId();
    try {
      const meta = (key: string) => (store.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string }).value;
      store.db
        .prepare('INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(
          eventId,
          'cash.paid_in',
          JSON.stringify({ id: newId(), sessionId: newId(), amountFen: 100, reason: 'test', approvedBy: null }),
          stranger!.id,
          meta('device_id'),
          meta('store_id'),
          new Date().toISOString(),
        );
    } finally {
      store.close();
    }
    const after = value<SyncState>(await terminal.dispatch('sync', 'syncNow', {}, call));
    expect(after.pendingEvents).toBe(0);
    expect(after.deadLetters).toBe(1);
    const { items } = value<{ items: DeadLetterView[] }>(await terminal.dispatch('sync', 'deadLetters', {}, call));
    expect(items).toEqual([expect.objectContaining({ id: eventId, type: 'cash.paid_in', reason: 'foreign_staff' })]);
    // Reporting happens in the same round or the next one.
    const reported = async () =>
      value<{ items: DeadLetterView[] }>(await terminal.dispatch('sync', 'deadLetters', {}, call)).items[0]?.reported;
    if (!(await reported())) await terminal.dispatch('sync', 'syncNow', {}, call);
    expect(await reported()).toBe(true);
  });

  it('shows a revocation by IT as soon as HQ says so', async () => {
    const [device] = await db.query<{ id: string }>('SELECT id::text AS id FROM device');
    const revoked = syncState(terminal, (s) => s.hq === 'revoked', 'revoked');
    expect((await hq.admin('POST', `/admin/v1/devices/${device!.id}/revoke`)).status).toBe(200);
    // The live channel carries it; a sync round would find out too.
    await Promise.race([revoked, terminal.dispatch('sync', 'syncNow', {}, call)]);
    expect((await revoked).hq).toBe('revoked');
    terminal.close();
  });
});

describe('a device online and offline', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  /** The sale's `offline` column as the device stored it (a second connection; WAL lets it read beside the terminal's). */
  function offlineFlag(dataDir: string, saleId: string): number {
    const store = openStore({ path: join(dataDir, 'shopfloor.db'), keyStore: fileKeyStore(join(dataDir, 'store.key')), quickCheck: false });
    try {
      return (store.db.prepare('SELECT offline FROM sale WHERE id = ?').get(saleId) as { offline: number }).offline;
    } finally {
      store.close();
    }
  }

  /** Logs a cashier in, opens the till if needed, and sells one item for cash; answers the sale. */
  async function sellOne(terminal: Terminal, ean: string): Promise<SaleView> {
    await terminal.dispatch('staff', 'login', { code: 'S001-02', pin: demoPin('S001-02') }, call);
    const till = value<TillState>(await terminal.dispatch('cashup', 'state', {}, call));
    if (till.state === 'closed') value(await terminal.dispatch('cashup', 'open', { floatFen: 10_000 }, call));
    value(await terminal.dispatch('checkout', 'scan', { code: ean }, call));
    const cart = value<CartState>(await terminal.dispatch('checkout', 'cart', {}, call));
    value(await terminal.dispatch('checkout', 'addTender', { method: 'cash', givenFen: cart.totals.dueFen }, call));
    return value<SaleResult>(await terminal.dispatch('checkout', 'complete', {}, call)).sale;
  }

  it('records a sale made while HQ answers as online, one made while HQ is unreachable as offline, on the device and at HQ', async () => {
    const upstream = { host: '127.0.0.1', port: Number(new URL(hq.url).port) };
    let proxy = await startChaosProxy({ upstream });
    const code = await hq.enrolment();
    expect(
      await enrolStoreIfNeeded({
        dataDir: dir.path,
        keyStore: fileKeyStore(join(dir.path, 'store.key')),
        hqUrl: proxy.url,
        code,
        appVersion: '0.0.0-test',
        hostname: 'test',
        newId,
        log: () => undefined,
      }),
    ).toBe('enrolled');
    const terminal = openTerminal({
      dataDir: dir.path,
      keyStore: fileKeyStore(join(dir.path, 'store.key')),
      appVersion: '0.0.0-test',
      log: () => undefined,
    });
    try {
      await syncState(terminal, (s) => s.hq === 'online' && s.provisioning?.phase !== 'running' && s.lastSyncAt !== null, 'online');
      const [sku] = await db.query<{ ean: string }>(
        'SELECT s.ean FROM sku s JOIN stock k ON k.sku = s.sku AND k.location_id = $1 WHERE s.active ORDER BY s.sku LIMIT 1',
        [TEST_STORE],
      );
      // Online: a mobile payment code could be charged, so the sale is not an offline one.
      const online = await sellOne(terminal, sku!.ean);
      expect(offlineFlag(dir.path, online.saleId)).toBe(0);

      // HQ unreachable: the next round finds out, and the till says so on the sale.
      const port = proxy.port;
      await proxy.close();
      await terminal.dispatch('sync', 'syncNow', {}, call);
      await syncState(terminal, (s) => s.hq === 'offline', 'offline');
      const offline = await sellOne(terminal, sku!.ean);
      expect(offlineFlag(dir.path, offline.saleId)).toBe(1);

      // Back online: both sales reach HQ with the flag they were made with.
      proxy = await startChaosProxy({ upstream, port });
      await syncState(terminal, (s) => s.hq === 'online' && s.pendingEvents === 0, 'online and drained');
      // HQ answered once it recorded the sales; its projector writes them after.
      await hq.projector.settled();
      const rows = await db.query<{ id: string; offline: boolean }>(
        'SELECT id, offline FROM sale WHERE id = ANY($1::text[]) ORDER BY created_at',
        [[online.saleId, offline.saleId]],
      );
      expect(rows).toEqual([
        { id: online.saleId, offline: false },
        { id: offline.saleId, offline: true },
      ]);
    } finally {
      terminal.close();
      await proxy.close();
    }
  }, 60_000);
});

describe('a device never enrolled', () => {
  it('stays standalone: counts what waits, syncs nothing, has no dead letters', async () => {
    const dir = tempDir();
    const terminal = open(dir.path);
    try {
      const state = value<SyncState>(await terminal.dispatch('sync', 'syncNow', {}, call));
      expect(state).toMatchObject({ hq: 'not_configured', pendingEvents: 0, lastSyncAt: null });
      expect(value<{ items: DeadLetterView[] }>(await terminal.dispatch('sync', 'deadLetters', {}, call)).items).toEqual([]);
      const status = terminal.status();
      expect(status.state === 'ready' && status.catalog.skus).toBe(SEED.skus);
    } finally {
      terminal.close();
      dir.cleanup();
    }
  });

  it('refuses to enrol with a code HQ does not know, and stays unenrolled', async () => {
    const dir = tempDir();
    try {
      const attempt = enrolStoreIfNeeded({
        dataDir: dir.path,
        keyStore: fileKeyStore(join(dir.path, 'store.key')),
        hqUrl: hq.url,
        code: `ZZZZ-ZZZZ-ZZZZ@${hq.hqFingerprint}`,
        appVersion: '0',
        hostname: 't',
        newId,
        log: () => undefined,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'enrolment_invalid' });
      const terminal = open(dir.path);
      expect(terminal.status().state === 'ready' && terminal.status()).toMatchObject({ sync: { hq: 'not_configured' } });
      terminal.close();
    } finally {
      dir.cleanup();
    }
  });
});
