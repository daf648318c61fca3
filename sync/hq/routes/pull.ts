import type { PageHead, PullRequest } from '../../protocol/feed.js';
import { ENTITY_KINDS_V1 } from '../../protocol/entities.js';
import type { AuthedDevice } from '../context.js';
import type { HqDb } from '../db.js';
import { CursorError, readFeeds } from '../feed.js';
import { pullIsAtHead } from '../feed-heads.js';
import type { FeedHeads } from '../feed-heads.js';
import { HqHttpError } from '../http-error.js';

/**
 * A pull answer as JSON text (sync/protocol/feed.ts pullResponseSchema): one page per requested
 * scope, in order, sharing the request's row budget. A scope the budget did not reach comes
 * back with its cursor unchanged and `more`, so the device asks again.
 *
 * With `heads` (the process's FeedHeads), a pull whose every scope is at its known head is
 * answered from memory — empty pages, cursors unchanged — without a feed query, once every commit
 * made before it arrived was heard (FeedHeads.settled); any other pull reads the feed and teaches
 * `heads` what it found.
 */
export async function servePull(db: HqDb, device: AuthedDevice, request: PullRequest, now: Date, heads?: FeedHeads): Promise<string> {
  return (await servePullAnswer(db, device, request, now, heads)).text;
}

/** servePull's answer with its pages in brief, for the HTTP route's PULL_PAGES_HEADER. */
export async function servePullAnswer(
  db: HqDb,
  device: AuthedDevice,
  request: PullRequest,
  now: Date,
  heads?: FeedHeads,
): Promise<{ text: string; pages: PageHead[] }> {
  for (const { scope } of request.scopes) {
    if (!device.scopes.includes(scope)) throw new HqHttpError(403, 'forbidden', `scope ${scope} is not this device's`);
  }
  const withTotal = request.withTotal === true;
  if (heads && (await pullIsAtHead(heads, request.scopes))) {
    heads.answered();
    const pages = request.scopes.map((s) => ({ scope: s.scope, cursor: s.cursor, more: false }));
    return {
      text: answerText(
        pages.map((p) => pageText(p, '[]', withTotal ? 0 : undefined)),
        now,
      ),
      pages,
    };
  }
  let read;
  try {
    const begun = heads?.begin();
    // One statement for the horizon and every scope (sync/hq/feed.ts readFeeds).
    // A device sends the kinds it knows; one that sends none is of the first version.
    const kinds = new Set<string>(request.kinds ?? ENTITY_KINDS_V1);
    read = await readFeeds(db, request.scopes, request.limit, withTotal, kinds);
    if (heads && begun) heads.record(begun, request.scopes, read);
  } catch (error) {
    if (error instanceof CursorError) throw new HqHttpError(400, 'bad_request', error.message);
    throw error;
  }
  const pages = read.map((page) => ({ scope: page.scope, cursor: page.cursor, more: page.served ? page.more : true }));
  return {
    text: answerText(
      read.map((page, i) => (page.served ? pageText(pages[i] as PageHead, page.json, page.total) : pageText(pages[i] as PageHead, '[]'))),
      now,
    ),
    pages,
  };
}

/** One scope's page of the answer; `sets` is JSON already (the feed statement builds it). */
function pageText({ scope, cursor, more }: PageHead, sets: string, total?: number): string {
  const totalText = total === undefined ? '' : `,"total":${total}`;
  return `{"scope":${JSON.stringify(scope)},"cursor":${JSON.stringify(cursor)},"more":${more}${totalText},"sets":${sets}}`;
}

function answerText(pages: readonly string[], now: Date): string {
  return `{"pages":[${pages.join(',')}],"serverTime":${JSON.stringify(now.toISOString())}}`;
}
