/**
 * A child process of the sync benchmark (bench/sync.ts) that plays many devices at once against
 * one HQ, so HQ's own process holds only HQ's side of the sockets:
 *
 * - `connect`: opens `count` signed live channels (WebSocket, one per simulated device) and holds
 *   them; prints `FLEET_READY {json}` once every channel got HQ's `ready` or failed, or — what
 *   is not open after `seconds` is given up — at that deadline.
 * - `roundtrip`: opens its devices' live channels (`--transport=live`, the default) and prints
 *   `FLEET_READY`; once the bench writes `go` on stdin, `concurrency` loops send pulls of their
 *   device's three scopes at the feed's head (nothing new) back to back for `seconds` — `pull`
 *   frames over the sockets, or signed HTTP pulls with `--transport=http` — and it prints
 *   `FLEET_RESULT {json}` with every round trip's latency and its own CPU.
 *
 * Sockets are spread over `--sources` source addresses 127.0.0.x (ephemeral ports run out near
 * 28k per source and destination pair).
 *
 * It exits when its stdin closes (the bench process ended or died) or after `--lifetime-s`.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import WebSocket from 'ws';
import { SYNC_PATHS } from '../sync/protocol/http.js';
import { liveFrameSchema, liveMessageSchema } from '../sync/protocol/live.js';
import { SIGN_HEADERS, signRequest } from '../sync/protocol/signing.js';
import { FLEET_READY, FLEET_RESULT, fleetDeviceId, fleetPrivateKey, fleetStoreOf } from './sync-shared.js';
import type { FleetReady, FleetResult } from './sync-shared.js';

type Args = {
  mode: 'connect' | 'roundtrip';
  url: string;
  from: number;
  count: number;
  concurrency: number;
  seconds: number;
  brand: string;
  stores: string[];
  cursor: string;
  lifetimeS: number;
  /** Sockets are spread over 127.0.0.1 … 127.0.0.<sources> (ephemeral ports run out near 28k per address pair). */
  sources: number;
  transport: 'live' | 'http';
  /** roundtrip: how long opening the sockets may take (before the timed window). */
  openS: number;
};

function parse(argv: readonly string[]): Args {
  const flag = (name: string): string => {
    const value = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (value === undefined) throw new Error(`--${name}= is required`);
    return value;
  };
  const optional = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const mode = argv[0];
  if (mode !== 'connect' && mode !== 'roundtrip') throw new Error('usage: sync-fleet <connect|roundtrip> --url= --from= --count= …');
  return {
    mode,
    url: flag('url'),
    from: Number(flag('from')),
    count: Number(flag('count')),
    concurrency: Number(flag('concurrency')),
    seconds: Number(flag('seconds')),
    brand: mode === 'roundtrip' ? flag('brand') : '',
    stores: mode === 'roundtrip' ? flag('stores').split(',') : [],
    cursor: mode === 'roundtrip' ? flag('cursor') : '',
    lifetimeS: Number(flag('lifetime-s')),
    sources: Number(optional('sources') ?? 1),
    transport: optional('transport') === 'http' ? 'http' : 'live',
    openS: Number(optional('open-s') ?? 120),
  };
}

/**
 * HQ's `ready` for this channel: a signed live frame over the upgrade's nonce. The load generator
 * checks the frame's shape and nonce, not HQ's signature (HQ's cost of signing is what is measured;
 * the devices' own check is in sync/client/live.ts), to keep the clients' CPU small.
 */
function isReady(text: string, upgradeNonce: string): boolean {
  try {
    const frame = liveFrameSchema.parse(JSON.parse(text));
    return frame.nonce === upgradeNonce && liveMessageSchema.parse(JSON.parse(frame.message)).type === 'ready';
  } catch {
    return false;
  }
}

/** Opens `a.count` live channels (`a.concurrency` upgrades in flight); `sockets[i]` is null where one failed. */
async function openChannels(a: Args, concurrency: number): Promise<{ sockets: (WebSocket | null)[]; ready: FleetReady }> {
  const wsUrl = `${a.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`;
  const sockets: (WebSocket | null)[] = Array.from({ length: a.count }, () => null);
  let ready = 0;
  let failed = 0;
  let firstError: string | null = null;
  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const deviceId = fleetDeviceId(a.from + i);
      const headers = signRequest(fleetPrivateKey(a.from + i), {
        deviceId,
        method: 'GET',
        path: SYNC_PATHS.live,
        body: '',
        now: new Date(),
      });
      const ws = new WebSocket(wsUrl, {
        headers,
        perMessageDeflate: false,
        handshakeTimeout: 20_000,
        localAddress: `127.0.0.${1 + ((a.from + i) % a.sources)}`,
      });
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        failed++;
        firstError ??= why;
        resolve();
      };
      ws.on('message', (data: Buffer) => {
        if (settled) return;
        if (isReady(data.toString(), headers[SIGN_HEADERS.nonce] ?? '')) {
          settled = true;
          ready++;
          sockets[i] = ws;
          resolve();
        }
      });
      ws.on('unexpected-response', (_req, res) => fail(`upgrade refused: HTTP ${res.statusCode}`));
      ws.on('error', (error) => fail(error.message));
      ws.on('close', () => fail('closed before ready'));
    });
  const start = performance.now();
  const deadline = start + a.seconds * 1000;
  let next = 0;
  // `concurrency` upgrades in flight at a time: a real fleet reconnects spread out, not all at once.
  const all = Promise.all(
    Array.from({ length: Math.min(concurrency, a.count) }, async () => {
      while (next < a.count && performance.now() < deadline) await open(next++);
    }),
  );
  // Upgrades still waiting at the deadline count as not connected.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, a.seconds * 1000 + 5000)))]);
  clearTimeout(timer);
  return { sockets, ready: { ready, failed, firstError, openMs: performance.now() - start, tried: next } };
}

async function connect(a: Args): Promise<void> {
  const { ready } = await openChannels(a, a.concurrency);
  process.stdout.write(`${FLEET_READY}${JSON.stringify(ready)}\n`);
}

/** The bench writes `go` on stdin once every round-trip child has its sockets open. */
function go(): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('go\n')) resolve();
    });
  });
}

type Tally = { ok: number; withRows: number; failed: number; firstError: string | null; latencies: number[] };

/** Runs `a.concurrency` loops of `once` over the devices for `a.seconds`, then prints FLEET_RESULT with the child's own CPU. */
async function timed(a: Args, once: (n: number, tally: Tally) => Promise<void>): Promise<void> {
  const tally: Tally = { ok: 0, withRows: 0, failed: 0, firstError: null, latencies: [] };
  const cpu0 = process.cpuUsage();
  const deadline = performance.now() + a.seconds * 1000;
  await Promise.all(
    Array.from({ length: a.concurrency }, async (_, w) => {
      // Each loop goes over its own devices (w, w + concurrency, …): a device never has more requests
      // in flight than the loops that share it — one when there are more devices than loops.
      const mine: number[] = [];
      for (let d = w % a.count; d < a.count; d += a.concurrency) mine.push(d);
      for (let k = 0; performance.now() < deadline; k++) await once(a.from + (mine[k % mine.length] as number), tally);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const result: FleetResult = {
    ok: tally.ok,
    withRows: tally.withRows,
    failed: tally.failed,
    firstError: tally.firstError,
    latenciesMs: tally.latencies.map((l) => Math.round(l * 100) / 100),
    seconds: a.seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  // Every latency goes with it: often more than a pipe holds, and the child exits next (process.exit
  // drops what stdout has not written yet), so wait until it is all written.
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(`${FLEET_RESULT}${JSON.stringify(result)}\n`, (error) => (error ? reject(error) : resolve())),
  );
}

const scopesOf = (a: Args, n: number) => [`brand:${a.brand}`, `store:${fleetStoreOf(n, a.stores)}`, `device:${fleetDeviceId(n)}`];

/**
 * Pulls over the devices' open live sockets: a `pull` frame each, answered by HQ's signed page
 * frame. The client checks the answer's id, status and shape, not HQ's signature (see isReady).
 */
async function roundtripLive(a: Args): Promise<void> {
  const { sockets, ready } = await openChannels({ ...a, seconds: a.openS }, 100);
  type Waiter = (text: string) => void;
  const waiting = new Map<WebSocket, Map<number, Waiter>>();
  for (const ws of sockets) {
    if (!ws) continue;
    const mine = new Map<number, Waiter>();
    waiting.set(ws, mine);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      const id = /^\{"answer":(\d+),/.exec(text)?.[1];
      const w = id === undefined ? undefined : mine.get(Number(id));
      if (!w) return;
      mine.delete(Number(id));
      w(text);
    });
    ws.on('close', () => {
      for (const w of mine.values()) w('closed');
      mine.clear();
    });
  }
  process.stdout.write(`${FLEET_READY}${JSON.stringify(ready)}\n`);
  await go();
  let lastId = 0;
  await timed(a, async (n, tally) => {
    const ws = sockets[n - a.from];
    const mine = ws ? waiting.get(ws) : undefined;
    if (!ws || !mine || ws.readyState !== WebSocket.OPEN) {
      tally.failed++;
      tally.firstError ??= 'no open live socket for this device';
      // Not a busy loop over a closed socket: let the others' answers in.
      await new Promise((resolve) => setImmediate(resolve));
      return;
    }
    const id = ++lastId;
    const request = { scopes: scopesOf(a, n).map((scope) => ({ scope, cursor: a.cursor })), limit: 1000 };
    const start = performance.now();
    const text = await new Promise<string>((resolve) => {
      mine.set(id, resolve);
      ws.send(JSON.stringify({ type: 'pull', id, request }));
    });
    const body = text.slice(text.indexOf('\n') + 1);
    if (text.startsWith(`{"answer":${id},"status":200,`) && body.startsWith('{"pages":[')) {
      tally.ok++;
      if (body.includes('"rows":[[')) tally.withRows++;
      tally.latencies.push(performance.now() - start);
    } else {
      tally.failed++;
      tally.firstError ??= text.slice(0, 300);
    }
  });
  for (const ws of sockets) ws?.terminate();
}

/** Signed HTTP pulls (keep-alive), as a device without a live socket sends them. */
async function roundtripHttp(a: Args): Promise<void> {
  const url = new URL(SYNC_PATHS.pull, a.url);
  const agent = new Agent({ keepAlive: true, maxSockets: a.concurrency });
  const keys = new Map<number, ReturnType<typeof fleetPrivateKey>>();
  process.stdout.write(
    `${FLEET_READY}${JSON.stringify({ ready: 0, failed: 0, firstError: null, openMs: 0, tried: 0 } satisfies FleetReady)}\n`,
  );
  await go();
  await timed(
    a,
    (n, tally) =>
      new Promise<void>((resolve) => {
        let key = keys.get(n);
        if (!key) keys.set(n, (key = fleetPrivateKey(n)));
        const deviceId = fleetDeviceId(n);
        const body = JSON.stringify({ scopes: scopesOf(a, n).map((scope) => ({ scope, cursor: a.cursor })), limit: 1000 });
        const headers = signRequest(key, {
          deviceId,
          method: 'POST',
          path: SYNC_PATHS.pull,
          body,
          now: new Date(),
          nonce: randomBytes(16).toString('hex'),
        });
        const start = performance.now();
        const req = request(
          url,
          { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              // Nothing new is the expected answer: three pages, no rows. A page with rows is still an
              // answer (at the head there should be none): counted apart.
              if (res.statusCode === 200 && text.startsWith('{"pages":[')) {
                tally.ok++;
                if (text.includes('"rows":[[')) tally.withRows++;
                tally.latencies.push(performance.now() - start);
              } else {
                tally.failed++;
                tally.firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
              }
              resolve();
            });
          },
        );
        req.on('error', (error) => {
          tally.failed++;
          tally.firstError ??= error.message;
          resolve();
        });
        req.end(body);
      }),
  );
  agent.destroy();
}

const args = parse(process.argv.slice(2));
// Never outlive the bench: its end closes our stdin; a hung bench is covered by the lifetime.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(3), args.lifetimeS * 1000).unref();
if (args.mode === 'connect') await connect(args);
else {
  await (args.transport === 'live' ? roundtripLive(args) : roundtripHttp(args));
  process.exit(0);
}
