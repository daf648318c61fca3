/**
 * What the peer benchmark processes share. Each peer file (pouchdb.ts, rxdb.ts) runs in three
 * roles: a scenario child (`provision` | `push` | `incremental`, the device side, whose peak RSS
 * is the figure reported), and the server it starts as its own child (`serve`), so server and
 * client do not share one event loop and the client's memory is its own — as on a real device.
 * The server is driven through small `/_bench/*` control routes and exits when its stdin closes,
 * so it cannot outlive the process that started it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Scenario = 'provision' | 'push' | 'incremental';
export const SCENARIOS: readonly Scenario[] = ['provision', 'push', 'incremental'];

/** One line on the scenario child's stdout: `PEER_RESULT {json}`. */
export type PeerResult = {
  peer: string;
  scenario: Scenario;
  /** Documents moved in the timed part. */
  docs: number;
  ms: number;
  /** Peak RSS of the client (device-side) process, MB. */
  peakMb: number;
  /** What the client's peak covers besides the timed part. */
  peakIncludes: string;
  /** Peak RSS of the server process, MB. */
  serverPeakMb: number;
  /** CPU time (user + system) the client and the server spent in the timed part: on a busy machine, wall time alone misleads. */
  clientCpuMs: number;
  serverCpuMs: number;
  /** Batch sizes and similar settings used, for the note. */
  settings: string;
  /** What was checked after the timed part. */
  verified: string;
};

export const RESULT_PREFIX = 'PEER_RESULT ';
const SERVER_PREFIX = 'PEER_SERVER ';

export type ChildArgs = { mode: Scenario | 'serve'; dir: string | null; catalog: number; orders: number; changed: number };

/** `<mode> [--dir=…] [--catalog=N] [--orders=N] [--changed=N]`. */
export function parseArgs(argv: readonly string[]): ChildArgs {
  const mode = argv[0];
  if (mode !== 'serve' && !SCENARIOS.includes(mode as Scenario)) {
    throw new Error(`usage: <serve|${SCENARIOS.join('|')}> [--dir=path] [--catalog=N] [--orders=N] [--changed=N]; got ${String(mode)}`);
  }
  const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number): number => {
    const value = Number(flag(name) ?? fallback);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    mode: mode as ChildArgs['mode'],
    dir: flag('dir') ?? null,
    catalog: count('catalog', 200_000),
    orders: count('orders', 10_000),
    changed: count('changed', 1000),
  };
}

export function peakMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}

export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** What a server child answers to `POST /_bench/usage`. */
export type Usage = { peakMb: number; cpuMs: number };

export function usage(): Usage {
  return { peakMb: peakMb(), cpuMs: cpuMs() };
}

export type Timed = { ms: number; clientCpuMs: number; serverCpuMs: number };

/** Times `fn` by the wall clock and by the CPU time of both processes. */
export async function timed(server: ServerChild, fn: () => Promise<unknown>): Promise<Timed> {
  const before = await server.control<Usage>('usage');
  const cpu = cpuMs();
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const clientCpuMs = cpuMs() - cpu;
  const after = await server.control<Usage>('usage');
  return { ms, clientCpuMs, serverCpuMs: after.cpuMs - before.cpuMs };
}

export function printResult(result: PeerResult): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

export async function readJson<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as T;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Server role: listen on 127.0.0.1 (port 0), announce the URL, close and exit when stdin ends. */
export async function serveUntilStdinEnds(server: Server, close: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${SERVER_PREFIX}${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
    process.stdin.resume();
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await close();
}

/** How to run a peer file: built JavaScript directly, TypeScript source (tests) through tsx. */
export function nodeArgs(script: string, args: readonly string[]): string[] {
  return script.endsWith('.ts') ? ['--import', 'tsx', script, ...args] : [script, ...args];
}

export type ServerChild = {
  url: string;
  /** POST /_bench/<command> with a JSON body; throws on a non-2xx answer. */
  control<T>(command: string, body?: unknown): Promise<T>;
  /** Closes its stdin and waits for it to exit (SIGKILL by pid if it does not within 15 s). */
  stop(): Promise<void>;
};

/** Starts `node <script> serve --dir=<dir>` and waits for its URL. */
export async function startServerChild(script: string, dir: string): Promise<ServerChild> {
  const child = spawn(process.execPath, nodeArgs(script, ['serve', `--dir=${dir}`]), { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = new RegExp(`^${SERVER_PREFIX}(.*)$`, 'm').exec(out)?.[1];
      if (line === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve((JSON.parse(line) as { url: string }).url);
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`peer server exited with ${String(code)} before listening`)));
  });
  return {
    url,
    async control<T>(command: string, body: unknown = {}): Promise<T> {
      const res = await fetch(`${url}/_bench/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`server ${command}: HTTP ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `fn`; on failure prints the error and exits non-zero so the parent reports it. */
export async function main(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
}
