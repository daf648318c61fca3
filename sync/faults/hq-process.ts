import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./hq-child.ts', import.meta.url));

export type HqExit = { code: number | null; signal: NodeJS.Signals | null; killedAt: string | null };

export type HqProcess = {
  url: string;
  port: number;
  enrolCode: string;
  /** The code with HQ's key fingerprint, as a device enrols with it. */
  enrolment: string;
  pid: number;
  /** Resolves when the process has ended: its exit code, or the signal that ended it, and the kill point it printed (if any). */
  exited: Promise<HqExit>;
  /** SIGKILL; resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (HQ closes its database cleanly); resolves when the process is gone. */
  stop(): Promise<void>;
};

/**
 * Starts HQ (sync/faults/hq-child.ts) as a child process on `port` (0: any) over a PGlite folder
 * or, with `databaseUrl`, a PostgreSQL database; resolves when it listens. Bounded: a child that
 * is not ready in `timeoutMs` is killed and the error carries what it printed.
 */
export function startHqProcess(options: {
  port: number;
  pgliteDir: string;
  databaseUrl?: string;
  /** A kill point of hq-child.ts: the child SIGKILLs itself there during its first push or projection. */
  crash?: 'after-events' | 'before-answer' | 'mid-projection' | 'mid-sample-import';
  timeoutMs?: number;
}): Promise<HqProcess> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', script, String(options.port), options.pgliteDir, ...(options.crash ? [options.crash] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  // 'close': after stdout has ended, so a kill point's last line has been read.
  const exited = new Promise<HqExit>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal, killedAt: /HQ_KILLED_AT (\S+)\n/.exec(out)?.[1] ?? null })),
  );
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`HQ child not ready within ${timeoutMs} ms: ${err.slice(-1500)}`));
    }, timeoutMs);
    proc.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      // SF_FAULTS_DEBUG=1 shows what each HQ child logs (to investigate a failure).
      if (process.env.SF_FAULTS_DEBUG) process.stderr.write(`[hq-child ${proc.pid}] ${chunk.toString()}`);
    });
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /HQ_READY (\{.*\})\n/.exec(out);
      if (!line?.[1]) return;
      clearTimeout(timer);
      const ready = JSON.parse(line[1]) as { url: string; port: number; enrolCode: string; enrolment: string };
      resolve({
        ...ready,
        exited,
        pid: proc.pid ?? -1,
        async kill() {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
          await exited;
        },
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
          await exited;
        },
      });
    });
    // After a ready child this rejects nothing; before, it says how the child ended, and where if it killed itself.
    void exited.then(({ code, signal, killedAt }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `HQ child ended before it was ready (code ${code}, signal ${signal}${killedAt ? `, killed at ${killedAt}` : ''}): ${err.slice(-1500)}`,
        ),
      );
    });
  });
}

/**
 * Waits until HQ at `url` has projected every event it recorded (GET /health's
 * `projectionPending` is 0): its answers to pushes come once the events are recorded, its sales
 * and stock a moment later. Bounded by `timeoutMs`.
 */
export async function waitProjected(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { projectionPending?: number };
    if (health.projectionPending === 0) return;
    if (Date.now() > deadline) throw new Error(`HQ still had ${health.projectionPending} events to project after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
