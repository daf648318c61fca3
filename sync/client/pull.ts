import { z } from 'zod';
import { ENTITY_KINDS } from '../protocol/entities.js';
import { cursorSchema, MAX_PULL_LIMIT, parsePageHeads, PULL_PAGES_HEADER, scopeSchema } from '../protocol/feed.js';
import type { PageHead, PullRequest } from '../protocol/feed.js';
import { SYNC_PATHS } from '../protocol/http.js';
import { applyPage, buildDeferredIndexes, ensureFeedKinds, PageRefusedError, readCursors } from './apply.js';
import type { ApplyStatements } from './apply.js';
import { letRequestLeave } from './signed-http.js';
import type { SignedClient } from './signed-http.js';

/**
 * The pull answer's envelope, checked strictly; the rows inside are only checked to be lists
 * here and then row by row with rowProblem() when applied — the protocol's cell-by-cell zod
 * schema costs ~10× more on a 200,000-row provisioning.
 */
const list = z.custom<unknown[]>((v) => Array.isArray(v), { message: 'expected a list' });
const wirePullResponseSchema = z
  .object({
    pages: z.array(
      z
        .object({
          scope: scopeSchema,
          cursor: cursorSchema,
          more: z.boolean(),
          total: z.number().int().min(0).optional(),
          sets: z.array(z.object({ kind: z.enum(ENTITY_KINDS), rows: list, deletes: list }).strict()),
        })
        .strict(),
    ),
    serverTime: z.iso.datetime(),
  })
  .strict();

type AnswerPage = z.infer<typeof wirePullResponseSchema>['pages'][number];

export type PullProgress = { applied: number; total: number; done: boolean };

export type PullOptions = {
  st: ApplyStatements;
  client: SignedClient;
  /** The device's scopes, parents first (brand before store: a store's stock needs the brand's SKUs). */
  scopes: readonly string[];
  storeId: string;
  clock: () => Date;
  /** Rows per request while provisioning (a fresh device) and afterwards. */
  provisioningLimit?: number;
  incrementalLimit?: number;
  /** Called after every applied page while the device is provisioning. */
  onProgress?: (progress: PullProgress) => void;
  /** Stops between pages (the replicator is closing). */
  signal?: AbortSignal;
  /**
   * A checkpoint of this store on another connection, off this thread (the store's
   * checkpointOffThread): a provisioning's end, and a large incremental pull's, leave it running
   * instead of checkpointing here (withCheckpointsDeferred, OFF_THREAD_CHECKPOINT_ROWS).
   */
  checkpoint?: () => Promise<unknown>;
};

export type PullOutcome = {
  rows: number;
  deletes: number;
  pages: number;
  requests: number;
  provisioning: boolean;
  /** Time spent applying pages to SQLite (the rest of a pull is HQ and the network): for measurements. */
  applyMs: number;
};

type ScopeState = { cursor: string; applied: number; total: number | null; done: boolean };

/**
 * Pulls every scope until HQ has nothing more. Each page is applied with its cursor in one
 * transaction. While page N is applied, page N+1 is already being fetched (its cursor is known
 * from page N's answer); if page N is refused, N+1's answer is dropped. A later scope's page is
 * applied only once every earlier scope is drained, so a store's stock never arrives before the
 * brand's SKUs it refers to.
 */
export async function pullAll(options: PullOptions): Promise<PullOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await pullOnce(options);
    } catch (error) {
      // A parent that arrived in a scope pulled earlier in the round, after it was drained: pull again from the top.
      if (error instanceof PageRefusedError && error.missingParent && attempt < 2) continue;
      throw error;
    }
  }
}

/**
 * SQLite's automatic checkpoints are held off while `fn` provisions, and one checkpoint runs at
 * the end. Every page of a provisioning commits thousands of WAL pages; with the default
 * (a checkpoint at every commit past 1,000 pages) the device copied its new B-tree pages back
 * into the database after each page — the same pages again and again as the tables grew, each
 * copy encrypted and synced. Measured on the bench's 214,762-row brand scope: 2.0 s of device
 * CPU and 2.55 s wall with them, about 1.75 s and 2.3 s with one checkpoint at the end (included).
 * The setting is the connection's own (a crash leaves it at the default); the WAL grows by what
 * the provisioning writes. A commit meanwhile (a sale) is as durable as ever: the WAL is synced
 * at each commit either way.
 *
 * The checkpoint at the end runs on `offThread` when given (the store's checkpointOffThread: a
 * PASSIVE checkpoint on another connection in a worker thread), and the provisioning is done
 * without waiting for it: on the encrypted store it is 220–320 ms of decrypting and encrypting
 * every page again, which the till's thread spent before it answered anything. Checkpoints stay
 * held off on this connection until it is done (one here meanwhile would do the same work on this
 * thread); should it fail, it runs here as before (a TRUNCATE, which also gives the WAL file's
 * space back; the worker leaves the file's size as it is, reused from its start, and SQLite
 * deletes the file when the store closes). `checkpointsDone(db)` waits for it. A large incremental
 * pull hands its checkpoint over the same way (OFF_THREAD_CHECKPOINT_ROWS, `worthIt`).
 */
export async function withCheckpointsDeferred<T>(
  db: Db,
  fn: () => Promise<T>,
  offThread?: () => Promise<unknown>,
  /** Whether what `fn` did (or got done before it failed) is worth a checkpoint; when not, the hold just ends. Default: always. */
  worthIt: () => boolean = () => true,
): Promise<T> {
  const deferral = deferCheckpoints(db, offThread);
  deferral.hold();
  try {
    return await fn();
  } finally {
    deferral.end(worthIt);
  }
}

/**
 * A hold on this connection's automatic checkpoints that starts when `hold()` is first called
 * (a provisioning at once, an incremental pull only once it has applied enough to be worth it) and
 * ends with `end()`: with the checkpoint when `worthIt()` says so — off the thread when it can —
 * or without one. `end()` without a hold does nothing.
 */
function deferCheckpoints(db: Db, offThread: (() => Promise<unknown>) | undefined) {
  let release: (() => void) | null = null;
  return {
    hold() {
      release ??= holdCheckpoints(db);
    },
    end(worthIt: () => boolean) {
      const held = release;
      release = null;
      if (!held) return;
      let worth = true;
      try {
        worth = worthIt();
      } finally {
        if (!worth) held();
        else if (!offThread || !db.open) checkpointHere(db, held);
        else checkpointInWorker(db, held, offThread);
      }
    },
  };
}

/** Ends a hold with a checkpoint on this thread (a TRUNCATE: it also gives the WAL file's space back). */
function checkpointHere(db: Db, release: () => void): void {
  release();
  if (db.open) db.pragma('wal_checkpoint(TRUNCATE)');
}

/**
 * Ends a hold with a checkpoint off the thread, released when it is done. One at a time per
 * connection: a second checkpoint while one runs would find SQLite's checkpoint lock taken and do
 * nothing, so it waits for the one before. A checkpoint that failed, or found the lock taken all
 * the same, runs here; if that fails too (a full disk), the automatic checkpoints take it up
 * later and the log of the replicator says why — nothing here rejects.
 */
function checkpointInWorker(db: Db, release: () => void, offThread: () => Promise<unknown>): void {
  const before = pendingCheckpoints.get(db) ?? Promise.resolve();
  const done = before
    .then(() => (db.open ? offThread() : null))
    .then((result) => {
      if (isBusy(result)) throw new Error('the checkpoint lock was taken');
      release();
    })
    .catch(() => {
      try {
        checkpointHere(db, release);
      } catch {
        // The automatic checkpoints do it once the setting is back (release() ran first).
      }
    });
  pendingCheckpoints.set(db, done);
}

/** A checkpoint's answer saying another checkpoint held SQLite's lock (`busy`: 1): it did nothing. */
function isBusy(result: unknown): boolean {
  return typeof result === 'object' && result !== null && 'busy' in result && result.busy !== 0;
}

/**
 * An incremental pull that applies this many rows (or more) holds the automatic checkpoints off
 * from that page on and leaves its checkpoint to the worker too: a row upserted into a large
 * table dirties a page of its own, and 1,000 of them spread over the bench's 200,000 SKUs wrote
 * 1,001 WAL pages, which set off SQLite's automatic checkpoint in the page's commit, on the till's
 * thread (74–79 ms for the apply with it, 33–45 ms without). Half of what sets the automatic
 * checkpoint off; smaller pulls (a price, a few stock moves) are left to the automatic checkpoints
 * as before, without a hold or a thread started for them.
 */
export const OFF_THREAD_CHECKPOINT_ROWS = 500;

type Db = ApplyStatements['db'];

/** Per connection: the automatic checkpoints' setting before the first hold, and the holds still on. */
const checkpointHolds = new WeakMap<Db, { before: number; count: number }>();
/** Per connection: the checkpoints off the thread still running (withCheckpointsDeferred). */
const pendingCheckpoints = new WeakMap<Db, Promise<void>>();

/**
 * Holds automatic checkpoints off on this connection until the returned function is called. Holds
 * nest (a store scope provisioned while the brand's checkpoint still runs): the setting from before
 * the first comes back with the last release.
 */
function holdCheckpoints(db: Db): () => void {
  let hold = checkpointHolds.get(db);
  if (!hold) {
    hold = { before: db.pragma('wal_autocheckpoint', { simple: true }) as number, count: 0 };
    checkpointHolds.set(db, hold);
    db.pragma('wal_autocheckpoint = 0');
  }
  const mine = hold;
  mine.count++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--mine.count > 0) return;
    checkpointHolds.delete(db);
    if (db.open) db.pragma(`wal_autocheckpoint = ${mine.before}`);
  };
}

/** Resolves once the checkpoints that pulls of `db` left running off the thread are done (or failed and ran here). Never rejects. */
export async function checkpointsDone(db: Db): Promise<void> {
  for (let pending = pendingCheckpoints.get(db); pending; pending = pendingCheckpoints.get(db)) {
    await pending;
    if (pendingCheckpoints.get(db) === pending) pendingCheckpoints.delete(db);
  }
}

async function pullOnce(options: PullOptions): Promise<PullOutcome> {
  const { st, scopes } = options;
  // This version knows kinds an earlier one pulled without: start the feeds again to get them.
  ensureFeedKinds(st.db, ENTITY_KINDS);
  const stored = readCursors(st.db);
  const state = new Map<string, ScopeState>(
    scopes.map((s) => {
      const c = stored.get(s);
      return [s, { cursor: c?.cursor ?? '', applied: c?.applied ?? 0, total: c?.total ?? null, done: c?.done ?? false }];
    }),
  );
  const provisioning = [...state.values()].some((s) => !s.done);
  const limit = Math.min(
    provisioning ? (options.provisioningLimit ?? MAX_PULL_LIMIT) : (options.incrementalLimit ?? 10_000),
    MAX_PULL_LIMIT,
  );
  const outcome: PullOutcome = { rows: 0, deletes: 0, pages: 0, requests: 0, provisioning, applyMs: 0 };
  // A provisioning holds the automatic checkpoints off from the start; an incremental pull with a
  // worker to hand its checkpoint to, from the page that makes it large (OFF_THREAD_CHECKPOINT_ROWS).
  const deferral = deferCheckpoints(st.db, options.checkpoint);
  if (provisioning) deferral.hold();
  const applied = () => outcome.rows + outcome.deletes;
  const beforeApply = (size: number) => {
    if (options.checkpoint && applied() + size >= OFF_THREAD_CHECKPOINT_ROWS) deferral.hold();
  };
  let built = false;
  try {
    // Indexes a provisioning deferred for a scope that is not being provisioned any more (the
    // device no longer pulls it): its last page, which would have built them, will not come.
    built =
      buildDeferredIndexes(
        st,
        (scope) => state.get(scope)?.done === false,
        () => deferral.hold(),
      ).length > 0;
    return await pullPages(options, state, limit, outcome, beforeApply);
  } finally {
    // A provisioning that applied anything ends with its checkpoint; one that applied nothing (HQ
    // unreachable: an offline till retries every backoff) without. So does a build of indexes.
    deferral.end(() => built || (provisioning ? applied() > 0 : applied() >= OFF_THREAD_CHECKPOINT_ROWS));
  }
}

/** What an answer's pages mean for the pull: the pages to apply now, in the device's scope order, and what to ask next. */
type Plan = { apply: string[]; next: string[]; nextCursors: Map<string, string> };

/**
 * Pages in the order of the device's scopes; a scope HQ was not asked for is ignored. A scope not
 * answered, or behind a scope that is not drained yet, is asked again with its old cursor.
 */
function planOf(wanted: readonly string[], pages: readonly PageHead[], cursors: ReadonlyMap<string, string>): Plan {
  const apply: string[] = [];
  const next: string[] = [];
  const nextCursors = new Map(cursors);
  let blocked = false;
  for (const scope of wanted) {
    const page = pages.find((p) => p.scope === scope);
    if (!page || blocked) {
      next.push(scope);
      blocked = true;
      continue;
    }
    apply.push(scope);
    nextCursors.set(scope, page.cursor);
    if (page.more) {
      next.push(scope);
      blocked = true;
    }
  }
  return { apply, next, nextCursors };
}

/** The request a plan makes next, as text: two plans that ask the same are the same. */
const nextRequest = (plan: Plan) => JSON.stringify(plan.next.map((scope) => [scope, plan.nextCursors.get(scope)]));

/**
 * pullOnce's requests and pages. While page N is applied, page N+1 is already being fetched: it is
 * asked for as soon as N's headers arrive (HQ names its pages in PULL_PAGES_HEADER), before N's
 * body is read, checked and parsed, and kept only if N's signed body names the same pages;
 * otherwise — or without the header (an older HQ, the live channel) — it is asked for once N is
 * parsed, before N is applied.
 */
async function pullPages(
  options: PullOptions,
  state: Map<string, ScopeState>,
  limit: number,
  outcome: PullOutcome,
  /** Told the size of each page before it is applied. */
  beforeApply: (size: number) => void,
): Promise<PullOutcome> {
  const { st, client, scopes } = options;
  const { provisioning } = outcome;

  type Asked = { answer: Promise<z.infer<typeof wirePullResponseSchema>>; heads: Promise<PageHead[] | null> };
  const request = (wanted: readonly string[], cursors: ReadonlyMap<string, string>, withTotal: boolean): Asked => {
    const body: PullRequest = {
      scopes: wanted.map((scope) => ({ scope, cursor: cursors.get(scope) ?? '' })),
      limit,
      ...(withTotal ? { withTotal } : {}),
      kinds: [...ENTITY_KINDS],
    };
    outcome.requests++;
    let told: (heads: PageHead[] | null) => void = () => undefined;
    const heads = new Promise<PageHead[] | null>((resolve) => (told = resolve));
    const answer = client.post(SYNC_PATHS.pull, body, wirePullResponseSchema, {
      onHeaders: (header) => told(parsePageHeads(header(PULL_PAGES_HEADER))),
    });
    // Without headers (the live channel) or without an answer, there is nothing to act on early.
    // A dropped prefetch must not become an unhandled rejection.
    answer.then(
      () => told(null),
      () => told(null),
    );
    return { answer, heads };
  };
  /** Sends what `plan` asks next, if anything, and lets it leave before the caller's synchronous work. */
  const askNext = async (plan: Plan): Promise<Asked | null> => {
    if (plan.next.length === 0 || plan.apply.length === 0) return null;
    const asked = request(plan.next, plan.nextCursors, false);
    // It leaves before the parse and the apply: HQ reads the next page meanwhile (README, "Where a provisioning's time went").
    await letRequestLeave();
    return asked;
  };

  const cursors = new Map([...state].map(([s, v]) => [s, v.cursor]));
  let wanted: string[] = [...scopes];
  let asked: Asked | null = request(wanted, cursors, provisioning);
  while (asked) {
    const current: Asked = asked;
    const hinted = await current.heads;
    if (options.signal?.aborted) return outcome;
    const early = hinted ? planOf(wanted, hinted, cursors) : null;
    const ahead = early ? await askNext(early) : null;
    if (options.signal?.aborted) return outcome;
    const answer = await current.answer;
    if (options.signal?.aborted) return outcome;
    const plan = planOf(wanted, answer.pages, cursors);
    // What was asked on the headers stands only if the signed pages ask the same; otherwise it is dropped.
    asked = ahead && early && nextRequest(early) === nextRequest(plan) ? ahead : await askNext(plan);
    if (options.signal?.aborted) return outcome;

    const toApply = plan.apply.map((scope) => answer.pages.find((p) => p.scope === scope) as AnswerPage);
    for (const page of toApply) {
      const s = state.get(page.scope) as ScopeState;
      const size = page.sets.reduce((n, set) => n + set.rows.length + set.deletes.length, 0);
      if (page.total !== undefined) s.total = s.applied + page.total;
      s.applied += size;
      beforeApply(size);
      const started = performance.now();
      const result = applyPage(st, page, {
        storeId: options.storeId,
        now: options.clock().toISOString(),
        progress: { applied: s.applied, total: s.total },
        insertOnly: provisioning && !s.done,
      });
      outcome.applyMs += performance.now() - started;
      s.cursor = page.cursor;
      s.done ||= !page.more;
      outcome.rows += result.rows;
      outcome.deletes += result.deletes;
      outcome.pages++;
      if (provisioning) options.onProgress?.(progressOf(state));
    }
    for (const p of toApply) cursors.set(p.scope, p.cursor);
    wanted = plan.next;
    if (toApply.length === 0 && plan.next.length > 0)
      throw new PageRefusedError(plan.next[0] ?? '', 'HQ answered none of the scopes it was asked for');
  }
  return outcome;
}

function progressOf(state: Map<string, ScopeState>): PullProgress {
  let applied = 0;
  let total = 0;
  let done = true;
  for (const s of state.values()) {
    applied += s.applied;
    total += Math.max(s.total ?? s.applied, s.applied);
    done &&= s.done;
  }
  return { applied, total, done };
}

/** Provisioning progress from the stored cursors (for state() before any pull ran). */
export function storedProgress(st: ApplyStatements, scopes: readonly string[]): PullProgress {
  const stored = readCursors(st.db);
  return progressOf(
    new Map(
      scopes.map((s) => {
        const c = stored.get(s);
        return [s, { cursor: c?.cursor ?? '', applied: c?.applied ?? 0, total: c?.total ?? null, done: c?.done ?? false }];
      }),
    ),
  );
}
