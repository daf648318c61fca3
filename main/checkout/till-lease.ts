import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';

/** How long a till counts as running after its last heartbeat. */
export const LEASE_MS = 60_000;
/** How often a running till renews its lease: several beats fit in a lease, so a late one or two do not matter. */
export const HEARTBEAT_MS = 10_000;
/**
 * A gap between this till's own successful beats longer than this means its heartbeat was held up
 * (the machine slept, the clock stepped, another till held the store's write lock): every till's
 * was, so none is judged by its lease until they could beat again. Not LEASE_MS: the tills' beats are not in step, and a pause of just under a lease lapses a
 * lease whose last beat came up to a beat earlier than this till's own.
 */
const PAUSE_MS = 2 * HEARTBEAT_MS;
/** Leases that lapsed this long ago are deleted as a till starts (a missing lease counts as lapsed). */
const KEEP_MS = 7 * 24 * 3_600_000;

type LeaseRow = { expires_at: string; released_at: string | null };

/**
 * This till instance's claim to its payment intents, on a store file several tills may share.
 * Each start of a till is a new instance with a new id; it writes a lease row at once, renews it
 * every 10 s while it runs (start()) and releases it when it closes (release()). Another till may
 * recover an intent of this one only once its lease has lapsed — the till died — or was released.
 *
 * A restarted till cannot prove it is the instance that died: the tills on one store file share
 * the device id and the file, and a process id is reused (two tills may even share a process). So
 * its pre-crash intents wait, like any other till's, for the old lease to lapse (at most LEASE_MS).
 *
 * A machine that slept stops every till's heartbeat at once: on waking, the others' leases look
 * lapsed although they run. So does one till's long write transaction: no other till can renew its
 * lease until it commits. A till whose own beats stopped, or failed, for longer than two beats
 * therefore judges no other lease lapsed until a whole lease has passed since they beat again —
 * time for the others to beat again too.
 */
export class TillLease {
  /** This instance's id: the owner of every payment intent it writes. */
  readonly id: string;
  private timer: NodeJS.Timeout | undefined;
  private lastBeat: number;
  /** Since when this till's beats have been continuous (it started, or its beats were held up for longer than PAUSE_MS). */
  private awakeSince: number;
  private released = false;
  private readonly renew: Statement<[string, string]>;
  private readonly read: Statement<[string], LeaseRow>;
  private readonly free: Statement<[string, string, string]>;

  constructor(
    db: Database,
    private readonly clock: () => Date,
    newId: () => string,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.id = newId();
    const now = clock().getTime();
    this.lastBeat = now;
    this.awakeSince = now;
    this.renew = db.prepare('UPDATE till_lease SET expires_at = ? WHERE id = ? AND released_at IS NULL');
    this.read = db.prepare('SELECT expires_at, released_at FROM till_lease WHERE id = ?');
    this.free = db.prepare('UPDATE till_lease SET released_at = ?, expires_at = min(expires_at, ?) WHERE id = ?');
    db.transaction(() => {
      db.prepare('DELETE FROM till_lease WHERE expires_at < ?').run(iso(now - KEEP_MS));
      db.prepare('INSERT INTO till_lease (id, started_at, expires_at) VALUES (?, ?, ?)').run(this.id, iso(now), iso(now + LEASE_MS));
    }).immediate();
  }

  /** Renews the lease: this till is running. */
  beat(): void {
    if (this.released) return;
    const now = this.clock().getTime();
    // Throws while another till writes (SQLITE_BUSY): then this beat did not count, and no other
    // till's could either — the lock is the store file's — so a run of failed beats is a pause too.
    this.renew.run(iso(now + LEASE_MS), this.id);
    if (now - this.lastBeat > PAUSE_MS) this.awakeSince = now;
    this.lastBeat = now;
  }

  /** Renews the lease every HEARTBEAT_MS until release(). */
  start(): void {
    if (this.released || this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.beat();
      } catch (error) {
        // A busy or closing store: the next beat tries again, well within the lease.
        this.log(`till lease: heartbeat failed (${error instanceof Error ? error.message : String(error)})`);
      }
    }, HEARTBEAT_MS).unref();
  }

  /** The till is closing (its carts with it): its intents are for the other tills to recover at once. */
  release(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.released) return;
    this.released = true;
    const at = iso(this.clock().getTime());
    this.free.run(at, at, this.id);
  }

  /** Whether the till instance `owner` is gone (closed, or died): no cart of its can still record its intents. */
  gone(owner: string): boolean {
    if (owner === this.id) return this.released;
    const row = this.read.get(owner);
    if (!row || row.released_at !== null) return true;
    const now = this.clock().getTime();
    return row.expires_at <= iso(now) && now - this.awakeSince >= LEASE_MS;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
