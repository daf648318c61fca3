import { describe, expect, it } from 'vitest';
import { recordingSql, sha256 } from '../testing/recording-sql.js';
import m0001 from './0001-create-hq.js';

/**
 * Migration 0001 has shipped: every HQ database in the field was made by exactly this SQL, so a
 * refactoring of its source (moving the feed-trigger builder out, splitting it into parts) must
 * send the database the same text, in the same calls, in the same order. These hashes were taken
 * from 0001 as it shipped. A failing hash here means 0001 changed meaning: undo that change and
 * put it in a NEW migration. Never update these values.
 */
const SHIPPED_0001 = [
  // sf_iso() and every table, in one batch.
  { method: 'exec', sha256: '39bf9155e00a1ce3881e322d445bf7e574839f781186c38c6b3c376e08f33f2c' },
  // Then one batch per fed table: its feed function and its three statement triggers.
  { method: 'exec', sha256: '698c0f9ca30599f9e57c620affb050812b66ea9b37576351a0ecda00e0a1e70c' }, // location
  { method: 'exec', sha256: '0776bc64784ceabfc168c1fae4c25142127cae20ba89aed2dc34367966b47106' }, // style
  { method: 'exec', sha256: 'a97d5031381f6a19fb34c8ad7ad9958f60c2774ecffcd0998906a697b02ccd88' }, // sku
  { method: 'exec', sha256: 'e5c779156e565edb13009268b20f2385d6469764afda451e6225afbb2a2782af' }, // promotion
  { method: 'exec', sha256: '284589ae61a0f44e2b49d4a528b31e943dd66aa0911f6afe8af3ce8eae67a376' }, // staff
  { method: 'exec', sha256: '582a3d7fd0984aa09338898d69f7a8348667e791acac9eb5aa33efc2a5780df0' }, // customer
  { method: 'exec', sha256: 'eda787e30dd3993f92ed7b9730d790a26c788940b98688d3780b85d5a248431c' }, // member_code
  { method: 'exec', sha256: '63ca7f0eeec02ce73a50edf64e2eb53a920076f6de346600ecb3753e20a6dfd1' }, // coupon
  { method: 'exec', sha256: '40cf37e24fdf1a0e5475d89fef7844a910f6370a2a2fc1f8146f0ff067d97966' }, // stock
  { method: 'exec', sha256: '80d503311e77e58bd8a63019b81ea05c7ce11e939c8d4e78a6ee6d1aff963adb' }, // device
];

describe('migration 0001 as it shipped', () => {
  it('sends the database exactly the SQL it shipped with, call by call', async () => {
    const { sql, calls } = recordingSql();
    await m0001.up(sql);
    expect(calls.map((c) => ({ method: c.method, sha256: sha256(c.text) }))).toEqual(SHIPPED_0001);
    expect(calls.every((c) => c.params.length === 0)).toBe(true);
  });
});
