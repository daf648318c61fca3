/**
 * The change log every feed trigger writes (see ../feed-triggers.ts), and sf_iso(), the
 * timestamp form the device stores and compares as text.
 *
 * Part of HQ migration 0001, which has shipped: this SQL text is, byte for byte, what 0001 ran
 * on every HQ database (0001-create-hq-sql.test.ts pins it, indentation included). Never edit
 * it; change the schema with a new migration.
 */
export const CHANGE_LOG_TABLES = `
      -- ISO-8601 UTC with milliseconds: the form the device stores and compares as text.
      CREATE FUNCTION sf_iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
        $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

      -- The change log: the latest state of every entity per scope, stamped with the id of the
      -- transaction that wrote it. Feeds are read below the oldest running transaction
      -- (pg_snapshot_xmin), so a transaction that commits late is never skipped.
      CREATE TABLE change (
        scope    text NOT NULL,
        kind     text NOT NULL,
        key      text NOT NULL,
        rank     smallint NOT NULL,
        xid      xid8 NOT NULL,
        row      json NOT NULL,
        deleted  boolean NOT NULL,
        PRIMARY KEY (scope, kind, key)
      );
      CREATE INDEX change_feed ON change (scope, xid, rank, key);
`;
