import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../../protocol/http.js';
import type { DeadLetterReport, PushResponse } from '../../protocol/push.js';
import type { HqDb } from '../db.js';
import { cashEvent } from '../testing/push-fixture.js';
import { openTestHqDb, startTestHq, testDevice } from '../testing/test-hq.js';
import type { TestDevice, TestHq } from '../testing/test-hq.js';

/**
 * IT re-applies a dead-lettered event once HQ is fixed (issue "Money and sync correctness",
 * item 7): the device reports the event with its dead letter; the admin API pushes it again as
 * the device's, exactly once.
 */
let db: HqDb;
let hq: TestHq;
let device: TestDevice;
beforeAll(async () => {
  db = await openTestHqDb();
  hq = await startTestHq(db);
  device = await testDevice(hq);
}, 120_000);
afterAll(async () => {
  hq.app.server.closeAllConnections();
  await hq.close();
  await db.close();
});

describe('re-applying a dead letter', () => {
  it('applies an event refused for a staff member HQ did not have yet, once that staff member exists, and only once', async () => {
    const storeId = device.enrolment.storeId;
    const event = { ...cashEvent('S1', 2500), deviceId: device.id, storeId, staffId: 'stf-new-hire' };
    const push = await device.call('POST', SYNC_PATHS.push, { deviceId: device.id, storeId, events: [event] });
    const [answer] = (push.body as PushResponse).results;
    expect(answer).toMatchObject({ status: 'rejected', reason: 'foreign_staff' });

    // The device puts it on its dead-letter list and reports it, the event included.
    const report: DeadLetterReport = {
      items: [
        {
          id: event.id,
          type: event.type,
          reason: 'foreign_staff',
          message: 'unknown staff',
          occurredAt: event.occurredAt,
          rejectedAt: new Date().toISOString(),
          event,
        },
      ],
    };
    expect((await device.call('POST', SYNC_PATHS.deadLetters, report)).status).toBe(200);
    const path = `/admin/v1/dead-letters/${device.id}/${event.id}/reapply`;

    // Not fixed yet: refused again, and said so.
    const again = await hq.admin('POST', path);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ result: { status: 'rejected', reason: 'foreign_staff' } });

    // HQ gets the staff member (the fix); the re-apply now records it, once.
    await db.query(
      `INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash) VALUES ('stf-new-hire', $1, 'NEW-1', '新同事', 'cashier', true, 's', 'h')`,
      [storeId],
    );
    // Reported again before: not resolved. After the re-apply, HQ's answer tells the device it holds the event now.
    const without = { items: report.items.map(({ event: _event, ...item }) => item) };
    expect((await device.call('POST', SYNC_PATHS.deadLetters, without)).body).toEqual({ recorded: 1, resolved: [] });
    expect((await hq.admin('POST', path)).body).toMatchObject({ result: { status: 'accepted' }, outcome: 'accepted' });
    expect((await device.call('POST', SYNC_PATHS.deadLetters, without)).body).toEqual({ recorded: 1, resolved: [event.id] });
    expect((await hq.admin('POST', path)).body).toMatchObject({ result: { status: 'duplicate' } });
    expect(await db.query('SELECT amount_fen::int AS fen FROM cash_movement WHERE event_id = $1', [event.id])).toEqual([{ fen: 2500 }]);
    const listed = await hq.admin('GET', '/admin/v1/dead-letters');
    expect((listed.body as { deadLetters: unknown[] }).deadLetters).toContainEqual(
      expect.objectContaining({ eventId: event.id, reapplicable: true, reapplyResult: 'duplicate' }),
    );
  });

  it('projects again an event HQ recorded but could not apply, once HQ is fixed, and only once', async () => {
    const storeId = device.enrolment.storeId;
    // What HQ cannot apply yet (in a real HQ: a bug, a constraint a later release relaxes).
    await db.query('ALTER TABLE cash_movement ADD CONSTRAINT test_below_1000 CHECK (amount_fen < 100000)');
    try {
      const [staff] = await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id = $1 AND active ORDER BY id LIMIT 1', [storeId]);
      const staffId = staff!.id;
      const event = { ...cashEvent('S1', 250_000), deviceId: device.id, storeId, staffId, occurredAt: new Date().toISOString() };
      const push = await device.call('POST', SYNC_PATHS.push, { deviceId: device.id, storeId, events: [event] });
      expect((push.body as PushResponse).results).toEqual([{ id: event.id, status: 'accepted' }]);
      await hq.projector.settled();
      const listed = async () =>
        ((await hq.admin('GET', '/admin/v1/dead-letters')).body as { deadLetters: { eventId: string; reason: string }[] }).deadLetters.find(
          (d) => d.eventId === event.id,
        );
      expect(await listed()).toMatchObject({ reason: 'projection', reapplicable: true });
      const path = `/admin/v1/dead-letters/${device.id}/${event.id}/reapply`;
      const cash = () => db.query('SELECT amount_fen::int AS fen FROM cash_movement WHERE event_id = $1', [event.id]);

      // Not fixed yet: refused again with the projector's reason, nothing written.
      const again = await hq.admin('POST', path);
      expect(again.body).toMatchObject({ result: { status: 'rejected' }, outcome: expect.stringContaining('test_below_1000') });
      expect(await cash()).toEqual([]);

      // Fixed: projected now (pushed again it was a duplicate, and wrote nothing), and only once.
      await db.query('ALTER TABLE cash_movement DROP CONSTRAINT test_below_1000');
      expect((await hq.admin('POST', path)).body).toEqual({ result: { id: event.id, status: 'accepted' }, outcome: 'accepted' });
      expect(await cash()).toEqual([{ fen: 250_000 }]);
      expect((await hq.admin('POST', path)).body).toMatchObject({ result: { status: 'duplicate' } });
      expect(await cash()).toEqual([{ fen: 250_000 }]);
      // Clicked again and again: still a duplicate, never queued and projected a second time (the
      // customer book's effects, a guide's monthly counts among them, are not written twice safely).
      expect((await hq.admin('POST', path)).body).toMatchObject({ result: { status: 'duplicate' } });
      expect(await cash()).toEqual([{ fen: 250_000 }]);
      expect(await listed()).toMatchObject({ reapplyResult: 'accepted' });
    } finally {
      await db.query('ALTER TABLE cash_movement DROP CONSTRAINT IF EXISTS test_below_1000');
    }
  });

  it('refuses to re-apply without an admin token, and says when a device did not report the event itself', async () => {
    expect((await hq.admin('POST', `/admin/v1/dead-letters/${device.id}/nope/reapply`, undefined, { token: null })).status).toBe(401);
    const bare: DeadLetterReport = {
      items: [
        {
          id: 'old-style',
          type: 'cash.paid_in',
          reason: 'foreign_staff',
          message: 'x',
          occurredAt: new Date().toISOString(),
          rejectedAt: new Date().toISOString(),
        },
      ],
    };
    await device.call('POST', SYNC_PATHS.deadLetters, bare);
    const answer = await hq.admin('POST', `/admin/v1/dead-letters/${device.id}/old-style/reapply`);
    expect(answer.status).toBe(409);
    expect(JSON.stringify(answer.body)).toContain('cannot be re-applied');
  });
});
