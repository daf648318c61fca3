import type { Locator, Page } from 'playwright-core';
import { scanKeys } from '../support/scanner.js';

/** The Sell screen: scan-to-cart, member, coupons, totals, payment. */
export class SellPage {
  readonly entry: Locator;
  readonly lines: Locator;
  readonly message: Locator;
  readonly memberSearch: Locator;
  readonly memberPanel: Locator;
  readonly couponCode: Locator;
  readonly appliedCoupons: Locator;
  readonly due: Locator;
  readonly pay: Locator;
  readonly tender: Locator;
  readonly done: Locator;
  readonly change: Locator;
  readonly receiptSlot: Locator;

  constructor(readonly page: Page) {
    this.entry = page.getByTestId('sell-entry');
    this.lines = page.getByTestId('cart-line');
    this.message = page.getByTestId('message');
    this.memberSearch = page.getByTestId('member-search');
    this.memberPanel = page.getByTestId('member-panel');
    this.couponCode = page.getByTestId('coupon-code');
    this.appliedCoupons = page.getByTestId('applied-coupon');
    this.due = page.getByTestId('total-due');
    this.pay = page.getByTestId('pay');
    this.tender = page.getByTestId('tender-dialog');
    this.done = page.getByTestId('sale-done');
    this.change = page.getByTestId('done-change');
    this.receiptSlot = page.getByTestId('receipt-slot');
  }

  /** A keyboard-wedge scanner: the code's keys `msPerKey` apart, then Enter, with nothing focused. */
  async scan(code: string, msPerKey = 5): Promise<void> {
    await scanKeys(this.page, code, msPerKey);
  }

  line(sku: string): Locator {
    return this.page.locator(`[data-testid="cart-line"][data-sku="${sku}"]`);
  }

  async findMember(phoneOrCode: string): Promise<void> {
    await this.memberSearch.fill(phoneOrCode);
    await this.page.getByTestId('member-search-submit').click();
    await this.memberPanel.waitFor();
  }

  async applyCoupon(code: string): Promise<void> {
    await this.couponCode.fill(code);
    await this.page.getByTestId('coupon-apply').click();
  }

  /** Cash: taps the amount on the keypad ("500" or "500.5") and takes it. */
  async payCash(yuan: string): Promise<void> {
    await this.openTender();
    await this.page.getByTestId('tender-tab-cash').click();
    const keypad = this.page.getByTestId('tender-keypad');
    for (const key of yuan) await keypad.locator(`[data-key="${key}"]`).click();
    await this.page.getByTestId('tender-submit').click();
  }

  /** Card (or another terminal) for part or all of what is due, with the terminal's reference. */
  async payCard(yuan: string, reference: string): Promise<void> {
    await this.openTender();
    await this.page.getByTestId('tender-tab-card').click();
    const keypad = this.page.getByTestId('tender-keypad');
    for (const key of yuan) await keypad.locator(`[data-key="${key}"]`).click();
    await this.page.getByTestId('tender-reference').fill(reference);
    await this.page.getByTestId('tender-submit').click();
  }

  /**
   * A customer's WeChat Pay / Alipay payment code typed in (a scanner would deliver the same digits),
   * for all that is due or, with `yuan`, for that part of it.
   */
  async payMobile(code: string, yuan?: string): Promise<void> {
    await this.openTender();
    await this.page.getByTestId('tender-tab-mobile').click();
    if (yuan) {
      const keypad = this.page.getByTestId('tender-keypad');
      for (const key of yuan) await keypad.locator(`[data-key="${key}"]`).click();
    }
    await this.page.getByTestId('tender-paycode').fill(code);
    await this.page.getByTestId('tender-submit').click();
  }

  /** The payment rows in the tender dialog, e.g. `tenderRow('wechat')`. */
  tenderRow(method: string): Locator {
    return this.tender.locator(`[data-testid="tender-row"][data-method="${method}"]`);
  }

  async openTender(): Promise<void> {
    if (!(await this.tender.isVisible())) await this.pay.click();
    await this.tender.waitFor();
  }

  /** The amount shown in a money element, as integer fen ("¥1,299.50" → 129950; "−¥50.00", with a minus sign, → −5000). */
  static fen(text: string | null): number {
    const match = /([-−]?)¥([\d,]+)\.(\d{2})/.exec(text ?? '');
    if (!match) throw new Error(`no amount in ${JSON.stringify(text)}`);
    const value = Number(match[2]!.replace(/,/g, '')) * 100 + Number(match[3]);
    return match[1] ? -value : value;
  }
}
