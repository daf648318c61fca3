// `npm run screenshots`: the README's pictures, taken by the end-to-end tests in Chromium. The tests
// write their screenshots to test-results/screenshots (ignored, so `npm test` leaves the tree
// clean); this runs them and copies every picture the README shows into docs/screenshots. Look at
// the pictures before committing them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const shots = join(root, 'test-results', 'screenshots');
const docs = join(root, 'docs', 'screenshots');
/** Pictures made by hand, not by a test (and why): the script leaves them alone. */
const BY_HAND = new Map([['sync-provisioning.png', 'a 60,000-SKU provisioning run; the test store finishes in one page']]);

const shown = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/docs\/screenshots\/([\w.-]+\.png)/g)].map((m) => m[1]);
const wanted = [...new Set(shown)].filter((name) => !BY_HAND.has(name));

const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('npm', ['run', 'build']);
run('npx', ['vitest', 'run', '--project', 'e2e']);

const missing = wanted.filter((name) => !existsSync(join(shots, name)));
if (missing.length > 0) {
  console.error(`No test took ${missing.join(', ')}: add a shot() to an e2e test, or list the picture in BY_HAND.`);
  process.exit(1);
}
for (const name of wanted) copyFileSync(join(shots, name), join(docs, name));
console.log(`copied ${wanted.length} pictures into docs/screenshots: ${wanted.join(', ')}`);
for (const [name, why] of BY_HAND) console.log(`kept ${name} (made by hand: ${why})`);
