/**
 * HQ as a child process for the restart test: `hq-child <port> <pglite-dir> [<crash>]` (or
 * DATABASE_URL in the environment for PostgreSQL). Loads the sample brand on first start, makes a
 * fresh enrolment code for store S001 on every start, and prints `HQ_READY {"url","port","enrolCode","enrolment"}`
 * (`enrolment`: the code with HQ's key fingerprint). HQ's signing key is kept beside the PGlite
 * folder (`<pglite-dir>.hq-key.pem`), so a restarted HQ is the same HQ to its devices.
 * It runs until SIGTERM (a clean stop) or SIGKILL. `<crash>` makes it SIGKILL itself during its
 * first push (or its first start's sample import), at a point no outside timer could hit reliably,
 * after printing `HQ_KILLED_AT <crash>` (so the test knows the kill came there and nowhere else).
 * The points are in KILL POINTS below.
 */
import { openHqDb } from '../hq/db.js';
import type { HqDb } from '../hq/db.js';
import { createEnrolCode } from '../hq/enrol.js';
import { migrateHq } from '../hq/migrate.js';
import { importSampleBrand, sampleBrandPending } from '../hq/sample-brand.js';
import { loadHqKey } from '../hq/hq-key.js';
import { createHqServer } from '../hq/server.js';
import { enrolmentText } from '../protocol/enrol.js';

const [portText, pgliteDir, crash] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL || undefined;
if (portText === undefined || (!databaseUrl && !pgliteDir)) {
  console.error('usage: hq-child <port> <pglite-dir>   (or DATABASE_URL set)');
  process.exit(2);
}
const base = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir });
// ---- KILL POINTS: where a push or its projection is cut short. ----
// The push transaction (sync/hq/push/apply-push.ts) records the events and queues them for the
// projector in ONE statement (record-batch.ts), then NOTIFYs the projectors and commits; the
// projector (sync/hq/projector/) takes a batch off the queue and writes sales, stock, coupons and
// points in its own transaction.
// - `after-events`: inside the push transaction, after the statement that recorded the events and
//   before the next one: nothing of the push may survive.
// - `before-answer`: after the push transaction committed and before the answer is sent.
// - `mid-projection`: inside the projector's first transaction, after it took its batch off the
//   queue and before it wrote the sales: the batch must stay queued and be projected once later.
// - `mid-sample-import`: on first start, inside the sample brand's customer transaction, after its
//   customers went in and before their member codes (sync/hq/sample-brand.ts): the next start must
//   complete the brand, with nothing twice.
type KillPoint = 'after-events' | 'before-answer' | 'mid-projection' | 'mid-sample-import';
const die = (point: KillPoint): never => {
  // A pipe on Linux is written synchronously: the parent reads this line before it sees the exit.
  process.stdout.write(`HQ_KILLED_AT ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent to self');
};
const KILL_POINTS: readonly string[] = ['after-events', 'before-answer', 'mid-projection', 'mid-sample-import'] satisfies KillPoint[];
if (crash !== undefined && !KILL_POINTS.includes(crash)) {
  console.error(`hq-child: unknown kill point ${crash} (${KILL_POINTS.join(' | ')})`);
  process.exit(2);
}
// Push transactions take the per-device advisory lock and record events (sync/hq/push/apply-push.ts):
// that is how they are told apart. Armed once HQ is ready, so start-up never trips it.
let armed = false;
const isPush = (text: string) => armed && text.includes('pg_advisory_xact_lock(hashtext(');
const db: HqDb = crash
  ? {
      ...base,
      kind: base.kind,
      query: (text, params) => base.query(text, params),
      exec: (text) => base.exec(text),
      listen: (channel, onPayload, events) => base.listen(channel, onPayload, events),
      close: () => base.close(),
      async tx(fn) {
        let push = false;
        let recorded = false;
        let projecting = false;
        const result = await base.tx((sql) =>
          fn({
            exec: (text) => sql.exec(text),
            query(text, params) {
              if (crash === 'mid-sample-import' && text.startsWith('WITH w0 AS (INSERT INTO member_code ')) die('mid-sample-import');
              // The events' statement has returned: this is the next one.
              if (recorded && crash === 'after-events') die('after-events');
              push ||= isPush(text);
              recorded ||= push && text.includes('INSERT INTO event ');
              projecting ||= armed && text.includes('DELETE FROM projection_queue');
              if (projecting && crash === 'mid-projection' && text.includes('INSERT INTO sale ')) die('mid-projection');
              return sql.query(text, params);
            },
          }),
        );
        if (recorded && crash === 'before-answer') die('before-answer');
        return result;
      },
    }
  : base;
// ---- end of KILL POINTS ----
await migrateHq(db);
if (await sampleBrandPending(db)) await importSampleBrand(db, { skus: 200, customers: 20, stores: 2, stockStores: ['S001'] });
const server = await createHqServer({
  db,
  port: Number(portText),
  hqKey: pgliteDir ? loadHqKey(`${pgliteDir}.hq-key.pem`) : undefined,
  log: (message, detail) => console.error(`[hq-child] ${message}`, detail ?? ''),
});
const { code } = await createEnrolCode(db, { storeId: 'loc-S001', ttlMinutes: 60, createdBy: 'hq-child', now: new Date() });
// SIGTERM stops cleanly (the test then opens the PGlite folder itself); SIGKILL is the crash under test.
process.once('SIGTERM', () => {
  void (async () => {
    server.app.server.closeAllConnections();
    await server.close();
    await db.close();
    process.exit(0);
  })();
});
armed = true;
process.stdout.write(
  `HQ_READY ${JSON.stringify({ url: server.url, port: server.port, enrolCode: code, enrolment: enrolmentText(code, server.hqFingerprint) })}\n`,
);
