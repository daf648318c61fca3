import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What `PRAGMA wal_checkpoint` answered: WAL frames in the log, and how many are now in the database file. */
export type CheckpointResult = { busy: number; log: number; checkpointed: number };

/**
 * The worker: its own connection to the store, the key, one PASSIVE checkpoint, closed. Plain
 * CommonJS so it runs the same from the sources (tests, through tsx) and from dist and Electron.
 * PASSIVE never blocks the till's connection: sales commit to the WAL meanwhile (a commit appends
 * frames past the ones being copied), and the WAL restarts from its beginning at the first commit
 * after every frame is in. The main connection keeps the WAL file; SQLite deletes it when the last
 * connection closes.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  for (const pragma of workerData.pragmas) db.pragma(pragma);
  // busy: another checkpoint holds the lock (one on the till's connection); it did nothing, so try
  // again a few times. A PASSIVE one that copied less than the whole log (a reader was on an older
  // snapshot) is done: the automatic checkpoints copy the rest.
  let result;
  for (let attempt = 0; ; attempt++) {
    [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result.busy === 0 || attempt === 4) break;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  parentPort.postMessage({ ok: true, result });
} catch (error) {
  parentPort.postMessage({ ok: false, message: String(error && error.message || error), code: error && error.code });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');

export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/**
 * Copies the store's WAL into its database file on another connection in a worker thread, so the
 * till's thread stays free: SQLCipher decrypts every WAL page and encrypts it again on the way
 * (SQLite3MultipleCiphers encrypts in its file layer), which after a provisioning is a quarter to
 * a third of a second that the till's thread used to spend before it answered anything (README,
 * "The final checkpoint ran on the till's thread"). `pragmas` open the connection as the store's own is opened: its key and
 * cipher first, then a busy wait. Rejects with a CheckpointError when the worker could not open
 * the file or checkpoint it, or ran past `timeoutMs` (then it is terminated).
 */
export function checkpointOffThread(path: string, pragmas: readonly string[], timeoutMs = 60_000): Promise<CheckpointResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, pragmas } });
    // The first of these settles the promise; the later ones find it settled.
    let timedOut = false;
    const timer = setTimeout(() => {
      // Rejected once the thread is gone ('exit' below): a checkpoint still running would hold
      // SQLite's lock against the one the caller runs instead.
      timedOut = true;
      void worker.terminate();
    }, timeoutMs);
    worker.once('message', (m: { ok: true; result: CheckpointResult } | { ok: false; message: string; code?: string }) => {
      clearTimeout(timer);
      if (m.ok) resolve(m.result);
      else reject(new CheckpointError(`the checkpoint of ${path} failed: ${m.message}`, m.code));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(new CheckpointError(`the checkpoint worker for ${path} failed: ${error.message}`));
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new CheckpointError(
          timedOut
            ? `the checkpoint of ${path} ran past ${timeoutMs} ms`
            : `the checkpoint worker for ${path} ended (exit code ${code}) without an answer`,
        ),
      );
    });
  });
}
