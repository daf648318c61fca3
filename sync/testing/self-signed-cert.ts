import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type TestCert = { cert: string; key: string; certFile: string; keyFile: string };

/**
 * A self-signed TLS certificate for 127.0.0.1 and localhost, made with `openssl` (Debian's
 * openssl package; scripts/prerequisites.sh checks it is there) in `dir`. Being self-signed, the
 * certificate is its own CA: a client trusts it by taking it as `ca`.
 */
export function selfSignedCert(dir: string, name = 'hq'): TestCert {
  const certFile = join(dir, `${name}-cert.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0)
    throw new Error(`openssl could not make a test certificate: ${result.error?.message ?? result.stderr}`);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
