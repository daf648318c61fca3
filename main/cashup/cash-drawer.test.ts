import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashReport, TillMoved } from '../api/contract.js';
import type { Peripherals } from '../core/peripherals.js';
import { tempDir } from '../testing/temp-dir.js';
import { openTestCheckout, recordingDevices } from '../testing/test-checkout.js';
import type { TestCheckout } from '../testing/test-checkout.js';
import { demoPin } from '../../fixtures/checkout-sample.js';

// The float, paid-ins, paid-outs and no-sales open the drawer after the movement is written. What
// the drawer did is the cashier's to see in the answer — opened, did not open, or may have opened —
// the way the sale screen shows it, not only a line in the log.

const MANAGER = 'S001-01';
let dir: ReturnType<typeof tempDir>;
let pos: TestCheckout | undefined;

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  pos?.close();
  pos = undefined;
  dir.cleanup();
});

async function till(devices: Peripherals): Promise<TestCheckout> {
  pos = openTestCheckout({ dbPath: join(dir.path, 'shopfloor.db'), keyPath: join(dir.path, 'store.key'), devices, drawerAnswerMs: 20 });
  await pos.call('staff', 'login', { code: MANAGER, pin: demoPin(MANAGER) });
  return pos;
}

describe('what the drawer did, in the answer to a cash movement', () => {
  it('says the drawer opened for the float, a paid-in, a paid-out and a no-sale', async () => {
    const devices = recordingDevices();
    const t = await till(devices);
    const opened = await t.call<TillMoved>('cashup', 'open', { floatFen: 50_000 });
    expect(opened).toMatchObject({ state: 'open', floatFen: 50_000, drawer: { opened: true } });
    expect((await t.call<TillMoved>('cashup', 'paidIn', { amountFen: 1_000, reason: 'change from bank' })).drawer).toEqual({
      opened: true,
    });
    expect((await t.call<TillMoved>('cashup', 'paidOut', { amountFen: 500, reason: 'courier' })).drawer).toEqual({ opened: true });
    expect((await t.call<TillMoved>('cashup', 'noSale', { reason: 'change for a customer' })).drawer).toEqual({ opened: true });
    expect(devices.drawer.map((r) => r.kind)).toEqual(['cash_up', 'paid_in', 'paid_out', 'no_sale']);
  });

  it('says the drawer did not open, and why, while the movement stands', async () => {
    const devices = recordingDevices();
    const t = await till(devices);
    await t.call('cashup', 'open', { floatFen: 50_000 });
    devices.fail = true;
    const paidIn = await t.call<TillMoved>('cashup', 'paidIn', { amountFen: 1_000, reason: 'change from bank' });
    expect(paidIn.drawer).toEqual({ opened: false, error: 'drawer offline' });
    const report = await t.call<CashReport>('cashup', 'xReport', { blind: false });
    expect(report.paidInFen).toBe(1_000);
  });

  it('says the drawer may have opened when the kick went out but was not confirmed in time', async () => {
    // The drawer took the kick (claimed its deadline) and never confirmed it: its bytes may have opened it.
    const unconfirmed: Peripherals = {
      openDrawer: (_reason, deadline) => {
        deadline?.claim();
        return new Promise<void>(() => undefined);
      },
      printReceipt: () => Promise.resolve(),
    };
    const t = await till(unconfirmed);
    const opened = await t.call<TillMoved>('cashup', 'open', { floatFen: 50_000 });
    expect(opened).toMatchObject({ state: 'open', drawer: { opened: false, uncertain: true } });
    const paidOut = await t.call<TillMoved>('cashup', 'paidOut', { amountFen: 500, reason: 'courier' });
    expect(paidOut.drawer).toMatchObject({ opened: false, uncertain: true, error: expect.stringContaining('may have acted') });
    const noSale = await t.call<TillMoved>('cashup', 'noSale', { reason: 'change for a customer' });
    expect(noSale.drawer).toMatchObject({ opened: false, uncertain: true });
    const report = await t.call<CashReport>('cashup', 'xReport', { blind: false });
    expect(report).toMatchObject({ paidOutFen: 500, noSaleCount: 1 });
  });
});
