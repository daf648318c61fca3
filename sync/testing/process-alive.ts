import { readdirSync, readFileSync } from 'node:fs';

/**
 * Whether a process is still running. A daemonised postmaster is reparented to PID 1, which in a
 * container may never reap it, so a zombie ("Z" in /proc/<pid>/stat) counts as gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    const { state } = procStat(pid);
    return state !== 'Z' && state !== 'X';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // No /proc (not Linux): fall back to signal 0, which cannot tell a zombie apart.
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** A process's state letter and parent from /proc/<pid>/stat; throws when there is no such process (or no /proc). */
function procStat(pid: number): { state: string; ppid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the parenthesised command name (which may itself hold spaces or ")"): the state, then the parent's pid.
  const [state = '', ppid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

/** The pids whose parent is `pid`, from /proc (Linux; no procps needed). Empty when there is none. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (procStat(Number(name)).ppid === pid) children.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return children;
}

/**
 * Polls `check` until it returns true, or throws `what` after `timeoutMs`. For waiting on things
 * that raise no event (another process ending); the bound only turns a hang into a clear error.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
