import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * For crash children: the next outbox row to be inserted first says `marker` on stdout and then
 * blocks the process until it is killed. A temporary trigger does it from inside SQLite, so the
 * pause sits exactly after the domain's effect and before its event, wherever `writeChange` runs
 * that insert: inside the effect's transaction (a kill then leaves neither) or, if someone moves
 * it out, after the effect committed (a kill then leaves the effect without its event).
 */
export function pauseAtNextOutboxInsert(db: Database, marker: string, armed: () => boolean = () => true): void {
  const block = new Int32Array(new SharedArrayBuffer(4));
  db.function('sf_test_pause', () => {
    if (!armed()) return 0;
    process.stdout.write(`${marker}\n`);
    Atomics.wait(block, 0, 0); // until SIGKILL
    return 0;
  });
  db.exec('CREATE TEMP TRIGGER sf_test_pause_outbox BEFORE INSERT ON main.outbox BEGIN SELECT sf_test_pause(); END');
}
