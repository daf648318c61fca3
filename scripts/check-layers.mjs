// The layer rules the import graph must keep (README "Layers"), checked on every production file
// by `npm run lint`. ESLint's no-restricted-imports enforces the per-folder bans (eslint.config.js);
// this adds what a per-file rule cannot see: the direction of imports between main/'s folders, and
// cycles among them. Prints each broken rule with the import that breaks it and exits 1.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['main', 'native', 'sync', 'fixtures', 'renderer/src', 'console/src'];

/** Test code: tests, test kits, the fault harness, benchmarks and e2e may import anything. */
export function isTestCode(path) {
  return /\.(test|e2e)\.tsx?$/.test(path) || /(^|\/)testing\//.test(path) || /^(sync\/faults|bench|e2e)\//.test(path);
}

function walk(dir, out = []) {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|cts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|[^.\w])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** The repo-relative files a source file imports (relative specifiers only; packages are not layers). */
export function importsOf(path, text) {
  const out = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec?.startsWith('.')) continue;
    const target = normalize(join(dirname(path), spec))
      .split(sep)
      .join('/');
    out.push(target.replace(/\.(c|m)?js$/, '.ts'));
  }
  return out;
}

/** The folder of main/ a file belongs to (`main/checkout/x.ts` → `checkout`), or null outside main/. */
const mainFolder = (path) => (path.startsWith('main/') ? path.split('/')[1] : null);

const RULES = [
  {
    name: 'sync/client, sync/hq and sync/protocol never import main/',
    broken: (from, to) => /^sync\/(client|hq|protocol)\//.test(from) && to.startsWith('main/'),
  },
  {
    name: 'sync/protocol is shared by device and HQ and depends on neither',
    broken: (from, to) => from.startsWith('sync/protocol/') && !to.startsWith('sync/protocol/'),
  },
  {
    name: 'only main/sync/ imports sync/client/',
    broken: (from, to) => to.startsWith('sync/client/') && !from.startsWith('sync/client/') && !from.startsWith('main/sync/'),
  },
  {
    name: 'main/ never imports sync/hq/ (the device is not HQ)',
    broken: (from, to) => from.startsWith('main/') && to.startsWith('sync/hq/'),
  },
  {
    name: 'nothing outside tests imports test kits',
    broken: (from, to) => isTestCode(to) && !isTestCode(from),
  },
  {
    name: 'main/app/ is the composition root: only the shells (main/electron, main/host) import it',
    broken: (from, to) => to.startsWith('main/app/') && !/^main\/(app|electron|host)\//.test(from),
  },
  {
    // ESLint checks that its imports from sync/ are type-only (but for the money formatter).
    name: 'the finance console (console/) imports only sync/protocol/ and itself',
    broken: (from, to) => from.startsWith('console/') && !to.startsWith('console/') && !to.startsWith('sync/protocol/'),
  },
  {
    name: 'nothing imports the finance console (console/): HQ serves its build',
    broken: (from, to) => to.startsWith('console/') && !from.startsWith('console/'),
  },
  {
    name: 'main/core/ is below every domain: it imports only main/api, main/store and the shared layers',
    broken: (from, to) => from.startsWith('main/core/') && to.startsWith('main/') && !/^main\/(core|api|store)\//.test(to),
  },
];

/** Folders of main/ that import each other in a circle (strongly connected components of more than one folder). */
export function folderCycles(edges) {
  const graph = new Map();
  for (const [a, b] of edges) {
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    graph.get(a).add(b);
  }
  let index = 0;
  const stack = [];
  const meta = new Map();
  const cycles = [];
  const strong = (v) => {
    meta.set(v, { index, low: index, on: true });
    index++;
    stack.push(v);
    for (const w of graph.get(v)) {
      if (!meta.has(w)) {
        strong(w);
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
      } else if (meta.get(w).on) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        meta.get(w).on = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!meta.has(v)) strong(v);
  return cycles;
}

export function checkLayers(files) {
  const problems = [];
  const edges = new Map();
  for (const { path, text } of files) {
    if (isTestCode(path) || path.startsWith('renderer/')) continue;
    for (const to of importsOf(path, text)) {
      for (const rule of RULES) if (rule.broken(path, to)) problems.push(`${rule.name}: ${path} imports ${to}`);
      const a = mainFolder(path);
      const b = mainFolder(to);
      if (a && b && a !== b) {
        const key = `${a}→${b}`;
        if (!edges.has(key)) edges.set(key, { a, b, example: `${path} imports ${to}` });
      }
    }
  }
  const byPair = [...edges.values()];
  for (const cycle of folderCycles(byPair.map((e) => [e.a, e.b]))) {
    const inCycle = byPair.filter((e) => cycle.includes(e.a) && cycle.includes(e.b)).map((e) => `    ${e.example}`);
    problems.push(`main/ folders import each other in a circle (${cycle.join(' ⇄ ')}):\n${inCycle.join('\n')}`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = SOURCE_DIRS.flatMap((d) => walk(d)).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
  const problems = checkLayers(files);
  if (problems.length > 0) {
    console.error(`Layer rules broken (${problems.length}):`);
    for (const p of problems) console.error(`- ${p}`);
    process.exit(1);
  }
  console.log(`layers: ${files.length} files, every import points the way the layers allow (${relative(process.cwd(), root) || '.'})`);
}
