import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../api/contract.js';
import { readOutbox } from '../store/outbox.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { customersKit } from '../testing/test-customers.js';
import type { CustomersKit } from '../testing/test-customers.js';

const CASHIER = 'S001-02';
const MANAGER = 'S001-01';

let kit: CustomersKit;
beforeAll(async () => {
  kit = customersKit({ skus: 50, customers: 20 });
  await kit.login(CASHIER);
  await kit.call('cashup', 'open', { floatFen: 10_000 });
});
afterAll(() => kit.close());

const approve = (action: string) => kit.call<Approval>('staff', 'approve', { managerCode: MANAGER, pin: demoPin(MANAGER), action });
const noSales = () => readOutbox(kit.db, 10_000).filter((e) => e.type === 'cash.no_sale').length;

describe('a manager’s approval', () => {
  it('ends with the manager: HQ offboarding or demoting them voids the approval they gave', async () => {
    // An approval of a manager still in post opens the drawer.
    await kit.call('cashup', 'noSale', { reason: 'change for a customer', approvalToken: (await approve('no_sale')).token });
    const before = noSales();
    for (const change of [`active = 0`, `role = 'guide'`]) {
      const { token } = await approve('no_sale');
      // The store's feed brings HQ's change of the manager's record before the cashier uses the approval.
      kit.db.prepare(`UPDATE staff SET ${change} WHERE code = ?`).run(MANAGER);
      try {
        // HQ refuses a movement approved by someone who was no manager of the store then: the drawer must not open on it.
        expect((await kit.fail('cashup', 'noSale', { reason: 'change for a customer', approvalToken: token })).code).toBe(
          'APPROVAL_REQUIRED',
        );
        expect(noSales()).toBe(before);
      } finally {
        kit.db.prepare(`UPDATE staff SET active = 1, role = 'manager' WHERE code = ?`).run(MANAGER);
      }
      // Back in post, the voided approval stays void (single use): a new one is needed.
      expect((await kit.fail('cashup', 'noSale', { reason: 'change for a customer', approvalToken: token })).code).toBe(
        'APPROVAL_REQUIRED',
      );
    }
  });
});
