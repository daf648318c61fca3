import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../protocol/http.js';
import type { HqDb } from './db.js';
import { createFailureLimiter } from './auth-limiter.js';
import type { LimitedTry } from './auth-limiter.js';
import { ENROL_FAILURES_PER_MINUTE, newEnrolCode } from './enrol.js';
import type { HqServerOptions } from './server.js';
import { enrolmentRequest, httpCall, openTestHqDb, startTestHq } from './testing/test-hq.js';
import type { TestHq } from './testing/test-hq.js';

/**
 * The enrolment and admin-login limits count failures per client address. Behind haproxy every
 * request comes from the proxy, so HQ must read the client from X-Forwarded-For — but only when
 * told to trust the proxy (trustProxy), or anyone could dodge the limit with a made-up header.
 * The limits are kept in the database, shared by every HQ process on it: each HQ here runs an hour
 * after the one before (its clock), so the failures of one case are out of the next one's window.
 */
let db: HqDb;
beforeAll(async () => {
  db = await openTestHqDb({ skus: 10, customers: 2 });
}, 120_000);
afterAll(async () => db?.close());

let hours = 0;
async function withHq<T>(trustProxy: HqServerOptions['trustProxy'], fn: (hq: TestHq) => Promise<T>): Promise<T> {
  const offset = ++hours * 3600_000;
  const hq = await startTestHq(db, { trustProxy, clock: () => new Date(Date.now() + offset) });
  try {
    return await fn(hq);
  } finally {
    await hq.close();
  }
}

/** A wrong enrolment code "from" `client` (as the proxy says); the answer's status. */
async function wrongEnrolment(hq: TestHq, client: string): Promise<number> {
  const answer = await httpCall(`${hq.url}${SYNC_PATHS.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify(enrolmentRequest(newEnrolCode()).body),
  });
  return answer.status;
}

async function wrongLogin(hq: TestHq, client: string): Promise<number> {
  const answer = await httpCall(`${hq.url}/admin/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ name: 'admin', password: 'not the password' }),
  });
  return answer.status;
}

const A = '203.0.113.7';
const B = '198.51.100.23';

describe('rate limits and the client address behind a proxy', () => {
  it.each([
    ['trustProxy: true', true],
    ['the proxy by address', ['127.0.0.1']],
  ] as const)('with %s, each client behind the proxy has its own enrolment budget', async (_name, trustProxy) => {
    await withHq(trustProxy as HqServerOptions['trustProxy'], async (hq) => {
      for (let i = 0; i < ENROL_FAILURES_PER_MINUTE; i++) expect(await wrongEnrolment(hq, A)).toBe(404);
      expect(await wrongEnrolment(hq, A)).toBe(429);
      // Another store behind the same proxy is not blocked by A's guessing.
      expect(await wrongEnrolment(hq, B)).toBe(404);
    });
  });

  it('without trustProxy, ignores X-Forwarded-For: a made-up address does not reset the limit', async () => {
    await withHq(false, async (hq) => {
      for (let i = 0; i < ENROL_FAILURES_PER_MINUTE; i++) expect(await wrongEnrolment(hq, `192.0.2.${i}`)).toBe(404);
      expect(await wrongEnrolment(hq, B)).toBe(429);
    });
  });

  it('does not believe a proxy it was not told about', async () => {
    await withHq(['10.9.8.7'], async (hq) => {
      for (let i = 0; i < ENROL_FAILURES_PER_MINUTE; i++) expect(await wrongEnrolment(hq, `192.0.2.${i}`)).toBe(404);
      expect(await wrongEnrolment(hq, B)).toBe(429);
    });
  });

  it('limits admin logins per client behind a trusted proxy too', async () => {
    await withHq(true, async (hq) => {
      for (let i = 0; i < 10; i++) expect(await wrongLogin(hq, A)).toBe(401);
      expect(await wrongLogin(hq, A)).toBe(429);
      expect(await wrongLogin(hq, B)).toBe(401);
    });
  });
});

describe('rate limits against guesses sent all at once', () => {
  // A guesser does not wait for one answer before sending the next: every guess in flight must
  // count against the budget, or 10 a minute becomes as many as HQ can hash at once.
  it('refuses enrolment guesses beyond the budget even when they all arrive together', async () => {
    await withHq(false, async (hq) => {
      const answers = await Promise.all(Array.from({ length: 3 * ENROL_FAILURES_PER_MINUTE }, () => wrongEnrolment(hq, A)));
      expect(answers.filter((s) => s === 404)).toHaveLength(ENROL_FAILURES_PER_MINUTE);
      expect(answers.filter((s) => s === 429)).toHaveLength(2 * ENROL_FAILURES_PER_MINUTE);
    });
  });

  it('lets a dozen tills enrolling at once from one address all through: the tries past the budget wait for a place', async () => {
    /** Resolves when `count` tries are in `list`. */
    const whenCount = <T>(list: T[], count: number): { add(item: T): void; reached: Promise<void> } => {
      let reach = (): void => undefined;
      const reached = new Promise<void>((resolve) => (reach = resolve));
      return { add: (item) => list.push(item) === count && reach(), reached };
    };
    const waiting: string[] = [];
    const twoWaiting = whenCount(waiting, 2);
    const limiter = createFailureLimiter(db, 'enrol', ENROL_FAILURES_PER_MINUTE, { onWaiting: (source) => twoWaiting.add(source) });
    const begun: LimitedTry[] = [];
    const tenBegun = whenCount(begun, ENROL_FAILURES_PER_MINUTE);
    const tries = Array.from({ length: 12 }, () =>
      limiter
        .begin(A, () => 0)
        .then((t) => {
          if (t) tenBegun.add(t);
          return t;
        }),
    );
    await tenBegun.reached;
    await twoWaiting.reached;
    expect(begun).toHaveLength(ENROL_FAILURES_PER_MINUTE);
    // The first ten succeed and end: the two waiting start, and none is refused.
    for (const t of begun.slice(0, ENROL_FAILURES_PER_MINUTE)) await t.end();
    expect((await Promise.all(tries)).every((t) => t !== null)).toBe(true);
    expect(begun).toHaveLength(12);
    const rest = begun.slice(ENROL_FAILURES_PER_MINUTE);
    // Tries that fail fill the budget: then the ones waiting are refused, and so is the next.
    const tried: LimitedTry[] = [];
    const tenTried = whenCount(tried, ENROL_FAILURES_PER_MINUTE);
    const more = Array.from({ length: ENROL_FAILURES_PER_MINUTE + 3 }, () =>
      limiter
        .begin(A, () => 0)
        .then((t) => {
          if (t) tenTried.add(t);
          return t;
        }),
    );
    for (const t of rest) await t.end();
    await tenTried.reached;
    for (const t of tried) await t.failed();
    expect((await Promise.all(more)).filter((t) => t === null)).toHaveLength(3);
    expect(tried).toHaveLength(ENROL_FAILURES_PER_MINUTE);
    expect(await limiter.begin(A, () => 0)).toBeNull();
    await limiter.close();
  });

  it('lets a waiting try in once the try of a process that died mid-try is older than the window', async () => {
    // Its own address and a short window on the real clock: the place is freed by time alone, no try ending.
    const source = '192.0.2.201';
    const windowMs = 1000;
    let waited = 0;
    const died = createFailureLimiter(db, 'admin_login', 1, { windowMs });
    const limiter = createFailureLimiter(db, 'admin_login', 1, { windowMs, onWaiting: () => waited++ });
    try {
      // A process began a try and died before ending it: its row holds the only place.
      expect(await died.begin(source, () => Date.now())).not.toBeNull();
      const waiting = await limiter.begin(source, () => Date.now());
      expect(waited).toBeGreaterThan(0);
      expect(waiting).not.toBeNull();
      await waiting?.failed();
      // Counted from when it started (once the dead try's place was free), not from when it began to wait.
      const [row] = await db.query<{ late: boolean }>(
        `SELECT f.at >= d.at + $2 * interval '1 millisecond' AS late
           FROM auth_try f JOIN auth_try d ON d.source = f.source AND d.kind = f.kind AND NOT d.failed
          WHERE f.kind = 'admin_login' AND f.source = $1 AND f.failed`,
        [source, windowMs],
      );
      expect(row?.late).toBe(true);
    } finally {
      await died.close();
      await limiter.close();
    }
  }, 10_000);

  it('waits again for a place after the database once refused its listening connection', async () => {
    const source = '192.0.2.202';
    // The database refuses the limiter's first LISTEN connection (too many connections, a restart).
    let refusals = 1;
    const flaky: HqDb = {
      ...db,
      listen: (channel, onPayload, events) =>
        refusals-- > 0 ? Promise.reject(new Error('too many connections')) : db.listen(channel, onPayload, events),
    };
    let waiting!: () => void;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    const limiter = createFailureLimiter(flaky, 'enrol', 1, { onWaiting: () => waiting() });
    try {
      const first = await limiter.begin(source, () => 0);
      expect(first).not.toBeNull();
      // Its place is taken: this one would wait, and cannot listen this time.
      await expect(limiter.begin(source, () => 0)).rejects.toThrow('too many connections');
      // The next one listens and waits, and gets the place once the first try ends.
      const next = limiter.begin(source, () => 0);
      await Promise.race([waited, next]);
      await first?.end();
      const started = await next;
      expect(started).not.toBeNull();
      await started?.end();
    } finally {
      await limiter.close();
    }
  });

  it('refuses admin password guesses beyond the budget even when they all arrive together', async () => {
    await withHq(false, async (hq) => {
      const answers = await Promise.all(Array.from({ length: 30 }, () => wrongLogin(hq, A)));
      expect(answers.filter((s) => s === 401)).toHaveLength(10);
      expect(answers.filter((s) => s === 429)).toHaveLength(20);
    });
  });
});

describe('rate limits and IPv6 clients', () => {
  // One IPv6 subscriber gets a whole /64 and picks any address in it at will: counted per address,
  // every guess could come from a new one.
  it('counts the addresses of one /64 as one client', async () => {
    await withHq(true, async (hq) => {
      for (let i = 0; i < ENROL_FAILURES_PER_MINUTE; i++)
        expect(await wrongEnrolment(hq, `2001:db8:1:2::${(i + 1).toString(16)}`)).toBe(404);
      expect(await wrongEnrolment(hq, '2001:db8:1:2:ffff:abcd:1234:5678')).toBe(429);
      expect(await wrongEnrolment(hq, '2001:DB8:1:2::ff')).toBe(429);
      // Another /64 (another subscriber) has its own budget.
      expect(await wrongEnrolment(hq, '2001:db8:1:3::1')).toBe(404);
    });
  });
});
