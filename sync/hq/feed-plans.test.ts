import { afterAll, describe, expect, it } from 'vitest';
import { openHqDb } from './db.js';
import type { QueryOptions, Sql } from './db.js';
import { readFeeds } from './feed.js';
import { testBackends } from './testing/backends.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/**
 * A poll at the feed's head is HQ's commonest statement: PostgreSQL re-planned it on every call
 * (planning ten times its running time) until it ran on connections that keep one generic plan.
 * A provisioning page, asked with its totals, is still planned for its own cursor and budget; the
 * first scope's total is counted beside it, in a statement of its own, on the generic-plan
 * connections, which start no parallel workers.
 */
describe('where the feed statement is planned', () => {
  it("sends a poll and a provisioning's count to the connections with one generic plan, and a provisioning page to the others", async () => {
    const seen: (QueryOptions | undefined)[] = [];
    const sql: Sql = {
      async query<R>(_text: string, _params?: readonly unknown[], options?: QueryOptions) {
        seen.push(options);
        return [] as R[];
      },
      exec: async () => undefined,
    };
    const scopes = [{ scope: 'store:loc-S001', cursor: '' }];
    await readFeeds(sql, scopes, 1000, false);
    await readFeeds(sql, scopes, 50_000, true);
    expect(seen.map((o) => o?.genericPlan)).toEqual([true, false, true]);
    expect(seen.map((o) => o?.name)).toEqual(['feed_1_poll', 'feed_1_provision', 'feed_left']);
  });

  it("sends the first scope's total beside its page, not after it", async () => {
    const asked: string[] = [];
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const sql: Sql = {
      async query<R>(_text: string, _params?: readonly unknown[], options?: QueryOptions) {
        asked.push(options?.name ?? '');
        await answered;
        return [] as R[];
      },
      exec: async () => undefined,
    };
    const page = readFeeds(sql, [{ scope: 'brand:SFL', cursor: '' }], 50_000, true);
    await new Promise((resolve) => setImmediate(resolve));
    // Both are out before either is answered.
    expect(asked).toEqual(['feed_1_provision', 'feed_left']);
    answer();
    await page;
  });

  it.each(backends.filter((b) => b.name === 'postgres'))(
    'keeps one generic plan and no parallel workers on those connections only, on $name',
    async (backend) => {
      const db = await openHqDb({ databaseUrl: await backend.databaseUrl(), poolSize: 2 });
      try {
        const mode = async (options?: QueryOptions) =>
          (await db.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', [], options))[0]?.plan_cache_mode;
        expect(await mode({ genericPlan: true })).toBe('force_generic_plan');
        expect(await mode()).toBe('auto');
        expect(await db.tx((tx) => tx.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode'))).toEqual([{ plan_cache_mode: 'auto' }]);
        const workers = async (options?: QueryOptions) =>
          (await db.query<{ w: string }>('SELECT current_setting($1) AS w', ['max_parallel_workers_per_gather'], options))[0]?.w;
        expect(await workers({ genericPlan: true })).toBe('0');
        expect(await workers()).not.toBe('0');
      } finally {
        await db.close();
      }
    },
  );
});
