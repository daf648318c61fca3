import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HqDb } from '../hq/db.js';
import { projectAll } from '../hq/projector/project-batch.js';
import { testBackends } from '../hq/testing/backends.js';
import { openTestHqDb, startTestHq, TEST_STORE } from '../hq/testing/test-hq.js';
import type { TestHq } from '../hq/testing/test-hq.js';
import { deviceOutbox, pendingCount, writeChange } from '../../main/store/outbox.js';
import type { EventPayload, EventType } from '../protocol/events/index.js';
import { AWAIT_HQ_MS } from '../protocol/own-changes.js';
import { ApplyStatements, applyPage } from './apply.js';
import { customer, NOW, page, STORE } from './testing/page-fixture.js';
import { uuidv7Generator } from '../protocol/uuidv7.js';
import { enrolAt, testDevice, testReplicator } from './testing/test-device.js';
import type { TestDevice } from './testing/test-device.js';
import type { Replicator } from './types.js';

const { backends, stopBackends } = testBackends();
afterAll(() => stopBackends());

/**
 * A guide's change to the customer book, pushed and answered `accepted`, is shown on the device
 * until HQ's feed brings it back projected — also when HQ changed the same row for another reason
 * in between and the pull brings HQ's row without it. HQ's own projector is stopped, so the window
 * between the push and the projection stays open until the test projects (projectAll).
 */
describe.each(backends)("the device's own customer-book changes while HQ has not projected them, on $name", (backend) => {
  let db: HqDb;
  let hq: TestHq;
  let device: TestDevice;
  let replicator: Replicator;
  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    hq = await startTestHq(db);
    device = testDevice();
    await enrolAt(device, hq);
    replicator = testReplicator(device, hq.url, { storeId: TEST_STORE });
    expect(await replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null });
    // Held back: only the test projects from here on.
    await hq.projector.stop();
  }, 180_000);
  afterAll(async () => {
    await replicator?.close();
    device?.cleanup();
    hq?.app.server.closeAllConnections();
    await hq?.close();
    await db?.close();
  });

  const sync = async () => expect(await replicator.syncNow()).toMatchObject({ hq: 'online', lastError: null, pendingEvents: 0 });

  it('keeps an opt-out and a task done over HQ rows that do not have them yet, and takes HQ’s row again once it has', async () => {
    const local = device.store.db;
    const task = local
      .prepare(
        `SELECT t.id, t.customer_id, t.guide_id FROM customer_task t JOIN customer_profile p ON p.customer_id = t.customer_id
          WHERE t.store_id = ? AND t.status = 'open' AND t.guide_id IS NOT NULL AND p.consent = 1 AND p.opted_out = 0 ORDER BY t.id LIMIT 1`,
      )
      .get(TEST_STORE) as { id: string; customer_id: string; guide_id: string } | undefined;
    if (!task) throw new Error('no open task of a contactable customer');
    const customerId = task.customer_id;
    const ctx = {
      db: local,
      newId: uuidv7Generator(() => Date.now()),
      clock: () => new Date(),
      deviceId: device.deviceId,
      storeId: TEST_STORE,
    };
    // The guide works the task (main/customers/customer-tasks.ts, complete), then the customer asks not to be contacted again
    // (main/customers/customer-book.ts, setConsent): both shown at once.
    const contactId = ctx.newId();
    const at = new Date().toISOString();
    writeChange(
      ctx,
      {
        type: 'customer.task_done',
        payload: { taskId: task.id, contact: { contactId, customerId, channel: 'call', outcome: 'declined', note: '' } },
        staffId: task.guide_id,
      },
      () => {
        local
          .prepare(
            `INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at) VALUES (?, ?, ?, ?, 'call', 'declined', ?, '', ?)`,
          )
          .run(contactId, customerId, TEST_STORE, task.guide_id, task.id, at);
        local.prepare(`UPDATE customer_task SET status = 'done', outcome = 'declined', done_at = ? WHERE id = ?`).run(at, task.id);
      },
    );
    writeChange(ctx, { type: 'customer.consent_changed', payload: { customerId, consent: false }, staffId: task.guide_id }, () =>
      local.prepare(`UPDATE customer_profile SET opted_out = 1 WHERE customer_id = ?`).run(customerId),
    );
    const shown = () => ({
      profile: local.prepare('SELECT consent, opted_out, purchases FROM customer_profile WHERE customer_id = ?').get(customerId),
      task: local.prepare('SELECT status, outcome, script_en FROM customer_task WHERE id = ?').get(task.id),
    });

    // Pushed and accepted: recorded at HQ, not projected.
    await sync();
    const [before] = await db.query<{ purchases: number }>('SELECT purchases FROM customer_profile WHERE customer_id = $1', [customerId]);
    // Meanwhile HQ changes both rows for other reasons: a purchase elsewhere, the campaign's script reworded.
    await db.query('UPDATE customer_profile SET purchases = purchases + 1, updated_at = now() WHERE customer_id = $1', [customerId]);
    await db.query(`UPDATE customer_task SET script_en = 'Ask about the new season' WHERE id = $1`, [task.id]);
    await sync();
    // HQ's new figures show, and so do the guide's own changes HQ has not projected yet.
    expect(shown()).toEqual({
      profile: { consent: 1, opted_out: 1, purchases: (before?.purchases ?? 0) + 1 },
      task: { status: 'done', outcome: 'declined', script_en: 'Ask about the new season' },
    });

    // HQ projects them; the feed brings the rows with them.
    expect(await projectAll(db, new Date())).toBeGreaterThan(0);
    await sync();
    expect(shown()).toMatchObject({ profile: { opted_out: 1 }, task: { status: 'done' } });

    // From then on HQ's answer wins: the customer opts in again at HQ (say, on the brand's mini program).
    await db.query('UPDATE customer_profile SET opted_out = false, updated_at = now() WHERE customer_id = $1', [customerId]);
    await sync();
    expect(shown().profile).toMatchObject({ consent: 1, opted_out: 0 });
  });

  it('keeps a tag the guide took off, or put on again, while HQ’s feed still has the tag as it was, and takes HQ’s row once it has the change', async () => {
    const local = device.store.db;
    const picked = local
      .prepare(
        `SELECT c.id, c.guide_id FROM customer c WHERE c.store_id = ? AND c.guide_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM customer_tag t WHERE t.customer_id = c.id AND t.tag = 'VIP') ORDER BY c.id LIMIT 1`,
      )
      .get(TEST_STORE) as { id: string; guide_id: string } | undefined;
    if (!picked) throw new Error('no customer with a guide');
    const { id: customerId, guide_id: guideId } = picked;
    const ctx = {
      db: local,
      newId: uuidv7Generator(() => Date.now()),
      clock: () => new Date(),
      deviceId: device.deviceId,
      storeId: TEST_STORE,
    };
    // As main/customers/customer-book.ts (addTag, removeTag) writes them.
    const addVip = () =>
      writeChange(ctx, { type: 'customer.tag_added', payload: { customerId, tag: 'VIP' }, staffId: guideId }, () =>
        local
          .prepare(
            `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES (?, 'VIP', ?, 'manual', ?) ON CONFLICT (customer_id, tag) DO NOTHING`,
          )
          .run(customerId, TEST_STORE, new Date().toISOString()),
      );
    const removeVip = () =>
      writeChange(ctx, { type: 'customer.tag_removed', payload: { customerId, tag: 'VIP' }, staffId: guideId }, () =>
        local.prepare(`DELETE FROM customer_tag WHERE customer_id = ? AND tag = 'VIP' AND source = 'manual'`).run(customerId),
      );
    const vip = () => local.prepare(`SELECT source FROM customer_tag WHERE customer_id = ? AND tag = 'VIP'`).pluck().get(customerId);

    // The guide tags the customer; HQ projects it, and the guide takes the tag off again before the device pulled HQ's row.
    addVip();
    await sync();
    expect(await projectAll(db, new Date())).toBeGreaterThan(0);
    removeVip();
    expect(vip()).toBeUndefined();
    // The pull brings HQ's row with the tag: the removal, accepted and not projected, still shows.
    await sync();
    expect(vip()).toBeUndefined();

    // HQ projects the removal; the guide tags the customer again before the device pulled HQ's tombstone.
    expect(await projectAll(db, new Date())).toBeGreaterThan(0);
    addVip();
    await sync();
    expect(vip()).toBe('manual');

    // HQ projects the add: its row shows it, and from then on HQ's answer wins (the tag taken off at HQ).
    expect(await projectAll(db, new Date())).toBeGreaterThan(0);
    await sync();
    expect(vip()).toBe('manual');
    await db.query(`DELETE FROM customer_tag WHERE customer_id = $1 AND tag = 'VIP'`, [customerId]);
    await sync();
    expect(vip()).toBeUndefined();
  });
});

/** The same against pages made here: what a pull writes over changes in the outbox, accepted, and forgotten. */
describe('own customer-book changes put back on the rows a page writes', () => {
  let device: TestDevice;
  let st: ApplyStatements;
  let clock = new Date(NOW);
  const GUIDE = 'stf-guide';
  beforeEach(() => {
    device = testDevice();
    st = new ApplyStatements(device.store.db, deviceOutbox(device.store.db));
    clock = new Date(NOW);
    apply(profile('cus-1', { optedOut: false }), task('tsk-1', 'open'));
  });
  afterEach(() => device.cleanup());

  const profile = (id: string, o: { optedOut: boolean; purchases?: number }) => [
    id,
    STORE,
    true,
    o.optedOut,
    null,
    'M',
    null,
    null,
    null,
    null,
    null,
    o.purchases ?? 0,
    0,
  ];
  const task = (id: string, status: string, snoozedUntil: string | null = null) => [
    id,
    STORE,
    GUIDE,
    'cus-1',
    'reactivate',
    '唤醒',
    'Reactivate',
    '',
    '',
    null,
    '2026-11-30T00:00:00.000Z',
    status,
    snoozedUntil,
    status === 'done' ? 'reached' : null,
    status === 'done' ? NOW : null,
  ];
  let cursor = 0;
  function apply(profileRow: unknown[] | null, taskRow: unknown[] | null = null): void {
    const sets = [
      ...(profileRow ? [{ kind: 'customer_profile', rows: [profileRow], deletes: [] }] : []),
      ...(taskRow ? [{ kind: 'customer_task', rows: [taskRow], deletes: [] }] : []),
    ];
    applyPage(st, page(`store:${STORE}`, `c${++cursor}`, sets), { storeId: STORE, now: clock.toISOString() });
  }
  function applySets(sets: { kind: string; rows: unknown[][]; deletes: unknown[][] }[]): void {
    applyPage(st, page(`store:${STORE}`, `c${++cursor}`, sets), { storeId: STORE, now: clock.toISOString() });
  }
  function change<T extends EventType>(type: T, payload: EventPayload<T>, effect: string): void {
    const ctx = {
      db: device.store.db,
      newId: uuidv7Generator(() => clock.getTime()),
      clock: () => clock,
      deviceId: device.deviceId,
      storeId: STORE,
    };
    writeChange(ctx, { type, payload, staffId: GUIDE }, (db) => db.exec(effect));
  }
  /** HQ answers `accepted` for everything in the outbox. */
  function accepted(): void {
    const outbox = deviceOutbox(device.store.db);
    const sent = outbox.oldest(100);
    outbox.settle(
      sent,
      sent.map((e) => ({ id: e.id, status: 'accepted' as const })),
      clock.toISOString(),
    );
  }
  const optedOut = () => device.store.db.prepare(`SELECT opted_out FROM customer_profile WHERE customer_id = 'cus-1'`).pluck().get();
  const taskShown = () => device.store.db.prepare(`SELECT status, snoozed_until FROM customer_task WHERE id = 'tsk-1'`).get();

  it('keeps an opt-out still in the outbox over HQ’s row of the same customer', () => {
    change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
    apply(profile('cus-1', { optedOut: false, purchases: 1 }));
    expect(optedOut()).toBe(1);
  });

  it('forgets an accepted opt-out once HQ’s row shows it: HQ’s later answer then wins', () => {
    change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
    accepted();
    apply(profile('cus-1', { optedOut: false, purchases: 1 }));
    expect(optedOut()).toBe(1);
    apply(profile('cus-1', { optedOut: true, purchases: 1 }));
    apply(profile('cus-1', { optedOut: false, purchases: 1 }));
    expect(optedOut()).toBe(0);
  });

  it('keeps an opt-out then an opt-in in order: HQ’s row showing the opt-in does not forget the opt-out before it', () => {
    change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
    change('customer.consent_changed', { customerId: 'cus-1', consent: true }, `UPDATE customer_profile SET opted_out = 0`);
    accepted();
    apply(profile('cus-1', { optedOut: false }));
    expect(optedOut()).toBe(0);
    // HQ projected the opt-out only: the device still shows its last word, the opt-in.
    apply(profile('cus-1', { optedOut: true }));
    expect(optedOut()).toBe(0);
  });

  it('lets HQ’s row stand after AWAIT_HQ_MS when it never showed the change', () => {
    change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
    accepted();
    clock = new Date(clock.getTime() + AWAIT_HQ_MS + 1);
    apply(profile('cus-1', { optedOut: false }));
    expect(optedOut()).toBe(0);
  });

  it('drops an awaiting list it did not write and settles all the same: the events leave the outbox', () => {
    for (const damaged of ['{oops', '[{"id":1}]', '{"id":"x"}']) {
      change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
      device.store.db
        .prepare(`INSERT INTO meta (key, value) VALUES ('awaiting_hq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`)
        .run(damaged);
      accepted();
      expect(pendingCount(device.store.db)).toBe(0);
      // What the settle kept is the one event it accepted, not what the damaged value held.
      const kept = JSON.parse(device.store.db.prepare(`SELECT value FROM meta WHERE key = 'awaiting_hq'`).pluck().get() as string) as {
        id: string;
      }[];
      expect(kept).toHaveLength(1);
      expect(kept[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('forgets an accepted change of a customer who moved away: back in the store, HQ’s row is shown as HQ has it', () => {
    applySets([{ kind: 'customer', rows: [customer('cus-1', GUIDE)], deletes: [] }]);
    change('customer.consent_changed', { customerId: 'cus-1', consent: false }, `UPDATE customer_profile SET opted_out = 1`);
    accepted();
    // The customer moves to another store before HQ projected the opt-out: HQ's projector skips it (not this store's any more).
    applySets([{ kind: 'customer', rows: [], deletes: [['cus-1']] }]);
    expect(optedOut()).toBeUndefined();
    // They come back (a store move undone): HQ's profile, which never had the opt-out, is what HQ has.
    applySets([
      { kind: 'customer', rows: [customer('cus-1', GUIDE)], deletes: [] },
      { kind: 'customer_profile', rows: [profile('cus-1', { optedOut: false })], deletes: [] },
    ]);
    expect(optedOut()).toBe(0);
  });

  it('keeps a snooze over HQ’s open task, and shows the task done when HQ closed it meanwhile', () => {
    const until = '2026-12-01T00:00:00.000Z';
    change('customer.task_snoozed', { taskId: 'tsk-1', until }, `UPDATE customer_task SET status = 'snoozed', snoozed_until = '${until}'`);
    accepted();
    apply(null, task('tsk-1', 'open'));
    expect(taskShown()).toEqual({ status: 'snoozed', snoozed_until: until });
    // Done on another device first: HQ's snooze does nothing to a closed task, and neither does the device's.
    apply(null, task('tsk-1', 'done'));
    expect(taskShown()).toEqual({ status: 'done', snoozed_until: null });
  });

  describe('a guide’s tags', () => {
    const tagRow = (tag: string, source = 'manual') => ['cus-1', tag, STORE, source, NOW];
    const tags = () =>
      device.store.db.prepare(`SELECT tag, source FROM customer_tag WHERE customer_id = 'cus-1' ORDER BY tag`).all() as {
        tag: string;
        source: string;
      }[];
    const hqRow = (...rows: unknown[][]) => applySets([{ kind: 'customer_tag', rows, deletes: [] }]);
    const hqDeletes = (...keys: unknown[][]) => applySets([{ kind: 'customer_tag', rows: [], deletes: keys }]);
    const removeVip = () =>
      change(
        'customer.tag_removed',
        { customerId: 'cus-1', tag: 'VIP' },
        `DELETE FROM customer_tag WHERE tag = 'VIP' AND source = 'manual'`,
      );
    const addVip = () =>
      change(
        'customer.tag_added',
        { customerId: 'cus-1', tag: 'VIP' },
        `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES ('cus-1', 'VIP', '${STORE}', 'manual', '${NOW}') ON CONFLICT DO NOTHING`,
      );
    beforeEach(() => applySets([{ kind: 'customer', rows: [customer('cus-1', GUIDE)], deletes: [] }]));

    it('keeps a tag taken off over HQ’s row of it, until HQ’s tombstone shows the removal: HQ’s later row then wins', () => {
      hqRow(tagRow('VIP'));
      removeVip();
      // HQ's row comes again (changed at HQ for another reason) while the removal is still in the outbox …
      hqRow(tagRow('VIP'), tagRow('high_spender', 'auto'));
      expect(tags()).toEqual([{ tag: 'high_spender', source: 'auto' }]);
      // … and once HQ accepted it, before HQ projected it.
      accepted();
      hqRow(tagRow('VIP'));
      expect(tags()).toEqual([{ tag: 'high_spender', source: 'auto' }]);
      // HQ projects: its tombstone shows the removal, and from then on HQ's row is the answer (another guide tags the customer again).
      hqDeletes(['cus-1', 'VIP']);
      hqRow(tagRow('VIP'));
      expect(tags()).toEqual([
        { tag: 'VIP', source: 'manual' },
        { tag: 'high_spender', source: 'auto' },
      ]);
    });

    it('keeps a tag added over HQ’s tombstone of it, until HQ’s row shows it: HQ’s later tombstone then wins', () => {
      addVip();
      hqDeletes(['cus-1', 'VIP']);
      expect(tags()).toEqual([{ tag: 'VIP', source: 'manual' }]);
      accepted();
      hqDeletes(['cus-1', 'VIP']);
      expect(tags()).toEqual([{ tag: 'VIP', source: 'manual' }]);
      hqRow(tagRow('VIP'));
      hqDeletes(['cus-1', 'VIP']);
      expect(tags()).toEqual([]);
    });

    it('keeps a tag added then taken off in order: HQ’s row showing the add does not bring the tag back', () => {
      hqDeletes(['cus-1', 'VIP']);
      addVip();
      removeVip();
      accepted();
      // HQ projected the add only.
      hqRow(tagRow('VIP'));
      expect(tags()).toEqual([]);
      // And then the removal: the tag stays off, and a later row of HQ's wins.
      hqDeletes(['cus-1', 'VIP']);
      hqRow(tagRow('VIP'));
      expect(tags()).toEqual([{ tag: 'VIP', source: 'manual' }]);
    });

    it('shows a tag another guide put on at HQ after the guide’s own add and removal of it were projected', () => {
      hqDeletes(['cus-1', 'VIP']);
      addVip();
      removeVip();
      accepted();
      // HQ projected both (one projector transaction): its tombstone is all the feed has of them.
      hqDeletes(['cus-1', 'VIP']);
      expect(tags()).toEqual([]);
      // An hour later another guide tags the customer: HQ's row, added after the removal, is HQ's answer.
      const later = new Date(clock.getTime() + 3600_000).toISOString();
      clock = new Date(later);
      hqRow(['cus-1', 'VIP', STORE, 'manual', later]);
      expect(tags()).toEqual([{ tag: 'VIP', source: 'manual' }]);
    });

    it('does not put a tag back on a customer HQ took off this device', () => {
      addVip();
      accepted();
      applySets([
        { kind: 'customer', rows: [], deletes: [['cus-1']] },
        { kind: 'customer_tag', rows: [], deletes: [['cus-1', 'VIP']] },
      ]);
      expect(tags()).toEqual([]);
    });
  });
});
