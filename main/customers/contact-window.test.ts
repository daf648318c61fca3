import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerProfile } from '../api/contract.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';

const GUIDE = 'S001-04';

let kit: CustomersKit;
beforeAll(() => {
  kit = customersKit({ skus: 50, customers: 60 });
});
afterAll(() => kit.close());

describe('the profile’s do-not-disturb count', () => {
  it('counts the contacts the rule counts: a visit is the customer coming in, not a contact', async () => {
    await kit.login(GUIDE);
    const guideId = kit.db.prepare('SELECT id FROM staff WHERE code = ?').pluck().get(GUIDE) as string;
    const customerId = kit.db
      .prepare(
        `SELECT c.id FROM customer c LEFT JOIN customer_profile p ON p.customer_id = c.id
          WHERE c.guide_id = ? AND coalesce(p.consent, 1) = 1 AND coalesce(p.opted_out, 0) = 0
            AND NOT EXISTS (SELECT 1 FROM customer_contact k WHERE k.customer_id = c.id) ORDER BY c.id LIMIT 1`,
      )
      .pluck()
      .get(guideId) as string;
    expect(customerId).toBeDefined();
    const window = async () => (await kit.call<CustomerProfile>('customers', 'profile', { customerId })).contactWindow;
    expect(await window()).toMatchObject({ used: 0, max: 2 });
    // The customer came in twice this week: nobody contacted them.
    await kit.call('customers', 'logContact', { customerId, channel: 'visit', outcome: 'bought' });
    await kit.call('customers', 'logContact', { customerId, channel: 'visit', outcome: 'reached' });
    expect((await window()).used).toBe(0);
    // One call: the profile says one of the two, and the second contact is still allowed.
    await kit.call('customers', 'logContact', { customerId, channel: 'call', outcome: 'reached' });
    expect((await window()).used).toBe(1);
    await kit.call('customers', 'logContact', { customerId, channel: 'wechat', outcome: 'reached' });
    expect(await window()).toMatchObject({ used: 2, max: 2 });
    expect((await kit.fail('customers', 'logContact', { customerId, channel: 'sms', outcome: 'reached' })).code).toBe('CONTACT_LIMIT');
  });
});
