import { afterEach, expect, it } from 'vitest';
import type { CartState, Result, SessionState } from '../api/contract.js';
import { testTerminal } from '../testing/test-terminal.js';
import { generateSampleData } from '../../fixtures/generate.js';
import type { TestTerminal } from '../testing/test-terminal.js';

let t: TestTerminal | undefined;
afterEach(() => t?.cleanup());
const ctx = { transport: 'test' as const, connectionId: 'c' };

it('serves staff login and the cart through the terminal, on the seeded sample store', async () => {
  t = testTerminal({ skus: 200, customers: 20 });
  const login = (await t.terminal.dispatch('staff', 'login', { code: 'S001-02', pin: '0202' }, ctx)) as Result<SessionState>;
  expect(login.ok && login.value.state).toBe('active');
  const cart = (await t.terminal.dispatch('checkout', 'cart', {}, ctx)) as Result<CartState>;
  expect(cart.ok && cart.value.totals.totalFen).toBe(0);
  const sku = generateSampleData({ skus: 200, customers: 20 }).skus.find((s) => s.active)!;
  const scanned = await t.terminal.dispatch('checkout', 'scan', { code: sku.ean }, ctx);
  expect(scanned.ok).toBe(true);
  // No HQ link yet: the terminal counts as offline, so a mobile payment code is refused clearly.
  const refused = await t.terminal.dispatch('checkout', 'addTender', { method: 'mobile', code: '134567890123456789' }, ctx);
  expect(refused.ok || refused.error.code).toBe('PAYMENT_OFFLINE');
  // The till must be opened before a sale completes.
  await t.terminal.dispatch('checkout', 'addTender', { method: 'cash', givenFen: sku.price_fen }, ctx);
  const complete = await t.terminal.dispatch('checkout', 'complete', {}, ctx);
  expect(complete.ok || complete.error.code).toBe('TILL_NOT_OPEN');
});
