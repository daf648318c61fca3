import { CursorError, parseCursor } from './feed.js';
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
 * Nothing is answered from memory while the change listener is not listening: before it first
 * LISTENs, and from a lost connection (a PostgreSQL restart, a failover) until it is back; what
 * was learnt before the loss is forgotten, and each scope's head is learnt again from its next read.
 */
export type FeedHeads = {
  /**
   * Whether a pull of `scope` from `cursor` would find nothing now: this process knows the scope
   * has no change beyond that cursor. A cursor HQ never gave out is never at the head.
   */
  isAtHead(scope: string, cursor: string): boolean;
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
  /** This process's heartbeat NOTIFY came back through the change listener (notice-listeners.ts). */
  alive(): void;
  /** Scopes whose head is known (for tests and health). */
  size(): number;
};

/** Opaque to callers: the listener's epoch and the notice count when a read began. */
export type FeedRead = { readonly epoch: number; readonly tick: number; readonly listening: boolean };

type Head = { cursor: FeedCursor; tick: number };

export type FeedHeadsOptions = {
  /** Called after each notice was taken in (tests wait on it instead of sleeping). */
  onChanged?: (scope: string) => void;
  /**
   * Answer from memory only while this process's own heartbeat, NOTIFYed through its pool, was
   * heard by its listener within this many ms: a listener left on a server that died silently
   * (a failover without a reset: its TCP keep-alive takes minutes) hears nothing, yet no loss is
   * reported. Unset: no heartbeat is required (the listener's loss events are trusted alone).
   */
  aliveWithinMs?: number;
  /** Monotonic ms, for the heartbeat's age (injected in tests). */
  now?: () => number;
};

export function createFeedHeads(options: FeedHeadsOptions = {}): FeedHeads {
  const now = options.now ?? (() => performance.now());
  const within = options.aliveWithinMs;
  let lastAlive = -Infinity;
  let listening = false;
  // Bumped on every loss and every return of the listener: a read begun in another epoch teaches nothing.
  let epoch = 0;
  let tick = 0;
  const heads = new Map<string, Head>();
  // The notice count at each scope's last notice: a head learnt by a read begun before it is stale.
  const noticed = new Map<string, number>();

  return {
    isAtHead(scope, cursor) {
      if (!listening || (within !== undefined && now() - lastAlive > within)) return false;
      const head = heads.get(scope);
      if (!head || (noticed.get(scope) ?? -1) >= head.tick) return false;
      let c: FeedCursor;
      try {
        c = parseCursor(cursor);
      } catch (error) {
        if (error instanceof CursorError) return false;
        throw error;
      }
      return compareCursors(c, head.cursor) >= 0;
    },
    begin: () => ({ epoch, tick, listening }),
    record(read, requested, pages) {
      if (!read.listening || !listening || read.epoch !== epoch) return;
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
    },
    alive() {
      lastAlive = now();
    },
    size: () => heads.size,
  };
}

function compareCursors(a: FeedCursor, b: FeedCursor): number {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  return a.key === b.key ? 0 : a.key < b.key ? -1 : 1;
}
