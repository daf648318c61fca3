/**
 * A child process of the sync benchmark (bench/sync.ts) that plays many devices at once against
 * one HQ, so HQ's own process holds only HQ's side of the sockets:
 *
 * - `connect`: opens `count` signed live channels (WebSocket, one per simulated device) and holds
 *   them; prints `FLEET_READY {json}` once every channel got HQ's `ready` or failed, or — what
 *   is not open after `seconds` is given up — at that deadline.
 * - `roundtrip`: `concurrency` loops, each sending signed pulls of its device's three scopes at
 *   the feed's head (nothing new) back to back for `seconds`; prints `FLEET_RESULT {json}` with
 *   every round trip's latency.
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
};

function parse(argv: readonly string[]): Args {
  const flag = (name: string): string => {
    const value = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    if (value === undefined) throw new Error(`--${name}= is required`);
    return value;
  };
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

async function connect(a: Args): Promise<void> {
  const wsUrl = `${a.url.replace(/^http/, 'ws')}${SYNC_PATHS.live}`;
  const keys = Array.from({ length: a.count }, (_, i) => fleetPrivateKey(a.from + i));
  const sockets: WebSocket[] = [];
  let ready = 0;
  let failed = 0;
  let firstError: string | null = null;
  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const deviceId = fleetDeviceId(a.from + i);
      const headers = signRequest(keys[i]!, { deviceId, method: 'GET', path: SYNC_PATHS.live, body: '', now: new Date() });
      const ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false, handshakeTimeout: 20_000 });
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
          resolve();
        }
      });
      ws.on('unexpected-response', (_req, res) => fail(`upgrade refused: HTTP ${res.statusCode}`));
      ws.on('error', (error) => fail(error.message));
      ws.on('close', () => fail('closed before ready'));
      sockets.push(ws);
    });
  const start = performance.now();
  const deadline = start + a.seconds * 1000;
  let next = 0;
  // `concurrency` upgrades in flight at a time: a real fleet reconnects spread out, not all at once.
  const all = Promise.all(
    Array.from({ length: Math.min(a.concurrency, a.count) }, async () => {
      while (next < a.count && performance.now() < deadline) await open(next++);
    }),
  );
  // Upgrades still waiting at the deadline count as not connected.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, a.seconds * 1000 + 5000)))]);
  clearTimeout(timer);
  const result: FleetReady = { ready, failed, firstError, openMs: performance.now() - start, tried: next };
  process.stdout.write(`${FLEET_READY}${JSON.stringify(result)}\n`);
}

async function roundtrip(a: Args): Promise<void> {
  const url = new URL(SYNC_PATHS.pull, a.url);
  const agent = new Agent({ keepAlive: true, maxSockets: a.concurrency });
  const keys = new Map<number, ReturnType<typeof fleetPrivateKey>>();
  const latencies: number[] = [];
  let ok = 0;
  let withRows = 0;
  let failed = 0;
  let firstError: string | null = null;
  const deadline = performance.now() + a.seconds * 1000;

  const once = (n: number) =>
    new Promise<void>((resolve) => {
      let key = keys.get(n);
      if (!key) keys.set(n, (key = fleetPrivateKey(n)));
      const deviceId = fleetDeviceId(n);
      const scopes = [`brand:${a.brand}`, `store:${fleetStoreOf(n, a.stores)}`, `device:${deviceId}`];
      const body = JSON.stringify({ scopes: scopes.map((scope) => ({ scope, cursor: a.cursor })), limit: 1000 });
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
              ok++;
              if (text.includes('"rows":[[')) withRows++;
              latencies.push(performance.now() - start);
            } else {
              failed++;
              firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        failed++;
        firstError ??= error.message;
        resolve();
      });
      req.end(body);
    });

  await Promise.all(
    Array.from({ length: a.concurrency }, async (_, w) => {
      for (let k = 0; performance.now() < deadline; k++) await once(a.from + ((w + k * a.concurrency) % a.count));
    }),
  );
  agent.destroy();
  const result: FleetResult = {
    ok,
    withRows,
    failed,
    firstError,
    latenciesMs: latencies.map((l) => Math.round(l * 100) / 100),
    seconds: a.seconds,
  };
  process.stdout.write(`${FLEET_RESULT}${JSON.stringify(result)}\n`);
}

const args = parse(process.argv.slice(2));
// Never outlive the bench: its end closes our stdin; a hung bench is covered by the lifetime.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(3), args.lifetimeS * 1000).unref();
if (args.mode === 'connect') await connect(args);
else {
  await roundtrip(args);
  process.exit(0);
}
