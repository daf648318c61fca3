import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { HqDb } from '../db.js';
import { openEmptyHq, resetHq } from './backends.js';
import type { TestBackend } from './backends.js';
import { seedFixture } from './push-fixture.js';
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

/**
 * An empty HQ database (migrated, no sample brand, no server) for the surrounding describe block
 * on `backend`: opened before its tests and handed to `opened`, reset and seeded with the push
 * fixture (`skus` SKUs: seedFixture) before each test — a test file's own beforeEach runs after
 * that — and closed after them.
 */
export function useSeededHq(backend: TestBackend, opened: (db: HqDb) => void, skus?: number): void {
  let db: HqDb | undefined;
  beforeAll(async () => {
    db = (await openEmptyHq(backend)).db;
    opened(db);
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    if (!db) throw new Error('useSeededHq: the database did not open');
    await resetHq(db);
    await seedFixture(db, skus);
  });
}
