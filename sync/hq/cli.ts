/**
 * HQ as a process: `node dist/sync/hq/cli.js [--port N] [--host H] [--data-dir DIR]
 * [--sample-skus N --sample-customers N] [--lifetime-s N] [--enrol-store S001]`.
 * PGlite in `<data-dir>/pglite` by default; DATABASE_URL switches to a PostgreSQL server.
 * Prints one line `HQ_READY {"url":…,"enrolCode":…}` when it listens; SIGTERM/SIGINT and
 * --lifetime-s stop it cleanly.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFirstAdmin } from './admin/admin-users.js';
import { openHqDb } from './db.js';
import type { HqDb } from './db.js';
import { createEnrolCode } from './enrol.js';
import { migrateHq } from './migrate.js';
import { importSampleBrand } from './sample-brand.js';
import { createHqServer } from './server.js';
import type { HqServer } from './server.js';

function fail(message: string): never {
  console.error(`hq: ${message}`);
  console.error(
    'usage: hq [--port N] [--host H] [--data-dir DIR] [--sample-skus N --sample-customers N] [--lifetime-s N] [--enrol-store CODE]',
  );
  process.exit(2);
}

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

function wholeNumber(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got ${text}`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string', default: process.env.SHOPFLOOR_HQ_PORT ?? '5318' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'sample-skus': { type: 'string' },
      'sample-customers': { type: 'string' },
      'lifetime-s': { type: 'string' },
      'enrol-store': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const { values } = parsed;
const port = wholeNumber('port', values.port, 0, 65535) ?? 5318;
const lifetimeS = wholeNumber('lifetime-s', values['lifetime-s'], 1, 31 * 24 * 3600);
const sampleSkus = wholeNumber('sample-skus', values['sample-skus'], 0, 1_000_000);
const sampleCustomers = wholeNumber('sample-customers', values['sample-customers'], 0, 1_000_000);
const enrolStore = values['enrol-store'];
if (enrolStore !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(enrolStore))
  fail(`--enrol-store takes a store code such as S001, got ${enrolStore}`);
const dataDir = resolve(values['data-dir'] ?? join(projectRoot(dirname(fileURLToPath(import.meta.url))), '.shopfloor', 'hq'));
const databaseUrl = process.env.DATABASE_URL || undefined;
const log = (message: string, detail?: unknown) => console.error(`[hq] ${message}`, detail ?? '');

let db: HqDb | null = null;
let server: HqServer | null = null;
let stopping: Promise<void> | null = null;
function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    await server?.close().catch((error: unknown) => log('close failed', String(error)));
    await db?.close().catch((error: unknown) => log('database close failed', String(error)));
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  mkdirSync(dataDir, { recursive: true });
  db = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : join(dataDir, 'pglite'), log });
  await migrateHq(db);
  const admin = await ensureFirstAdmin(db, { password: process.env.SHOPFLOOR_ADMIN_PASSWORD, dataDir });
  if (admin.password) {
    // Shown once; the file (0600) keeps it for whoever runs this HQ.
    console.error(`[hq] admin login: ${admin.name} / ${admin.password}${admin.passwordFile ? ` (saved in ${admin.passwordFile})` : ''}`);
  }
  if (sampleSkus !== undefined || sampleCustomers !== undefined) {
    const [brand] = await db.query('SELECT 1 FROM brand LIMIT 1');
    if (!brand) {
      const started = performance.now();
      const counts = await importSampleBrand(db, { skus: sampleSkus ?? 20_000, customers: sampleCustomers ?? 5_000 });
      log(`sample brand loaded in ${Math.round(performance.now() - started)} ms`, counts);
    }
  }
  server = await createHqServer({ db, host: values.host, port, log });
  let enrolCode: string | null = null;
  if (enrolStore !== undefined) {
    const [store] = await db.query<{ id: string }>("SELECT id FROM location WHERE code = $1 AND kind = 'store'", [enrolStore]);
    if (!store) {
      log(`--enrol-store: no store ${enrolStore}`);
      await stop(2);
    } else {
      enrolCode = (await createEnrolCode(db, { storeId: store.id, ttlMinutes: 24 * 60, createdBy: 'hq-cli', now: new Date() })).code;
    }
  }
  if (lifetimeS !== undefined) setTimeout(() => void stop(0), lifetimeS * 1000).unref();
  console.log(`HQ_READY ${JSON.stringify({ url: server.url, enrolCode, database: db.kind })}`);
  // Keep the process alive while the server listens (the lifetime timer is unref'd).
} catch (error) {
  log('failed to start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  await stop(1);
}
