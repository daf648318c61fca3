/** `node dist/sync/hq/pglite-template-cli.js DIR`: the build makes HQ's PGlite template (pglite-template.ts) in DIR. */
import { makePgliteTemplate } from './pglite-template.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: pglite-template-cli DIR');
  process.exit(2);
}
const started = performance.now();
const made = await makePgliteTemplate(dir);
console.log(`HQ's PGlite template in ${dir}: ${made === 'made' ? `made in ${Math.round(performance.now() - started)} ms` : 'current'}`);
