import type { BrowserContext, Page } from 'playwright-core';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { CashupPage } from '../pages/cashup-page.js';
import { LoginPage } from '../pages/login-page.js';
import { SellPage } from '../pages/sell-page.js';
import { SAMPLE } from './sample.js';
import type { Staff } from './sample.js';
import { startHostProcess } from './host-process.js';
import type { HostProcess } from './host-process.js';

/** One test's own terminal: a fresh host process (its own store) and a page on it. */
export type Terminal = {
  host: HostProcess;
  page: Page;
  login: LoginPage;
  sell: SellPage;
  cashup: CashupPage;
  /** Logs `staff` in on the Sell tab. */
  logIn(staff: Staff): Promise<void>;
  /** Logs `staff` in, opens the till with `floatYuan` and goes to the Sell tab. */
  openTill(staff: Staff, floatYuan?: string): Promise<void>;
  close(): Promise<void>;
};

/**
 * Starts a host with a store of its own for one test, so no test sees the rows another made
 * (the till, sales, the outbox). A standalone host starts in well under a second.
 */
export async function openTerminal(
  context: BrowserContext,
  options: Partial<Parameters<typeof startHostProcess>[0]> = {},
): Promise<Terminal> {
  const host = await startHostProcess({ ...SAMPLE, lifetimeS: 300, ...options });
  const page = await context.newPage();
  const login = new LoginPage(page);
  const sell = new SellPage(page);
  const cashup = new CashupPage(page);
  await page.goto(host.url);
  if (options.enrolCode) {
    // An enrolled device downloads its store first: the till opens when HQ's store name is there and HQ answers.
    await page.locator('[data-testid="sync-pill"][data-hq="online"]').waitFor({ timeout: 90_000 });
    await page.getByTestId('provisioning-overlay').waitFor({ state: 'hidden', timeout: 90_000 });
  }
  const logIn = async (staff: Staff) => {
    await page.getByTestId('nav-sell').waitFor();
    await login.openTab('sell');
    await login.login(staff.code, demoPin(staff.code));
    await login.staff.waitFor();
  };
  return {
    host,
    page,
    login,
    sell,
    cashup,
    logIn,
    openTill: async (staff, floatYuan = '500') => {
      await logIn(staff);
      await login.openTab('cashup');
      await cashup.openTill(floatYuan);
      await login.openTab('sell');
      await sell.entry.waitFor();
    },
    close: async () => {
      await page.close();
      await host.stop();
    },
  };
}
