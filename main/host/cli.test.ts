import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-dir.js';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function run(...args: string[]) {
  const dir = tempDir();
  dirs.push(dir);
  return spawnSync(process.execPath, ['--import', 'tsx', cli, `--data-dir=${dir.path}`, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('the browser host command line', () => {
  it.each([
    [['--virtual-printer=bogus'], /--virtual-printer must be on, off or a port number/],
    [['--virtual-printer=70000'], /--virtual-printer must be on, off or a port number/],
    [['--port=http'], /--port must be a whole number/],
    [['--sample-skus=0'], /--sample-skus must be a whole number ≥ 1/],
    [['--lifetime-s=-5'], /--lifetime-s must be a whole number ≥ 1/],
    [['--hq-url=ftp://hq.example'], /--hq-url must be an http\(s\) address/],
    [['--hq-url=not a url'], /--hq-url must be an http\(s\) address/],
    [['--hq-url=http://127.0.0.1:5318', '--enrol-code=abcd'], /--enrol-code must look like XXXX-XXXX-XXXX/],
    [['--enrol-code=ABCD-EFGH-JKLM'], /--enrol-code needs --hq-url/],
    [['--hq-url=http://127.0.0.1:5318', '--enrol-code=ABCD-EFGH-JKLM@NOPE'], /--enrol-code must look like XXXX-XXXX-XXXX/],
    [['--hq-url=http://127.0.0.1:5318', '--hq-fingerprint=not-one'], /--hq-fingerprint must look like XXXX-XXXX-XXXX-XXXX/],
    [['--hq-url=https://127.0.0.1:5318', '--hq-ca=/no/such/ca.pem'], /--hq-ca: cannot read/],
  ])('refuses %s with a clear message and exit code 2, before touching anything', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toContain('SHOPFLOOR_READY');
  });

  it('stops with exit code 1 and says why when the device cannot enrol (HQ unreachable)', () => {
    // Port 1 on the loopback: nothing listens, the connection is refused at once.
    const result = run(
      '--hq-url=http://127.0.0.1:1',
      // With a fingerprint: over plain HTTP the device sends its code only with one.
      '--enrol-code=ABCD-EFGH-JKLM@ABCD-EFGH-JKLM-NPQR',
      '--port=0',
      '--sample-skus=50',
      '--sample-customers=0',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/This device could not enrol at http:\/\/127\.0\.0\.1:1/);
    expect(result.stdout).not.toContain('SHOPFLOOR_READY');
  });

  it("will not send its code to a plain-HTTP HQ without HQ's fingerprint, and says how to give it", () => {
    const result = run(
      '--hq-url=http://127.0.0.1:1',
      '--enrol-code=ABCD-EFGH-JKLM',
      '--port=0',
      '--sample-skus=50',
      '--sample-customers=0',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/plain HTTP: give HQ's key fingerprint with the code \(CODE@FINGERPRINT/);
  });
});
