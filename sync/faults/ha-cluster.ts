import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Prng } from '../../fixtures/prng.js';
import type { Replicator } from '../client/types.js';
import type { HqDb } from '../hq/db.js';
import { createEnrolCode } from '../hq/enrol.js';
import { enrolmentText, parseEnrolment } from '../protocol/enrol.js';
import { findPostgresBinaries } from '../testing/postgres-binaries.js';
import { deviceReplicator, emptyDevice, enrolThrough, openTill, sellableEans, settled, syncUntil } from './fault-device.js';
import type { FaultDevice } from './fault-device.js';
import type { PushRecorder } from './push-recorder.js';

/** The project folder (with package.json), from sync/faults/ or from dist/sync/faults/ (the bench). */
function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return process.cwd();
}
const root = projectRoot();
const upScript = join(root, 'deploy/up.sh');
/** HQ as deploy/up.sh starts it: the built CLI when this runs built (the bench), else the source through tsx (tests). */
const hqCommand = import.meta.url.endsWith('.js')
  ? `${process.execPath} ${join(root, 'dist/sync/hq/cli.js')}`
  : `${process.execPath} --import tsx ${join(root, 'sync/hq/cli.ts')}`;

/** What deploy/up.sh printed when the set was ready (its CLUSTER_READY line). */
export type HaCluster = {
  /** haproxy: where devices go. */
  url: string;
  /** The multi-host URL the HQ processes use (target_session_attrs=read-write). */
  databaseUrl: string;
  /** `CODE@FINGERPRINT` for store S001, made by the first HQ. */
  enrolment: string;
  base: string;
  /** kill -9 of the primary's keeper and PostgreSQL (deploy/up.sh kill-primary): answers which node it was. */
  killPrimary(): Promise<string>;
  /** The monitor's view (deploy/up.sh state): the reported state of each node, e.g. `{ node1: 'primary', node2: 'secondary' }`. */
  states(): Promise<Record<string, string>>;
  /** deploy/up.sh down: every process of the set ends and its folder goes. Idempotent. */
  down(): Promise<void>;
};

/** Why the HA set cannot run here, or null when it can (pg_autoctl, haproxy and PostgreSQL 15 are installed). */
export function haClusterMissing(): string | null {
  const has = (tool: string) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = [
    has('pg_autoctl') ? null : 'pg_autoctl (apt-get install postgresql-15-auto-failover pg-auto-failover-cli)',
    has('haproxy') ? null : 'haproxy (apt-get install haproxy)',
    findPostgresBinaries() ? null : 'PostgreSQL server binaries (apt-get install postgresql)',
  ].filter((m) => m !== null);
  return missing.length === 0 ? null : `missing: ${missing.join(', ')}`;
}

/**
 * Runs deploy/up.sh; resolves with its output when it exits (not when its output closes: the
 * processes it starts in the background live on).
 */
function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(upScript, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(`deploy/up.sh ${args[0] ?? ''} failed (code ${code}, signal ${signal}):\n${out.slice(-2000)}\n${err.slice(-3000)}`),
        );
    });
  });
}

/** Whether nothing listens on 127.0.0.1:port now (a test bind, closed again at once). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A base for deploy/up.sh's ports (base … base + 10 + hqs) below Linux's ephemeral range
 * (32768–60999): ports there are handed to every outgoing connection and to each server listening
 * on port 0, so a fixed port in it can be taken by another test between the pick and the bind (a
 * fresh-clone run failed in `pg_autoctl create` that way, most likely). Every port is checked free
 * first; a base with one taken is skipped.
 */
async function freePortBase(hqs: number): Promise<number> {
  const offsets = [0, 1, 2, 9, 10, ...Array.from({ length: hqs }, (_, n) => 11 + n)];
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + 20 * Math.floor(Math.random() * 600);
    const free = await Promise.all(offsets.map((offset) => portIsFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port base for deploy/up.sh between 20000 and 32000 after 20 tries');
}

/**
 * Brings up deploy/up.sh's set — monitor, primary, synchronous standby, `hqs` HQ processes (run
 * from source through tsx in tests, the built CLI in the bench), haproxy — under /tmp on ports from a random
 * base, with the fast failover timeouts. Bounded: the set stops itself after `lifetimeS`.
 */
export async function startHaCluster(options: { hqs?: number; lifetimeS?: number } = {}): Promise<HaCluster> {
  const portBase = await freePortBase(options.hqs ?? 2);
  const base = `/tmp/shopfloor-ha-${process.pid}-${portBase}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHOPFLOOR_HQ_CMD: hqCommand,
    SHOPFLOOR_SAMPLE_SKUS: '200',
    SHOPFLOOR_SAMPLE_CUSTOMERS: '20',
  };
  delete env.DATABASE_URL;
  const common = ['--base', base, '--port-base', String(portBase)];
  let out: string;
  try {
    out = await run(
      ['up', ...common, '--hqs', String(options.hqs ?? 2), '--fast-failover', '--lifetime-s', String(options.lifetimeS ?? 600)],
      env,
      300_000,
    );
  } catch (error) {
    if (existsSync(base)) await run(['down', ...common], env, 60_000).catch(() => undefined);
    throw error;
  }
  const line = /CLUSTER_READY (\{.*\})/.exec(out)?.[1];
  if (!line) throw new Error(`deploy/up.sh printed no CLUSTER_READY line: ${out.slice(-2000)}`);
  const ready = JSON.parse(line) as Omit<HaCluster, 'killPrimary' | 'states' | 'down'>;
  let down: Promise<void> | null = null;
  return {
    ...ready,
    async killPrimary() {
      return (await run(['kill-primary', ...common], env, 30_000)).trim();
    },
    async states() {
      const text = await run(['state', ...common], env, 30_000);
      const states: Record<string, string> = {};
      for (const line of text.split('\n')) {
        const [node, state] = line.trim().split(' ');
        if (node && state) states[node] = state;
      }
      return states;
    },
    down() {
      down ??= run(['down', ...common], env, 120_000).then(() => undefined);
      return down;
    },
  };
}

/**
 * What the set looked like when a wait on it failed, for the failure's message: the monitor's
 * states and the end of each HQ's and haproxy's log (deploy/up.sh keeps them under `base/logs`).
 */
export async function clusterDiagnosis(cluster: HaCluster, lines = 12): Promise<string> {
  const states = await cluster.states().then(
    (s) => JSON.stringify(s),
    (error: unknown) => `unknown (${(error as Error).message.split('\n')[0] ?? ''})`,
  );
  const logs = readdirSync(join(cluster.base, 'logs'))
    .filter((name) => /^(hq\d+\.(log|out)|haproxy\.log)$/.test(name))
    .sort()
    .map((name) => {
      const text = readFileSync(join(cluster.base, 'logs', name), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .join('\n');
      return `--- ${name} (last ${lines} lines)\n${text}`;
    });
  return [`monitor: ${states}`, ...logs].join('\n');
}

/**
 * A till's replicator on the HA set: live channels through haproxy (nudges after the switch), a
 * short poll while a channel is down, its pushes seen by `recorder`.
 */
export function haTillReplicator(device: FaultDevice, cluster: HaCluster, recorder: PushRecorder, prng: Prng): Replicator {
  return deviceReplicator(device, cluster.url, {
    fetch: recorder.fetch,
    random: () => prng.next(),
    live: true,
    pollMs: 2_000,
    requestTimeoutMs: 15_000,
  });
}

/**
 * A new till of `storeId` on the HA set: enrolled through haproxy with a fresh code, provisioned by
 * `replicator` (answered, still open) and its till opened, with the EANs it can sell. The device
 * is cleaned up when any of this fails.
 */
export async function enrolHaTill(
  check: HqDb,
  cluster: HaCluster,
  options: { storeId: string; createdBy: string; what: string; replicator: (device: FaultDevice) => Replicator },
): Promise<{ device: FaultDevice; replicator: Replicator; eans: string[] }> {
  const fingerprint = parseEnrolment(cluster.enrolment)?.fingerprint ?? '';
  const device = emptyDevice();
  let replicator: Replicator | null = null;
  try {
    const { code } = await createEnrolCode(check, {
      storeId: options.storeId,
      ttlMinutes: 30,
      createdBy: options.createdBy,
      now: new Date(),
    });
    await enrolThrough(device, cluster.url, enrolmentText(code, fingerprint));
    replicator = options.replicator(device);
    await syncUntil(replicator, settled, 5, `provisioning ${options.what}`);
    await openTill(device);
    return { device, replicator, eans: sellableEans(device) };
  } catch (error) {
    await replicator?.close().catch(() => undefined);
    device.cleanup();
    throw error;
  }
}
