import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from '../testing/backends.js';
import { seedHqRows } from '../testing/hq-rows.js';
import { upgradeHq } from '../testing/hq-upgrade.js';
import type { HqDb } from '../db.js';
import inlineIso from './0008-inline-sf-iso.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

const from = inlineIso.version - 1;

/** Instants around what to_char's MS truncates and pads, a leap day, a year before 1000, and NULL. */
const INSTANTS = [
  '2026-12-05T13:00:00Z',
  '2026-12-05T13:00:00.0009Z',
  '2026-12-05T13:00:00.9999+08:00',
  '2024-02-29T23:59:59.123456-05:00',
  '0999-01-01T00:00:00Z',
  null,
];

async function isoTexts(db: HqDb): Promise<(string | null)[]> {
  const rows = await db.query<{ t: string | null }>(
    'SELECT sf_iso(x) AS t FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u(x, n) ORDER BY n',
    [INSTANTS],
  );
  return rows.map((r) => r.t);
}

describe.each(backends)('HQ migration inline-sf-iso on $name', (backend) => {
  it('keeps every row and every text sf_iso made, and PostgreSQL now inlines it into the calling query', async () => {
    let before: (string | null)[] = [];
    const upgrade = await upgradeHq(backend, {
      from,
      seed: async (db) => {
        await seedHqRows(db, from);
        before = await isoTexts(db);
      },
    });
    const { db } = upgrade;
    try {
      expect(await upgrade.rowsNow()).toEqual(upgrade.before);
      expect(before).toEqual([
        '2026-12-05T13:00:00.000Z',
        '2026-12-05T13:00:00.000Z',
        '2026-12-05T05:00:00.999Z',
        '2024-03-01T04:59:59.123Z',
        '0999-01-01T00:00:00.000Z',
        null,
      ]);
      expect(await isoTexts(db)).toEqual(before);
      const [fn] = await db.query<{ v: string }>("SELECT provolatile AS v FROM pg_proc WHERE proname = 'sf_iso'");
      expect(fn?.v).toBe('s');
      // Inlined, the plan shows to_char over the column; called, it shows sf_iso.
      const plan = await db.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN (VERBOSE, COSTS OFF) SELECT sf_iso(x) FROM unnest($1::timestamptz[]) AS u(x)',
        [INSTANTS],
      );
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('to_char');
      expect(text).not.toContain('sf_iso');
    } finally {
      await upgrade.close();
    }
  });
});
