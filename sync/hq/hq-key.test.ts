import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const hqKeyModule = fileURLToPath(new URL('./hq-key.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sf-hq-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROUNDS = 60;

/**
 * A process that, told a start time on stdin, loads (makes) `<dir>/key-<r>.pem` at that time and
 * every 25 ms after, once per round, as HQ's start does: each round a key file nobody made yet,
 * loaded by every process at the same instant. Prints each round's public key or error as JSON.
 */
const CHILD = `
const { loadHqKey } = await import(${JSON.stringify(hqKeyModule)});
const { join } = await import('node:path');
const dir = process.argv[1];
process.stdout.write('ready\\n');
let input = '';
for await (const chunk of process.stdin) { input += chunk; if (input.includes('\\n')) break; }
const start = Number(input.trim());
const results = [];
for (let r = 0; r < ${ROUNDS}; r++) {
  while (Date.now() < start + r * 25) {}
  try { results.push({ key: loadHqKey(join(dir, 'key-' + r + '.pem')).publicKey }); }
  catch (error) { results.push({ error: error.message }); }
}
process.stdout.write(JSON.stringify(results) + '\\n');
process.exit(0);
`;

type Outcome = { key?: string; error?: string };

describe('HQ key file', () => {
  it('gives HQ processes starting at once on a missing key file the same key, none of them a half-written file', async () => {
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, dir], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<{ ready: Promise<void>; results: Promise<Outcome[]> }>((resolve) => {
          let out = '';
          let readyDone!: () => void;
          let resultsDone!: (r: Outcome[]) => void;
          const ready = new Promise<void>((r) => (readyDone = r));
          const results = new Promise<Outcome[]>((r) => (resultsDone = r));
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith('ready\n')) readyDone();
            const lines = out.split('\n');
            if (lines.length > 2 && lines[1]) resultsDone(JSON.parse(lines[1]) as Outcome[]);
          });
          resolve({ ready, results });
        }),
    );
    const handles = await Promise.all(outputs);
    await Promise.all(handles.map((h) => h.ready));
    const start = String(Date.now() + 200);
    for (const child of children) child.stdin.end(`${start}\n`);
    const results = await Promise.all(handles.map((h) => h.results));
    for (let r = 0; r < ROUNDS; r++) {
      const round = results.map((list) => list[r]);
      expect(round.filter((o) => o?.error !== undefined)).toEqual([]);
      expect(new Set(round.map((o) => o?.key)).size).toBe(1);
    }
  }, 60_000);
});
