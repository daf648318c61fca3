import { afterAll, describe, expect, it } from 'vitest';
import type { HqDb } from '../db.js';
import { openTestHqDb } from '../testing/test-hq.js';
import { testBackends } from '../testing/backends.js';
import { CHANGE_ROWS } from '../testing/change-log.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

type ChangeRow = { scope: string; kind: string; key: string; xid: string; deleted: boolean };

async function changes(db: HqDb, kind: string, key: string): Promise<ChangeRow[]> {
  return db.query<ChangeRow>(
    `SELECT scope, kind, key, xid::text AS xid, deleted FROM ${CHANGE_ROWS} WHERE kind = $1 AND key = $2 ORDER BY scope`,
    [kind, key],
  );
}

describe.each(backends)('the change log on $name', (backend) => {
  it('feeds a device only what changed for it: a last-seen stamp is not a change, a moved customer leaves a tombstone', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl(), skus: 20, customers: 10 });
    try {
      const [store] = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' ORDER BY id LIMIT 1`);
      const [other] = await db.query<{ id: string }>(`SELECT id FROM location WHERE kind = 'store' ORDER BY id OFFSET 1 LIMIT 1`);
      const deviceId = '01900000-0000-7000-8000-000000000001';
      await db.query(
        `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname) VALUES ($1, $2, 'k', 'D1', 't', 'h')`,
        [deviceId, store!.id],
      );
      const [before] = await changes(db, 'device_profile', deviceId);
      expect(before).toMatchObject({ scope: `device:${deviceId}`, deleted: false });

      // HQ stamps last_seen_at on every device about once a minute: no feed row, no nudge.
      await db.query('UPDATE device SET last_seen_at = now() WHERE id = $1', [deviceId]);
      expect(await changes(db, 'device_profile', deviceId)).toEqual([before]);
      // A revocation is a change the device must get.
      await db.query(`UPDATE device SET status = 'revoked' WHERE id = $1`, [deviceId]);
      const [after] = await changes(db, 'device_profile', deviceId);
      expect(BigInt(after!.xid)).toBeGreaterThan(BigInt(before!.xid));

      // A customer moving stores: a tombstone in the old store's feed, the row in the new one's.
      const [customer] = await db.query<{ id: string }>('SELECT id FROM customer WHERE store_id = $1 ORDER BY id LIMIT 1', [store!.id]);
      await db.query('UPDATE customer SET store_id = $1 WHERE id = $2', [other!.id, customer!.id]);
      expect((await changes(db, 'customer', customer!.id)).map((c) => [c.scope, c.deleted])).toEqual(
        [
          [`store:${store!.id}`, true],
          [`store:${other!.id}`, false],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );

      // A stock movement rewrites that row's feed entry with the new transaction.
      const [st] = await db.query<{ sku: string }>('SELECT sku FROM stock WHERE location_id = $1 ORDER BY sku LIMIT 1', [store!.id]);
      const [s0] = await changes(db, 'stock', `${store!.id}|${st!.sku}`);
      await db.query('UPDATE stock SET qty = qty - 1 WHERE location_id = $1 AND sku = $2', [store!.id, st!.sku]);
      const [s1] = await changes(db, 'stock', `${store!.id}|${st!.sku}`);
      expect(BigInt(s1!.xid)).toBeGreaterThan(BigInt(s0!.xid));
      expect(s1!.scope).toBe(`store:${store!.id}`);
    } finally {
      await db.close();
    }
  });
});
