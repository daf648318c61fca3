import type { HqMigration } from '../migrate.js';

/**
 * Replay protection and login limits that hold across every HQ process of a chain, whatever their
 * clocks say.
 *
 * Nonces: each process pruned `request_nonce` by its own clock (`seen_at` older than its now minus
 * twice the allowed skew), while every process accepts a request's time by its own clock. A
 * process whose clock ran ahead deleted nonces another process still accepted the time of: a
 * captured request could be replayed there. Now a nonce keeps the request's own (signed) time,
 * `request_at`, and pruning moves one shared `request_nonce_horizon` forward by the database's
 * clock and deletes only nonces whose request time is below it; a request whose time is below the
 * horizon is refused in the same statement that stores its nonce (sync/hq/auth.ts). Rows written
 * before this migration (no `request_at`) are pruned by `seen_at` against the same horizon.
 *
 * Login and enrolment limits: the failures and the tries in flight were counted in each process's
 * memory, so N processes behind haproxy gave a guesser N budgets, and a restart gave a new one.
 * `auth_try` holds them for every process (sync/hq/auth-limiter.ts): a row per try, in flight
 * until it fails (`failed`) or ends (deleted), pruned once older than the window.
 *
 * Additive: a column, an index and two tables. Shipped once released: never edit it; a change is
 * a new migration.
 */
const migration: HqMigration = {
  version: 21,
  name: 'shared-auth-limits',
  up: async (sql) => {
    await sql.exec(`
      ALTER TABLE request_nonce ADD COLUMN request_at timestamptz;
      CREATE INDEX request_nonce_request_at ON request_nonce (request_at);

      -- One row: nonces of requests older than this are forgotten, and such requests refused.
      CREATE TABLE request_nonce_horizon (
        one      boolean PRIMARY KEY DEFAULT true CHECK (one),
        horizon  timestamptz NOT NULL
      );
      INSERT INTO request_nonce_horizon (horizon) VALUES ('-infinity');

      CREATE TABLE auth_try (
        id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind    text NOT NULL CHECK (kind IN ('admin_login', 'enrol')),
        source  text NOT NULL CHECK (length(source) <= 64),
        at      timestamptz NOT NULL,
        failed  boolean NOT NULL DEFAULT false
      );
      CREATE INDEX auth_try_source ON auth_try (kind, source, at);
      CREATE INDEX auth_try_at ON auth_try (at);
    `);
  },
};

export default migration;
