import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript child (`node --import tsx script ...args`), waits for `marker` on its stdout,
 * then SIGKILLs it `afterMs` later — a crash at a chosen or random instant. Resolves with the
 * signal that ended it (SIGKILL when the kill, not an error, ended it).
 */
export function killAfter(script: string, args: string[], marker: string, afterMs: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(marker)) setTimeout(() => proc.kill('SIGKILL'), afterMs);
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => resolve(signal));
  });
}
