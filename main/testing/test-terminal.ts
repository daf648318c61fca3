import { join } from 'node:path';
import { openTerminal } from '../app/terminal.js';
import type { Terminal, TerminalOptions } from '../app/terminal-types.js';
import { fileKeyStore } from '../store/key-store.js';
import { sampleSeeder } from '../../fixtures/sample-seeder.js';
import { tempDir } from './temp-dir.js';

export type TestTerminal = { terminal: Terminal; dataDir: string; logs: string[]; cleanup: () => void };

/** A real terminal on a fresh encrypted store with a small sample catalog. */
export function testTerminal(sample = { skus: 400, customers: 50 }, extra: Partial<TerminalOptions> = {}): TestTerminal {
  const dir = tempDir();
  const logs: string[] = [];
  const terminal = openTerminal({
    dataDir: dir.path,
    keyStore: fileKeyStore(join(dir.path, 'store.key')),
    appVersion: '0.0.0-test',
    log: (message) => logs.push(message),
    seed: sampleSeeder(sample),
    ...extra,
  });
  return {
    terminal,
    dataDir: dir.path,
    logs,
    cleanup: () => {
      terminal.close();
      dir.cleanup();
    },
  };
}
