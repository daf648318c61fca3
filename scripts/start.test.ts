import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const startScript = fileURLToPath(new URL('./start.mjs', import.meta.url));

// A host that behaves like dist/main/host/cli.js where it matters: prints its launch URL, then
// runs until SIGTERM (or exits at once with HOST_EXIT).
const FAKE_HOST = `
// The handler first: a test signals as soon as it reads the ready line.
process.on('SIGTERM', () => { console.log('host stopped'); process.exit(0); });
console.log('host args ' + JSON.stringify(process.argv.slice(2)));
console.log('Shopfloor is ready: open http://127.0.0.1:4321/#token=abc123');
if (process.env.HOST_EXIT) process.exit(Number(process.env.HOST_EXIT));
setInterval(() => {}, 1000);
`;

// Stands in for electron's install.js: installs the binary or fails like a machine without network.
const FAKE_INSTALL = `
const { writeFileSync, mkdirSync, chmodSync } = require('node:fs');
writeFileSync(__dirname + '/install-ran', '');
if (process.env.INSTALL_WORKS) {
  mkdirSync(__dirname + '/dist', { recursive: true });
  writeFileSync(__dirname + '/dist/electron', '#!/bin/sh\\necho "electron $*"\\nexit 7\\n');
  chmodSync(__dirname + '/dist/electron', 0o755);
  writeFileSync(__dirname + '/path.txt', 'electron');
} else {
  console.error('RequestError: getaddrinfo ENOTFOUND github.com');
  process.exit(1);
}
`;

// Stands in for dist/sync/hq/cli.js: records its arguments and its stop, prints its ready line
// (or exits at once with HQ_EXIT).
const FAKE_HQ = `
const { writeFileSync } = require('node:fs');
process.on('SIGTERM', () => { writeFileSync(process.cwd() + '/hq-stopped', ''); process.exit(0); });
writeFileSync(process.cwd() + '/hq-args', JSON.stringify(process.argv.slice(2)));
if (process.env.HQ_EXIT) process.exit(Number(process.env.HQ_EXIT));
const fingerprint = process.env.HQ_FINGERPRINT;
console.log('HQ_READY ' + JSON.stringify({ url: 'http://127.0.0.1:5999', enrolCode: 'ABCD-EFGH-JKLM',
  ...(fingerprint ? { hqFingerprint: fingerprint, enrolment: 'ABCD-EFGH-JKLM@' + fingerprint } : {}) }));
setInterval(() => {}, 1000);
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

/** A throw-away project: scripts/start.mjs, a built host, electron's package without its binary. */
function project(options: { electronInstalled?: boolean; hq?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'shopfloor-start-'));
  dirs.push(root);
  mkdirSync(join(root, 'scripts'));
  copyFileSync(startScript, join(root, 'scripts', 'start.mjs'));
  write(join(root, 'dist/main/host/cli.js'), FAKE_HOST);
  write(join(root, 'node_modules/electron/install.js'), FAKE_INSTALL);
  write(join(root, 'node_modules/electron/package.json'), '{"name":"electron"}');
  if (options.hq) write(join(root, 'dist/sync/hq/cli.js'), FAKE_HQ);
  if (options.electronInstalled) {
    write(join(root, 'node_modules/electron/path.txt'), 'electron');
    write(join(root, 'node_modules/electron/dist/electron'), '#!/bin/sh\necho "electron $*"\nexit 7\n', 0o755);
  }
  return root;
}

type Run = { code: number | null; stdout: string; stderr: string };

/** Starts start.mjs; `onLine` sees each stdout line and may signal the process. */
function start(root: string, env: Record<string, string>, onLine?: (line: string, pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--port', '0'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: root, SHOPFLOOR_NO_BROWSER: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const before = stdout.split('\n').length - 1;
      stdout += chunk;
      const lines = stdout.split('\n');
      for (const line of lines.slice(before, -1)) onLine?.(line, child.pid!);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(process.platform === 'win32')('scripts/start.mjs', () => {
  it('runs the installed Electron on the project and exits with its code', async () => {
    const root = project({ electronInstalled: true });
    const run = await start(root, {});
    expect(run.stdout).toContain(`electron ${root}`);
    expect(run.stdout).toContain('--port 0');
    expect(run.stdout).not.toContain('host args');
    expect(run.code).toBe(7);
  });

  it('downloads a missing Electron once and then runs it', async () => {
    const root = project();
    const run = await start(root, { INSTALL_WORKS: '1' });
    expect(existsSync(join(root, 'node_modules/electron/install-ran'))).toBe(true);
    expect(run.stdout).toContain(`electron ${root}`);
    expect(run.code).toBe(7);
  });

  it('falls back to the browser host, saying why, when the download fails', async () => {
    const root = project();
    const run = await start(root, { HOST_EXIT: '3' });
    expect(run.stdout).toContain('The download failed: RequestError: getaddrinfo ENOTFOUND github.com');
    expect(run.stdout).toContain('Electron binary is not installed (no network to download it): starting the browser host instead.');
    expect(run.stdout).toContain('host args ["--port","0"]');
    expect(run.stdout).toContain('Shopfloor is ready: open http://127.0.0.1:4321/#token=abc123');
    expect(run.code).toBe(3);
  });

  it('does not try the download when told not to', async () => {
    const root = project();
    const run = await start(root, { SHOPFLOOR_NO_ELECTRON_DOWNLOAD: '1', HOST_EXIT: '0' });
    expect(existsSync(join(root, 'node_modules/electron/install-ran'))).toBe(false);
    expect(run.stdout).toContain('starting the browser host instead');
    expect(run.code).toBe(0);
  });

  it('passes SIGTERM on to the host and ends with it', async () => {
    const root = project();
    const run = await start(root, { CI: 'true' }, (line, pid) => {
      if (line.startsWith('Shopfloor is ready')) process.kill(pid, 'SIGTERM');
    });
    expect(run.stdout).toContain('host stopped');
    expect(run.code).toBe(0);
  });

  it('opens the launch URL, token included, when a display is available', async () => {
    const root = project();
    const opened = join(root, 'opened-url');
    // The fake opener records the URL and then stops start.mjs, which stops the host.
    write(join(root, 'bin/xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\nkill -TERM $PPID\n`, 0o755);
    const run = await start(root, {
      CI: 'true',
      SHOPFLOOR_NO_BROWSER: '',
      DISPLAY: ':99',
      PATH: `${join(root, 'bin')}:${process.env.PATH ?? ''}`,
    });
    expect(readFileSync(opened, 'utf8')).toBe('http://127.0.0.1:4321/#token=abc123');
    expect(run.code).toBe(0);
  });

  describe('with the local HQ', () => {
    it('starts HQ first, hands its address and enrolment code to the host, and stops HQ when the host ends', async () => {
      const root = project({ hq: true });
      const run = await start(root, { CI: 'true', HOST_EXIT: '0' });
      const hqArgs = JSON.parse(readFileSync(join(root, 'hq-args'), 'utf8')) as string[];
      expect(hqArgs).toEqual(expect.arrayContaining(['--data-dir', join(root, '.shopfloor', 'hq'), '--enrol-store', 'S001']));
      // The sample's stock only where the app enrols (and the warehouse): the first start's wait.
      expect(hqArgs.join(' ')).toContain('--sample-stock-stores S001');
      expect(run.stdout).toContain('HQ is ready at http://127.0.0.1:5999');
      expect(run.stdout).toContain('host args ["--hq-url","http://127.0.0.1:5999","--enrol-code","ABCD-EFGH-JKLM","--port","0"]');
      expect(existsSync(join(root, 'hq-stopped'))).toBe(true);
      expect(run.code).toBe(0);
    });

    it("hands the host the code with HQ's key fingerprint when HQ prints one", async () => {
      const root = project({ hq: true });
      const run = await start(root, { CI: 'true', HOST_EXIT: '0', HQ_FINGERPRINT: 'WXYZ-2345-ABCD-EFGH' });
      expect(run.stdout).toContain(
        'host args ["--hq-url","http://127.0.0.1:5999","--enrol-code","ABCD-EFGH-JKLM@WXYZ-2345-ABCD-EFGH","--port","0"]',
      );
      expect(run.code).toBe(0);
    });

    it('gives Electron the same through its environment', async () => {
      const root = project({ hq: true });
      write(join(root, 'node_modules/electron/path.txt'), 'electron');
      write(
        join(root, 'node_modules/electron/dist/electron'),
        '#!/bin/sh\necho "electron hq=$SHOPFLOOR_HQ_URL code=$SHOPFLOOR_ENROL_CODE"\nexit 0\n',
        0o755,
      );
      const run = await start(root, {});
      expect(run.stdout).toContain('electron hq=http://127.0.0.1:5999 code=ABCD-EFGH-JKLM');
      expect(existsSync(join(root, 'hq-stopped'))).toBe(true);
    });

    it('keeps the standalone demo with SHOPFLOOR_NO_HQ=1', async () => {
      const root = project({ hq: true });
      const run = await start(root, { CI: 'true', HOST_EXIT: '0', SHOPFLOOR_NO_HQ: '1' });
      expect(existsSync(join(root, 'hq-args'))).toBe(false);
      expect(run.stdout).toContain('host args ["--port","0"]');
    });

    it('starts the app without HQ, saying why, when HQ fails to start', async () => {
      const root = project({ hq: true });
      const run = await start(root, { CI: 'true', HOST_EXIT: '0', HQ_EXIT: '4' });
      expect(run.stdout).toContain('HQ exited before it was ready (exit 4): starting without HQ.');
      expect(run.stdout).toContain('host args ["--port","0"]');
      expect(run.code).toBe(0);
    });

    it('stops HQ when stopped by a signal while the app runs', async () => {
      const root = project({ hq: true });
      const run = await start(root, { CI: 'true' }, (line, pid) => {
        if (line.startsWith('Shopfloor is ready')) process.kill(pid, 'SIGTERM');
      });
      expect(run.stdout).toContain('host stopped');
      expect(existsSync(join(root, 'hq-stopped'))).toBe(true);
      expect(run.code).toBe(0);
    });
  });
});
