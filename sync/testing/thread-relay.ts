import { Worker } from 'node:worker_threads';

/**
 * A TCP relay to `upstream` on its own thread that counts the requests it relays by the text of
 * their request line (`requestLine`, e.g. `POST /sync/v1/pull `), found anywhere in what the client
 * sends (so a body must not contain it) as the bytes pass through. Its counter is
 * shared memory, so the test's own thread can wait on it while that thread is busy in synchronous
 * code: whether a request left the client *before* the client's next synchronous step is then a
 * question with a yes-or-no answer, not a timing.
 */
export type ThreadRelay = {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Blocks this thread until `n` requests were seen or `timeoutMs` passed; whether they were. */
  waitForSeen(n: number, timeoutMs: number): boolean;
  close(): Promise<void>;
};

// CommonJS, evaluated in the worker. A request line split across two chunks is still counted
// once: the end of the previous chunk is searched with the new one. It stops by itself after
// `lifetimeMs` should a test never close it.
const RELAY = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const counter = new Int32Array(workerData.counter);
const line = workerData.requestLine;
const sockets = new Set();
const server = net.createServer((client) => {
  const upstream = net.connect(workerData.port, '127.0.0.1');
  sockets.add(client);
  sockets.add(upstream);
  let tail = '';
  client.on('data', (chunk) => {
    const text = tail + chunk.toString('latin1');
    let n = 0;
    for (let i = text.indexOf(line); i !== -1; i = text.indexOf(line, i + 1)) if (i + line.length > tail.length) n++;
    tail = text.slice(-line.length);
    if (n > 0) {
      Atomics.add(counter, 0, n);
      Atomics.notify(counter, 0);
    }
    upstream.write(chunk);
  });
  upstream.pipe(client);
  const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
setTimeout(() => process.exit(0), workerData.lifetimeMs);
parentPort.on('message', () => {
  for (const s of sockets) s.destroy();
  server.close(() => process.exit(0));
});
`;

export async function startThreadRelay(options: { upstreamPort: number; requestLine: string; lifetimeMs?: number }): Promise<ThreadRelay> {
  const buffer = new SharedArrayBuffer(4);
  const counter = new Int32Array(buffer);
  const worker = new Worker(RELAY, {
    eval: true,
    workerData: {
      counter: buffer,
      port: options.upstreamPort,
      requestLine: options.requestLine,
      lifetimeMs: options.lifetimeMs ?? 120_000,
    },
  });
  let failure: unknown = null;
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the relay's thread ended (${code}) before it listened`)));
  });
  // Later, a relay that failed shows in the test, not as requests that never arrived.
  worker.on('error', (error) => (failure = error));
  return {
    url: `http://127.0.0.1:${port}`,
    waitForSeen(n, timeoutMs) {
      if (failure) throw failure;
      const deadline = Date.now() + timeoutMs;
      for (let now = Date.now(); Atomics.load(counter, 0) < n && now < deadline; now = Date.now()) {
        Atomics.wait(counter, 0, Atomics.load(counter, 0), deadline - now);
      }
      return Atomics.load(counter, 0) >= n;
    },
    async close() {
      if (worker.threadId === -1) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}
