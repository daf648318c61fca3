/**
 * Child process for the sale crash test: rings up sales through the real till until it is
 * killed. `loop` completes sales as fast as it can; `pause` stops inside the commit transaction —
 * after the sale, its lines, tenders and stock are written and before the outbox event — and
 * waits there to be killed.
 */
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { openTestCheckout } from './test-checkout.js';

const [dbPath, keyPath, mode, ...eans] = process.argv.slice(2);
if (!dbPath || !keyPath || (mode !== 'loop' && mode !== 'pause') || eans.length === 0) {
  console.error('usage: sale-crash-child <db> <key> loop|pause <ean>…');
  process.exit(2);
}
const block = new Int32Array(new SharedArrayBuffer(4));
let armed = false;
const ids = uuidv7Generator();
// The outbox event's id is the first id taken inside the commit transaction: pausing there
// leaves the sale rows written and the event not yet.
const pos = openTestCheckout({
  dbPath,
  keyPath,
  newId: () => {
    if (armed && pos.store.db.inTransaction) {
      process.stdout.write('in-transaction\n');
      Atomics.wait(block, 0, 0); // until SIGKILL
    }
    return ids();
  },
});

await pos.call('staff', 'login', { code: 'S001-02', pin: demoPin('S001-02') });
if (!pos.services.tills.open()) await pos.call('cashup', 'open', { floatFen: 10_000 });
process.stdout.write('started\n');
for (let i = 0; ; i++) {
  for (const ean of eans.slice(0, 1 + (i % eans.length))) await pos.call('checkout', 'scan', { code: ean });
  const due = (await pos.call<{ totals: { dueFen: number } }>('checkout', 'cart')).totals.dueFen;
  await pos.call('checkout', 'addTender', { method: 'card', amountFen: Math.floor(due / 2), reference: `T${i}` });
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
  armed = mode === 'pause';
  await pos.call('checkout', 'complete');
}
