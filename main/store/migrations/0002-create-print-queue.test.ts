import { describe, expect, it } from 'vitest';
import { emptyTables, seedStoreRows } from '../../testing/store-rows.js';
import { upgradeStore } from '../../testing/store-upgrade.js';

describe('device migration 2 (print queue) on a store with data', () => {
  it('keeps every row of version 1 and gives the store a working print queue', () => {
    const upgrade = upgradeStore({ from: 1, seed: (db) => seedStoreRows(db, 1) });
    try {
      const { db } = upgrade.store;
      expect(emptyTables(upgrade.before)).toEqual([]);
      expect(upgrade.rowsNow()).toEqual(upgrade.before);
      expect(db.pragma('foreign_key_check')).toEqual([]);

      const job = db.prepare(
        `INSERT INTO print_job (id, kind, document, state, created_at, updated_at) VALUES (?, 'receipt', ?, ?, '2025-01-03T00:00:00.000Z', '2025-01-03T00:00:00.000Z')`,
      );
      job.run('01900000-0000-7000-8000-0000000f0101', '{"lines":["王小明"]}', 'queued');
      job.run('01900000-0000-7000-8000-0000000f0102', '{"lines":[]}', 'done');
      expect(() => job.run('01900000-0000-7000-8000-0000000f0103', '{}', 'lost')).toThrow(/CHECK constraint/);
      expect(() => job.run('01900000-0000-7000-8000-0000000f0104', 'not json', 'queued')).toThrow(/CHECK constraint/);
      const open = db.prepare(`SELECT id FROM print_job WHERE state IN ('queued', 'sending', 'held') ORDER BY seq`);
      expect(open.pluck().all()).toEqual(['01900000-0000-7000-8000-0000000f0101']);
      expect(JSON.stringify(db.prepare(`EXPLAIN QUERY PLAN ${open.source}`).all())).toContain('print_job_open');

      // The outbox written before the upgrade keeps its order: new events come after it.
      db.prepare(
        `INSERT INTO outbox (id, type, payload, device_id, store_id, occurred_at) VALUES ('01900000-0000-7000-8000-0000000e0003', 'x', '{}', 'd', 's', 't')`,
      ).run();
      expect(db.prepare('SELECT id FROM outbox ORDER BY seq').pluck().all()).toEqual([
        '01900000-0000-7000-8000-0000000e0001',
        '01900000-0000-7000-8000-0000000e0002',
        '01900000-0000-7000-8000-0000000e0003',
      ]);
    } finally {
      upgrade.close();
    }
  });
});
