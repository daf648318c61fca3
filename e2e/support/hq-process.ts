import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './host-process.js';

export const E2E_ADMIN = { name: 'admin', password: 'e2e-admin-password' } as const;

export type HqProcess = {
  url: string;
  /** The enrolment as IT hands it out: the code with HQ's key fingerprint (`CODE@FINGERPRINT`). */
  enrolCode: string;
  dataDir: string;
  proc: ChildProcess;
  /** A fresh single-use enrolment (`CODE@FINGERPRINT`) for the store with this id: one per device. */
  enrol(storeId: string): Promise<string>;
  /** An admin API call (logs in once); JSON in, JSON out; throws on anything but 2xx. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** SIGTERM, waits for the exit; keeps the data dir (a test may open HQ's database afterwards). */
  stop(): Promise<void>;
  /** Removes the data dir (after stop). */
  cleanup(): void;
};

/**
 * Starts the built HQ (`dist/sync/hq/cli.js`) on PGlite in a fresh temp dir with the sample brand
 * and a fresh enrolment code for S001, and waits for its `HQ_READY` line. It stops by itself after
 * `lifetimeS`. With `dataDir` and `port` it starts again an HQ that was stopped: same database,
 * same address, so its devices find it where they left it.
 */
export function startHqProcess(options: {
  skus: number;
  customers: number;
  lifetimeS?: number;
  dataDir?: string;
  port?: number;
}): Promise<HqProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'shopfloor-e2e-hq-'));
  const args = [
    join(ROOT, 'dist/sync/hq/cli.js'),
    `--port=${options.port ?? 0}`,
    `--data-dir=${dataDir}`,
    `--sample-skus=${options.skus}`,
    `--sample-customers=${options.customers}`,
    '--enrol-store=S001',
    `--lifetime-s=${options.lifetimeS ?? 300}`,
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SHOPFLOOR_ADMIN_PASSWORD: E2E_ADMIN.password },
  });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  };
  return new Promise((resolveReady, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /^HQ_READY (.*)$/m.exec(out)?.[1];
      if (!line) return;
      const ready = JSON.parse(line) as { url: string; enrolment: string };
      let token: string | undefined;
      const request = async (method: string, path: string, body: unknown, auth: string | undefined) => {
        const response = await fetch(`${ready.url}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(auth ? { authorization: `Bearer ${auth}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
        return JSON.parse(text) as unknown;
      };
      const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        token ??= ((await request('POST', '/admin/v1/login', E2E_ADMIN, undefined)) as { token: string }).token;
        return (await request(method, path, body, token)) as T;
      };
      resolveReady({
        url: ready.url,
        enrolCode: ready.enrolment,
        dataDir,
        proc,
        admin,
        enrol: async (storeId) => (await admin<{ enrolment: string }>('POST', '/admin/v1/enrolment-codes', { storeId })).enrolment,
        stop,
        cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
      });
    });
    proc.once('exit', (code) => reject(new Error(`HQ exited (${code}) before it was ready:\n${out}\n${err}`)));
  });
}

/** Stops `hq` and starts it again on the same database and address (its devices find it where they left it). */
export async function restartHqProcess(
  hq: HqProcess,
  options: { skus: number; customers: number; lifetimeS?: number },
): Promise<HqProcess> {
  await hq.stop();
  return startHqProcess({ ...options, dataDir: hq.dataDir, port: Number(new URL(hq.url).port) });
}
