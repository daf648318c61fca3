/**
 * Peer benchmark: PouchDB 9 (pouchdb-node, LevelDB on disk) replicating over HTTP with an
 * express-pouchdb 4 server (LevelDB on disk, its own process, 127.0.0.1). One scenario per run:
 *
 *   node dist/bench/peers/pouchdb.js provision   --catalog=200000 [--dir=…]
 *   node dist/bench/peers/pouchdb.js push        --orders=10000   [--dir=…]
 *   node dist/bench/peers/pouchdb.js incremental --catalog=200000 --changed=1000 [--dir=…]
 *
 * `incremental` reuses the LevelDB folders that `provision` left in the same --dir (a device that
 * restarts), and provisions first (untimed) only when they are missing. Prints `PEER_RESULT {…}`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedDocs, catalogDocs, orderDocs } from './workload.js';
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
import { loadExpressPouchdb, loadPouchDB } from './pouchdb-types.js';
import type { PouchDatabase, PouchDoc, ReplicateOptions, ReplicationResult } from './pouchdb-types.js';

const SCRIPT = fileURLToPath(import.meta.url);
/** PouchDB's default is batch_size 100; 1000 is what its docs suggest for many small documents. */
const REPLICATE: ReplicateOptions = { batch_size: 1000, batches_limit: 10 };
const SETTINGS = `batch_size ${REPLICATE.batch_size}, batches_limit ${REPLICATE.batches_limit}`;
const WRITE_CHUNK = 5000;

const PouchDB = loadPouchDB();

async function writeInChunks(db: PouchDatabase, docs: PouchDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += WRITE_CHUNK) {
    const results = await db.bulkDocs(docs.slice(i, i + WRITE_CHUNK));
    const failed = results.find((r) => r.error !== undefined);
    if (failed) throw new Error(`bulkDocs failed on ${failed.id}: ${String(failed.error)}`);
  }
}

async function serve(dir: string): Promise<void> {
  const root = join(dir, 'server');
  mkdirSync(root, { recursive: true });
  const ServerPouch = PouchDB.defaults({ prefix: `${root}/` });
  // The config keeps the server's uuid on disk, as CouchDB does: replication checkpoints are
  // keyed by it, so a restarted server (on a new port) still resumes where the client stopped.
  const app = loadExpressPouchdb()(ServerPouch, {
    mode: 'minimumForPouchDB',
    configPath: join(root, 'config.json'),
    overrideMode: { include: ['config-infrastructure'] },
  });
  // The LevelDB adapter shares one store per name within a process, so these handles see
  // exactly what express-pouchdb serves.
  const catalog = new ServerPouch('catalog');
  const orders = new ServerPouch('orders');

  const control: Record<string, (body: Record<string, number>) => Promise<unknown>> = {
    async seed({ catalog: n = 0 }) {
      const { doc_count } = await catalog.info();
      if (doc_count < n)
        await writeInChunks(
          catalog,
          catalogDocs(n).map((d) => ({ _id: d.id, ...d })),
        );
      return { docs: (await catalog.info()).doc_count };
    },
    async change({ catalog: n = 0, changed = 0 }) {
      const next = changedDocs(catalogDocs(n), changed);
      const current = await catalog.allDocs({ keys: next.map((d) => d.id) });
      const revs = new Map(current.rows.map((r) => [r.id, r.value?.rev]));
      await writeInChunks(
        catalog,
        next.map((d) => ({ _id: d.id, _rev: revs.get(d.id), ...d })),
      );
      return { docs: next.length };
    },
    async count() {
      return { catalog: (await catalog.info()).doc_count, orders: (await orders.info()).doc_count };
    },
    async usage() {
      return usage();
    },
  };

  const server = createServer((req, res) => {
    const command = req.url?.startsWith('/_bench/') ? control[req.url.slice('/_bench/'.length)] : undefined;
    if (!command) return app(req, res);
    readJson<Record<string, number>>(req)
      .then((body) => command(body ?? {}))
      .then((value) => sendJson(res, 200, value))
      .catch((error: unknown) => sendJson(res, 500, { error: String(error) }));
  });
  await serveUntilStdinEnds(server, async () => {
    await catalog.close();
    await orders.close();
  });
}

async function provisioned(server: ServerChild, local: PouchDatabase, args: ChildArgs): Promise<Timed> {
  await server.control('seed', { catalog: args.catalog });
  let result: ReplicationResult | undefined;
  const time = await timed(server, async () => (result = await PouchDB.replicate(`${server.url}/catalog`, local, REPLICATE)));
  const { doc_count } = await local.info();
  if (!result?.ok || doc_count !== args.catalog) throw new Error(`provisioning ended with ${doc_count} of ${args.catalog} docs`);
  return time;
}

async function scenario(mode: Scenario, args: ChildArgs, dir: string): Promise<void> {
  const server = await startServerChild(SCRIPT, dir);
  mkdirSync(join(dir, 'client'), { recursive: true });
  const local = new PouchDB(join(dir, 'client', mode === 'push' ? 'orders' : 'catalog'));
  try {
    let docs: number;
    let time: Timed;
    let verified: string;
    let peakIncludes = 'only this scenario';
    if (mode === 'provision') {
      time = await provisioned(server, local, args);
      docs = args.catalog;
      verified = `client holds all ${docs} docs`;
    } else if (mode === 'push') {
      // Made offline: written locally before the timed part, the server has none of them.
      await writeInChunks(
        local,
        orderDocs(args.orders).map((d) => ({ _id: d.id, ...d })),
      );
      let result: ReplicationResult | undefined;
      time = await timed(server, async () => (result = await PouchDB.replicate(local, `${server.url}/orders`, REPLICATE)));
      const counts = await server.control<{ orders: number }>('count');
      if (!result?.ok || counts.orders !== args.orders)
        throw new Error(`push ended with ${counts.orders} of ${args.orders} orders on the server`);
      docs = args.orders;
      verified = `server holds all ${docs} orders`;
    } else {
      const { doc_count } = await local.info();
      if (doc_count === args.catalog) peakIncludes = 'reopening the LevelDB folders provisioning left';
      else {
        // No earlier provisioning to reopen (it failed or overran): do it here, untimed.
        await provisioned(server, local, args);
        peakIncludes = `provisioning ${args.catalog} docs first in this process (none to reopen)`;
      }
      const { docs: changed } = await server.control<{ docs: number }>('change', { catalog: args.catalog, changed: args.changed });
      let result: ReplicationResult | undefined;
      time = await timed(server, async () => (result = await PouchDB.replicate(`${server.url}/catalog`, local, REPLICATE)));
      const expected = changedDocs(catalogDocs(args.catalog), args.changed);
      const got = await local.allDocs({ keys: expected.map((d) => d.id), include_docs: true });
      const stale = got.rows.filter((r, i) => r.doc?.price_fen !== expected[i]?.price_fen).length;
      if (!result?.ok || stale > 0 || changed !== expected.length)
        throw new Error(`incremental pull left ${stale} of ${expected.length} docs stale`);
      docs = expected.length;
      verified = `all ${docs} changed prices on the client; ${result?.docs_read} docs read, ${result?.docs_written} written`;
    }
    const { peakMb: serverPeakMb } = await server.control<Usage>('usage');
    await local.close();
    printResult({
      peer: 'pouchdb',
      scenario: mode,
      docs,
      ...time,
      peakMb: peakMb(),
      peakIncludes,
      serverPeakMb,
      settings: SETTINGS,
      verified,
    });
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === SCRIPT) {
  await main(async () => {
    const args = parseArgs(process.argv.slice(2));
    if (args.mode === 'serve') {
      if (!args.dir) throw new Error('serve needs --dir');
      return serve(args.dir);
    }
    const own = args.dir === null;
    const dir = args.dir ?? mkdtempSync(join(tmpdir(), 'shopfloor-peer-pouchdb-'));
    try {
      await scenario(args.mode, args, dir);
    } finally {
      if (own) rmSync(dir, { recursive: true, force: true });
    }
  });
}
