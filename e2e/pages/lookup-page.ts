import type { Locator, Page } from 'playwright-core';
import { scanKeys } from '../support/scanner.js';

/** The product lookup screen, as a cashier sees it. */
export class LookupPage {
  readonly search: Locator;
  readonly card: Locator;
  readonly name: Locator;
  readonly price: Locator;
  readonly size: Locator;
  readonly colour: Locator;
  readonly matrix: Locator;
  readonly message: Locator;
  readonly scanFlash: Locator;
  readonly syncPill: Locator;
  readonly langSwitch: Locator;
  readonly results: Locator;

  constructor(readonly page: Page) {
    this.search = page.getByTestId('search-input');
    this.card = page.getByTestId('product-card');
    this.name = page.getByTestId('product-name');
    this.price = page.getByTestId('product-price');
    this.size = page.getByTestId('product-size');
    this.colour = page.getByTestId('product-colour');
    this.matrix = page.getByTestId('stock-matrix');
    this.message = page.getByTestId('message');
    this.scanFlash = page.getByTestId('scan-flash');
    this.syncPill = page.getByTestId('sync-pill');
    this.langSwitch = page.getByTestId('lang-switch');
    this.results = page.getByTestId('search-result');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.search.waitFor({ state: 'visible' });
  }

  /** A keyboard-wedge scanner: the code's keys `msPerKey` apart, then Enter. */
  async scan(code: string, msPerKey = 5): Promise<void> {
    await scanKeys(this.page, code, msPerKey);
  }

  /** A person typing into the search box. */
  async typeSlowly(text: string, msPerKey = 120): Promise<void> {
    await this.search.click();
    await this.page.keyboard.type(text, { delay: msPerKey });
  }

  cell(sku: string): Locator {
    return this.page.locator(`[data-testid="matrix-cell"][data-sku="${sku}"]`);
  }
}
