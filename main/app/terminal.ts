import { join } from 'node:path';
import { createDispatcher, guardsOf } from '../api/dispatcher.js';
import type { Handlers } from '../api/dispatcher.js';
import { EventBus } from '../api/event-bus.js';
import type { Domain, StoreProblem, SyncState, SystemStatus } from '../api/contract.js';
import { fail } from '../api/errors.js';
import { catalogModule } from '../catalog/catalog-module.js';
import { CatalogService } from '../catalog/catalog-service.js';
import { handlersOf } from '../core/context.js';
import type { DomainModule, TerminalContext } from '../core/context.js';
import { storeInfoProvider } from '../core/store-info.js';
import { createCustomers, customersModule } from '../customers/customers-module.js';
import { createDevicesService, devicesModule } from '../devices/devices-module.js';
import { devicePeripherals } from '../devices/peripherals.js';
import { virtualPrinterOption } from '../devices/virtual-printer-option.js';
import { scannerModule } from '../scanner/scanner-module.js';
import { settingsModule } from '../settings/settings-module.js';
import { SettingsService } from '../settings/settings-service.js';
import { openStore, STORE_FILE, StoreOpenError } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { openReplicator } from '../sync/open-replicator.js';
import { redemptionHolds } from '../sync/redemption-holds.js';
import { syncModule } from '../sync/sync-module.js';
import { createTerminalSync } from '../sync/terminal-sync.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { composePointOfSale } from './compose-point-of-sale.js';
import { systemModule, systemStatus } from './system-module.js';
import type { Terminal, TerminalOptions } from './terminal-types.js';
import { beforeStoreMigrations } from '../sync/store-migrations.js';

export { STORE_FILE } from '../store/open-store.js';

type Identity = { deviceId: string; storeId: string };

function readMeta(store: Store, key: string): string | undefined {
  return (store.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

/**
 * First start of a store: give the device its id and, for the demo, let the seeder load the
 * sample brand into it. A real device gets its store from enrolment; until then it has none.
 * All of it is one transaction, so a crash here leaves an empty store that the next start seeds again.
 */
function ensureIdentity(store: Store, options: TerminalOptions, newId: () => string, clock: () => Date): Identity {
  const deviceId = readMeta(store, 'device_id');
  const storeId = readMeta(store, 'store_id');
  if (deviceId && storeId) return { deviceId, storeId };
  const identity = { deviceId: deviceId ?? newId(), storeId: storeId ?? '' };
  store.db
    .transaction(() => {
      if (options.seed) identity.storeId = options.seed(store.db, clock().toISOString()).storeId;
      const put = store.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      put.run('device_id', identity.deviceId);
      put.run('store_id', identity.storeId);
    })
    .immediate();
  return identity;
}

/** A terminal whose store would not open: it answers status with the problem and refuses the rest. */
function failedTerminal(problem: StoreProblem, appVersion: string): Terminal {
  return {
    events: new EventBus(),
    dispatch: async (domain, method) =>
      domain === 'system' && method === 'status'
        ? { ok: true, value: { state: 'store_error', appVersion, problem } satisfies SystemStatus }
        : fail('STORE_UNAVAILABLE', problem.message),
    guards: { 'system.status': 'open' },
    status: () => ({ state: 'store_error', appVersion, problem }),
    close: () => Promise.resolve(),
  };
}

/**
 * Opens the store and wires every domain behind the contract: the composition root, and the only
 * place that knows all the domains. Both the Electron app and the browser host call this.
 */
export function openTerminal(options: TerminalOptions): Terminal {
  const clock = options.clock ?? (() => new Date());
  const newId = options.newId ?? uuidv7Generator(() => clock().getTime());
  let store: Store;
  try {
    store = openStore({ path: join(options.dataDir, STORE_FILE), keyStore: options.keyStore, beforeMigrations: beforeStoreMigrations });
  } catch (error) {
    if (error instanceof StoreOpenError) {
      options.log('store failed to open', error.problem);
      return failedTerminal(error.problem, options.appVersion);
    }
    throw error;
  }
  const { deviceId, storeId } = ensureIdentity(store, options, newId, clock);
  const events = new EventBus();
  // An enrolled device syncs through its replicator; a device that never enrolled stays standalone.
  const replicator = openReplicator({
    db: store.db,
    deviceId,
    storeId,
    clock,
    log: options.log,
    hqUrl: options.hq?.url,
    checkpoint: store.checkpointOffThread,
  });
  const sync = createTerminalSync(store.db, events, replicator);
  const ctx: TerminalContext = {
    db: store.db,
    outbox: { db: store.db, newId, clock, deviceId, storeId },
    events,
    clock,
    newId,
    deviceId,
    storeId,
    store: storeInfoProvider(store.db, storeId),
    dataDir: options.dataDir,
    log: options.log,
    announceSync: (): SyncState => sync.announce(),
  };
  const catalog = new CatalogService(store.db, () => storeId);
  const settings = new SettingsService(ctx.outbox);
  const devices = createDevicesService(ctx, { virtualPrinter: virtualPrinterOption(options.virtualPrinter, options.dataDir) });
  // Online is what the replicator last found: HQ (and so the payment gateway behind it) answered.
  // A standalone device is never online: mobile payment and coupon checks at HQ wait for enrolment.
  const pos = composePointOfSale(ctx, {
    peripherals: devicePeripherals(devices),
    language: () => settings.get().language,
    isOnline: () => sync.state().hq === 'online',
    holds: redemptionHolds(store.db, { clock, hqUrl: options.hq?.url, log: options.log }) ?? undefined,
    ...(options.payments ? { payments: options.payments } : {}),
  });
  // Other tills on this store file leave this one's payments alone while its lease is alive.
  pos.lease.start();
  // Charges a crash left without a cart are given back as soon as the gateway answers.
  pos.recovery.start();
  const status = systemStatus({ ctx, appVersion: options.appVersion, catalog, settings, sync: () => sync.state() });

  // One line per domain; each module's handlers declare their guards.
  const modules = {
    system: systemModule(status),
    catalog: catalogModule(ctx, catalog),
    scanner: scannerModule(ctx),
    settings: settingsModule(ctx, settings),
    devices: devicesModule(ctx, devices),
    ...pos.modules,
    sync: syncModule(ctx, sync),
    customers: customersModule(ctx, createCustomers(ctx)), // the customer book (issue 11)
  } satisfies { [D in Domain]: DomainModule<D> };
  const handlers = handlersOf(modules) as Handlers;

  return {
    dispatch: createDispatcher(handlers, { log: options.log, gate: pos.staff }),
    events,
    guards: guardsOf(handlers),
    status,
    close: () => {
      pos.recovery.stop();
      // Closed, its carts gone: its charges are for the other tills to give back at once.
      pos.lease.release();
      const closing = (Object.values(modules) as { close?: () => unknown }[]).map((m) => m.close?.());
      store.close();
      return Promise.allSettled(closing).then(() => undefined);
    },
  };
}
