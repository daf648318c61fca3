/**
 * Test harness for checkout: a real encrypted store with the sample data, the till's services
 * with injected peripherals, gateway, online flag and clock, and the real dispatcher (so inputs
 * are validated by the contract exactly as from the UI). Used by the checkout tests and the crash child.
 */
import { join } from 'node:path';
import type { ApiError, EventFrame } from '../api/contract.js';
import { createDispatcher } from '../api/dispatcher.js';
import { EventBus } from '../api/event-bus.js';
import { composePointOfSale } from '../app/compose-point-of-sale.js';
import type { PointOfSale } from '../app/compose-point-of-sale.js';
import { handlersOf } from '../core/context.js';
import type { TerminalContext } from '../core/context.js';
import type { DrawerReason, Peripherals } from '../core/peripherals.js';
import { storeInfoProvider } from '../core/store-info.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { pendingCount } from '../store/outbox.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import type { IdGenerator } from '../../sync/protocol/uuidv7.js';
import { generateSampleData } from '../../fixtures/generate.js';
import type { SampleData } from '../../fixtures/generate.js';
import { seedDeviceStore } from '../../fixtures/seed-device.js';
import type { ReceiptDocument } from '../../native/printer/receipt-document.js';
import type { PaymentProvider } from '../checkout/payments.js';
import type { RedemptionHolds } from '../checkout/redemptions.js';
import { standaloneSync } from '../sync/standalone-sync.js';

export type RecordingDevices = Peripherals & { drawer: DrawerReason[]; printed: ReceiptDocument[]; fail: boolean };

/** Records what checkout asked of the peripherals; `fail` makes both calls reject, like an unplugged printer. */
export function recordingDevices(): RecordingDevices {
  const d: RecordingDevices = {
    drawer: [],
    printed: [],
    fail: false,
    openDrawer: (reason) => (d.fail ? Promise.reject(new Error('drawer offline')) : (d.drawer.push(reason), Promise.resolve())),
    printReceipt: (doc) => (d.fail ? Promise.reject(new Error('printer out of paper')) : (d.printed.push(doc), Promise.resolve())),
  };
  return d;
}

export type TestPointOfSaleOptions = {
  dbPath: string;
  keyPath: string;
  /** Seed the sample store on first open (default true). */
  sample?: { skus: number; customers: number } | false;
  online?: () => boolean;
  /** HQ's holds on coupons and points (online tills ask HQ before tendering). */
  holds?: RedemptionHolds;
  devices?: Peripherals;
  /** How long the drawer has to confirm a cash movement's kick (ms). */
  drawerAnswerMs?: number;
  payments?: PaymentProvider;
  clock?: () => Date;
  newId?: IdGenerator;
  /** Keep every pushed event in `events` (default true; benchmarks turn it off so memory stays flat). */
  recordEvents?: boolean;
};

export type TestCheckout = {
  store: Store;
  ctx: TerminalContext;
  services: PointOfSale;
  events: EventFrame[];
  /** Calls through the dispatcher; throws `CODE: message` on a failed result. */
  call<T = unknown>(domain: string, method: string, input?: unknown): Promise<T>;
  /** Calls and expects failure: answers the error. */
  fail(domain: string, method: string, input?: unknown): Promise<ApiError>;
  /** Closes as the terminal does: recovery stopped, the till's lease released. */
  close(): void;
  /** Dies as a killed process does: the store closes, and the lease is left to lapse. */
  crash(): void;
};

export const SAMPLE = { skus: 600, customers: 40 };

export function sampleData(sample = SAMPLE): SampleData {
  return generateSampleData(sample);
}

export function openTestCheckout(o: TestPointOfSaleOptions): TestCheckout {
  const clock = o.clock ?? (() => new Date());
  const newId = o.newId ?? uuidv7Generator(() => clock().getTime());
  const store = openStore({ path: o.dbPath, keyStore: fileKeyStore(o.keyPath) });
  const meta = store.db.prepare("SELECT value FROM meta WHERE key = 'device_id'").get() as { value: string } | undefined;
  const deviceId = meta?.value ?? newId();
  if (!meta) {
    store.db.transaction(() => {
      if (o.sample !== false)
        seedDeviceStore(store.db, sampleData(o.sample ?? SAMPLE), { storeId: 'loc-S001', now: clock().toISOString() });
      store.db.prepare("INSERT INTO meta (key, value) VALUES ('device_id', ?), ('store_id', 'loc-S001')").run(deviceId);
    })();
  }
  const bus = new EventBus();
  const events: EventFrame[] = [];
  if (o.recordEvents !== false) bus.subscribe((f) => events.push(f));
  // A connected screen: every event is serialised as the transports do.
  else bus.subscribe((f) => JSON.stringify(f));
  const ctx: TerminalContext = {
    db: store.db,
    outbox: { db: store.db, newId, clock, deviceId, storeId: 'loc-S001' },
    events: bus,
    clock,
    newId,
    deviceId,
    storeId: 'loc-S001',
    store: storeInfoProvider(store.db, 'loc-S001'),
    dataDir: join(o.dbPath, '..'),
    log: () => undefined,
    announceSync: () => standaloneSync(pendingCount(store.db)),
  };
  const services = composePointOfSale(ctx, {
    ...(o.devices ? { peripherals: o.devices } : {}),
    ...(o.payments ? { payments: o.payments } : {}),
    ...(o.online ? { isOnline: o.online } : {}),
    ...(o.holds ? { holds: o.holds } : {}),
    ...(o.drawerAnswerMs !== undefined ? { drawerAnswerMs: o.drawerAnswerMs } : {}),
  });
  const dispatch = createDispatcher(handlersOf(services.modules), { log: (m, d) => console.error(m, d), gate: services.staff });
  const cc = { transport: 'test' as const, connectionId: 't' };
  return {
    store,
    ctx,
    services,
    events,
    async call<T>(domain: string, method: string, input: unknown = {}) {
      const r = await dispatch(domain, method, input, cc);
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    async fail(domain: string, method: string, input: unknown = {}) {
      const r = await dispatch(domain, method, input, cc);
      if (r.ok) throw new Error(`${domain}.${method} succeeded but was expected to fail`);
      return r.error;
    },
    close: () => {
      services.recovery.stop();
      services.lease.release();
      store.close();
    },
    crash: () => {
      services.recovery.stop();
      store.close();
    },
  };
}
