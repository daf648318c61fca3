import type { Locator, Page } from 'playwright-core';
import { LoginPage } from './login-page.js';

/** The Device settings screen, as a store's IT person or manager sees it. */
export class DevicesPage {
  readonly tab: Locator;
  readonly screen: Locator;
  readonly printerStatus: Locator;
  readonly printerStateText: Locator;
  readonly testPrint: Locator;
  readonly queue: Locator;
  readonly jobs: Locator;
  readonly message: Locator;
  readonly saveBar: Locator;
  readonly saveProfile: Locator;
  readonly preview: Locator;

  constructor(readonly page: Page) {
    this.tab = page.getByTestId('nav-devices');
    this.screen = page.getByTestId('devices-screen');
    this.printerStatus = page.getByTestId('printer-status');
    this.printerStateText = page.getByTestId('printer-state-text');
    this.testPrint = page.getByTestId('test-print');
    this.queue = page.getByTestId('print-queue');
    this.jobs = page.getByTestId('print-job');
    this.message = page.getByTestId('message');
    this.saveBar = page.getByTestId('profile-savebar');
    this.saveProfile = page.getByTestId('profile-save');
    this.preview = page.getByTestId('receipt-preview');
  }

  /** Opens the terminal and goes to the Device settings screen. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.tab.click();
    await this.screen.waitFor({ state: 'visible' });
  }

  /**
   * Opens the terminal with a manager logged in (changing the setup and opening the drawer need
   * one), then goes to the Device settings screen.
   */
  async openAsManager(url: string, manager: { code: string; pin: string }): Promise<void> {
    await this.page.goto(url);
    const login = new LoginPage(this.page);
    await login.openTab('sell');
    await login.login(manager.code, manager.pin);
    await login.staff.waitFor();
    await this.tab.click();
    await this.screen.waitFor({ state: 'visible' });
  }

  section(id: 'printer' | 'scanners' | 'drawer' | 'terminal'): Locator {
    return this.page.getByTestId(`section-${id}`);
  }

  /** `ready`, `paper_end`, `cover_open`, `offline`, `unreachable` … (the card's data-state). */
  async printerState(): Promise<string | null> {
    return this.printerStatus.getAttribute('data-state');
  }

  job(id: string): Locator {
    return this.page.locator(`[data-testid="print-job"][data-job-id="${id}"]`);
  }

  async jobState(id: string): Promise<string | null> {
    return this.job(id).getAttribute('data-state');
  }

  /** The id of the newest job in the queue. */
  async newestJobId(): Promise<string | null> {
    return this.jobs.first().getAttribute('data-job-id');
  }

  /** Points the profile at a network printer and saves it. */
  async useTcpPrinter(host: string, port: number): Promise<void> {
    await this.section('printer').click();
    await this.page.getByTestId('printer-kind-tcp').click();
    await this.page.getByTestId('field-printer-host').locator('input').fill(host);
    await this.page.getByTestId('field-printer-port').locator('input').fill(String(port));
    await this.saveProfile.click();
    await this.saveBar.waitFor({ state: 'detached' });
  }

  fieldError(name: string): Locator {
    return this.page.getByTestId(`field-${name}`).getByTestId('field-error');
  }
}
