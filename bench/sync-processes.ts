/**
 * The sync benchmark's machinery: its child processes (bounded, killed by pid when they overrun),
 * their memory and CPU, HQ's health, PostgreSQL's waits, and the simulated fleet's registration.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HqDb } from '../sync/hq/db.js';
import { round } from './stats.js';
import type { BenchResult } from './stats.js';
import { fleetDeviceId, fleetPublicKey, fleetStoreOf } from './sync-shared.js';
import type { cpuSplit } from './sync-shared.js';

const SELF = fileURLToPath(import.meta.url);
export const HERE = dirname(SELF);
/** `.js` when built, `.ts` when run from source with tsx. */
export const EXT = SELF.endsWith('.ts') ? '.ts' : '.js';
export const ROOT = join(HERE, EXT === '.ts' ? '..' : '../..');
export const HQ_CLI = join(ROOT, 'dist/sync/hq/cli.js');

/** BENCH_SYNC_PROFILE=<dir>: HQ and the device child write V8 CPU profiles there (to find where the time goes). */
export const PROFILE_DIR = process.env.BENCH_SYNC_PROFILE;
export const profileArgs = (name: string) =>
  PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];

export function script(name: string, args: readonly string[]): string[] {
  const file = join(HERE, `${name}${EXT}`);
  const node = name === 'sync-device' ? profileArgs(name) : [];
  return file.endsWith('.ts') ? [...node, '--import', 'tsx', file, ...args] : [...node, file, ...args];
}

/** A child whose stdout is scanned for one `PREFIX {json}` line; killed by pid if it overruns. */
export type Child = { proc: ChildProcess; line<T>(prefix: string, limitMs: number): Promise<T>; stop(): Promise<void>; stderr(): string };

export function startChild(args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters) w();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    if (err.length < 20_000) err += chunk.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  proc.once('exit', () => {
    for (const w of waiters) w();
  });
  return {
    proc,
    stderr: () => err,
    line<T>(prefix: string, limitMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(look);
          if (proc.pid !== undefined && !exited) process.kill(proc.pid, 'SIGKILL');
          reject(
            new Error(`${args.at(-1) ?? 'child'}: no ${prefix.trim()} within ${limitMs} ms; killed pid ${proc.pid}. ${err.slice(-500)}`),
          );
        }, limitMs);
        const look = () => {
          // Complete lines only: a long result line arrives in several chunks (64 KB pipe reads).
          const found = out
            .split('\n')
            .slice(0, -1)
            .find((l) => l.startsWith(prefix));
          if (found) {
            clearTimeout(timer);
            waiters.delete(look);
            resolve(JSON.parse(found.slice(prefix.length)) as T);
          } else if (exited) {
            clearTimeout(timer);
            waiters.delete(look);
            reject(
              new Error(`child pid ${proc.pid} exited (${proc.exitCode ?? proc.signalCode}) without ${prefix.trim()}: ${err.slice(-800)}`),
            );
          }
        };
        waiters.add(look);
        look();
      });
    },
    async stop() {
      if (exited) return;
      // Children exit by themselves when their stdin closes (and write their CPU profile); SIGTERM if they do not.
      proc.stdin?.end();
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (exited) return;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (proc.pid !== undefined && !exited) process.kill(proc.pid, 'SIGKILL');
      }, 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

export function rssMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

export async function health(url: string): Promise<{ liveConnections: number }> {
  return (await (await fetch(`${url}/health`)).json()) as { liveConnections: number };
}

/**
 * Counters read before and after a phase: PostgreSQL's committed transactions, and HQ's feed heads
 * (its /health: pulls answered from memory, feed statements run).
 */
export async function phaseCounters(db: HqDb, url: string): Promise<{ xacts: number; fromMemory: number; reads: number }> {
  const [x] = await db.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
  const body = (await (await fetch(`${url}/health`)).json()) as { feedHeads?: { fromMemory: number; reads: number } };
  return { xacts: Number(x?.n ?? 0), ...(body.feedHeads ?? { fromMemory: Number.NaN, reads: Number.NaN }) };
}

export async function waitFor(what: string, limitMs: number, test: () => Promise<boolean>): Promise<void> {
  const until = performance.now() + limitMs;
  while (!(await test())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers `count` simulated devices (bench keys) round-robin over the stores, straight in HQ's tables. */
export async function registerFleet(db: HqDb, count: number, stores: readonly string[]): Promise<void> {
  const ids: string[] = [];
  const storeIds: string[] = [];
  const keys: string[] = [];
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(fleetDeviceId(i));
    storeIds.push(fleetStoreOf(i, stores));
    keys.push(fleetPublicKey(i));
    codes.push(`B${i.toString(36)}`);
  }
  await db.query(
    `INSERT INTO device (id, store_id, public_key, receipt_code, app_version, hostname)
     SELECT u.id, u.store_id, u.key, u.code, 'bench', 'bench-fleet' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(id, store_id, key, code)`,
    [ids, storeIds, keys, codes],
  );
}

export const fmt = (n: number) => (n >= 1000 ? `${round(n / 1000, 1)}k` : String(n));
export const progress = (message: string) => console.error(`[bench:sync ${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * Where the CPU went in a phase, and per operation: on a shared machine the wall-clock rate says
 * how busy the machine was as much as how fast HQ is; CPU ms per operation says what it costs.
 */
export function cpuNote(
  before: ReturnType<typeof cpuSplit>,
  after: ReturnType<typeof cpuSplit>,
  seconds: number,
  ops: number,
  what: string,
): string {
  const pct = (a: number, b: number) => `${round(((b - a) / seconds) * 100, 0)} %`;
  const per = (a: number, b: number) => `${round(((b - a) * 1000) / Math.max(ops, 1), 2)} ms`;
  return (
    `CPU over the phase (% of one core): HQ ${pct(before.hq, after.hq)}, PostgreSQL ${pct(before.pg, after.pg)}, clients ${pct(before.clients, after.clients)}; ` +
    `CPU per ${what}: HQ ${per(before.hq, after.hq)}, PostgreSQL ${per(before.pg, after.pg)}, clients ${per(before.clients, after.clients)}; load average ${round(loadavg()[0] ?? 0, 1)} on ${availableParallelism()} CPUs`
  );
}

/** What PostgreSQL's active backends wait on (pg_stat_activity), sampled every 200 ms until stopped (stop() is idempotent). */
export type WaitSampler = { stop(): Promise<string> };

/** Samples what PostgreSQL's active backends wait on (pg_stat_activity) every 200 ms while a phase runs. */
export function waitSampler(db: HqDb): WaitSampler {
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await db
        .query<{ w: string; n: string }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS w, count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
        )
        .catch(() => []);
      samples++;
      for (const r of rows) counts.set(r.w, (counts.get(r.w) ?? 0) + Number(r.n));
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const finish = async (): Promise<string> => {
    running = false;
    await loop;
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4);
    return top.length === 0
      ? 'no active backends seen'
      : `active PostgreSQL backends per sample: ${top.map(([w, n]) => `${round(n / samples, 1)} ${w}`).join(', ')}`;
  };
  let stopped: Promise<string> | null = null;
  // Once: a phase stops it for its note and again in its `finally` (for when it failed midway).
  return { stop: () => (stopped ??= finish()) };
}

export function failure(name: string, unit: string, error: unknown): BenchResult {
  return { name, value: Number.NaN, unit, note: `FAILED: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1500) };
}
