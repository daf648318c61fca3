/**
 * HQ as a process: `node dist/sync/hq/cli.js [--port N] [--host H] [--data-dir DIR]
 * [--sample-skus N --sample-customers N [--sample-stock-stores S001,…]] [--lifetime-s N] [--enrol-store S001]
 * [--hq-key-file FILE] [--tls-cert FILE --tls-key FILE] [--trust-proxy VALUE] [--rotate-hq-key]`.
 * PGlite in `<data-dir>/pglite` by default; DATABASE_URL switches to a PostgreSQL server. HQ's
 * signing key: `--hq-key-file` / SHOPFLOOR_HQ_KEY_FILE, else `<data-dir>/hq-signing-key.pem`
 * (made on first start; give every HQ process of one fleet the same file). HTTPS with
 * `--tls-cert`/`--tls-key` (SHOPFLOOR_HQ_TLS_CERT/_KEY). `--trust-proxy` (SHOPFLOOR_HQ_TRUST_PROXY):
 * `true`, a hop count, or the proxies' addresses/CIDRs, comma-separated — whose X-Forwarded-For
 * names the client for rate limits. `--rotate-hq-key` makes a new key endorsed by the old one and exits.
 * `--sample-stock-stores` limits the sample's stock to those stores (and the warehouse, which
 * always has stock); by default every store has stock.
 * Prints one line `HQ_READY {"url":…,"enrolCode":…,"hqFingerprint":…,"enrolment":…}` when it
 * listens; SIGTERM/SIGINT and --lifetime-s stop it cleanly.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureFirstAdmin } from './admin/admin-users.js';
import { openHqDb } from './db.js';
import type { HqDb } from './db.js';
import { enrolmentText } from '../protocol/enrol.js';
import { createEnrolCode } from './enrol.js';
import { loadHqKey, rotateHqKey } from './hq-key.js';
import { migrateHq } from './migrate.js';
import { pgliteTemplate } from './pglite-template.js';
import { importSampleBrand, sampleBrandPending } from './sample-brand.js';
import { createHqServer } from './server.js';
import type { HqServer } from './server.js';

function fail(message: string): never {
  console.error(`hq: ${message}`);
  console.error(
    'usage: hq [--port N] [--host H] [--data-dir DIR] [--sample-skus N --sample-customers N [--sample-stock-stores CODE,…]]\n' +
      '          [--lifetime-s N] [--enrol-store CODE]\n' +
      '          [--hq-key-file FILE] [--tls-cert FILE --tls-key FILE] [--trust-proxy true|N|ADDR,…] [--rotate-hq-key]',
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
      'sample-stock-stores': { type: 'string' },
      'lifetime-s': { type: 'string' },
      'enrol-store': { type: 'string' },
      'hq-key-file': { type: 'string', default: process.env.SHOPFLOOR_HQ_KEY_FILE || undefined },
      'tls-cert': { type: 'string', default: process.env.SHOPFLOOR_HQ_TLS_CERT || undefined },
      'tls-key': { type: 'string', default: process.env.SHOPFLOOR_HQ_TLS_KEY || undefined },
      'trust-proxy': { type: 'string', default: process.env.SHOPFLOOR_HQ_TRUST_PROXY || undefined },
      'rotate-hq-key': { type: 'boolean', default: false },
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
const stockStores = values['sample-stock-stores']?.split(',').map((code) => code.trim());
if (stockStores?.some((code) => !/^[A-Za-z0-9_-]{1,32}$/.test(code)))
  fail(`--sample-stock-stores takes store codes such as S001,S002, got ${values['sample-stock-stores']}`);
const enrolStore = values['enrol-store'];
if (enrolStore !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(enrolStore))
  fail(`--enrol-store takes a store code such as S001, got ${enrolStore}`);
const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
const dataDir = resolve(values['data-dir'] ?? join(root, '.shopfloor', 'hq'));
const databaseUrl = process.env.DATABASE_URL || undefined;
const keyFile = resolve(values['hq-key-file'] ?? join(dataDir, 'hq-signing-key.pem'));
if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) fail('--tls-cert and --tls-key go together');
const tls = values['tls-cert'] && values['tls-key'] ? readTls(values['tls-cert'], values['tls-key']) : undefined;
const trustProxy = parseTrustProxy(values['trust-proxy']);

function readTls(certFile: string, keyFileTls: string): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFileTls) };
  } catch (error) {
    fail(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
}

/** fastify's trustProxy from text: `true`/`false`, a hop count, or addresses/CIDRs (comma-separated). */
function parseTrustProxy(text: string | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d{1,2}$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  const list = text.split(',').map((t) => t.trim());
  if (list.some((t) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(t)))
    fail(`--trust-proxy takes true, a hop count or addresses/CIDRs, got ${text}`);
  return list;
}
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

if (values['rotate-hq-key']) {
  try {
    if (!existsSync(keyFile)) fail(`--rotate-hq-key: there is no key in ${keyFile} to rotate`);
    const { previous, current } = rotateHqKey(keyFile);
    console.log(
      `HQ key rotated in ${keyFile}: ${previous} → ${current}. Copy it (and ${keyFile}.chain.json) to every HQ machine and restart them.`,
    );
    process.exit(0);
  } catch (error) {
    fail(`cannot rotate the key in ${keyFile}: ${(error as Error).message}`);
  }
}

try {
  mkdirSync(dataDir, { recursive: true });
  const hqKey = loadHqKey(keyFile);
  const pgliteDir = join(dataDir, 'pglite');
  // A new local HQ starts from the build's empty migrated PGlite (pglite-template.ts), if current: no initdb in WASM.
  const pgliteLoad =
    databaseUrl || existsSync(join(pgliteDir, 'PG_VERSION')) ? undefined : pgliteTemplate(join(root, 'dist', 'hq-template'));
  db = await openHqDb({ databaseUrl, pgliteDir: databaseUrl ? undefined : pgliteDir, pgliteLoad, log });
  await migrateHq(db);
  const admin = await ensureFirstAdmin(db, { password: process.env.SHOPFLOOR_ADMIN_PASSWORD, dataDir });
  if (admin.password) {
    // Shown once; the file (0600) keeps it for whoever runs this HQ.
    console.error(`[hq] admin login: ${admin.name} / ${admin.password}${admin.passwordFile ? ` (saved in ${admin.passwordFile})` : ''}`);
  }
  if (sampleSkus !== undefined || sampleCustomers !== undefined) {
    if (await sampleBrandPending(db)) {
      const started = performance.now();
      const counts = await importSampleBrand(db, { skus: sampleSkus ?? 20_000, customers: sampleCustomers ?? 5_000, stockStores });
      log(`sample brand loaded in ${Math.round(performance.now() - started)} ms`, counts);
    }
  }
  // The finance console, built beside HQ (`npm run build`): /console/.
  const consoleDir = join(root, 'dist', 'console');
  server = await createHqServer({ db, host: values.host, port, log, hqKey, tls, trustProxy, consoleDir });
  log(`signing answers with HQ key ${server.hqFingerprint} (${keyFile})`);
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
  const enrolment = enrolCode === null ? null : enrolmentText(enrolCode, server.hqFingerprint);
  if (enrolment) log(`enrolment code for ${enrolStore ?? ''} (24 h, with HQ's fingerprint): ${enrolment}`);
  console.log(
    `HQ_READY ${JSON.stringify({ url: server.url, enrolCode, hqFingerprint: server.hqFingerprint, enrolment, database: db.kind })}`,
  );
  // Keep the process alive while the server listens (the lifetime timer is unref'd).
} catch (error) {
  log('failed to start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  await stop(1);
}
