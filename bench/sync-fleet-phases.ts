/**
 * The sync benchmark's fleet phases (bench/sync.ts): many simulated devices against one HQ
 * process, played by child processes (bench/sync-fleet.ts) so HQ's process holds only HQ's side.
 *
 * - hq_devices_connected: signed live channels one HQ process holds.
 * - hq_roundtrips_per_s / hq_roundtrip_p99_ms: pulls with nothing new, over the devices' live
 *   sockets (BENCH_SYNC_RT_TRANSPORT=http: signed HTTP pulls instead).
 */
import { readFileSync } from 'node:fs';
import type { HqDb } from '../sync/hq/db.js';
import { percentile, round, slope } from './stats.js';
import type { BenchResult } from './stats.js';
import { FLEET_READY, FLEET_RESULT, cpuSplit } from './sync-shared.js';
import type { FleetReady, FleetResult } from './sync-shared.js';
import { cpuNote, failure, health, phaseCounters, progress, rssMb, script, startChild, waitFor, waitSampler } from './sync-processes.js';
import type { WaitSampler } from './sync-processes.js';
import type { Child } from './sync-processes.js';

export type FleetPhaseContext = {
  url: string;
  hqPid: number;
  pgPid: number | null;
  db: HqDb;
  brand: string;
  stores: readonly string[];
  /** Children started here are added, so the bench stops them whatever happens. */
  children: Child[];
  connections: number;
  fleetChildren: number;
  roundtripConcurrency: number;
  roundtripSeconds: number;
  roundtripDevices: number;
  roundtripTransport: 'live' | 'http';
};

/** How long the round-trip clients may take to open their sockets (not timed). */
const OPEN_S = 120;
/** Pulls a device has in flight at most: one page and the next (sync/client/pull.ts). */
const LIVE_PULLS_PER_DEVICE = 2;

/**
 * How long opening the fleet may take. A machine shared with other work opened ~55 channels a
 * second, a quiet one several hundred: the budget grows with the fleet (the phase ends as soon as
 * every channel is open).
 */
export function connectSeconds(connections: number): number {
  return Math.max(150, Math.ceil(connections / 50));
}

/** How long the fleet phases may keep HQ busy at most (HQ's own lifetime must outlast them). */
export function fleetPhasesSeconds(connections: number, roundtripSeconds: number): number {
  return connectSeconds(connections) + 60 + OPEN_S + roundtripSeconds + 60;
}

/** Source addresses the load generator spreads its sockets over: ~28k ephemeral ports per address pair. */
export function sourceAddresses(connections: number): number {
  return Math.max(1, Math.ceil(connections / 20_000));
}

/** Files HQ keeps for everything but the fleet's sockets: its PostgreSQL pools, /health, the round-trip clients. */
const FD_RESERVE = 1000;

/** The soft and hard limits on open files of a process (/proc/<pid>/limits). */
export function openFileLimit(pid: number): { soft: number; hard: number } {
  const line = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (text: string | undefined) => (text === 'unlimited' || text === undefined ? Infinity : Number(text));
  return { soft: n(line?.[1]), hard: n(line?.[2]) };
}

/**
 * HQ's RSS against its live channels, read every 500 ms while the fleet opens them: the growth per
 * channel is the least-squares slope over the samples from a quarter of the target on (the start
 * of the ramp is where the garbage of the phases before is collected, which made the difference of
 * two end points negative).
 */
function rssSampler(url: string, pid: number): { stop(): Promise<void>; perChannel(target: number): { kb: number | null; note: string } } {
  const samples: { x: number; y: number }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // HQ busy or gone: no sample this round (the phase itself reports a dead HQ).
      try {
        const { liveConnections } = await health(url);
        const rss = rssMb(pid).rss;
        if (Number.isFinite(rss)) samples.push({ x: liveConnections, y: rss * 1024 });
      } catch {
        // next round
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    stop: () => {
      stopped = true;
      return loop;
    },
    perChannel(target) {
      const ramp = samples.filter((p) => p.x >= target / 4);
      const kb = slope(ramp);
      if (kb === null || kb <= 0)
        return {
          kb: null,
          note: `RSS did not grow measurably with the channels (${ramp.length} samples from ${Math.round(target / 4)} channels on)`,
        };
      return {
        kb,
        note: `RSS grew ${round(kb, 1)} KB per channel (least squares over ${ramp.length} samples from ${Math.round(target / 4)} channels on)`,
      };
    },
  };
}

export async function fleetConnections(c: FleetPhaseContext): Promise<BenchResult[]> {
  let waits: WaitSampler | null = null;
  // HQ cannot hold more sockets than its open-file limit allows, and past it cannot even answer
  // /health: where the limit is lower than the goal, the fleet stops short of it by FD_RESERVE.
  const limit = openFileLimit(c.hqPid);
  const target = Math.min(c.connections, Math.max(0, limit.hard - FD_RESERVE));
  const connectS = connectSeconds(target);
  progress(`fleet: ${target} live channels (at most ${connectS} s)`);
  try {
    const per = Math.ceil(target / c.fleetChildren);
    const sources = sourceAddresses(target);
    const before = rssMb(c.hqPid);
    const t = performance.now();
    const fleet = Array.from({ length: c.fleetChildren }, (_, i) =>
      startChild(
        script('sync-fleet', [
          'connect',
          `--url=${c.url}`,
          `--from=${i * per}`,
          `--count=${Math.max(0, Math.min(per, target - i * per))}`,
          '--concurrency=100',
          `--seconds=${connectS}`,
          `--sources=${sources}`,
          `--lifetime-s=${connectS + 120}`,
        ]),
      ),
    );
    c.children.push(...fleet);
    const pids = fleet.map((f) => f.proc.pid ?? 0);
    const cpu0 = cpuSplit(c.hqPid, c.pgPid, pids);
    waits = waitSampler(c.db);
    const growth = rssSampler(c.url, c.hqPid);
    const opened = await Promise.all(fleet.map((f) => f.line<FleetReady>(FLEET_READY, (connectS + 60) * 1000))).finally(() =>
      growth.stop(),
    );
    const openS = (performance.now() - t) / 1000;
    const cpu1 = cpuSplit(c.hqPid, c.pgPid, pids);
    const waitNote = await waits.stop();
    const held = (await health(c.url)).liveConnections;
    const withFleet = rssMb(c.hqPid);
    const readyCount = opened.reduce((n, r) => n + r.ready, 0);
    const failed = opened.reduce((n, r) => n + r.failed, 0);
    const tried = opened.reduce((n, r) => n + r.tried, 0);
    const firstError = opened.find((r) => r.firstError)?.firstError;
    const perChannel = growth.perChannel(target);
    const fdNote =
      target < c.connections
        ? ` HQ's process may open at most ${limit.hard} files here (hard RLIMIT_NOFILE; this container cannot raise it: no CAP_SYS_RESOURCE), so it cannot hold ${c.connections} sockets on this machine whatever its memory: the fleet opened ${target} (the limit less ${FD_RESERVE} for PostgreSQL, the bench's requests and the round-trip clients); ${perChannel.note}${perChannel.kb === null ? '' : `, so 50,000 would take ~${round(withFleet.rss + (perChannel.kb * (50_000 - held)) / 1024, 0)} MB RSS`}.`
        : '';
    const results: BenchResult[] = [
      {
        name: 'hq_devices_connected',
        value: held,
        unit: 'conn',
        note: `signed live channels one HQ process holds (its /health count), opened by ${c.fleetChildren} child processes from ${sources} source address(es) 127.0.0.x, 100 upgrades in flight each, in ${round(openS, 1)} s (${round(readyCount / openS, 0)}/s; given up after ${connectS} s): ${tried} of ${c.connections} tried, ${readyCount} got HQ's ready, ${failed} failed${firstError ? ` (${firstError})` : ''}. Devices enrolled in bulk: rows with generated Ed25519 public keys inserted in HQ's device table (each upgrade still checks signature, time, nonce). HQ RSS ${round(withFleet.rss, 0)} MB with them (${round(before.rss, 0)} MB before).${fdNote} ${cpuNote(cpu0, cpu1, openS, readyCount, 'channel opened')}; ${waitNote}; goal ≥ 50,000 in ≤ 1 GB`,
      },
      {
        name: 'hq_rss_connected_mb',
        value: round(withFleet.rss, 0),
        unit: 'MB',
        note: `RSS of the HQ process holding ${held} live channels (peak so far ${round(withFleet.hwm, 0)} MB; ${perChannel.note}); goal ≤ 1,024 MB at 50,000`,
      },
    ];
    await Promise.all(fleet.map((f) => f.stop()));
    await waitFor('HQ to drop the fleet channels', 60_000, async () => (await health(c.url)).liveConnections === 0);
    return results;
  } catch (error) {
    return [failure('hq_devices_connected', 'conn', error)];
  } finally {
    // A phase that failed midway left its sampler querying: it would keep the bench alive after it wrote its results.
    await waits?.stop();
  }
}

/** Pulls of the three scopes at the feed's head (nothing new), as a connected fleet's nudged pulls and polls cost. */
export async function fleetRoundtrips(c: FleetPhaseContext): Promise<BenchResult[]> {
  let waits: WaitSampler | null = null;
  progress(`fleet: round trips over ${c.roundtripTransport} for ${c.roundtripSeconds} s`);
  try {
    const [head] = await c.db.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
    const cursor = `${head?.x ?? '0'}:0:`;
    const rtChildren = Math.max(1, Math.min(c.fleetChildren, 2));
    // Only registered devices: the fleet's first `connections` are.
    const rtDevices = Math.min(c.roundtripDevices, c.connections);
    const rtPer = Math.ceil(rtDevices / rtChildren);
    const perChild = Math.ceil(c.roundtripConcurrency / rtChildren);
    if (c.roundtripTransport === 'live' && perChild > rtPer * LIVE_PULLS_PER_DEVICE) {
      // HQ closes a live socket with more than MAX_LIVE_PULLS_IN_FLIGHT pulls in flight (a flood), as it should.
      throw new Error(
        `${c.roundtripConcurrency} round trips in flight over ${rtDevices} devices is more than a device's ${LIVE_PULLS_PER_DEVICE} (a page and the next) per live socket: raise BENCH_SYNC_RT_DEVICES or lower BENCH_SYNC_RT_CONCURRENCY`,
      );
    }
    const rt = Array.from({ length: rtChildren }, (_, i) =>
      startChild(
        script('sync-fleet', [
          'roundtrip',
          `--url=${c.url}`,
          `--from=${i * rtPer}`,
          // The last child takes what is left (an odd count leaves it one fewer): only registered devices.
          `--count=${Math.min(rtPer, rtDevices - i * rtPer)}`,
          `--concurrency=${perChild}`,
          `--seconds=${c.roundtripSeconds}`,
          `--brand=${c.brand}`,
          `--stores=${c.stores.join(',')}`,
          `--cursor=${cursor}`,
          `--transport=${c.roundtripTransport}`,
          `--open-s=${OPEN_S}`,
          `--lifetime-s=${c.roundtripSeconds + OPEN_S + 120}`,
        ]),
      ),
    );
    c.children.push(...rt);
    // The clients open their sockets first; the clocks start when every child is ready and told to go.
    const opened = await Promise.all(rt.map((child) => child.line<FleetReady>(FLEET_READY, (OPEN_S + 60) * 1000)));
    const pids = rt.map((child) => child.proc.pid ?? 0);
    const c0 = await phaseCounters(c.db, c.url);
    const cpu0 = cpuSplit(c.hqPid, c.pgPid, pids);
    waits = waitSampler(c.db);
    const t = performance.now();
    for (const child of rt) child.proc.stdin?.write('go\n');
    const rounds = await Promise.all(rt.map((child) => child.line<FleetResult>(FLEET_RESULT, (c.roundtripSeconds + 60) * 1000)));
    const phaseS = (performance.now() - t) / 1000;
    const cpu1 = cpuSplit(c.hqPid, c.pgPid, pids);
    const waitNote = await waits.stop();
    const c1 = await phaseCounters(c.db, c.url);
    const ok = rounds.reduce((n, r) => n + r.ok, 0);
    const withRows = rounds.reduce((n, r) => n + r.withRows, 0);
    const bad = rounds.reduce((n, r) => n + r.failed, 0);
    const clientCpuMs = rounds.reduce((n, r) => n + r.cpuMs, 0);
    const lat = rounds.flatMap((r) => r.latenciesMs);
    const rtError = rounds.find((r) => r.firstError)?.firstError ?? opened.find((r) => r.firstError)?.firstError;
    const xacts = (c1.xacts - c0.xacts) / Math.max(ok + bad, 1);
    const hqCpuMs = (cpu1.hq - cpu0.hq) * 1000;
    const how =
      c.roundtripTransport === 'live'
        ? `pull frames over the devices' open live sockets (${opened.reduce((n, r) => n + r.ready, 0)} opened before the clocks started, signed upgrades; no signature or nonce per pull), each answered with one page frame HQ signs (Ed25519, over the upgrade nonce and the pull id); each = frame check + one signature, and a feed statement only where HQ does not know the scopes' head`
        : "signed HTTP pulls (keep-alive); each = signature check + a batched nonce insert + one answer signature, and a feed statement only where HQ does not know the scopes' head";
    const cost = `the load generator's CPU is kept out of HQ's: it runs in its own ${rtChildren} processes, does not check HQ's signatures (a device checks one per answer, ~0.1 ms), and is measured apart — ${round(clientCpuMs / Math.max(ok + bad, 1), 3)} ms client CPU per round trip vs ${round(hqCpuMs / Math.max(ok + bad, 1), 3)} ms HQ CPU (process CPU from /proc, not wall time; the 2 cores are shared, nothing pinned)`;
    const results: BenchResult[] = [
      {
        name: 'hq_roundtrips_per_s',
        value: round(ok / phaseS, 0),
        unit: 'rt/s',
        note: `pulls of brand+store+device scopes at the feed's head (nothing new) by ${rtDevices} simulated devices, ${c.roundtripConcurrency} in flight from ${rtChildren} child processes, ${round(phaseS, 1)} s: ${how}. ${ok} answered (${withRows} of them carried rows), ${bad} failed${rtError ? ` (${rtError})` : ''}; ${c1.fromMemory - c0.fromMemory} answered from memory, ${c1.reads - c0.reads} feed statements; ${round(xacts, 1)} PostgreSQL transactions per round trip; ${cost}; ${cpuNote(cpu0, cpu1, phaseS, ok + bad, 'round trip')}; ${waitNote}; goal ≥ 2,000`,
      },
      {
        name: 'hq_roundtrip_p99_ms',
        value: round(percentile(lat, 99), 1),
        unit: 'ms',
        note: `same run (${c.roundtripTransport}): p50 ${round(percentile([...lat], 50), 1)} ms, p99 over ${lat.length} round trips, max ${round(percentile([...lat], 100), 0)} ms; goal ≤ 250`,
      },
    ];
    await Promise.all(rt.map((child) => child.stop()));
    return results;
  } catch (error) {
    return [failure('hq_roundtrips_per_s', 'rt/s', error)];
  } finally {
    // A phase that failed midway left its sampler querying: it would keep the bench alive after it wrote its results.
    await waits?.stop();
  }
}
