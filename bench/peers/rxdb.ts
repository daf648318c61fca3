/**
 * Peer benchmark: RxDB 17 with its free in-memory storage, replicating through
 * `replicateRxCollection` pull/push handlers that use fetch against an HTTP server on 127.0.0.1
 * (rxdb-server.ts, its own process, documents in memory, checkpoint = (updatedAt, id)).
 * Dev-mode and schema validation are off, as in production. One scenario per run:
 *
 *   node dist/bench/peers/rxdb.js provision   --catalog=200000
 *   node dist/bench/peers/rxdb.js push        --orders=10000
 *   node dist/bench/peers/rxdb.js incremental --catalog=200000 --changed=1000
 *
 * Memory storage does not outlive the process, so `incremental` provisions first (untimed) and
 * its peak memory includes holding the whole catalog. Prints `PEER_RESULT {…}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRxDatabase } from 'rxdb';
import type { RxCollection, RxDatabase, RxJsonSchema } from 'rxdb';
import { replicateRxCollection } from 'rxdb/plugins/replication';
import type { RxReplicationState } from 'rxdb/plugins/replication';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { changedDocs, catalogDocs, orderDocs } from './workload.js';
import type { CatalogDoc, OrderDoc } from './workload.js';
import {
  main,
  parseArgs,
  peakMb,
  printResult,
  readJson,
  sendJson,
  serveUntilStdinEnds,
  startServerChild,
  timed,
  usage,
} from './peer-child.js';
import type { ChildArgs, Scenario, ServerChild, Timed, Usage } from './peer-child.js';
import { MemoryCollection, route } from './rxdb-server.js';
import type { Checkpoint, PullAnswer } from './rxdb-server.js';

const SCRIPT = fileURLToPath(import.meta.url);
/** RxDB's default is 100; its docs suggest raising it for bulk transfers. */
const BATCH_SIZE = 1000;
const SETTINGS = `pull/push batchSize ${BATCH_SIZE}, memory storage`;

type CatalogRow = CatalogDoc & { updatedAt: number };
type OrderRow = OrderDoc & { updatedAt?: number };

const catalogSchema: RxJsonSchema<CatalogRow> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    sku: { type: 'string' },
    style_code: { type: 'string' },
    colour_code: { type: 'string' },
    colour_zh: { type: 'string' },
    colour_en: { type: 'string' },
    size: { type: 'string' },
    size_order: { type: 'integer' },
    ean: { type: 'string' },
    price_fen: { type: 'integer' },
    active: { type: 'boolean' },
    updatedAt: { type: 'number' },
  },
  required: ['id', 'sku', 'ean', 'price_fen'],
};

const orderSchema: RxJsonSchema<OrderRow> = {
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    receipt_no: { type: 'string' },
    store_id: { type: 'string' },
    device_id: { type: 'string' },
    staff_id: { type: 'string' },
    member_id: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    lines: { type: 'array' },
    tenders: { type: 'array' },
    subtotal_fen: { type: 'integer' },
    discount_fen: { type: 'integer' },
    total_fen: { type: 'integer' },
    paid_fen: { type: 'integer' },
    item_count: { type: 'integer' },
    note: { type: 'string' },
    updatedAt: { type: 'number' },
  },
  required: ['id', 'store_id', 'lines', 'total_fen'],
};

type Collections = { catalog: RxCollection<CatalogRow>; orders: RxCollection<OrderRow> };

async function serve(): Promise<void> {
  const collections = new Map([
    ['catalog', new MemoryCollection()],
    ['orders', new MemoryCollection()],
  ]);
  const catalog = collections.get('catalog')!;
  const control: Record<string, (body: Record<string, number>) => unknown> = {
    seed: ({ catalog: n = 0 }) => {
      if (catalog.docs.size < n) catalog.write(catalogDocs(n).map((d) => ({ ...d, _deleted: false })));
      return { docs: catalog.docs.size };
    },
    change: ({ catalog: n = 0, changed = 0 }) => {
      const next = changedDocs(catalogDocs(n), changed);
      catalog.write(next.map((d) => ({ ...d, _deleted: false })));
      return { docs: next.length };
    },
    count: () => ({ catalog: catalog.docs.size, orders: collections.get('orders')!.docs.size }),
    usage: () => usage(),
  };
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/_bench/')) {
      const command = control[req.url.slice('/_bench/'.length)];
      if (!command) return sendJson(res, 404, { error: 'no such command' });
      readJson<Record<string, number>>(req)
        .then((body) => sendJson(res, 200, command(body ?? {})))
        .catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
      return;
    }
    if (!route(collections, req, res)) sendJson(res, 404, { error: 'not found' });
  });
  await serveUntilStdinEnds(server, async () => undefined);
}

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Runs a one-shot (live: false) replication to its end; the first replication error fails it. */
async function runOnce<T>(replication: RxReplicationState<T, Checkpoint>): Promise<void> {
  let failed: ((error: unknown) => void) | undefined;
  const error = new Promise<never>((_, reject) => (failed = reject));
  const sub = replication.error$.subscribe((e) => failed?.(e));
  try {
    await Promise.race([replication.awaitInitialReplication(), error]);
  } finally {
    sub.unsubscribe();
    await replication.cancel();
  }
}

function pullCatalog(collection: RxCollection<CatalogRow>, url: string): Promise<void> {
  return runOnce(
    replicateRxCollection<CatalogRow, Checkpoint>({
      collection,
      replicationIdentifier: `${url}/catalog`,
      live: false,
      waitForLeadership: false,
      pull: {
        batchSize: BATCH_SIZE,
        handler: async (checkpoint, batchSize) => {
          const query = checkpoint ? `&updatedAt=${checkpoint.updatedAt}&id=${encodeURIComponent(checkpoint.id)}` : '';
          const answer = await fetchJson<PullAnswer>(`${url}/catalog/pull?limit=${batchSize}${query}`);
          return {
            documents: answer.documents as unknown as Array<CatalogRow & { _deleted: boolean }>,
            checkpoint: answer.checkpoint ?? undefined,
          };
        },
      },
    }),
  );
}

async function provisioned(server: ServerChild, db: Collections, args: ChildArgs): Promise<Timed> {
  await server.control('seed', { catalog: args.catalog });
  const time = await timed(server, () => pullCatalog(db.catalog, server.url));
  const count = await db.catalog.count().exec();
  if (count !== args.catalog) throw new Error(`provisioning ended with ${count} of ${args.catalog} docs`);
  return time;
}

async function scenario(mode: Scenario, args: ChildArgs): Promise<void> {
  const server = await startServerChild(SCRIPT, args.dir ?? tmpdir());
  let database: RxDatabase | undefined;
  try {
    database = await createRxDatabase({ name: `peer-${mode}`, storage: getRxStorageMemory(), multiInstance: false, eventReduce: true });
    const db = (await database.addCollections({
      catalog: { schema: catalogSchema },
      orders: { schema: orderSchema },
    })) as unknown as Collections;
    let docs: number;
    let time: Timed;
    let verified: string;
    if (mode === 'provision') {
      time = await provisioned(server, db, args);
      docs = args.catalog;
      verified = `client holds all ${docs} docs`;
    } else if (mode === 'push') {
      // Made offline: in the local collection before the timed part, the server has none of them.
      await db.orders.bulkInsert(orderDocs(args.orders));
      // Created inside the timed part: a replication starts as soon as it exists.
      const push = () =>
        replicateRxCollection<OrderRow, Checkpoint>({
          collection: db.orders,
          replicationIdentifier: `${server.url}/orders`,
          live: false,
          waitForLeadership: false,
          push: {
            batchSize: BATCH_SIZE,
            handler: (rows) =>
              fetchJson(`${server.url}/orders/push`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(rows),
              }),
          },
        });
      time = await timed(server, () => runOnce(push()));
      const counts = await server.control<{ orders: number }>('count');
      if (counts.orders !== args.orders) throw new Error(`push ended with ${counts.orders} of ${args.orders} orders on the server`);
      docs = args.orders;
      verified = `server holds all ${docs} orders`;
    } else {
      await provisioned(server, db, args);
      const { docs: changed } = await server.control<{ docs: number }>('change', { catalog: args.catalog, changed: args.changed });
      time = await timed(server, () => pullCatalog(db.catalog, server.url));
      const expected = changedDocs(catalogDocs(args.catalog), args.changed);
      const got = await db.catalog.findByIds(expected.map((d) => d.id)).exec();
      const stale = expected.filter((d) => got.get(d.id)?.price_fen !== d.price_fen).length;
      if (stale > 0 || changed !== expected.length) throw new Error(`incremental pull left ${stale} of ${expected.length} docs stale`);
      docs = expected.length;
      verified = `all ${docs} changed prices on the client`;
    }
    const { peakMb: serverPeakMb } = await server.control<Usage>('usage');
    printResult({
      peer: 'rxdb',
      scenario: mode,
      docs,
      ...time,
      peakMb: peakMb(),
      peakIncludes:
        mode === 'incremental'
          ? `provisioning ${args.catalog} docs first: memory storage does not outlive a process`
          : 'only this scenario',
      serverPeakMb,
      settings: SETTINGS,
      verified,
    });
  } finally {
    try {
      await database?.close();
    } finally {
      await server.stop();
    }
  }
}

if (process.argv[1] === SCRIPT) {
  await main(async () => {
    const args = parseArgs(process.argv.slice(2));
    if (args.mode === 'serve') return serve();
    // Nothing of RxDB touches the disk; the folder only keeps the interface the same as PouchDB's.
    const own = args.dir === null;
    const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'shopfloor-peer-rxdb-'));
    try {
      await scenario(args.mode, { ...args, dir });
    } finally {
      if (own) rmSync(dir, { recursive: true, force: true });
    }
  });
}
