import { afterAll, beforeAll } from 'vitest';
import type { HqDb } from '../db.js';
import type { TestBackend } from './backends.js';
import { openTestHqDb, startTestHq } from './test-hq.js';
import type { TestHq } from './test-hq.js';

/** Opening PGlite and loading the sample brand takes seconds, many more on a busy 2-core machine. */
export const HQ_SETUP_TIMEOUT_MS = 180_000;

/**
 * One test HQ (sample brand, test admin) for the surrounding describe block on `backend`: opened
 * before its tests and handed to `opened`, closed after them.
 */
export function useTestHq(backend: TestBackend, opened: (it: { db: HqDb; hq: TestHq }) => void): void {
  let db: HqDb | undefined;
  let hq: TestHq | undefined;
  beforeAll(async () => {
    db = await openTestHqDb({ databaseUrl: await backend.databaseUrl() });
    hq = await startTestHq(db);
    opened({ db, hq });
  }, HQ_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await hq?.close();
    await db?.close();
  });
}
