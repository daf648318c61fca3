/**
 * The feed across a promotion, made deterministic: transaction ids the synchronous standby never
 * heard of. A commit with synchronous_commit off (the feed barrier's NOTIFY here, request nonces in
 * auth.ts) takes an id and does not wait for the standby. With the standby's WAL stream held
 * (SIGSTOP of the primary's walsender, the moment a lost machine freezes), such commits move the
 * primary's horizon past ids the standby has not seen; the primary is then killed -9 and the
 * standby promoted, which hands those ids out again. The feed's cursor must not have passed them
 * (HORIZON in sync/hq/feed.ts): the first change written after the switch reaches the device.
 *
 * The failover test (failover.test.ts) runs the whole set under load, where this window is a few
 * hundred milliseconds wide and not in the test's hands; here it is held open on purpose.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHqDb } from '../hq/db.js';
import type { HqDb } from '../hq/db.js';
import { notifyBarrier } from '../hq/feed-barrier.js';
import { parseCursor, readFeeds } from '../hq/feed.js';
import { migrateHq } from '../hq/migrate.js';
import { findPostgresBinaries } from '../testing/postgres-binaries.js';
import { startPostgres, startStandby } from '../testing/postgres-server.js';
import type { PostgresServer, PostgresStandby } from '../testing/postgres-server.js';
import { childrenOf, isProcessAlive, waitUntil } from '../testing/process-alive.js';

/** Async-committed transactions while the standby hears nothing: ids the promoted standby hands out again. */
const UNSENT = 25;
const SCOPE = 'brand:SF';

// Linux: the lost primary's processes are found in /proc.
describe.skipIf(!findPostgresBinaries() || process.platform !== 'linux')(
  'the feed across a promotion, with ids the synchronous standby never heard of',
  () => {
    let primary: PostgresServer;
    let standby: PostgresStandby;
    const opened: HqDb[] = [];
    const open = async (url: string): Promise<HqDb> => {
      const db = await openHqDb({ databaseUrl: url, poolSize: 2 });
      opened.push(db);
      return db;
    };
    beforeAll(async () => {
      primary = await startPostgres({ fsync: false, lifetimeS: 300 });
      standby = await startStandby(primary, { lifetimeS: 300, applicationName: 'standby1' });
      const admin = await open(primary.url);
      // A synchronous standby, as deploy/up.sh's pg_auto_failover keeps one: a commit is acknowledged
      // (and visible to other sessions) only once the standby has it.
      await admin.query("ALTER SYSTEM SET synchronous_standby_names = 'standby1'");
      await admin.query('ALTER SYSTEM SET synchronous_commit = on');
      await admin.query('SELECT pg_reload_conf()');
      await waitUntil(
        async () => (await admin.query<{ s: string }>('SELECT sync_state AS s FROM pg_stat_replication')).some((r) => r.s === 'sync'),
        'the standby to be synchronous',
        60_000,
        100,
      );
    }, 180_000);
    afterAll(async () => {
      for (const db of opened) await db.close().catch(() => undefined);
      await standby?.stop();
      await primary?.stop();
    }, 120_000);

    it('hands out no cursor past an id the promoted standby gives again: the first change after the switch is served', async () => {
      const url = await primary.freshDatabase('hq');
      const db = await open(url);
      await migrateHq(db);
      await db.query("INSERT INTO brand (code, name_zh, name_en) VALUES ('SF', '示范', 'Shopfloor Fashion')");
      await db.query(`INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
      VALUES ('loc-W001', 'SF', 'warehouse', 'W001', '华东仓', 'East China DC', '苏州', 'Suzhou', 31.2989, 120.5853, 'Asia/Shanghai')`);
      const [first] = await readFeeds(db, [{ scope: SCOPE, cursor: '' }], 100, false);
      expect(first).toMatchObject({ rows: 1, more: false });
      const newest = BigInt(
        (await db.query<{ x: string }>('SELECT max(xid)::text AS x FROM change WHERE scope = $1', [SCOPE]))[0]?.x ?? '0',
      );

      // The stream to the standby stops: what the primary commits from now on stays on the primary.
      const [sender] = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_replication WHERE application_name = 'standby1'");
      if (!sender) throw new Error('no walsender for the standby');
      process.kill(sender.pid, 'SIGSTOP');
      const barrier = notifyBarrier(db, 'sf_xid_probe');
      for (let n = 0; n < UNSENT; n++) await barrier(String(n));
      // The horizon as the feed had it before its cap: the primary's next id, nothing running.
      const [uncapped] = await db.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
      expect(BigInt(uncapped?.x ?? '0')).toBeGreaterThanOrEqual(newest + BigInt(UNSENT));
      const [drained] = await readFeeds(db, [{ scope: SCOPE, cursor: first?.cursor ?? '' }], 100, false);
      expect(drained).toMatchObject({ rows: 0, more: false });
      const cursor = drained?.cursor ?? '';
      expect(BigInt(parseCursor(cursor).xid)).toBeLessThanOrEqual(newest + 1n);

      // The machine is lost: the postmaster and every process of it, the frozen walsender included.
      if (!primary.pid || !primary.dataDir) throw new Error('the primary is not a private server');
      expect(childrenOf(primary.pid)).toContain(sender.pid);
      await killCluster(primary.pid, primary.dataDir);
      await standby.promote();
      const onStandby = new URL(url);
      onStandby.port = String(standby.port);
      const promoted = await open(onStandby.toString());
      await waitUntil(
        async () => (await promoted.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0]?.r === false,
        'the standby to take writes',
        30_000,
        100,
      );
      await promoted.query("UPDATE location SET name_en = 'East China DC (after the switch)' WHERE id = 'loc-W001'");
      const [written] = await promoted.query<{ x: string }>("SELECT xid::text AS x FROM change WHERE scope = $1 AND kind = 'location'", [
        SCOPE,
      ]);
      // The switch really gave an id again that the lost primary had already passed: a cursor at the
      // uncapped horizon would sit past this change and never see it.
      expect(BigInt(written?.x ?? '0')).toBeLessThan(BigInt(uncapped?.x ?? '0'));

      const [after] = await readFeeds(promoted, [{ scope: SCOPE, cursor }], 100, false);
      expect(after).toMatchObject({ rows: 1, more: false });
      expect(after?.json).toContain('East China DC (after the switch)');
    }, 120_000);
  },
);

/**
 * kill -9 of a postmaster and its children (ours: started by this test), as a lost machine. The
 * postmaster is stopped first so that it forks nothing between the listing and the kill; its pid
 * file goes with it, so that nothing signals that pid again later (stop(), the watchdog).
 */
async function killCluster(postmasterPid: number, dataDir: string): Promise<void> {
  process.kill(postmasterPid, 'SIGSTOP');
  const all = [postmasterPid, ...childrenOf(postmasterPid)];
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitUntil(() => !all.some(isProcessAlive), 'the lost primary to be gone', 10_000);
  rmSync(join(dataDir, 'postmaster.pid'), { force: true });
}
