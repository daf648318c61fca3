/**
 * Measures HQ's sync endpoints on a real PostgreSQL (private cluster, fsync on): push of 10,000
 * ~1 KB sales in batches of 1,000 over signed HTTP, a 200,000-SKU brand pulled in pages of
 * 50,000, and idle live channels held by one HQ process. Run: `npx tsx sync/hq/push/measure-sync.ts [push|pull|live]…`.
 * Figures only — tests never time anything (CONVENTIONS: speed is measured, not asserted).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { deviceScopes } from '../../protocol/feed.js';
import { SYNC_PATHS } from '../../protocol/http.js';
import { startPostgres } from '../../testing/postgres-server.js';
import type { HqContext } from '../context.js';
import type { HqDb } from '../db.js';
import { attachLive, createLiveHub } from '../live.js';
import { openTestHqDb, startTestHq, testDevice } from '../testing/test-hq.js';
import { saleEventFrom } from './push-fixture.js';

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function measurePush(url: string): Promise<void> {
  const db = await openTestHqDb({ databaseUrl: url, skus: 2000 });
  const hq = await startTestHq(db);
  try {
    const device = await testDevice(hq);
    const storeId = device.enrolment.storeId;
    const [staff] = await db.query<{ id: string }>('SELECT id FROM staff WHERE store_id = $1 LIMIT 1', [storeId]);
    const skus = (await db.query<{ sku: string }>('SELECT sku FROM stock WHERE location_id = $1 ORDER BY sku', [storeId])).map((r) => r.sku);
    const source = { deviceId: device.id, storeId, staffId: staff!.id };
    const events = Array.from({ length: 10_000 }, (_, i) => saleEventFrom(source, [skus[i % skus.length]!, skus[(i * 7) % skus.length]!]));
    const size = JSON.stringify(events).length / events.length;
    for (const batch of [1000, 500]) {
      const slice = batch === 1000 ? events : events.map((e) => ({ ...e, id: e.id.replace(/^.{8}/, 'ffffffff'), payload: { ...(e.payload as object), saleId: `b-${e.id}`, receiptNo: `b-${e.id}`, lines: [] } }));
      const bodies: string[] = [];
      for (let i = 0; i < slice.length; i += batch) bodies.push(JSON.stringify({ deviceId: device.id, storeId, events: slice.slice(i, i + batch) }));
      const start = process.hrtime.bigint();
      for (const body of bodies) {
        const response = await fetch(`${hq.url}${SYNC_PATHS.push}`, { method: 'POST', headers: { ...device.sign('POST', SYNC_PATHS.push, body), 'content-type': 'application/json' }, body });
        if (response.status !== 200) throw new Error(`push ${response.status}: ${await response.text()}`);
        await response.json();
      }
      console.log(`push_10k batch=${batch}: ${(ms(start) / 1000).toFixed(3)} s (${Math.round(size)} B/event${batch === 500 ? ', sales without lines' : ''})`);
    }
    const [check] = await db.query<{ events: string; sales: string }>('SELECT (SELECT count(*) FROM event) AS events, (SELECT count(*) FROM sale) AS sales');
    console.log(`  HQ holds ${check?.events} events, ${check?.sales} sales`);
  } finally {
    await hq.close();
    await db.close();
  }
}

async function measurePull(url: string): Promise<void> {
  let start = process.hrtime.bigint();
  const db: HqDb = await openTestHqDb({ databaseUrl: url, skus: 60, customers: 50, stores: 2 });
  // 200,000 more SKUs in one statement (the sample importer makes them slowly): the triggers
  // put them into the brand's change log like any import.
  const [brand] = await db.query<{ brand: string; style: string }>('SELECT brand, style_code AS style FROM sku LIMIT 1');
  await db.query(
    `INSERT INTO sku SELECT 'M' || lpad(n::text, 7, '0'), $1, $2, 'C' || (n % 12), '颜色' || (n % 12), 'Colour ' || (n % 12), 'S' || (n % 6), n % 6, lpad((9000000000000 + n)::text, 13, '0'), 9900 + n % 5000, true FROM generate_series(1, 200000) AS n`,
    [brand!.brand, brand!.style],
  );
  console.log(`  (200k SKUs added in ${(ms(start) / 1000).toFixed(1)} s)`);
  const hq = await startTestHq(db);
  try {
    const device = await testDevice(hq);
    const scope = `brand:${device.enrolment.brand}`;
    for (const limit of [50_000, 20_000]) {
      let cursor = '';
      let rows = 0;
      let bytes = 0;
      start = process.hrtime.bigint();
      for (let more = true; more; ) {
        const body = JSON.stringify({ scopes: [{ scope, cursor }], limit, withTotal: cursor === '' });
        const response = await fetch(`${hq.url}${SYNC_PATHS.pull}`, { method: 'POST', headers: { ...device.sign('POST', SYNC_PATHS.pull, body), 'content-type': 'application/json' }, body });
        const text = await response.text();
        bytes += text.length;
        const page = (JSON.parse(text) as { pages: { cursor: string; more: boolean; sets: { rows: unknown[] }[] }[] }).pages[0]!;
        rows += page.sets.reduce((n, s) => n + s.rows.length, 0);
        cursor = page.cursor;
        more = page.more;
      }
      const t = ms(start);
      console.log(`pull brand scope, pages of ${limit}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${(t / 1000).toFixed(3)} s = ${Math.round(rows / (t / 1000))} rows/s (HTTP + client JSON.parse)`);
    }
  } finally {
    await hq.close();
    await db.close();
  }
}

/** Idle live channels on one hub; the clients run in a child process (one process cannot hold both ends of 10k+ sockets under a 20k fd limit). */
async function measureLive(n: number): Promise<void> {
  const hub = createLiveHub(() => undefined);
  const server = createServer((_q, r) => r.end());
  const hq = {
    live: hub,
    log: () => undefined,
    clock: () => new Date(),
    db: undefined as unknown as HqDb,
    // Signature checks are measured with the routes; this measures holding the channels.
    authenticate: async (request: { headers: Record<string, unknown> }) => {
      const id = String(request.headers['x-sf-device']);
      return { id, storeId: `S${id.length % 100}`, brand: 'X', receiptCode: '01', scopes: deviceScopes({ brand: 'X', storeId: `S${Number(id) % 100}`, deviceId: id }) };
    },
  } as unknown as HqContext;
  attachLive(server, hq);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  global.gc?.();
  const before = process.memoryUsage();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'clients', String((server.address() as AddressInfo).port), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
  });
  const start = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (out.includes('ready')) {
        clearInterval(poll);
        resolve();
      }
    }, 100);
  });
  const opened = ms(start);
  global.gc?.();
  const after = process.memoryUsage();
  console.log(
    `live: ${hub.connections()} idle channels in one HQ process, opened in ${(opened / 1000).toFixed(1)} s; HQ heap +${((after.heapUsed - before.heapUsed) / n / 1024).toFixed(1)} KB/conn, rss +${((after.rss - before.rss) / n / 1024).toFixed(1)} KB/conn`,
  );
  const t0 = process.hrtime.bigint();
  hub.changed('brand:X');
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (out.includes('nudged')) {
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  console.log(`live: one brand change reached all ${n} channels in ${ms(t0).toFixed(0)} ms`);
  child.kill();
  await hub.close();
  await new Promise((resolve) => server.close(resolve));
}

async function clients(port: number, n: number): Promise<void> {
  let ready = 0;
  let nudged = 0;
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${SYNC_PATHS.live}`, { headers: { 'x-sf-device': String(i) }, perMessageDeflate: false });
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string };
        if (m.type === 'ready') {
          ready++;
          resolve();
        } else if (m.type === 'changed' && ++nudged === n) process.stdout.write('nudged\n');
      });
      ws.on('error', reject);
    });
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, j) => open(i + j)));
  process.stdout.write(`ready ${ready}\n`);
  await new Promise(() => undefined);
}

const args = process.argv.slice(2);
if (args[0] === 'clients') {
  await clients(Number(args[1]), Number(args[2]));
} else {
  const what = args.length > 0 ? args : ['push', 'pull', 'live'];
  if (what.includes('live')) await measureLive(Number(process.env.LIVE_N ?? 10_000));
  if (what.includes('push') || what.includes('pull')) {
    const pgServer = await startPostgres({ lifetimeS: 900 });
    try {
      if (what.includes('push')) await measurePush(await pgServer.freshDatabase('push'));
      if (what.includes('pull')) await measurePull(await pgServer.freshDatabase('pull'));
    } finally {
      await pgServer.stop();
    }
  }
}
