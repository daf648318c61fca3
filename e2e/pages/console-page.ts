import type { Locator, Page } from 'playwright-core';

/** HQ's finance console (/console/), as finance sees it: sign-in, the two lists, a row's resolve form. */
export class ConsolePage {
  readonly name: Locator;
  readonly password: Locator;
  readonly signIn: Locator;
  readonly alert: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly store: Locator;
  readonly openOnly: Locator;
  /** What the list says about itself (e.g. a row someone else resolved first). */
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.name = page.locator('input[name="name"]');
    this.password = page.locator('input[name="password"]');
    this.signIn = page.locator('form.sign-in button[type="submit"]');
    this.alert = page.getByRole('alert');
    this.table = page.locator('table.items');
    this.rows = page.locator('table.items tbody tr[data-id]');
    this.store = page.locator('select[name="store"]');
    this.openOnly = page.locator('input[name="open"]');
    this.notice = page.locator('section.lists p.notice[role="status"]');
  }

  async login(name: string, password: string): Promise<void> {
    await this.name.fill(name);
    await this.password.fill(password);
    await this.signIn.click();
  }

  /** The list once loaded (not busy): each row's cells as text. */
  async listed(): Promise<string[][]> {
    await this.page.locator('table.items[aria-busy="false"]').waitFor();
    return this.rows.evaluateAll((rows) =>
      rows.map((row) => Array.from(row.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText.trim())),
    );
  }

  row(receiptNo: string): Locator {
    return this.rows.filter({ hasText: receiptNo });
  }

  /** Reads the list again from HQ. */
  async refresh(): Promise<void> {
    await this.page.locator('section.lists .filters button').click();
  }

  /** The store filter's choices, as finance reads them. */
  storeChoices(): Promise<string[]> {
    return this.store.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).text));
  }

  /** Opens a row's resolve form and writes the resolution, without sending it yet. */
  async writeResolution(receiptNo: string, resolution: string): Promise<void> {
    const row = this.row(receiptNo);
    await row.locator('td.status button').click();
    await row.locator('textarea[name="resolution"]').fill(resolution);
  }

  /** Sends the resolution written in a row's form. */
  async sendResolution(receiptNo: string): Promise<void> {
    await this.row(receiptNo).locator('form.resolve button[type="submit"]').click();
  }

  /** Opens a row's resolve form, writes the resolution and sends it. */
  async resolve(receiptNo: string, resolution: string): Promise<void> {
    await this.writeResolution(receiptNo, resolution);
    await this.sendResolution(receiptNo);
  }
}
