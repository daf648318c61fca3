/**
 * Every error code of the contract, walked from one table: a code a user can meet is answered
 * here by a real call on a real till (or names the test file that makes it answer), and a code
 * no user meets says why. A new code without either does not compile, nor pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from './contract.js';
import type { ApiError, ErrorCode, SaleResult } from './contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, sampleData } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin, memberCodeOf } from '../../fixtures/checkout-sample.js';
import { withCheckDigit } from '../../native/scanner/barcode.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const data = sampleData();
const sellable = data.skus.filter((s) => s.active);
const A = sellable[0]!;
const B = sellable[1]!;
const inactive = data.skus.find((s) => !s.active)!;
const member = data.customers.find((c) => c.store_id === 'loc-S001')!;
const memberCode = memberCodeOf(member.id);
const CASHIER = 'S001-02';

let dir: ReturnType<typeof tempDir>;
const tills: TestCheckout[] = [];
/** A till on the test's store file; a second one is another till on the same file. */
const till = () => {
  const t = openTestCheckout({ dbPath: join(dir.path, 'shopfloor.db'), keyPath: join(dir.path, 'store.key') });
  tills.push(t);
  return t;
};
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
  dir.cleanup();
});

const login = (pos: TestCheckout, code = CASHIER) => pos.call('staff', 'login', { code, pin: demoPin(code) });
async function ready(pos: TestCheckout): Promise<TestCheckout> {
  await login(pos);
  if (!pos.services.tills.open()) await pos.call('cashup', 'open', { floatFen: 10_000 });
  return pos;
}
const scan = (pos: TestCheckout, code: string) => pos.call('checkout', 'scan', { code });
async function payCash(pos: TestCheckout): Promise<void> {
  const due = (await pos.call<{ totals: { dueFen: number } }>('checkout', 'cart')).totals.dueFen;
  await pos.call('checkout', 'addTender', { method: 'cash', givenFen: due });
}

/** A scenario answers the error the user sees; `covered` names the test file that asserts it; `internal` says why no user meets it. */
type Case = { scenario: () => Promise<ApiError> } | { covered: string } | { internal: string };

const CASES: Record<ErrorCode, Case> = {
  BAD_INPUT: { scenario: async () => (await ready(till())).fail('checkout', 'scan', { code: 42 }) },
  UNKNOWN_METHOD: { covered: 'main/api/dispatcher.test.ts' },
  NOT_FOUND: { scenario: async () => (await ready(till())).fail('checkout', 'scan', { code: withCheckDigit('690000000000') }) },
  INVALID_BARCODE: {
    scenario: async () => {
      const code = withCheckDigit('690000000000');
      return (await ready(till())).fail('checkout', 'scan', { code: code.slice(0, 12) + String((Number(code[12]) + 1) % 10) });
    },
  },
  STORE_UNAVAILABLE: { covered: 'main/app/terminal.test.ts' },
  CONFLICT: {
    // Points need a member on the sale.
    scenario: async () => {
      const pos = await ready(till());
      await scan(pos, A.ean);
      return pos.fail('checkout', 'redeemPoints', { points: 100 });
    },
  },
  INTERNAL: { covered: 'main/api/dispatcher.test.ts' },
  DEVICE_NOT_CONFIGURED: { covered: 'main/devices/printing.test.ts' },
  DEVICE_UNAVAILABLE: { covered: 'main/devices/printing.test.ts' },
  NOT_LOGGED_IN: { scenario: () => till().fail('checkout', 'scan', { code: A.ean }) },
  SESSION_LOCKED: { covered: 'main/devices/devices-guards.test.ts' },
  WRONG_PIN: { scenario: () => till().fail('staff', 'login', { code: CASHIER, pin: '9999' }) },
  STAFF_LOCKED: { covered: 'main/checkout/checkout.test.ts' },
  FORBIDDEN: { covered: 'main/customers/customers.test.ts' },
  APPROVAL_REQUIRED: { covered: 'main/checkout/checkout.test.ts' },
  SKU_INACTIVE: { scenario: async () => (await ready(till())).fail('checkout', 'scan', { code: inactive.ean }) },
  COUPON_EXPIRED: {
    scenario: async () => {
      const pos = await ready(till());
      await scan(pos, A.ean);
      return pos.fail('checkout', 'applyCoupon', { code: 'CPN-EXPIRED' });
    },
  },
  COUPON_USED: {
    // At commit time: two tills on one store file take the same coupon and complete at once. Both
    // pass the checks before the commit (neither has committed yet); the commit's own check, in
    // its transaction, refuses the second.
    scenario: async () => {
      const first = await ready(till());
      const second = await ready(till());
      for (const pos of [first, second]) {
        await scan(pos, A.ean);
        await pos.call('checkout', 'applyCoupon', { code: 'CPN-50-OFF' });
        await payCash(pos);
      }
      const [, refused] = await Promise.all([first.call('checkout', 'complete'), second.fail('checkout', 'complete')]);
      expect(second.store.db.prepare("SELECT count(*) FROM coupon_use WHERE code = 'CPN-50-OFF'").pluck().get()).toBe(1);
      return refused;
    },
  },
  COUPON_NOT_APPLICABLE: {
    scenario: async () => {
      const pos = await ready(till());
      await scan(pos, A.ean);
      return pos.fail('checkout', 'applyCoupon', { code: `CPN-${memberCode.slice(1)}-111` }); // a member's coupon, no member
    },
  },
  POINTS_INSUFFICIENT: {
    scenario: async () => {
      const pos = await ready(till());
      pos.store.db.prepare('UPDATE customer SET points = 500 WHERE id = ?').run(member.id);
      await scan(pos, A.ean);
      await scan(pos, memberCode);
      return pos.fail('checkout', 'redeemPoints', { points: 600 });
    },
  },
  TENDER_SHORT: {
    scenario: async () => {
      const pos = await ready(till());
      await scan(pos, A.ean);
      await pos.call('checkout', 'addTender', { method: 'cash', givenFen: 1 });
      return pos.fail('checkout', 'complete');
    },
  },
  PAYMENT_OFFLINE: { covered: 'main/checkout/checkout.test.ts' },
  PAYMENT_DECLINED: { covered: 'main/checkout/checkout.test.ts' },
  RETURN_EXCEEDS_SALE: {
    // At commit time: two tills return the same unit of one receipt; the second to commit is refused.
    scenario: async () => {
      const first = await ready(till());
      await scan(first, A.ean);
      await payCash(first);
      const { sale } = await first.call<SaleResult>('checkout', 'complete');
      const second = await ready(till());
      for (const pos of [first, second]) {
        await pos.call('returns', 'start', { receiptNo: sale.receiptNo });
        await pos.call('returns', 'setQty', { saleLineId: sale.lines[0]!.saleLineId, qty: 1 });
      }
      await first.call('checkout', 'complete');
      const refused = await second.fail('checkout', 'complete');
      expect(second.store.db.prepare("SELECT count(*) FROM sale WHERE kind = 'return'").pluck().get()).toBe(1);
      return refused;
    },
  },
  TILL_NOT_OPEN: {
    scenario: async () => {
      const pos = till();
      await login(pos);
      await scan(pos, A.ean);
      await payCash(pos);
      return pos.fail('checkout', 'complete');
    },
  },
  CART_EMPTY: {
    scenario: async () => {
      const pos = await ready(till());
      expect((await pos.fail('checkout', 'park', { note: 'nothing' })).code).toBe('CART_EMPTY');
      // A cart emptied again after a scan is as empty as one never filled.
      await scan(pos, B.ean);
      await pos.call('checkout', 'clear');
      return pos.fail('checkout', 'complete');
    },
  },
  CONTACT_LIMIT: { covered: 'main/customers/customers.test.ts' },
  OPTED_OUT: { covered: 'main/customers/customers.test.ts' },
  REVEAL_LIMIT: { covered: 'main/customers/reveal-limit.test.ts' },
  LOOKUP_LIMIT: { covered: 'main/core/phone-lookup-limit.test.ts' },
};

describe('error codes', () => {
  it('has a case for every code of the contract and none for a code it does not have', () => {
    expect(Object.keys(CASES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each([...ERROR_CODES])('%s', async (code) => {
    const c = CASES[code];
    if ('scenario' in c) {
      const error = await c.scenario();
      expect(error.code).toBe(code);
      expect(error.message.trim()).not.toBe('');
    } else if ('covered' in c) {
      const file = join(ROOT, c.covered);
      expect(existsSync(file), c.covered).toBe(true);
      // The file asserts the code itself (toBe('CODE'), code: 'CODE' or a list of codes).
      expect(readFileSync(file, 'utf8'), `${c.covered} asserts ${code}`).toMatch(new RegExp(`(toBe\\(|code: |^\\s+)'${code}'`, 'm'));
    } else {
      expect(c.internal.length).toBeGreaterThan(20);
    }
  });
});
