import { afterAll, describe, expect, it } from 'vitest';
import { testBackends } from './testing/backends.js';
import { openTestHqDb, startTestHq } from './testing/test-hq.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

/** The pool openTestHqDb opens (poolSize). */
const POOL = 10;

describe.each(backends)('HQ /health on $name', (backend) => {
  it('answers while every pooled connection is busy, with the projection queue it could not read as null', async () => {
    const db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    const hq = await startTestHq(db);
    const health = async () => (await fetch(`${hq.url}/health`)).json() as Promise<{ ok: boolean; projectionPending: number | null }>;
    // The count is read within HEALTH_DB_WAIT_MS when the pool is free; on a loaded machine one
    // read may take longer and answer null, so a free pool is judged over a few reads.
    const counted = () => expect.poll(async () => (await health()).projectionPending, { timeout: 20_000, interval: 50 }).toBe(0);
    try {
      await counted();
      // Every connection held by a transaction that waits for the checks below (a push storm).
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      const busy = Array.from({ length: POOL }, () =>
        db.tx(async () => {
          started++;
          await held;
        }),
      );
      try {
        // PGlite runs one transaction at a time: the others queue behind the first.
        while (started < (db.kind === 'pglite' ? 1 : POOL)) await new Promise((resolve) => setTimeout(resolve, 5));
        // A liveness bound only: a check that waited for the pool would end here, as `hung`.
        const hung = new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung').unref());
        const answers = await Promise.race([Promise.all([health(), health(), health(), health()]), hung]);
        expect(answers).toEqual(Array(4).fill(expect.objectContaining({ ok: true, projectionPending: null })));
      } finally {
        release();
        await Promise.all(busy);
      }
      // The pool free again, the count is read.
      await counted();
    } finally {
      await hq.close();
      await db.close();
    }
  }, 60_000);
});
