import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, CustomerPage } from '../api/contract.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';
import { LOOKUP_MISS_LIMITS } from './phone-lookup-limit.js';

const MANAGER = 'S001-01';
const GUIDE = 'S001-04';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let kit: CustomersKit;
let member: { id: string; phone: string };
beforeEach(() => {
  kit = customersKit();
  member = kit.db.prepare(`SELECT id, phone FROM customer WHERE store_id = 'loc-S001' ORDER BY id LIMIT 1`).get() as typeof member;
});
afterEach(() => kit.close());

const call = async <T>(domain: 'customers' | 'checkout', method: string, input: unknown): Promise<T | ApiError> => {
  const r = await kit.terminal.dispatch(domain, method, input, { transport: 'test', connectionId: 'phone-lookups' });
  return r.ok ? (r.value as T) : r.error;
};
/** The store's book (a guide: their own) searched by `query`: the ids found, or the refusal. */
const search = async (query: string, scope: 'store' | 'mine' = 'store'): Promise<string[] | ApiError> => {
  const page = await call<CustomerPage>('customers', 'list', { scope, query, offset: 0, limit: 20 });
  return 'items' in page ? page.items.map((c) => c.id) : page;
};
const codeOf = (answer: unknown) => (answer as ApiError).code;
/** A whole number no customer of the store has: one of the middles a guess would try. */
const nobody = (i: number) => `1390000${String(i).padStart(4, '0')}`;

describe('lookups by a full mobile number that find nobody', () => {
  it('are limited to 30 an hour and 100 a day per staff member', () => {
    expect(LOOKUP_MISS_LIMITS).toEqual([
      { windowMs: HOUR, max: 30 },
      { windowMs: 24 * HOUR, max: 100 },
    ]);
  });

  it('past 30 misses in an hour, every search by a full number waits, hits included, until the first miss is an hour old', async () => {
    await kit.login(MANAGER);
    const start = kit.clock.now;
    // Finding the customer does not count: a till looks members up by number all day.
    for (let i = 0; i < 40; i++) expect(await search(member.phone)).toEqual([member.id]);
    for (let i = 0; i < 30; i++) {
      kit.clock.now = start + i * MINUTE;
      expect(await search(nobody(i))).toEqual([]);
    }
    kit.clock.now = start + 30 * MINUTE;
    const refused = (await search(nobody(30))) as ApiError;
    expect(refused.code).toBe('LOOKUP_LIMIT');
    expect(refused.message).toContain(new Date(start + HOUR).toISOString());
    // A hit is refused too: otherwise the refusal would tell a guess that misses from one that finds.
    expect(codeOf(await search(member.phone))).toBe('LOOKUP_LIMIT');
    // So is the checkout's lookup of a member by number, for the same staff member.
    expect(codeOf(await call('checkout', 'identifyMember', { phone: member.phone }))).toBe('LOOKUP_LIMIT');
    // Other searches go on: by name, by the last four digits.
    expect(await search(member.phone.slice(-4))).toContain(member.id);

    // Another staff member has a count of their own.
    await kit.login(GUIDE);
    expect(await search(nobody(31), 'mine')).toEqual([]);

    // The window rolls: at the instant the first miss is an hour old, one more.
    await kit.login(MANAGER);
    kit.clock.now = start + HOUR - 1;
    expect(codeOf(await search(member.phone))).toBe('LOOKUP_LIMIT');
    kit.clock.now = start + HOUR;
    expect(await search(member.phone)).toEqual([member.id]);
    expect(await search(nobody(32))).toEqual([]);
    expect(codeOf(await search(nobody(33)))).toBe('LOOKUP_LIMIT');
  });

  it('counts the checkout’s misses with the book’s, and past 100 in a day waits a day from the first', async () => {
    await kit.login(MANAGER);
    const start = kit.clock.now;
    // 25 an hour, under the hourly limit, alternating the book and the till.
    for (let i = 0; i < 100; i++) {
      kit.clock.now = start + Math.floor(i / 25) * HOUR + (i % 25) * MINUTE;
      if (i % 2 === 0) expect(await search(nobody(i))).toEqual([]);
      else expect(codeOf(await call('checkout', 'identifyMember', { phone: nobody(i) }))).toBe('NOT_FOUND');
    }
    kit.clock.now = start + 5 * HOUR;
    const refused = (await call('checkout', 'identifyMember', { phone: member.phone })) as ApiError;
    expect(refused.code).toBe('LOOKUP_LIMIT');
    expect(refused.message).toContain(new Date(start + 24 * HOUR).toISOString());
    // A member code still finds the member.
    const code = kit.db.prepare('SELECT code FROM member_code WHERE customer_id = ?').pluck().get(member.id) as string;
    expect(await call<{ member: { id: string } | null }>('checkout', 'identifyMember', { code })).toMatchObject({
      member: { id: member.id },
    });
    kit.clock.now = start + 24 * HOUR;
    expect(await search(member.phone)).toEqual([member.id]);
  });
});
