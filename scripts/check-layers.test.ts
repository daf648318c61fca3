import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { checkLayers, importsOf, isTestCode } from './check-layers.mjs';

type Problems = (files: { path: string; text: string }[]) => string[];
const check = checkLayers as Problems;
const file = (path: string, ...imports: string[]) => ({ path, text: imports.map((i) => `import { x } from '${i}';`).join('\n') });

describe('layer check', () => {
  it('passes imports that point the way the layers allow', () => {
    expect(
      check([
        file('main/checkout/a.ts', '../core/context.js', '../../sync/protocol/money.js', '../../native/printer/x.js'),
        file('main/sync/s.ts', '../../sync/client/replicator.js'),
        file('main/host/h.ts', '../app/terminal.js'),
        file('main/checkout/a.test.ts', '../testing/test-till.js', '../app/terminal.js'),
        file('console/src/api.ts', '../../sync/protocol/finance.js', './format.js'),
      ]),
    ).toEqual([]);
  });

  it.each([
    ['sync/client/replicator.ts', '../../main/api/contract.js', 'never import main/'],
    ['sync/hq/server.ts', '../../main/staff/pin-hash.js', 'never import main/'],
    ['sync/protocol/events/sale.ts', '../../client/push.js', 'depends on neither'],
    ['main/checkout/x.ts', '../../sync/client/push.js', 'only main/sync/ imports sync/client/'],
    ['main/sync/x.ts', '../../sync/hq/server.js', 'main/ never imports sync/hq/'],
    ['main/checkout/x.ts', '../testing/test-till.js', 'test kits'],
    ['main/checkout/x.ts', '../app/terminal-types.js', 'composition root'],
    ['main/core/x.ts', '../checkout/cart.js', 'main/core/ is below every domain'],
    ['console/src/api.ts', '../../sync/hq/admin/settlement-routes.js', 'the finance console (console/) imports only sync/protocol/'],
    ['console/src/App.tsx', '../../renderer/src/i18n/translate.js', 'the finance console (console/) imports only sync/protocol/'],
    ['sync/hq/server.ts', '../../console/src/api.js', 'nothing imports the finance console'],
  ])('refuses %s importing %s', (from, spec, rule) => {
    expect(check([file(from, spec)])).toEqual(expect.arrayContaining([expect.stringContaining(rule)]));
  });

  it('names the folders of main/ that import each other in a circle, with an import of each direction', () => {
    const problems = check([file('main/cashup/c.ts', '../checkout/x.js'), file('main/checkout/x.ts', '../cashup/c.js')]);
    expect(problems).toEqual([expect.stringContaining('cashup ⇄ checkout')]);
    expect(problems[0]).toContain('main/cashup/c.ts imports main/checkout/x.ts');
    expect(problems[0]).toContain('main/checkout/x.ts imports main/cashup/c.ts');
  });

  it('reads static, type-only, re-export and dynamic imports, and ignores packages', () => {
    const text = [
      "import type { A } from '../api/contract.js';",
      "export { B } from './b.js';",
      "const c = await import('../store/outbox.js');",
      "import { z } from 'zod';",
    ].join('\n');
    expect((importsOf as (p: string, t: string) => string[])('main/checkout/a.ts', text)).toEqual([
      'main/api/contract.ts',
      'main/checkout/b.ts',
      'main/store/outbox.ts',
    ]);
  });

  it('treats tests, test kits, the fault harness, benchmarks and e2e as test code', () => {
    const t = isTestCode as (p: string) => boolean;
    expect(['main/x.test.ts', 'main/testing/k.ts', 'sync/faults/f.ts', 'bench/run.ts', 'e2e/sync.e2e.ts'].every(t)).toBe(true);
    expect(['main/checkout/cart.ts', 'sync/hq/server.ts', 'fixtures/generate.ts'].some(t)).toBe(false);
  });
});
