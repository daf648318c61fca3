import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openHqDb } from './db.js';
import { migrateHq } from './migrate.js';
import { HQ_MIGRATIONS } from './migrations/index.js';

/**
 * An empty, migrated PGlite HQ as a tarball, made by the build (`dist/hq-template/`), so the first
 * start of a local HQ copies it instead of running initdb and the migrations in WASM (the bench's
 * first_start_s measures the whole first start). It holds no data — no
 * sample, no key, no admin — only what initdb and the migrations make, so a database started
 * from it is one `migrateHq` would have made. It is used only when its key (PGlite's version and
 * the migrations' versions and names) is this code's; `migrateHq` runs after it anyway.
 */
const TARBALL = 'pglite.tar.gz';
const KEY = 'key.txt';

export function templateKey(): string {
  return JSON.stringify({ pglite: pgliteVersion(), migrations: HQ_MIGRATIONS.map((m) => `${m.version}-${m.name}`) });
}

/** The installed PGlite's version (its package.json is not among its exports: found from its entry point). */
function pgliteVersion(): string {
  for (let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite') return pkg.version ?? '';
  }
  throw new Error('cannot find the installed PGlite version');
}

/** Makes the template in `dir` unless the one there is current. */
export async function makePgliteTemplate(dir: string): Promise<'made' | 'current'> {
  const key = templateKey();
  if (existsSync(join(dir, TARBALL)) && existsSync(join(dir, KEY)) && readFileSync(join(dir, KEY), 'utf8') === key) return 'current';
  const work = mkdtempSync(join(tmpdir(), 'shopfloor-hq-template-'));
  try {
    const db = await openHqDb({ pgliteDir: join(work, 'pglite') });
    await migrateHq(db);
    await db.close();
    const pg = await PGlite.create({ dataDir: join(work, 'pglite') });
    const tarball = Buffer.from(await (await pg.dumpDataDir('gzip')).arrayBuffer());
    await pg.close();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, TARBALL), tarball);
    writeFileSync(join(dir, KEY), key);
    return 'made';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The template in `dir` to start an empty PGlite folder from, if there is a current one. */
export function pgliteTemplate(dir: string): Blob | undefined {
  try {
    if (readFileSync(join(dir, KEY), 'utf8') !== templateKey()) return undefined;
    return new Blob([readFileSync(join(dir, TARBALL))]);
  } catch {
    return undefined;
  }
}
