import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../api/contract.js';
import { readOutbox } from '../store/outbox.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';
import { REVEAL_LIMITS, REVEAL_REPEAT_MS } from './reveal-limit.js';

const MANAGER = 'S001-01';
const GUIDE = 'S001-04';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let kit: CustomersKit;
let customers: string[];
beforeEach(() => {
  kit = customersKit();
  customers = kit.db.prepare(`SELECT id FROM customer WHERE store_id = 'loc-S001' ORDER BY id LIMIT 70`).pluck().all() as string[];
  expect(customers).toHaveLength(70);
});
afterEach(() => kit.close());

const staffId = (code: string) => kit.db.prepare('SELECT id FROM staff WHERE code = ?').pluck().get(code) as string;
/** The reveals HQ's audit will get (the outbox), as [staff, customer]. */
const audited = () =>
  readOutbox(kit.db, 10_000)
    .filter((e) => e.type === 'customer.phone_revealed')
    .map((e) => [e.staffId, (e.payload as { customerId: string }).customerId]);
const reveal = async (customerId: string): Promise<string | ApiError> => {
  const r = await kit.terminal.dispatch(
    'customers',
    'revealPhone',
    { customerId, reason: '客户要求回电', purpose: 'call' },
    { transport: 'test', connectionId: 'reveal-limit' },
  );
  return r.ok ? (r.value as { phone: string }).phone : r.error;
};
const phoneOf = (customerId: string) => kit.db.prepare('SELECT phone FROM customer WHERE id = ?').pluck().get(customerId) as string;

describe('the limit on phone reveals', () => {
  it('is 20 an hour and 60 a day, a number seen again within 24 hours not counting again', () => {
    expect(REVEAL_LIMITS).toEqual([
      { windowMs: HOUR, max: 20 },
      { windowMs: 24 * HOUR, max: 60 },
    ]);
    expect(REVEAL_REPEAT_MS).toBe(24 * HOUR);
  });

  it('refuses the 21st new number within an hour, showing and auditing nothing, until the first is an hour old', async () => {
    await kit.login(MANAGER);
    const start = kit.clock.now;
    for (const [i, id] of customers.slice(0, 20).entries()) {
      kit.clock.now = start + i * MINUTE;
      expect(await reveal(id)).toBe(phoneOf(id));
    }
    kit.clock.now = start + 20 * MINUTE;
    const before = audited();
    const refused = (await reveal(customers[20]!)) as ApiError;
    expect(refused.code).toBe('REVEAL_LIMIT');
    // The message says when: the first reveal of the hour leaves the window.
    expect(refused.message).toContain(new Date(start + HOUR).toISOString());
    expect(JSON.stringify(refused)).not.toContain(phoneOf(customers[20]!));
    expect(audited()).toEqual(before);
    expect(before).toHaveLength(20);

    // A number this manager saw within 24 hours shows again, audited, without counting: even at the limit.
    expect(await reveal(customers[3]!)).toBe(phoneOf(customers[3]!));
    expect(audited()).toEqual([...before, [staffId(MANAGER), customers[3]]]);
    // Another staff member has a count of their own.
    await kit.login(GUIDE);
    const own = kit.db.prepare('SELECT id FROM customer WHERE guide_id = ? ORDER BY id LIMIT 1').pluck().get(staffId(GUIDE)) as string;
    expect(await reveal(own)).toBe(phoneOf(own));

    // The window rolls: a moment before the first reveal is an hour old, still refused; at that instant, one more.
    await kit.login(MANAGER);
    kit.clock.now = start + HOUR - 1;
    expect(((await reveal(customers[20]!)) as ApiError).code).toBe('REVEAL_LIMIT');
    kit.clock.now = start + HOUR;
    expect(await reveal(customers[20]!)).toBe(phoneOf(customers[20]!));
    expect(((await reveal(customers[21]!)) as ApiError).code).toBe('REVEAL_LIMIT');
    kit.clock.now = start + HOUR + MINUTE;
    expect(await reveal(customers[21]!)).toBe(phoneOf(customers[21]!));
  });

  it('refuses the 61st new number within 24 hours though the hour has room, until the first is a day old', async () => {
    await kit.login(MANAGER);
    const start = kit.clock.now;
    // 60 new numbers, 20 at the start of each of three hours.
    for (const [i, id] of customers.slice(0, 60).entries()) {
      kit.clock.now = start + Math.floor(i / 20) * HOUR + (i % 20) * MINUTE;
      expect(await reveal(id)).toBe(phoneOf(id));
    }
    kit.clock.now = start + 5 * HOUR;
    const before = audited();
    const refused = (await reveal(customers[60]!)) as ApiError;
    expect(refused.code).toBe('REVEAL_LIMIT');
    expect(refused.message).toContain(new Date(start + 24 * HOUR).toISOString());
    expect(audited()).toEqual(before);
    // Seen again within the day: shown without counting.
    expect(await reveal(customers[59]!)).toBe(phoneOf(customers[59]!));

    kit.clock.now = start + 24 * HOUR - 1;
    expect(((await reveal(customers[60]!)) as ApiError).code).toBe('REVEAL_LIMIT');
    kit.clock.now = start + 24 * HOUR;
    expect(await reveal(customers[60]!)).toBe(phoneOf(customers[60]!));
    // The first number, seen a day ago, counts again now: the day is full again.
    expect(((await reveal(customers[0]!)) as ApiError).code).toBe('REVEAL_LIMIT');
    kit.clock.now = start + 24 * HOUR + MINUTE;
    expect(await reveal(customers[0]!)).toBe(phoneOf(customers[0]!));
  });
});
