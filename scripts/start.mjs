// `npm start` (after the build): the Electron app where its binary is installed, else the browser
// host. The binary cannot be downloaded on every machine (the build machines have no network), so
// a missing binary is a reason to fall back, never to fail.
//
// Environment: SHOPFLOOR_NO_ELECTRON_DOWNLOAD=1 (or CI) skips the download attempt;
// SHOPFLOOR_NO_BROWSER=1 keeps the browser host from opening a browser.
// Extra arguments go to Electron or to the host (`npm start -- --port 0`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = join(root, 'node_modules', 'electron');
const hostCli = join(root, 'dist', 'main', 'host', 'cli.js');
const args = process.argv.slice(2);
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

/** Runs a child in the foreground: signals go to it, and its exit code becomes ours. */
function runInForeground(child) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`Could not start ${child.spawnfile}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
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

function startBrowserHost() {
  if (!existsSync(hostCli)) {
    console.error(`${hostCli} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  const host = spawn(process.execPath, [hostCli, ...args], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
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
  runInForeground(spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit', env }));
} else {
  const why = downloadSkipped ? 'download skipped: SHOPFLOOR_NO_ELECTRON_DOWNLOAD or CI is set' : 'no network to download it';
  console.log(`Electron binary is not installed (${why}): starting the browser host instead.`);
  startBrowserHost();
}
