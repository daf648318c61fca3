import { afterAll, describe, expect, it } from 'vitest';
import { payloadSchemaOf } from '../../protocol/events/index.js';
import type { HqDb } from '../db.js';
import { applyPush } from './apply-push.js';
import { applyDeferred } from './deferred.js';
import { testBackends } from '../testing/backends.js';
import { cashEvent, deviceOf, outcome } from '../testing/push-fixture.js';
import { useSeededHq } from '../testing/use-test-hq.js';

const NOW = new Date('2026-11-20T09:00:00.000Z');
const S1 = deviceOf('S1');

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

// db.tx runs a transaction again only on PostgreSQL (PGlite runs one at a time and never deadlocks).
describe.each(backends.filter((b) => b.name === 'postgres'))('deferred events applied at start on $name', (backend) => {
  let db: HqDb;
  useSeededHq(backend, (opened) => (db = opened));

  it('counts each event once when PostgreSQL ends the transaction and it is run again', async () => {
    const older = (type: string) => (type === 'cash.paid_in' ? null : payloadSchemaOf(type));
    const newer = cashEvent('S1', 1234);
    expect(outcome(await applyPush(db, S1, { deviceId: S1.id, storeId: 'S1', events: [newer] }, NOW, older))).toEqual(['deferred']);
    // The first commit that records an event fails as a serialization failure would; the run again commits.
    await db.exec(`
      CREATE SEQUENCE test_commits;
      CREATE FUNCTION test_fail_first_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('test_commits') = 1 THEN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER test_fail_first_commit AFTER INSERT ON event DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION test_fail_first_commit();
    `);
    try {
      expect(await applyDeferred(db, NOW, () => undefined)).toEqual({ applied: 1, rejected: 0, waiting: 0 });
      expect(Number((await db.query<{ n: string }>('SELECT last_value AS n FROM test_commits'))[0]!.n)).toBe(2);
    } finally {
      await db.exec(`DROP TRIGGER test_fail_first_commit ON event; DROP FUNCTION test_fail_first_commit(); DROP SEQUENCE test_commits;`);
    }
  });
});
