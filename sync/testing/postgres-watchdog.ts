import { spawn } from 'node:child_process';

/**
 * A tiny detached Node process that makes a private PostgreSQL stop by itself: when the process
 * that started it dies (even by SIGKILL, when no exit hook runs) or when its lifetime is up, it
 * runs `pg_ctl stop -m immediate`, SIGQUITs the postmaster if that did not work, and removes the
 * cluster's folder. Plain JavaScript so it runs from sources (vitest) and from dist alike.
 */
const WATCHDOG_SOURCE = String.raw`
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const [parentPid, deadline, baseDir, dataDir, stopFile, stopArgsJson] = process.argv.slice(1);
const stopArgs = JSON.parse(stopArgsJson);
function alive(pid) {
  try {
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    try { process.kill(pid, 0); return true; } catch { return false; }
  }
}
function postmasterPid() {
  try { return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null; } catch { return null; }
}
// The lifetime starts once the server is ready (startPostgres writes this file); until then the
// argv deadline bounds a start that hangs.
function currentDeadline() {
  try { return Number(fs.readFileSync(path.join(baseDir, 'deadline'), 'utf8')) || Number(deadline); } catch { return Number(deadline); }
}
function sleep(ms) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }
function cleanUp() {
  const pid = postmasterPid();
  try { execFileSync(stopFile, stopArgs, { stdio: 'ignore', timeout: 60000 }); } catch {}
  if (pid && alive(pid)) {
    // pg_ctl failed: the postmaster is ours (started for this folder), so end it by its pid.
    try { process.kill(pid, 'SIGQUIT'); } catch {}
    for (let i = 0; i < 100 && alive(pid); i++) sleep(100);
    if (alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  }
  fs.rmSync(baseDir, { recursive: true, force: true });
}
const timer = setInterval(() => {
  if (!fs.existsSync(baseDir)) { clearInterval(timer); return; }
  if (!alive(Number(parentPid)) || Date.now() > currentDeadline()) { clearInterval(timer); cleanUp(); }
}, 250);
process.on('SIGTERM', () => { clearInterval(timer); });
`;

export type WatchdogOptions = {
  parentPid: number;
  /** Epoch ms after which it stops the server unless `<baseDir>/deadline` says otherwise. */
  deadline: number;
  baseDir: string;
  dataDir: string;
  /** The argv that stops the cluster (pg_ctl stop -m immediate, through runuser when root). */
  stopCommand: [string, string[]];
};

/** Starts the watchdog; returns its pid so stop() can end it (it is ours). */
export function startWatchdog(options: WatchdogOptions): number {
  const [stopFile, stopArgs] = options.stopCommand;
  const child = spawn(
    process.execPath,
    [
      '--input-type=commonjs',
      '-e',
      WATCHDOG_SOURCE,
      String(options.parentPid),
      String(options.deadline),
      options.baseDir,
      options.dataDir,
      stopFile,
      JSON.stringify(stopArgs),
    ],
    // Its own session: a Ctrl-C or a kill of the test runner's process group must not take it along.
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  if (child.pid === undefined) throw new Error('Could not start the PostgreSQL watchdog process');
  return child.pid;
}
