import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export type HostProcess = {
  url: string;
  dataDir: string;
  ready: { ms: number; rssMb: number; state: string; hq?: string | null };
  proc: ChildProcess;
  stop: () => Promise<void>;
};

/**
 * Starts the built browser host (`dist/main/host/cli.js`) as its own process on a free port
 * with a fresh data dir, and waits for its ready line. It stops by itself after `lifetimeS`.
 */
export function startHostProcess(options: {
  skus: number;
  customers: number;
  lifetimeS?: number;
  dataDir?: string;
  /** HQ to sync with; with `enrolCode`, a fresh device enrols there before it opens. */
  hqUrl?: string;
  enrolCode?: string;
}): Promise<HostProcess> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'shopfloor-e2e-'));
  const args = [
    join(ROOT, 'dist/main/host/cli.js'),
    '--port=0',
    `--data-dir=${dataDir}`,
    `--sample-skus=${options.skus}`,
    `--sample-customers=${options.customers}`,
    `--lifetime-s=${options.lifetimeS ?? 300}`,
    ...(options.hqUrl ? [`--hq-url=${options.hqUrl}`] : []),
    ...(options.enrolCode ? [`--enrol-code=${options.enrolCode}`] : []),
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolveReady, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /^SHOPFLOOR_READY (.*)$/m.exec(out);
      if (line?.[1]) {
        const ready = JSON.parse(line[1]) as { url: string; ms: number; rssMb: number; state: string };
        resolveReady({ url: ready.url, dataDir, ready, proc, stop });
      }
    });
    proc.once('exit', (code) => reject(new Error(`host exited (${code}) before it was ready:\n${out}\n${err}`)));
  });
}
