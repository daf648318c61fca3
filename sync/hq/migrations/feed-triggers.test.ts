import { describe, expect, it } from 'vitest';
import { sha256 } from '../testing/recording-sql.js';
import { FED_TABLES_0001 } from './0001-create-hq.js';
import { feedTriggersV1 } from './feed-triggers.js';

/**
 * feedTriggersV1 is frozen: migration 0001 ran its output on every HQ database, and later
 * migrations reuse it expecting the same behaviour. These are the hashes of what it generated
 * when 0001 shipped (the same values as 0001's per-table calls in 0001-create-hq-sql.test.ts).
 * If one fails, the builder changed: revert that change. A new behaviour is a NEW builder
 * (feedTriggersV2) used by a NEW migration, never an edit of V1 and never an update of these values.
 */
const SHIPPED_V1: Record<string, string> = {
  location: '698c0f9ca30599f9e57c620affb050812b66ea9b37576351a0ecda00e0a1e70c',
  style: '0776bc64784ceabfc168c1fae4c25142127cae20ba89aed2dc34367966b47106',
  sku: 'a97d5031381f6a19fb34c8ad7ad9958f60c2774ecffcd0998906a697b02ccd88',
  promotion: 'e5c779156e565edb13009268b20f2385d6469764afda451e6225afbb2a2782af',
  staff: '284589ae61a0f44e2b49d4a528b31e943dd66aa0911f6afe8af3ce8eae67a376',
  customer: '582a3d7fd0984aa09338898d69f7a8348667e791acac9eb5aa33efc2a5780df0',
  member_code: 'eda787e30dd3993f92ed7b9730d790a26c788940b98688d3780b85d5a248431c',
  coupon: '63ca7f0eeec02ce73a50edf64e2eb53a920076f6de346600ecb3753e20a6dfd1',
  stock: '40cf37e24fdf1a0e5475d89fef7844a910f6370a2a2fc1f8146f0ff067d97966',
  device: '80d503311e77e58bd8a63019b81ea05c7ce11e939c8d4e78a6ee6d1aff963adb',
};

describe('feedTriggersV1 (frozen)', () => {
  it('generates, for every table 0001 feeds, exactly the SQL 0001 shipped', () => {
    const generated = Object.fromEntries(FED_TABLES_0001.map(({ table, feeds }) => [table, sha256(feedTriggersV1(table, feeds))]));
    expect(generated).toEqual(SHIPPED_V1);
  });

  it('generates the same SQL for a spec using every option at once (no 0001 table combines them all)', () => {
    const sql = feedTriggersV1('probe', [
      {
        kind: 'probe',
        rank: 99,
        movable: true,
        skipUnchanged: true,
        scope: `'store:' || p.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.parent_id, t.note)',
        from: 'JOIN parent p ON p.id = t.parent_id',
      },
      {
        kind: 'probe_brand',
        rank: 100,
        scope: `'brand:' || t.brand`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id)',
      },
    ]);
    expect(sql).toContain('CREATE FUNCTION feed_probe() RETURNS trigger');
    // Taken from the builder as it was inside 0001 when 0001 shipped.
    expect(sha256(sql)).toBe('2f8631d7ee301bb314b895ff1603edb5897cb9217cddba030208e98eea668fc6');
  });
});
