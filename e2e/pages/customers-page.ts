import type { Locator, Page } from 'playwright-core';

/** The customer book on the store tablet: the list, the profile, tasks, the manager's pool. */
export class CustomersPage {
  readonly screen: Locator;
  readonly search: Locator;
  readonly rows: Locator;
  readonly count: Locator;
  readonly profile: Locator;
  readonly watermark: Locator;
  readonly requests: Locator;
  readonly tasks: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('customers-screen');
    this.search = page.getByTestId('customer-search');
    this.rows = page.getByTestId('customer-row');
    this.count = page.getByTestId('customer-count');
    this.profile = page.getByTestId('customer-profile');
    this.watermark = page.getByTestId('customers-watermark');
    this.requests = page.getByTestId('customer-request');
    this.tasks = page.getByTestId('task-row');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-customers').click();
  }

  async tab(id: 'mine' | 'store' | 'pool' | 'tasks' | 'results'): Promise<void> {
    await this.page.getByTestId(`customers-tab-${id}`).click();
  }

  row(customerId: string): Locator {
    return this.page.locator(`[data-testid="customer-row"][data-customer-id="${customerId}"]`);
  }

  async find(query: string): Promise<void> {
    await this.search.fill(query);
    await this.page.getByTestId('customer-search-submit').click();
  }

  async addNote(text: string): Promise<void> {
    await this.page.getByTestId('note-input').fill(text);
    await this.page.getByTestId('note-add').click();
  }

  async addTag(text: string): Promise<void> {
    await this.page.getByTestId('tag-input').fill(text);
    await this.page.getByTestId('tag-add').click();
  }
}
