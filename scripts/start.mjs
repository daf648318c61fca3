// `npm start` (after the build): a local HQ first (PGlite in .shopfloor/hq, the sample brand seeded
// once), then the Electron app where its binary is installed, else the browser host, enrolled at
// that HQ on its first start. The binary cannot be downloaded on every machine (the build machines
// have no network), so a missing binary is a reason to fall back, never to fail; an HQ that does
// not start leaves the app standalone, as it was before HQ existed.
//
// The app enrols with HQ's key fingerprint (`CODE@FINGERPRINT`, from HQ's ready line): over plain
// HTTP that is how it knows the answers come from this HQ. With SHOPFLOOR_HQ_TLS_CERT/_KEY set, HQ
// serves HTTPS; SHOPFLOOR_HQ_CA_FILE then names the CA the app checks it with (the host reads it;
// Electron gets it as NODE_EXTRA_CA_CERTS).
//
// Environment: SHOPFLOOR_NO_ELECTRON_DOWNLOAD=1 (or CI) skips the download attempt;
// SHOPFLOOR_NO_BROWSER=1 keeps the browser host from opening a browser; SHOPFLOOR_NO_HQ=1 starts
// no HQ (the standalone demo).
// Extra arguments go to Electron or to the host (`npm start -- --port 0`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = join(root, 'node_modules', 'electron');
const hostCli = join(root, 'dist', 'main', 'host', 'cli.js');
const hqCli = join(root, 'dist', 'sync', 'hq', 'cli.js');
// SHOPFLOOR_DATA_DIR moves the app's folder (the host reads it too) and HQ's with it.
const hqArgs = [
  '--data-dir',
  join(process.env.SHOPFLOOR_DATA_DIR ?? join(root, '.shopfloor'), 'hq'),
  '--sample-skus',
  '20000',
  '--sample-customers',
  '5000',
  // Stock for the store the app enrols in (and the warehouse): the other stores' 140,000 stock
  // rows are in feeds this device never pulls, and HQ would load them before the app could enrol.
  '--sample-stock-stores',
  'S001',
  '--enrol-store',
  'S001',
];
const HQ_STOP_MS = 10_000;
const args = process.argv.slice(2);
/** The running local HQ, if any: stopped when the app ends. */
let hq;
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** The Electron executable, if electron's install script has put it in place. */
function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

/** One bounded try of electron's own download (package.json's allowScripts skips it at install). */
function downloadElectron() {
  console.log(`Electron binary is not installed: trying to download it (at most ${DOWNLOAD_TIMEOUT_MS / 1000} s) …`);
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    const reason = result.error?.message ?? result.stderr.split('\n').find((line) => line.trim()) ?? `exit ${result.status}`;
    console.log(`The download failed: ${reason}`);
  }
}

/** Runs a child in the foreground: signals go to it, and its exit code becomes ours (after HQ has stopped). */
function runInForeground(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`Could not start ${child.spawnfile}: ${error.message}`);
    void stopHq().then(() => process.exit(1));
  });
  child.on('exit', (code, signal) => void stopHq().then(() => process.exit(code ?? 128 + (constants.signals[signal] ?? 0))));
}

/**
 * Starts the local HQ and waits for its `HQ_READY {"url":…,"enrolCode":…}` line. Resolves null
 * (with the reason printed) when it is not built or exits first: the app then runs standalone.
 */
function startHq() {
  if (process.env.SHOPFLOOR_NO_HQ === '1') return Promise.resolve(null);
  if (!existsSync(hqCli)) {
    console.log(`HQ is not built (${hqCli} is missing): starting without HQ.`);
    return Promise.resolve(null);
  }
  console.log('Starting the local HQ (the first start loads the sample brand; this takes a little while) …');
  const child = spawn(process.execPath, [hqCli, ...hqArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let out = '';
    let ready = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (ready) return;
      out += chunk;
      const line = /^HQ_READY (.*)$/m.exec(out)?.[1];
      if (!line) return;
      ready = true;
      let info;
      try {
        info = JSON.parse(line);
      } catch {
        info = {};
      }
      if (typeof info.url !== 'string') {
        console.log(`HQ printed a ready line without its address (${line}): starting without HQ.`);
        child.kill('SIGTERM');
        resolve(null);
        return;
      }
      hq = child;
      console.log(`HQ is ready at ${info.url}`);
      // `enrolment` is the code with HQ's key fingerprint; an older HQ printed only the code.
      const enrolCode =
        typeof info.enrolment === 'string' ? info.enrolment : typeof info.enrolCode === 'string' ? info.enrolCode : undefined;
      resolve({ url: info.url, enrolCode });
    });
    child.on('error', (error) => {
      console.log(`HQ could not start (${error.message}): starting without HQ.`);
      resolve(null);
    });
    child.on('exit', (code, signal) => {
      if (hq === child) {
        hq = undefined;
        console.log(`HQ stopped (${signal ?? `exit ${code}`}): the app keeps working offline.`);
      }
      if (!ready) {
        console.log(`HQ exited before it was ready (${signal ?? `exit ${code}`}): starting without HQ.`);
        resolve(null);
      }
    });
  });
}

/** Stops the local HQ (SIGTERM, then SIGKILL after HQ_STOP_MS) and waits for it. */
function stopHq() {
  const child = hq;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  hq = undefined;
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), HQ_STOP_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function canOpenBrowser() {
  if (process.env.SHOPFLOOR_NO_BROWSER) return false;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Best effort: the URL is printed anyway, so a missing opener only costs a copy-paste. */
function openBrowser(url) {
  const [command, commandArgs] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? // `start` is a cmd built-in; its first quoted argument is a window title, hence the "".
          ['cmd', ['/c', 'start', '""', `"${url}"`]]
        : ['xdg-open', [url]];
  const opener = spawn(command, commandArgs, {
    stdio: 'ignore',
    detached: true,
    windowsHide: true,
    windowsVerbatimArguments: process.platform === 'win32',
  });
  opener.on('error', () => {});
  opener.unref();
}

function startBrowserHost(hqInfo) {
  if (!existsSync(hostCli)) {
    console.error(`${hostCli} is missing: run \`npm run build\` first.`);
    void stopHq().then(() => process.exit(1));
    return;
  }
  // Ours first: a flag the user passes again (`npm start -- --hq-url …`) wins.
  const hqFlags = hqInfo ? ['--hq-url', hqInfo.url, ...(hqInfo.enrolCode ? ['--enrol-code', hqInfo.enrolCode] : [])] : [];
  const host = spawn(process.execPath, [hostCli, ...hqFlags, ...args], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  runInForeground(host);
  let wantBrowser = canOpenBrowser();
  let partial = '';
  host.stdout.setEncoding('utf8');
  host.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (!wantBrowser) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      // The launch URL carries the session token in its fragment: http://127.0.0.1:PORT/#token=…
      const url = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(line)?.[0];
      if (!url) continue;
      wantBrowser = false;
      openBrowser(url);
      break;
    }
  });
}

// A signal while HQ is still loading stops HQ and us; once the app runs, signals go to the app.
const stopEarly = () => void stopHq().then(() => process.exit(130));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, stopEarly);
const hqInfo = await startHq();
for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, stopEarly);
let binary = electronBinary();
const downloadSkipped = process.env.SHOPFLOOR_NO_ELECTRON_DOWNLOAD === '1' || Boolean(process.env.CI);
if (!binary && !downloadSkipped) {
  downloadElectron();
  binary = electronBinary();
}
if (binary) {
  const env = { ...process.env };
  // Inherited from some tools; it would make Electron run as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  if (hqInfo) {
    env.SHOPFLOOR_HQ_URL = hqInfo.url;
    if (hqInfo.enrolCode) env.SHOPFLOOR_ENROL_CODE = hqInfo.enrolCode;
  }
  // The Electron app's Node checks TLS against the system's CAs plus these.
  if (env.SHOPFLOOR_HQ_CA_FILE && !env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = env.SHOPFLOOR_HQ_CA_FILE;
  runInForeground(spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit', env }));
} else {
  const why = downloadSkipped ? 'download skipped: SHOPFLOOR_NO_ELECTRON_DOWNLOAD or CI is set' : 'no network to download it';
  console.log(`Electron binary is not installed (${why}): starting the browser host instead.`);
  startBrowserHost(hqInfo);
}
