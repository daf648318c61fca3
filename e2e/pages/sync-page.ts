import type { Locator, Page } from 'playwright-core';

/** The HQ sync parts of the UI: the top-bar pill, the provisioning overlay, the sync screen, the revoked notice. */
export class SyncPage {
  readonly pill: Locator;
  readonly overlay: Locator;
  readonly progress: Locator;
  readonly count: Locator;
  readonly screen: Locator;
  readonly syncNow: Locator;
  readonly hq: Locator;
  readonly pending: Locator;
  readonly lastSync: Locator;
  readonly deadLetters: Locator;
  readonly noDeadLetters: Locator;
  readonly revoked: Locator;

  constructor(readonly page: Page) {
    this.pill = page.getByTestId('sync-pill');
    this.overlay = page.getByTestId('provisioning-overlay');
    this.progress = page.getByTestId('provisioning-progress');
    this.count = page.getByTestId('provisioning-count');
    this.screen = page.getByTestId('sync-screen');
    this.syncNow = page.getByTestId('sync-now');
    this.hq = page.getByTestId('sync-hq');
    this.pending = page.getByTestId('sync-pending');
    this.lastSync = page.getByTestId('sync-last');
    this.deadLetters = page.getByTestId('dead-letter');
    this.noDeadLetters = page.getByTestId('dead-letters-empty');
    this.revoked = page.getByTestId('revoked-screen');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-sync').click();
    await this.screen.waitFor();
  }

  /** What the pill says about HQ and the outbox, as data attributes. */
  async pillState(): Promise<{ hq: string | null; pending: number }> {
    return { hq: await this.pill.getAttribute('data-hq'), pending: Number(await this.pill.getAttribute('data-pending')) };
  }
}
