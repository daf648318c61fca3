import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './host-process.js';

/**
 * Where the e2e tests put their screenshots: an ignored folder, so `npm test` leaves the tree
 * clean. `npm run screenshots` copies the ones the README shows into docs/screenshots.
 */
export const SHOTS = join(ROOT, 'test-results/screenshots');

/** Saves a screenshot of the page as `name` (e.g. `sell.png`). */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name) });
}

/** The page as it was when a test failed, named after the test. */
export async function failureShot(page: Page | undefined, prefix: string, testName: string): Promise<void> {
  // A test that failed before its page opened, or whose page is already gone, has nothing to show.
  if (!page || page.isClosed()) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${prefix}-${testName.slice(0, 40).replace(/\W+/g, '-')}.png`) });
}
