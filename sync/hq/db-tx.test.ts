import { afterAll, describe, expect, it } from 'vitest';
import { openHqDb } from './db.js';
import type { Sql } from './db.js';
import { testBackends } from './testing/backends.js';

const { backends, stopBackends } = testBackends();
afterAll(stopBackends);

// Two transactions waiting on each other: PGlite runs one at a time, so only PostgreSQL deadlocks.
describe.each(backends.filter((b) => b.name === 'postgres'))('a transaction PostgreSQL ends for a deadlock, on $name', (backend) => {
  it('is run again and commits: both callers get their answer, not an error', async () => {
    const logged: string[] = [];
    const db = await openHqDb({ databaseUrl: await backend.databaseUrl(), log: (message) => logged.push(message) });
    try {
      await db.exec(`CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL); INSERT INTO pair VALUES (1, 0), (2, 0);`);
      // Each takes its first row, waits until the other has too, then asks for the other's.
      let holding = 0;
      const bothHold = async () => {
        holding++;
        for (let i = 0; holding < 2 && i < 400; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      const runs = { a: 0, b: 0 };
      const crosswise = (name: 'a' | 'b', first: number, second: number) => async (sql: Sql) => {
        runs[name]++;
        await sql.query('UPDATE pair SET n = n + 1 WHERE id = $1', [first]);
        if (runs[name] === 1) await bothHold();
        await sql.query('UPDATE pair SET n = n + 1 WHERE id = $1', [second]);
        return name;
      };
      expect(await Promise.all([db.tx(crosswise('a', 1, 2)), db.tx(crosswise('b', 2, 1))])).toEqual(['a', 'b']);
      // One of the two was the deadlock's victim and ran twice; each committed once.
      expect(runs.a + runs.b).toBe(3);
      expect(await db.query('SELECT id, n FROM pair ORDER BY id')).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 2 },
      ]);
      expect(logged).toEqual(['transaction rolled back by PostgreSQL, run again']);
    } finally {
      await db.close();
    }
  });
});
