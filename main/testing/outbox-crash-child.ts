/**
 * Child process for the outbox crash test: writes changes through `writeChange` until it is
 * killed. `loop` writes as fast as it can; `pause` stops inside the effect, after the domain row,
 * and waits there to be killed; `before-outbox` stops after the effect returned, as the outbox
 * row is being inserted (wherever `writeChange` inserts it), and waits there to be killed.
 */
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import { writeChange } from '../store/outbox.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { pauseAtNextOutboxInsert } from './pause-at-outbox.js';
import { untypedChange } from './untyped-change.js';

const [dbPath, keyPath, mode] = process.argv.slice(2);
if (!dbPath || !keyPath || (mode !== 'loop' && mode !== 'pause' && mode !== 'before-outbox')) {
  console.error('usage: outbox-crash-child <db> <key> loop|pause|before-outbox');
  process.exit(2);
}
const store = openStore({ path: dbPath, keyStore: fileKeyStore(keyPath) });
const ctx = { db: store.db, newId: uuidv7Generator(), clock: () => new Date(), deviceId: 'dev-test', storeId: 'loc-S001' };
const insert = store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
const block = new Int32Array(new SharedArrayBuffer(4));
if (mode === 'before-outbox') pauseAtNextOutboxInsert(store.db, 'before-outbox');

process.stdout.write('started\n');
for (let i = 0; ; i++) {
  const key = `change:${process.pid}:${i}`;
  writeChange(ctx, untypedChange('test.changed', { key }, null), () => {
    insert.run(key, 'x'.repeat(64));
    if (mode === 'pause') {
      process.stdout.write('in-transaction\n');
      Atomics.wait(block, 0, 0); // until SIGKILL
    }
  });
}
