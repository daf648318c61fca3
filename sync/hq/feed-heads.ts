import { createFeedBarrier } from './feed-barrier.js';
import { CursorError, compareCursors, parseCursor } from './feed.js';
import type { FeedCursor, ScopePage } from './feed.js';

/**
 * What this HQ process knows about the head of each scope's feed, so that a pull with nothing
 * new — what an idle device does all day — is answered without asking PostgreSQL.
 *
 * A scope's head is learnt from a feed read (`record`): a drained page with nothing held back
 * means that, in that read's snapshot, the scope had no change row beyond the page's cursor at
 * all. It stays true until a transaction that writes the scope commits, and every such commit
 * NOTIFYs `sf_change` with the scope (the feed triggers) — from this HQ process or any other — and
 * reaches `changed` after the commit. A read notes the notice count before it runs (`begin`): a
 * notice that arrives after that may be of a commit the snapshot did not see, so the scope's head
 * from that read no longer counts. A notice never arrives before its commit is visible to a later
 * snapshot (PostgreSQL delivers it only then), so a commit the snapshot missed always counts.
 *
 * The late-commit guarantee of the feed holds: an answer from here never moves a cursor (the device
 * keeps the one it sent), so nothing is skipped; and a scope whose rows are held back by the
 * horizon (committed above a transaction still running, whose NOTIFY came before the read) is not
 * at its head, because those rows become due without a new notice.
 *
 * A notice reaches this process a little after its commit returned to whoever made it: a device
 * told of a change some other way (its own push, a change made by the bench right before its pull)
 * could ask in between. So a pull at the head is answered from memory only after `settled()`: a
 * barrier NOTIFY sent after the pull arrived came back (feed-barrier.ts), which shows every commit
 * that completed earlier was heard. One barrier serves every pull that waits for it.
 *
 * Nothing is answered from memory while the change listener is not listening: before it first
 * LISTENs, and from a lost connection (a PostgreSQL restart, a failover) until it is back; what
 * was learnt before the loss is forgotten, and each scope's head is learnt again from its next read.
 */
export type FeedHeads = {
  /**
   * Whether a pull of `scope` from `cursor` would find nothing: this process knows the scope has no
   * change beyond that cursor, as of the notices heard so far. A cursor HQ never gave out is never
   * at the head. Only to be trusted after `await settled()` (checked again after it).
   */
  isAtHead(scope: string, cursor: string): boolean;
  /** Resolves true once every commit that completed before the call was heard (a barrier came back); false: read the feed. */
  settled(): Promise<boolean>;
  /** A `~`-payload on the change channel (a barrier; notice-listeners.ts). */
  heard(payload: string): void;
  /** Called before a feed read: what `record` needs to tell whether a notice arrived meanwhile. */
  begin(): FeedRead;
  /** Learns from a read's pages (`requested`: the cursors the read was asked for, in page order). */
  record(read: FeedRead, requested: readonly { scope: string; cursor: string }[], pages: readonly ScopePage[]): void;
  /** An `sf_change` notice: the scope changed (a payload that is no scope is ignored). */
  changed(scope: string): void;
  /** The change listener is in place (first LISTEN, or back after a loss): heads may be learnt from now on. */
  listening(): void;
  /** The change listener lost its connection (or stopped): notices may be missed, forget every head. */
  lost(): void;
  /** A pull was answered from memory (servePull): counted for `stats`. */
  answered(): void;
  /** Scopes whose head is known, pulls answered from memory and feed reads begun (HQ's /health, the bench). */
  stats(): FeedHeadStats;
};

export type FeedHeadStats = { known: number; fromMemory: number; reads: number };

/** Opaque to callers: the listener's epoch and the notice count when a read began. */
export type FeedRead = { readonly epoch: number; readonly tick: number };

type Head = { cursor: FeedCursor; tick: number };

export type FeedHeadsOptions = {
  /** Called after each notice was taken in (tests wait on it instead of sleeping). */
  onChanged?: (scope: string) => void;
  /** Sends a barrier NOTIFY on the change channel (feed-barrier.ts notifyBarrier); without it nothing is answered from memory. */
  sendBarrier?: (payload: string) => Promise<void>;
  /** A barrier not heard back within this many ms fails (the pull reads the feed). */
  barrierTimeoutMs?: number;
};

export function createFeedHeads(options: FeedHeadsOptions = {}): FeedHeads {
  const barrier = options.sendBarrier ? createFeedBarrier(options.sendBarrier, options.barrierTimeoutMs) : null;
  let listening = false;
  // Bumped on every loss and every return of the listener: a read begun in another epoch teaches nothing.
  let epoch = 0;
  let tick = 0;
  let reads = 0;
  let fromMemory = 0;
  const heads = new Map<string, Head>();
  // The notice count at each scope's last notice: a head learnt by a read begun before it is stale.
  const noticed = new Map<string, number>();

  return {
    isAtHead(scope, cursor) {
      if (!listening) return false;
      const head = heads.get(scope);
      if (!head || (noticed.get(scope) ?? -1) >= head.tick) return false;
      let c: FeedCursor;
      try {
        c = parseCursor(cursor);
      } catch (error) {
        if (error instanceof CursorError) return false;
        throw error;
      }
      return atOrPast(c, head.cursor);
    },
    settled: async () => listening && barrier !== null && (await barrier.wait()),
    heard: (payload) => barrier?.heard(payload),
    begin() {
      reads++;
      return { epoch, tick };
    },
    record(read, requested, pages) {
      // The listener's state changes only with the epoch: same epoch, same listening.
      if (!listening || read.epoch !== epoch) return;
      pages.forEach((page, i) => {
        const asked = requested[i];
        if (!asked || asked.scope !== page.scope || !page.served || page.more || page.heldBack) return;
        if ((noticed.get(page.scope) ?? -1) >= read.tick) return;
        // Nothing beyond the page's cursor; with no rows, nothing beyond the cursor asked for either (an earlier, stronger head).
        const cursor = parseCursor(page.rows === 0 ? asked.cursor : page.cursor);
        // Two heads that no notice made stale say the same; the one at the earlier cursor says more.
        const known = heads.get(page.scope);
        if (known && compareCursors(known.cursor, cursor) <= 0) return;
        heads.set(page.scope, { cursor, tick: read.tick });
      });
    },
    changed(scope) {
      // The notice count before this notice: a read begun at `tick` (or earlier) may have missed this commit.
      noticed.set(scope, tick);
      tick++;
      heads.delete(scope);
      options.onChanged?.(scope);
    },
    listening() {
      listening = true;
      epoch++;
    },
    lost() {
      listening = false;
      epoch++;
      heads.clear();
      barrier?.fail();
    },
    answered() {
      fromMemory++;
    },
    stats: () => ({ known: heads.size, fromMemory, reads }),
  };
}

/**
 * Whether `c` lies at or past `head` in the feed's order — known without comparing keys: past the
 * head's transaction, past its rank in that transaction, or at the very position. PostgreSQL orders
 * the keys of one transaction and rank by the database's collation (a cluster made with the host's
 * locale ignores case and punctuation at first), and by code point in C, neither of which is
 * JavaScript's string order: a cursor whose page ended between two rows of the head's transaction
 * was taken for one past the head, and answered from memory with nothing while the rows after it
 * waited for the scope's next change. Such a cursor reads the feed instead.
 */
function atOrPast(c: FeedCursor, head: FeedCursor): boolean {
  const cx = BigInt(c.xid);
  const hx = BigInt(head.xid);
  if (cx !== hx) return cx > hx;
  if (c.rank !== head.rank) return c.rank > head.rank;
  return c.key === head.key;
}

/**
 * Whether a pull of these scopes from these cursors finds nothing, known without a feed query: every
 * scope at its known head, checked again once every earlier commit was heard (a notice may have
 * ended a head meanwhile). What servePull asks before answering from memory (live pulls do not
 * use the heads yet: see sync/hq/live.ts).
 */
export async function pullIsAtHead(heads: FeedHeads, scopes: readonly { scope: string; cursor: string }[]): Promise<boolean> {
  const atHead = () => scopes.every((s) => heads.isAtHead(s.scope, s.cursor));
  return atHead() && (await heads.settled()) && atHead();
}
