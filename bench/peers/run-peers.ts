/**
 * Sync benchmark peers (issue 5): PouchDB and RxDB on the same workload as Shopfloor's own
 * sync benchmark — (a) provisioning `catalog` docs, (b) pushing `orders` made offline, (c) an
 * incremental pull of `changed` docs. Each peer scenario runs in its own child process (so its
 * peak RSS is its own), one after another, each with a hard time limit: a child that overruns
 * is killed by pid and reported as a note, never waited for.
 *
 * `npm run bench` calls `benchPeers(peerOptionsFromEnv())`; alone: `node dist/bench/peers/run-peers.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from '../stats.js';
import type { BenchResult } from '../stats.js';
import { RESULT_PREFIX, SCENARIOS, nodeArgs } from './peer-child.js';
import type { PeerResult, Scenario } from './peer-child.js';

export type PeerOptions = {
  catalog: number;
  orders: number;
  changed: number;
  /** Overrides the time limit of every child (ms); by default it grows with the sizes. */
  limitMs?: number;
  /** All peer scenarios together stop after this long (ms; default 6 minutes): what is left is reported as skipped. */
  budgetMs?: number;
  /** Where each peer's data folder is made (default the system's temp folder). */
  tempRoot?: string;
};

const SELF = fileURLToPath(import.meta.url);
const HERE = dirname(SELF);
/** `.js` when built, `.ts` when the tests run the source. */
const EXT = SELF.endsWith('.ts') ? '.ts' : '.js';
/** RxDB first: it is quick, so a slow PouchDB cannot eat its share of the budget. */
const PEERS = ['rxdb', 'pouchdb'] as const;
type Peer = (typeof PEERS)[number];

const DESCRIPTION: Record<Peer, string> = {
  pouchdb: 'PouchDB 9 (LevelDB) ⇄ express-pouchdb 4 server (LevelDB, own process) over HTTP on 127.0.0.1',
  rxdb: 'RxDB 17 memory storage, replicateRxCollection fetch handlers ⇄ in-memory HTTP server (own process) on 127.0.0.1',
};

/** The workload sizes, scaled down by BENCH_PEER_CATALOG / BENCH_PEER_ORDERS / BENCH_PEER_CHANGED for a quick check. */
export function peerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PeerOptions {
  return {
    catalog: Number(env.BENCH_PEER_CATALOG ?? 200_000),
    orders: Number(env.BENCH_PEER_ORDERS ?? 10_000),
    changed: Number(env.BENCH_PEER_CHANGED ?? 1000),
  };
}

/** 200000 → "200k", 1500 → "1.5k", 500 → "500". */
function label(n: number): string {
  return n >= 1000 ? `${round(n / 1000, 1)}k` : String(n);
}

/** Generous limits from the sizes: PouchDB provisioning is the slow one (tens of seconds at 200k). */
function timeoutMs(scenario: Scenario, o: PeerOptions): number {
  if (o.limitMs !== undefined) return o.limitMs;
  const provision = 30_000 + o.catalog * 0.75;
  if (scenario === 'provision') return provision;
  if (scenario === 'push') return 30_000 + o.orders * 6;
  return provision + 30_000;
}

type ChildOutcome = { result: PeerResult } | { failure: string };

function runChild(peer: Peer, scenario: Scenario, o: PeerOptions, dir: string, limit: number): Promise<ChildOutcome> {
  const args = nodeArgs(join(HERE, `${peer}${EXT}`), [
    scenario,
    `--dir=${dir}`,
    `--catalog=${o.catalog}`,
    `--orders=${o.orders}`,
    `--changed=${o.changed}`,
  ]);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let overran = false;
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => {
      overran = true;
      // By its pid (ChildProcess.kill); its server child exits on its own when this one's pipes close.
      child.kill('SIGKILL');
    }, limit);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ failure: `could not start: ${error.message}` });
    });
    // After a kill, do not wait for the pipes: the server child may hold them a moment longer.
    child.once('exit', () => {
      clearTimeout(timer);
      if (overran) resolve({ failure: `overran its ${round(limit / 1000, 1)} s limit; killed pid ${child.pid}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (overran) return;
      if (line && code === 0) resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as PeerResult });
      else resolve({ failure: `exited with ${signal ?? code}: ${lastLine(err)}` });
    });
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const error = lines.find((l) => /Error/.test(l));
  return (error ?? lines.at(-1) ?? '').slice(0, 300);
}

function rows(peer: Peer, scenario: Scenario, o: PeerOptions, outcome: ChildOutcome, load: number): BenchResult[] {
  const size = scenario === 'provision' ? o.catalog : scenario === 'push' ? o.orders : o.changed;
  const prefix = `peer_${peer}_${scenario}`;
  const timeName = `${prefix}_${label(size)}_${scenario === 'incremental' ? 'ms' : 's'}`;
  if ('failure' in outcome)
    return [
      {
        name: timeName,
        value: Number.NaN,
        unit: scenario === 'incremental' ? 'ms' : 's',
        note: `${DESCRIPTION[peer]}: ${outcome.failure}`,
      },
    ];
  const r = outcome.result;
  const what =
    scenario === 'provision'
      ? `${r.docs} catalog docs (~200 B) server → fresh client`
      : scenario === 'push'
        ? `${r.docs} orders (~1 KB) made offline, client → server`
        : `${r.docs} changed catalog docs pulled after provisioning ${o.catalog}`;
  const cpu = `CPU in the timed part: client ${round(r.clientCpuMs, 0)} ms, server ${round(r.serverCpuMs, 0)} ms; load average ${round(load, 1)} on ${availableParallelism()} CPUs at start`;
  const base = `${DESCRIPTION[peer]}; ${r.settings}; ${what}; verified: ${r.verified}; ${cpu}`;
  const time = scenario === 'incremental' ? { value: round(r.ms, 0), unit: 'ms' } : { value: round(r.ms / 1000, 2), unit: 's' };
  return [
    { name: timeName, ...time, note: base },
    { name: `${prefix}_docs_per_s`, value: round(r.docs / (r.ms / 1000), 0), unit: 'docs/s', note: `${DESCRIPTION[peer]}; ${what}` },
    {
      name: `${prefix}_peak_mb`,
      value: round(r.peakMb, 0),
      unit: 'MB',
      note: `peak RSS of the client process (includes ${r.peakIncludes}); server process peak ${round(r.serverPeakMb, 0)} MB`,
    },
  ];
}

/** Runs every peer scenario in its own child process, one after another; never throws for a peer's failure. */
export async function benchPeers(options: PeerOptions): Promise<BenchResult[]> {
  for (const name of ['catalog', 'orders', 'changed'] as const) {
    const value = options[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`benchPeers: ${name} must be a positive integer, got ${value}`);
  }
  const budget = options.budgetMs ?? 360_000;
  const deadline = performance.now() + budget;
  const results: BenchResult[] = [];
  for (const peer of PEERS) {
    // One folder per peer: PouchDB's incremental scenario reopens what provisioning left there.
    const dir = mkdtempSync(join(options.tempRoot ?? tmpdir(), `shopfloor-peer-${peer}-`));
    try {
      for (const scenario of SCENARIOS) {
        const left = deadline - performance.now();
        const load = loadavg()[0] ?? Number.NaN;
        const outcome: ChildOutcome =
          left < 5000
            ? { failure: `skipped: the peers' budget of ${round(budget / 1000, 0)} s was used up` }
            : await runChild(peer, scenario, options, dir, Math.min(timeoutMs(scenario, options), left));
        results.push(...rows(peer, scenario, options, outcome, load));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

if (process.argv[1] === SELF) {
  for (const r of await benchPeers(peerOptionsFromEnv())) {
    console.log(`${r.name.padEnd(36)} ${String(r.value).padStart(10)} ${r.unit.padEnd(6)} ${r.note}`);
  }
}
