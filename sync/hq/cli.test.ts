import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNC_PATHS } from '../protocol/http.js';
import { keyDescendsFrom, keyFingerprint } from '../protocol/signing.js';
import { loadHqKey } from './hq-key.js';
import { enrolmentRequest, httpCall } from './testing/test-hq.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

const started: ChildProcess[] = [];

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...rest, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

type Ready = { url: string; enrolCode: string | null; hqFingerprint: string; enrolment: string | null };

function ready(child: ChildProcess): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^HQ_READY (.*)$/m.exec(out);
      if (m) resolve(JSON.parse(m[1] as string) as Ready);
    });
    child.on('exit', (code) => reject(new Error(`hq exited with ${code} before it was ready`)));
  });
}

describe('hq cli', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hq-cli-'));
  afterAll(async () => {
    // A test that failed half-way may leave its HQ running: stop the ones this file started.
    await Promise.all(
      started
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map(
          (c) =>
            new Promise((resolve) => {
              c.once('exit', resolve);
              c.kill('SIGKILL');
            }),
        ),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad flags with a message and exit code 2', async () => {
    for (const args of [
      ['--port', 'abc'],
      ['--bogus'],
      ['--sample-skus', '-5'],
      ['--sample-skus', '10', '--sample-stock-stores', 'S001,S 2'],
      ['--enrol-store', 'S 1'],
      ['--tls-cert', join(dir, 'cert.pem')],
      ['--trust-proxy', 'the proxy'],
      ['--rotate-hq-key', '--hq-key-file', join(dir, 'no-such-key.pem')],
    ]) {
      const result = await exited(run(args));
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/hq: /);
    }
  }, 120_000);

  it('starts with the sample brand, prints an enrolment code that enrols, and stops cleanly on SIGTERM', async () => {
    const child = run([
      '--port',
      '0',
      '--data-dir',
      dir,
      '--sample-skus',
      '200',
      '--sample-customers',
      '20',
      '--enrol-store',
      'S001',
      '--lifetime-s',
      '300',
    ]);
    const done = exited(child);
    const { url, enrolCode, hqFingerprint, enrolment } = await ready(child);
    expect(enrolCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // HQ's signing key: made on the first start beside the data, readable by the owner only, and
    // handed out with the code.
    const keyFile = join(dir, 'hq-signing-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(hqFingerprint).toBe(keyFingerprint(loadHqKey(keyFile).publicKey));
    expect(enrolment).toBe(`${enrolCode}@${hqFingerprint}`);
    expect((await httpCall(`${url}/health`)).status).toBe(200);
    const request = enrolmentRequest(enrolCode as string);
    const answer = await httpCall(`${url}${SYNC_PATHS.enrol}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ storeCode: 'S001', brand: 'SFL' });
    // No SHOPFLOOR_ADMIN_PASSWORD: a generated password, readable by the owner only.
    expect(statSync(join(dir, 'admin-password.txt')).mode & 0o777).toBe(0o600);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    // A fresh PGlite plus the sample brand: many seconds on a busy 2-core machine.
  }, 180_000);

  it('rotates HQ key in its key file: the new key is endorsed by the old one, and exits', async () => {
    const keyFile = join(dir, 'rotated-key.pem');
    const before = loadHqKey(keyFile);
    const result = await exited(run(['--rotate-hq-key', '--hq-key-file', keyFile]));
    expect(result.code).toBe(0);
    const after = loadHqKey(keyFile);
    expect(after.publicKey).not.toBe(before.publicKey);
    expect(after.chain).toEqual([{ publicKey: after.publicKey, endorsement: expect.any(String) }]);
    expect(keyDescendsFrom(before.publicKey, after.publicKey, after.chain)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  }, 60_000);
});
