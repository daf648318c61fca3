/**
 * The newcomer's first `npm start` (issue 13, "Catalog import and the first start"), in
 * bench/results.json:
 *
 * - first_start_s: spawn `node scripts/start.mjs` (what `npm start` runs after its build) on an
 *   empty data folder → the terminal answers a scan of a provisioned SKU with the till usable:
 *   the local HQ has started on a fresh PGlite and loaded the sample brand, the browser host has
 *   enrolled and provisioned its store (the overlay is gone), and the catalog lookup of the EAN
 *   the brand feed delivers last answers. Over the host's WebSocket API, as bench/run.ts's
 *   cold start does. The note splits the CPU between HQ and the host.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { DEFAULT_SEED, generateSampleData } from '../fixtures/generate.js';
import { round } from './stats.js';
import type { BenchResult } from './stats.js';
import { procStat } from './sync-shared.js';

/** The repository: dist/bench/ after the build, bench/ when run from source. */
const ROOT = [resolve(dirname(fileURLToPath(import.meta.url)), '..'), resolve(dirname(fileURLToPath(import.meta.url)), '../..')].find((d) =>
  existsSync(join(d, 'scripts/start.mjs')),
) as string;
/** What scripts/start.mjs asks its HQ for (--sample-skus). */
const START_SKUS = 20_000;
const LIMIT_MS = 300_000;

type Frame = { t: string; id?: number; result?: { ok: boolean; value?: unknown } };

export async function benchFirstStart(): Promise<BenchResult[]> {
  // The SKU the brand feed delivers last (one transaction, so in key order): when it answers, the catalog is all there.
  const probe = generateSampleData({ seed: DEFAULT_SEED, skus: START_SKUS, customers: 0 }).skus.reduce((a, b) => (b.sku > a.sku ? b : a));
  const dir = mkdtempSync(join(tmpdir(), 'shopfloor-bench-first-start-'));
  const started = performance.now();
  const proc = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--port=0', '--lifetime-s=600', '--virtual-printer=off'], {
    cwd: ROOT,
    env: { ...process.env, SHOPFLOOR_DATA_DIR: dir, SHOPFLOOR_NO_BROWSER: '1', SHOPFLOOR_NO_ELECTRON_DOWNLOAD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const cpu = () => processTreeCpuS(proc.pid as number);
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      // Where an Electron binary is installed start.mjs opens Electron, which prints no ready line: this measures the browser host.
      const timer = setTimeout(() => reject(new Error(`no SHOPFLOOR_READY (browser host) in ${LIMIT_MS / 1000} s: ${stderr}`)), LIMIT_MS);
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^SHOPFLOOR_READY (.*)$/m.exec(out)?.[1];
        if (!line) return;
        clearTimeout(timer);
        resolveUrl((JSON.parse(line) as { url: string }).url);
      });
      proc.once('exit', (code) => reject(new Error(`start.mjs exited (${code}) before the host was ready: ${stderr}`)));
    });
    const readyS = (performance.now() - started) / 1000;
    const api = await connect(url);
    let scanS = 0;
    try {
      for (;;) {
        if (performance.now() - started > LIMIT_MS) throw new Error(`the till was not usable within ${LIMIT_MS / 1000} s`);
        const state = (await api.call('sync', 'state', {})) as { provisioning: { phase: string } | null; hq: string } | undefined;
        if (state?.hq !== 'not_configured' && state?.provisioning?.phase === 'done') {
          const scan = (await api.call('catalog', 'lookup', { query: probe.ean })) as { sku?: { sku: string } } | undefined;
          if (scan?.sku?.sku === probe.sku) {
            scanS = (performance.now() - started) / 1000;
            break;
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      api.close();
    }
    const { hq, host } = cpu();
    return [
      {
        name: 'first_start_s',
        value: round(scanS, 1),
        unit: 's',
        note:
          `node scripts/start.mjs on an empty data folder (after npm install and the build) → a scan of ${probe.sku} answered with the store provisioned: ` +
          `local HQ on a fresh PGlite loads the sample brand (${START_SKUS} SKUs), browser host enrols and provisions S001; host ready at ${round(readyS, 1)} s; ` +
          `CPU: HQ ${round(hq, 1)} s, host ${round(host, 1)} s; load average ${round(loadavg()[0] ?? 0, 1)} on ${availableParallelism()} CPUs; goal ≤ 15 s (about 35 s before)`,
      },
    ];
  } finally {
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The WebSocket API of the browser host, as the renderer calls it. */
async function connect(url: string): Promise<{ call(domain: string, method: string, input: unknown): Promise<unknown>; close(): void }> {
  const u = new URL(url);
  const token = u.hash.replace('#token=', '');
  const ws = new WebSocket(`ws://${u.host}/api`, ['shopfloor.v1', `token.${token}`]);
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });
  const waiting = new Map<number, (frame: Frame) => void>();
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.t === 'res' && frame.id !== undefined) waiting.get(frame.id)?.(frame);
  });
  let next = 1;
  return {
    call: (domain, method, input) =>
      new Promise((done) => {
        const id = next++;
        waiting.set(id, (frame) => {
          waiting.delete(id);
          done(frame.result?.ok ? frame.result.value : undefined);
        });
        ws.send(JSON.stringify({ t: 'req', id, domain, method, input }));
      }),
    close: () => ws.close(),
  };
}

/** CPU seconds of start.mjs's children: the HQ (dist/sync/hq/cli.js) and the host (dist/main/host/cli.js). */
function processTreeCpuS(parent: number): { hq: number; host: number } {
  const out = { hq: 0, host: 0 };
  const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  for (const pid of children) {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const s = (procStat(Number(pid))?.ticks ?? 0) / 100;
    if (cmd.includes('sync/hq/cli.js')) out.hq += s;
    else if (cmd.includes('main/host/cli.js')) out.host += s;
  }
  return out;
}
