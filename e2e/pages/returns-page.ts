import type { Locator, Page } from 'playwright-core';

/** The Returns screen: find the receipt, choose what comes back, refund. */
export class ReturnsPage {
  readonly receipt: Locator;
  readonly sale: Locator;
  readonly lines: Locator;
  readonly refundTotal: Locator;
  readonly complete: Locator;
  readonly done: Locator;
  readonly refund: Locator;
  readonly message: Locator;

  constructor(readonly page: Page) {
    this.receipt = page.getByTestId('returns-receipt');
    this.sale = page.getByTestId('return-sale');
    this.lines = page.getByTestId('return-line');
    this.refundTotal = page.getByTestId('refund-total');
    this.complete = page.getByTestId('return-complete');
    this.done = page.getByTestId('sale-done');
    this.refund = page.getByTestId('done-refund');
    this.message = page.getByTestId('message');
  }

  async find(receiptNo: string): Promise<void> {
    await this.receipt.fill(receiptNo);
    await this.page.getByTestId('returns-find').click();
    await this.sale.waitFor();
  }

  async start(): Promise<void> {
    await this.page.getByTestId('return-start').click();
    await this.page.getByTestId('return-qty').first().waitFor();
  }

  line(sku: string): Locator {
    return this.page.locator(`[data-testid="return-line"][data-sku="${sku}"]`);
  }

  /** Taps + on a line until `qty` units of it come back. */
  async returnUnits(sku: string, qty: number): Promise<void> {
    const line = this.line(sku);
    for (let i = 0; i < qty; i++) await line.getByTestId('return-qty-plus').click();
  }
}
