import type { HqMigration } from '../migrate.js';

/**
 * The change log's chunks compressed with LZ4 instead of PostgreSQL's own pglz (issue 13: the
 * catalog import). A chunk (migration 0010) holds up to 1,000 loaded rows as one text of about
 * 100 KB, and PostgreSQL compresses every such value when it stores it: the sample brand's 1,071
 * chunks are 102 MB of text, and pglz took 1.2–1.5 s of PostgreSQL's CPU to compress them against
 * 0.4–0.5 s for LZ4 (the same values re-inserted, three runs each, PostgreSQL 15). LZ4 stores them
 * in 25 MB where pglz took 20 MB: a quarter more room for a fraction of the CPU. A device's
 * provisioning reads them back, and LZ4 decompresses faster too (180 against 210–220 ms for all
 * of them).
 *
 * Only a column's setting: values written before keep pglz and read as before; nothing is
 * rewritten. `keys` (a chunk's 1,000 keys) is compressed the same way.
 *
 * Where the server has no LZ4 (PGlite; a PostgreSQL built without it) the columns keep pglz and
 * the migration changes nothing: the same rows, compressed as before (deploy/README.md, "Upgrading
 * HQ", says how to set it by hand on a server that gains LZ4 later).
 */
const migration: HqMigration = {
  version: 13,
  name: 'change-chunks-lz4',
  up: async (sql) => {
    await sql.exec(`
      DO $$
      BEGIN
        ALTER TABLE change ALTER COLUMN rows SET COMPRESSION lz4, ALTER COLUMN keys SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL; -- no LZ4 in this server: pglz, as before
      END $$;
    `);
  },
};

export default migration;
