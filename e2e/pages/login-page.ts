import type { Locator, Page } from 'playwright-core';

/** The till's PIN login, lock screen and manager-approval dialog: the same form three times. */
export class LoginPage {
  readonly screen: Locator;
  readonly lockScreen: Locator;
  readonly error: Locator;
  readonly staff: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('login-screen');
    this.lockScreen = page.getByTestId('lock-screen');
    this.error = page.getByTestId('login-error');
    this.staff = page.getByTestId('session-staff');
  }

  /** Opens a checkout tab (sell, returns, history, cashup). */
  async openTab(id: string): Promise<void> {
    await this.page.getByTestId(`nav-${id}`).click();
  }

  /** Staff code typed into the field, PIN tapped on the keypad (as a cashier does on a touchscreen). */
  async fill(prefix: 'login' | 'unlock' | 'approval', code: string | undefined, pin: string): Promise<void> {
    if (code !== undefined) await this.page.getByTestId(`${prefix}-code`).fill(code);
    const keypad = this.page.getByTestId(`${prefix}-keypad`);
    for (const digit of pin) await keypad.locator(`[data-key="${digit}"]`).click();
    await this.page.getByTestId(`${prefix}-submit`).click();
  }

  async login(code: string, pin: string): Promise<void> {
    await this.screen.waitFor();
    await this.fill('login', code, pin);
  }

  async unlock(pin: string): Promise<void> {
    await this.fill('unlock', undefined, pin);
  }

  async approve(managerCode: string, pin: string): Promise<void> {
    await this.page.getByTestId('approval-dialog').waitFor();
    await this.fill('approval', managerCode, pin);
  }

  async logout(): Promise<void> {
    await this.page.getByTestId('session-logout').click();
  }
}
