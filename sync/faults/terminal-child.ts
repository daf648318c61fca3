/**
 * Child process for the terminal kill tests: a device (its real encrypted store, already enrolled
 * and provisioned by the parent) that syncs with HQ until it is SIGKILLed. Modes:
 * - `push-answered`: pushes its outbox; when HQ's answer to a push has arrived (HQ committed) and
 *   before the device removed those events, prints `push-answered` and waits to be killed.
 * - `mid-apply <n>`: provisions (pages of <limit> rows); inside the transaction that applies a
 *   page, at the n-th SKU row, prints `mid-apply` and waits to be killed.
 * - `sell-and-sync <seed>`: rings up sales through the till and syncs in the background (pushes
 *   after each sale, a full round every few sales); prints `started` once selling; runs until killed.
 */
import { createPrng } from '../../fixtures/prng.js';
import { openTestCheckout } from '../../main/testing/test-checkout.js';
import { createReplicator } from '../client/replicator.js';
import { readIdentity } from '../client/identity.js';
import type { FetchLike } from '../client/signed-http.js';
import { openTill, sell, sellableEans } from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import { deviceOutbox } from '../../main/store/outbox.js';

const [dbPath, keyPath, mode, arg, limitText] = process.argv.slice(2);
if (!dbPath || !keyPath || !['push-answered', 'mid-apply', 'sell-and-sync'].includes(mode ?? '')) {
  console.error('usage: terminal-child <db> <key> push-answered | mid-apply <n> <limit> | sell-and-sync <seed>');
  process.exit(2);
}
const block = new Int32Array(new SharedArrayBuffer(4));
const waitForKill = (marker: string): never => {
  process.stdout.write(`${marker}\n`);
  for (;;) Atomics.wait(block, 0, 0);
};

const pos = openTestCheckout({ dbPath, keyPath, sample: false, recordEvents: false });
const db = pos.store.db;
const identity = readIdentity(db);
if (!identity) throw new Error('the device is not enrolled');

// Holds the device between HQ's answer and its own bookkeeping: HQ has committed, the device has not.
const pauseAfterPush: FetchLike = async (input, init) => {
  const response = await fetch(input, init);
  if (String(input).endsWith('/push') && response.ok) {
    await response.clone().text();
    waitForKill('push-answered');
  }
  return response;
};

if (mode === 'mid-apply') {
  const at = Number(arg);
  let seen = 0;
  db.function('sf_test_row_applied', () => {
    if (++seen === at) waitForKill('mid-apply');
    return null;
  });
  // A TEMP trigger lives only in this connection: the store file is not changed by it.
  db.exec('CREATE TEMP TRIGGER sf_test_sku_applied AFTER INSERT ON main.sku BEGIN SELECT sf_test_row_applied(); END');
}

const replicator = createReplicator({
  db,
  outbox: deviceOutbox(db),
  deviceId: identity.deviceId,
  storeId: identity.storeId,
  hqUrl: identity.hqUrl,
  clock: () => new Date(),
  log: () => undefined,
  live: false,
  pollMs: 3_600_000,
  pushDebounceMs: 5,
  provisioningLimit: limitText ? Number(limitText) : undefined,
  fetch: mode === 'push-answered' ? pauseAfterPush : undefined,
});

if (mode === 'sell-and-sync') {
  const prng = createPrng(`terminal-child-${arg ?? ''}`);
  const device = { pos } as FaultDevice;
  await openTill(device);
  const eans = sellableEans(device);
  replicator.start();
  process.stdout.write('started\n');
  for (let i = 0; ; i++) {
    await sell(device, prng, eans);
    replicator.outboxChanged();
    if (i % 4 === 3) await replicator.syncNow();
  }
} else {
  const state = await replicator.syncNow();
  // Reaching here means the marker never came: say why, so the parent's error is clear.
  console.error(`terminal-child ${mode}: finished without reaching its marker: ${JSON.stringify(state)}`);
  process.exit(3);
}
