/**
 * The browser host: `node dist/main/host/cli.js [--port N] [--data-dir DIR] [--lifetime-s N]
 * [--hq-url URL [--enrol-code XXXX-XXXX-XXXX[@FINGERPRINT]] [--hq-fingerprint FP] [--hq-ca FILE]]`.
 * Runs the terminal's services without Electron and serves the renderer on 127.0.0.1. Used by
 * `npm start` where the Electron binary is missing, by the end-to-end tests and by the benchmarks.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openTerminal } from '../app/terminal.js';
import { fileKeyStore } from '../store/key-store.js';
import { uuidv7Generator } from '../../sync/protocol/uuidv7.js';
import { enrolStoreIfNeeded } from '../sync/enrol-store.js';
import { parseEnrolment } from '../../sync/protocol/enrol.js';
import { normalizeFingerprint } from '../../sync/protocol/signing.js';
import { sampleSeeder } from '../../fixtures/sample-seeder.js';
import { sandboxPaymentProvider } from '../checkout/payments.js';
import { startHost } from './host-server.js';

const started = performance.now();
/** The project folder: the nearest one up with a package.json (dist/main/host or main/host). */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
const root = projectRoot(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SHOPFLOOR_PORT ?? '5317' },
    'data-dir': { type: 'string', default: process.env.SHOPFLOOR_DATA_DIR ?? join(root, '.shopfloor') },
    'lifetime-s': { type: 'string' },
    'sample-skus': { type: 'string', default: '20000' },
    'sample-customers': { type: 'string', default: '5000' },
    // With no printer in the device profile, print to the virtual ESC/POS printer (receipts as
    // text + PNG in <data-dir>/virtual-printer/): `on`, a port number, or `off`.
    'virtual-printer': { type: 'string', default: process.env.SHOPFLOOR_VIRTUAL_PRINTER ?? 'on' },
    // HQ: an enrolled device syncs with it; a device not enrolled yet enrols first with the code
    // (then the code is spent; later starts may pass it again, it is not used twice).
    'hq-url': { type: 'string', default: process.env.SHOPFLOOR_HQ_URL },
    'enrol-code': { type: 'string', default: process.env.SHOPFLOOR_ENROL_CODE },
    // HQ's key fingerprint (also accepted as CODE@FINGERPRINT): how a device enrolling over plain
    // HTTP knows it talks to HQ. And a CA file for an https HQ whose certificate the system does not trust.
    'hq-fingerprint': { type: 'string', default: process.env.SHOPFLOOR_HQ_FINGERPRINT || undefined },
    'hq-ca': { type: 'string', default: process.env.SHOPFLOOR_HQ_CA_FILE || undefined },
  },
});

function positiveInt(name: string, text: string | undefined, min = 0): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, got ${text}`);
    process.exit(2);
  }
  return n;
}

const virtualPrinter = values['virtual-printer'];
if (virtualPrinter !== 'on' && virtualPrinter !== 'off' && !(/^\d{1,5}$/.test(virtualPrinter) && Number(virtualPrinter) <= 65535)) {
  console.error(`--virtual-printer must be on, off or a port number, got ${virtualPrinter}`);
  process.exit(2);
}

const hqUrl = values['hq-url'];
const enrolCode = values['enrol-code'];
if (hqUrl !== undefined && !isHttpUrl(hqUrl)) {
  console.error(`--hq-url must be an http(s) address such as http://127.0.0.1:5318, got ${hqUrl}`);
  process.exit(2);
}
if (enrolCode !== undefined && !parseEnrolment(enrolCode)) {
  console.error(
    `--enrol-code must look like XXXX-XXXX-XXXX or XXXX-XXXX-XXXX@XXXX-XXXX-XXXX-XXXX (the code IT gave you, with HQ's fingerprint), got ${enrolCode}`,
  );
  process.exit(2);
}
const hqFingerprint = values['hq-fingerprint'];
if (hqFingerprint !== undefined && !normalizeFingerprint(hqFingerprint)) {
  console.error(`--hq-fingerprint must look like XXXX-XXXX-XXXX-XXXX (HQ prints it with every enrolment code), got ${hqFingerprint}`);
  process.exit(2);
}
let hqCa: string | undefined;
if (values['hq-ca'] !== undefined) {
  try {
    hqCa = readFileSync(values['hq-ca'], 'utf8');
  } catch (error) {
    console.error(`--hq-ca: cannot read ${values['hq-ca']}: ${(error as Error).message}`);
    process.exit(2);
  }
}
if (enrolCode !== undefined && hqUrl === undefined) {
  console.error('--enrol-code needs --hq-url: the HQ that issued the code');
  process.exit(2);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

const log = (message: string, detail?: unknown) => console.error(`[host] ${message}`, detail ?? '');
const dataDir = resolve(values['data-dir']);
const appVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
// Every flag is checked before the store is opened or created.
const port = positiveInt('port', values.port);
const seed = sampleSeeder({
  skus: positiveInt('sample-skus', values['sample-skus'], 1),
  customers: positiveInt('sample-customers', values['sample-customers']),
});
const lifetime = values['lifetime-s'] === undefined ? undefined : positiveInt('lifetime-s', values['lifetime-s'], 1) * 1000;
const keyStore = fileKeyStore(join(dataDir, 'store.key'));
const SANDBOX_GATEWAY_LOG = join(dataDir, 'sandbox-gateway.jsonl');
// Enrolment gives a fresh device its store, so the terminal below does not seed sample data into it.
if (hqUrl !== undefined && (enrolCode !== undefined || hqFingerprint !== undefined || hqCa !== undefined)) {
  try {
    const outcome = await enrolStoreIfNeeded({
      dataDir,
      keyStore,
      hqUrl,
      code: enrolCode,
      hqFingerprint,
      hqCa,
      appVersion,
      hostname: hostname(),
      newId: uuidv7Generator(Date.now),
      log,
    });
    if (outcome === 'enrolled') console.log(`This device is now enrolled at ${hqUrl}; its store comes from HQ.`);
  } catch (error) {
    console.error(`This device could not enrol at ${hqUrl}: ${(error as Error).message}`);
    process.exit(1);
  }
}
const terminal = openTerminal({
  dataDir,
  // Weaker than the Electron app's OS keystore: a 0600 file beside the store (see README).
  keyStore,
  appVersion,
  log,
  virtualPrinter,
  seed,
  // The host pays through the sandbox gateway and writes down every call it answers, as the
  // virtual printer writes every receipt: a demo can show it, an e2e test checks refunds against it.
  payments: sandboxPaymentProvider({
    record: (call) => appendFileSync(SANDBOX_GATEWAY_LOG, `${JSON.stringify({ at: new Date().toISOString(), ...call })}\n`),
  }),
  ...(hqUrl === undefined ? {} : { hq: { url: hqUrl } }),
});
const host = await startHost({
  terminal,
  staticDir: join(root, 'dist/renderer'),
  port,
  log,
}).catch((error: unknown) => {
  console.error(`The browser host could not listen on 127.0.0.1:${values.port}: ${(error as Error).message}. Try --port 0.`);
  terminal.close();
  process.exit(1);
});

const status = terminal.status();
const ready = {
  url: host.launchUrl,
  ms: Math.round(performance.now() - started),
  rssMb: Math.round(process.memoryUsage().rss / 1e6),
  state: status.state,
  hq: status.state === 'ready' ? status.sync.hq : null,
};
console.log(`Shopfloor is ready: open ${host.launchUrl}`);
if (status.state === 'ready' && hqUrl !== undefined && status.sync.hq === 'not_configured') {
  console.log('--hq-url is not used: this device is not enrolled (pass --enrol-code with a code from IT).');
}
if (status.state === 'store_error')
  console.log(`The local store could not be opened (${status.problem.reason}): ${status.problem.message}`);
// One machine-readable line for the tests and benchmarks that start this process.
console.log(`SHOPFLOOR_READY ${JSON.stringify(ready)}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await host.close();
  terminal.close();
};
process.on('SIGINT', () => void stop());
// Tests and benchmarks bound the host's life, so a crashed test run never leaves it listening.
if (lifetime) setTimeout(() => void stop(), lifetime).unref();
process.on('SIGTERM', () => void stop());
