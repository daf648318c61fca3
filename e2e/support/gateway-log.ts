import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCall } from '../../main/checkout/payments.js';

/**
 * Every call the host's sandbox payment gateway answered, in order (`<data-dir>/sandbox-gateway.jsonl`,
 * written by main/host/cli.ts): what a test checks charges, refunds and voids against.
 */
export function gatewayCalls(dataDir: string): SandboxCall[] {
  const file = join(dataDir, 'sandbox-gateway.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { at: _at, ...call } = JSON.parse(line) as SandboxCall & { at: string };
      return call as SandboxCall;
    });
}
