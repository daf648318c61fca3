import { join } from 'node:path';
import type { Database } from 'better-sqlite3-multiple-ciphers';
import type { ApiError, Result } from '../api/contract.js';
import { openTerminal } from '../app/terminal.js';
import type { Terminal } from '../app/terminal-types.js';
import { fileKeyStore } from '../store/key-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/open-store.js';
import { demoPin } from '../../fixtures/checkout-sample.js';
import { sampleSeeder } from '../../fixtures/sample-seeder.js';
import { tempDir } from './temp-dir.js';

export type CustomersKit = {
  terminal: Terminal;
  /** A second connection to the same store (WAL): what a test reads and plants beside the terminal. */
  db: Database;
  /** The test's clock: move it to move the terminal's. */
  clock: { now: number };
  call<T>(domain: string, method: string, input?: unknown): Promise<T>;
  fail(domain: string, method: string, input?: unknown): Promise<ApiError>;
  /** Logs in with the demo PIN of `code` (S001-04 → 0404). */
  login(code: string): Promise<void>;
  close(): void;
};

const CALL = { transport: 'test' as const, connectionId: 'customers-test' };

/** A real terminal on a fresh encrypted store with the sample brand and its customer book, and a clock the test moves. */
export function customersKit(sample = { skus: 200, customers: 400 }, start = Date.UTC(2026, 10, 22, 2, 0, 0)): CustomersKit {
  const dir = tempDir('shopfloor-customers-');
  const clock = { now: start };
  const keyStore = fileKeyStore(join(dir.path, 'store.key'));
  const terminal = openTerminal({
    dataDir: dir.path,
    keyStore,
    appVersion: '0.0.0-test',
    log: () => undefined,
    clock: () => new Date(clock.now),
    seed: sampleSeeder(sample),
  });
  const side: Store = openStore({ path: join(dir.path, 'shopfloor.db'), keyStore, quickCheck: false });
  const result = async (domain: string, method: string, input: unknown): Promise<Result<unknown>> =>
    terminal.dispatch(domain, method, input ?? {}, CALL);
  return {
    terminal,
    db: side.db,
    clock,
    async call<T>(domain: string, method: string, input?: unknown) {
      const r = await result(domain, method, input);
      if (!r.ok) throw new Error(`${domain}.${method}: ${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    async fail(domain, method, input) {
      const r = await result(domain, method, input);
      if (r.ok) throw new Error(`${domain}.${method} succeeded: ${JSON.stringify(r.value).slice(0, 200)}`);
      return r.error;
    },
    async login(code) {
      const r = await result('staff', 'login', { code, pin: demoPin(code) });
      if (!r.ok) throw new Error(`login ${code}: ${r.error.code}`);
    },
    close() {
      side.close();
      terminal.close();
      dir.cleanup();
    },
  };
}
