import type { Locator, Page } from 'playwright-core';

/** The Cash-up screen: float, cash movements, X and Z reports. */
export class CashupPage {
  readonly closed: Locator;
  readonly open: Locator;
  readonly message: Locator;
  readonly zReport: Locator;
  readonly variances: Locator;

  constructor(readonly page: Page) {
    this.closed = page.getByTestId('till-closed');
    this.open = page.getByTestId('till-open');
    this.message = page.getByTestId('message');
    this.zReport = page.getByTestId('report-z');
    this.variances = page.getByTestId('report-variance');
  }

  /** Opens the day with a float typed on the keypad ("500"). */
  async openTill(yuan: string): Promise<void> {
    await this.closed.waitFor();
    const keypad = this.page.getByTestId('float-keypad');
    for (const key of yuan) await keypad.locator(`[data-key="${key}"]`).click();
    await this.page.getByTestId('till-open-submit').click();
    await this.open.waitFor();
  }

  async paidIn(yuan: string, reason: string): Promise<void> {
    await this.page.getByTestId('movement-amount').fill(yuan);
    await this.page.getByTestId('movement-reason').fill(reason);
    await this.page.getByTestId('paid-in').click();
  }

  /** Counts (blind by default) and closes the day. */
  async closeDay(counted: { cash: string; card?: string }, blind = true): Promise<void> {
    const box = this.page.getByTestId('blind-count');
    if ((await box.isChecked()) !== blind) await box.click();
    await this.page.getByTestId('count-cash').fill(counted.cash);
    if (counted.card) await this.page.getByTestId('count-card').fill(counted.card);
    await this.page.getByTestId('z-report').click();
    await this.zReport.waitFor();
  }

  tenderRow(method: string): Locator {
    return this.page.locator(`[data-testid="report-tender"][data-method="${method}"]`);
  }
}
