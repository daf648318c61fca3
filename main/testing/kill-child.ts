import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript child (`node --import tsx script ...args`), waits for `marker` on its stdout,
 * then SIGKILLs it `afterMs` later — a crash at a chosen or random instant. Resolves with the
 * signal that ended it (SIGKILL when the kill, not an error, ended it). Rejects, with the child's
 * last words, when the child ends before the marker or the marker has not come within
 * `timeoutMs` (the child is killed then: a test never waits forever for a marker).
 */
export function killAfter(
  script: string,
  args: string[],
  marker: string,
  afterMs: number,
  timeoutMs = 30_000,
): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    let err = '';
    let armed = false;
    const said = () => `stdout: ${seen.slice(-500)} stderr: ${err.slice(-1500)}`;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')}: no "${marker}" within ${timeoutMs} ms; ${said()}`));
    }, timeoutMs);
    proc.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (!armed && seen.includes(marker)) {
        armed = true;
        clearTimeout(timer);
        setTimeout(() => proc.kill('SIGKILL'), afterMs);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!armed) reject(new Error(`${script} ended (code ${code}, signal ${signal}) before "${marker}"; ${said()}`));
      else resolve(signal);
    });
  });
}
