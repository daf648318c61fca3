/**
 * Child process for the sale crash test: rings up sales through the real till until it is
 * killed. `loop` completes sales as fast as it can; `pause` stops inside the commit transaction —
 * after the sale, its lines, tenders and stock are written and before the outbox event — and
 * waits there to be killed. `before-outbox` sells to a member with a coupon and points and stops
 * as the sale's outbox row is being inserted, wherever the commit inserts it (see
 * pause-at-outbox.ts), and waits there to be killed.
 */
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import { pauseAtNextOutboxInsert } from './pause-at-outbox.js';
import { openTestCheckout, sampleData } from './test-checkout.js';

const MODES = ['loop', 'pause', 'before-outbox'];
const [dbPath, keyPath, mode = '', ...eans] = process.argv.slice(2);
if (!dbPath || !keyPath || !MODES.includes(mode) || eans.length === 0) {
  console.error(`usage: sale-crash-child <db> <key> ${MODES.join('|')} <ean>…`);
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
    if (armed && mode === 'pause' && pos.store.db.inTransaction) {
      process.stdout.write('in-transaction\n');
      Atomics.wait(block, 0, 0); // until SIGKILL
    }
    return ids();
  },
});
if (mode === 'before-outbox') pauseAtNextOutboxInsert(pos.store.db, 'before-outbox', () => armed);

await pos.call('staff', 'login', { code: 'S001-02', pin: demoPin('S001-02') });
if (!pos.services.tills.open()) await pos.call('cashup', 'open', { floatFen: 10_000 });
process.stdout.write('started\n');
if (mode === 'before-outbox') {
  // One sale that touches stock, a coupon and points: all of it must die with the event.
  const member = sampleData().customers.find((c) => c.store_id === 'loc-S001')!;
  const memberCode = memberCodeOf(member.id);
  pos.store.db.prepare('UPDATE customer SET points = 5000 WHERE id = ?').run(member.id);
  for (const ean of eans) await pos.call('checkout', 'scan', { code: ean });
  await pos.call('checkout', 'scan', { code: memberCode });
  await pos.call('checkout', 'applyCoupon', { code: `CPN-${memberCode.slice(1)}-111` });
  await pos.call('checkout', 'redeemPoints', { points: 1000 });
  const due = (await pos.call<{ totals: { dueFen: number } }>('checkout', 'cart')).totals.dueFen;
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
  armed = true;
  await pos.call('checkout', 'complete');
  console.error('the sale completed without pausing at its outbox row');
  process.exit(3);
}
for (let i = 0; ; i++) {
  for (const ean of eans.slice(0, 1 + (i % eans.length))) await pos.call('checkout', 'scan', { code: ean });
  const due = (await pos.call<{ totals: { dueFen: number } }>('checkout', 'cart')).totals.dueFen;
  await pos.call('checkout', 'addTender', { method: 'card', amountFen: Math.floor(due / 2), reference: `T${i}` });
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
  armed = mode === 'pause';
  await pos.call('checkout', 'complete');
}
