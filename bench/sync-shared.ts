/**
 * What bench/sync.ts and its child processes (sync-device.ts, sync-fleet.ts) share.
 *
 * Simulated devices for the HQ load figures: ids and Ed25519 keys derived from their number, so
 * the bench process (which registers their public keys in HQ's database) and the child processes
 * (which sign as them) agree without passing 10,000 keys around.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { publicKeyToBase64 } from '../sync/protocol/signing.js';

/**
 * BENCH_SYNC_PROFILE=<dir>: a phase's window on the monotonic clock (µs), the clock V8's CPU
 * profiles of every process here share, so `scripts/profile-window.mjs` can read HQ's and the
 * device's profiles over that phase alone.
 */
export function markProfileWindow(phase: string, start: bigint, ...ends: bigint[]): void {
  const dir = process.env.BENCH_SYNC_PROFILE;
  if (!dir) return;
  const us = (t: bigint) => Number(t / 1000n);
  appendFileSync(join(dir, 'windows.jsonl'), `${JSON.stringify({ phase, start: us(start), ends: ends.map(us) })}\n`);
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A UUID-shaped id (HQ's device ids are uuids) that says it is a benchmark device. */
export function fleetDeviceId(n: number): string {
  return `0190be4c-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function fleetPrivateKey(n: number): KeyObject {
  const seed = createHash('sha256').update(`shopfloor-bench-device-${n}`).digest();
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

export function fleetPublicKey(n: number): string {
  return publicKeyToBase64(createPublicKey(fleetPrivateKey(n)));
}

/** The store a simulated device belongs to: the bench registers them round-robin over the stores. */
export function fleetStoreOf(n: number, stores: readonly string[]): string {
  return stores[n % stores.length] as string;
}

export const FLEET_READY = 'FLEET_READY ';
export const FLEET_RESULT = 'FLEET_RESULT ';
export const DEVICE_RESULT = 'DEVICE_RESULT ';

export type FleetReady = { ready: number; failed: number; firstError: string | null; openMs: number; tried: number };
/** `withRows`: answers that carried rows (the device's own profile, re-fed after HQ wrote its last_seen_at). */
export type FleetResult = {
  ok: number;
  withRows: number;
  failed: number;
  firstError: string | null;
  latenciesMs: number[];
  seconds: number;
  /** CPU (user + system) the child used in the timed window, ms: the load generator's own cost. */
  cpuMs: number;
};

/** Peak RSS of this process so far, MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}

/**
 * user+system CPU ticks (1/100 s) of a process, and its parent pid; null when it is gone.
 * `reaped` adds what its exited children used (PostgreSQL's backends and autovacuum workers come and go).
 */
export function procStat(pid: number, reaped = false): { ticks: number; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0), ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

/** CPU used so far by HQ, by PostgreSQL (postmaster and its backends) and by the given clients, in seconds. */
export function cpuSplit(hqPid: number, pgPid: number | null, clientPids: readonly number[]): { hq: number; pg: number; clients: number } {
  let pg = 0;
  if (pgPid !== null) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const st = procStat(pid, pid === pgPid);
      if (st && (pid === pgPid || st.ppid === pgPid)) pg += st.ticks;
    }
  }
  const clients = clientPids.reduce((n, pid) => n + (procStat(pid)?.ticks ?? 0), 0);
  return { hq: (procStat(hqPid)?.ticks ?? 0) / 100, pg: pg / 100, clients: clients / 100 };
}
