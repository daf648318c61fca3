import { spawn } from 'node:child_process';

export type KillOptions = {
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Give up (kill it, and fail with what it said) if the marker has not come by then. */
  timeoutMs?: number;
};

/**
 * Runs a TypeScript child (`node --import tsx script …args`), waits for `marker` on its stdout,
 * then SIGKILLs it `afterMs` later. Resolves with the signal that ended it — SIGKILL when the kill
 * ended it — and rejects, with the child's last words, if the marker never came in time.
 */
export function killAtMarker(
  script: string,
  args: readonly string[],
  marker: string,
  afterMs: number,
  options: KillOptions = {},
): Promise<NodeJS.Signals | null> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let out = '';
    let err = '';
    let armed = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(
        new Error(
          `${script} ${args.join(' ')}: no "${marker}" within ${timeoutMs} ms; stdout: ${out.slice(-500)} stderr: ${err.slice(-1500)}`,
        ),
      );
    }, timeoutMs);
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!armed && out.includes(marker)) {
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
      if (!armed) reject(new Error(`${script} ended (code ${code}, signal ${signal}) before "${marker}": ${err.slice(-1500)}`));
      else resolve(signal);
    });
  });
}
