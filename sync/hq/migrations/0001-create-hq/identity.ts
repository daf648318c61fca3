import type { FedTable } from '../feed-triggers.js';

/**
 * Who may talk to HQ: enrolled devices (their profile is fed to the device's own scope),
 * enrolment codes, the nonces of signed requests, admin users and their tokens.
 *
 * Part of HQ migration 0001, which has shipped: this SQL text is, byte for byte, what 0001 ran
 * on every HQ database (0001-create-hq-sql.test.ts pins it, indentation included). Never edit
 * it; change the schema with a new migration.
 */
export const IDENTITY_TABLES = `
      CREATE TABLE device (
        id              uuid PRIMARY KEY,
        store_id        text NOT NULL REFERENCES location(id),
        public_key      text NOT NULL,
        receipt_code    text NOT NULL,
        status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
        profile         jsonb NOT NULL DEFAULT '{}',
        app_version     text NOT NULL,
        hostname        text NOT NULL,
        enrolled_at     timestamptz NOT NULL DEFAULT now(),
        key_rotated_at  timestamptz,
        revoked_at      timestamptz,
        last_seen_at    timestamptz,
        UNIQUE (store_id, receipt_code)
      );

      -- One-time codes IT hands to a store; stored hashed, single use, expiring.
      CREATE TABLE enrolment_code (
        code_hash   text PRIMARY KEY,
        store_id    text NOT NULL REFERENCES location(id),
        created_by  text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        device_id   uuid
      );

      -- Nonces of signed requests seen within the clock-skew window: a replay is refused.
      CREATE TABLE request_nonce (
        device_id  uuid NOT NULL,
        nonce      text NOT NULL,
        seen_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX request_nonce_seen ON request_nonce (seen_at);

      CREATE TABLE admin_user (
        name           text PRIMARY KEY,
        password_salt  text NOT NULL,
        password_hash  text NOT NULL
      );
      CREATE TABLE admin_token (
        token_hash  text PRIMARY KEY,
        admin       text NOT NULL REFERENCES admin_user(name),
        expires_at  timestamptz NOT NULL
      );
`;

export const IDENTITY_FEEDS: readonly FedTable[] = [
  {
    table: 'device',
    feeds: [
      {
        kind: 'device_profile',
        rank: 11,
        skipUnchanged: true,
        scope: `'device:' || t.id`,
        key: 't.id::text',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.store_id, t.receipt_code, t.status, t.profile::text)',
      },
    ],
  },
];
