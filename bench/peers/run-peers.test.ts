import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchPeers } from './run-peers.js';
import { nodeArgs } from './peer-child.js';

describe('benchPeers', () => {
  // Twelve processes started through tsx: slow on a busy 2-core machine, hence its own limit.
  it('runs both peers on a small workload and reports verified figures for every scenario', { timeout: 300_000 }, async () => {
    // Its own folder: the shared temp folder holds other runs' peer folders too.
    const root = mkdtempSync(join(tmpdir(), 'shopfloor-peers-test-'));
    let rows: Awaited<ReturnType<typeof benchPeers>>;
    let left: string[];
    try {
      rows = await benchPeers({ catalog: 600, orders: 120, changed: 30, tempRoot: root });
      left = readdirSync(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const names = rows.map((r) => r.name);
    expect(names).toEqual([
      'peer_rxdb_provision_600_s',
      'peer_rxdb_provision_docs_per_s',
      'peer_rxdb_provision_peak_mb',
      'peer_rxdb_push_120_s',
      'peer_rxdb_push_docs_per_s',
      'peer_rxdb_push_peak_mb',
      'peer_rxdb_incremental_30_ms',
      'peer_rxdb_incremental_docs_per_s',
      'peer_rxdb_incremental_peak_mb',
      'peer_pouchdb_provision_600_s',
      'peer_pouchdb_provision_docs_per_s',
      'peer_pouchdb_provision_peak_mb',
      'peer_pouchdb_push_120_s',
      'peer_pouchdb_push_docs_per_s',
      'peer_pouchdb_push_peak_mb',
      'peer_pouchdb_incremental_30_ms',
      'peer_pouchdb_incremental_docs_per_s',
      'peer_pouchdb_incremental_peak_mb',
    ]);
    for (const r of rows) expect(r.value, r.name).toBeGreaterThan(0);
    expect(rows.find((r) => r.name === 'peer_pouchdb_incremental_30_ms')?.note).toContain(
      'all 30 changed prices on the client; 30 docs read, 30 written',
    );
    expect(rows.find((r) => r.name === 'peer_rxdb_push_120_s')?.note).toContain('server holds all 120 orders');
    // PouchDB's incremental run reopened what its provisioning run left on disk.
    expect(rows.find((r) => r.name === 'peer_pouchdb_incremental_peak_mb')?.note).toContain(
      'reopening the LevelDB folders provisioning left',
    );
    expect(rows.map((r) => r.unit)).toEqual(
      Array.from({ length: 6 }, () => ['s', 'docs/s', 'MB'])
        .flat()
        .map((u, i) => (i % 9 === 6 ? 'ms' : u)),
    );
    // Data folders are gone afterwards.
    expect(left).toEqual([]);
  });

  it('kills a child that overruns its limit and reports it instead of hanging', async () => {
    const rows = await benchPeers({ catalog: 200_000, orders: 10_000, changed: 1000, limitMs: 300 });
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      expect(r.value).toBeNaN();
      expect(r.note).toMatch(/overran its 0.3 s limit; killed pid \d+/);
    }
  });

  it('skips what would run past the budget of the whole peer part', async () => {
    const rows = await benchPeers({ catalog: 200_000, orders: 10_000, changed: 1000, budgetMs: 1 });
    expect(rows.map((r) => r.note)).toEqual(
      Array.from({ length: 6 }, () => expect.stringContaining("skipped: the peers' budget of 0 s was used up")),
    );
  });

  it('refuses sizes that are not positive integers', async () => {
    await expect(benchPeers({ catalog: 0, orders: 1, changed: 1 })).rejects.toThrow(/catalog must be a positive integer/);
  });
});

describe('a peer server child', () => {
  it('exits by itself when the process that started it goes away (its stdin closes)', async () => {
    const script = fileURLToPath(new URL('./rxdb.ts', import.meta.url));
    const child = spawn(process.execPath, nodeArgs(script, ['serve']), { stdio: ['pipe', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^PEER_SERVER (.*)$/m.exec(out);
        if (m?.[1]) resolve((JSON.parse(m[1]) as { url: string }).url);
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pulled = (await (await fetch(`${url}/catalog/pull?limit=10`)).json()) as { documents: unknown[] };
    expect(pulled.documents).toEqual([]);
    expect((await fetch(`${url}/nothing/pull`)).status).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});

describe('a peer scenario child', () => {
  it('refuses an unknown scenario with its usage and a non-zero exit', async () => {
    const script = fileURLToPath(new URL('./pouchdb.ts', import.meta.url));
    const child = spawn(process.execPath, nodeArgs(script, ['provison']), { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toContain('usage: <serve|provision|push|incremental>');
  });
});
