/**
 * What devices push: events (applied exactly once) and their effects (sales with lines and
 * tenders, cash movements), and the dead letters devices report. Nothing here is fed back.
 *
 * Part of HQ migration 0001, which has shipped: this SQL text is, byte for byte, what 0001 ran
 * on every HQ database (0001-create-hq-sql.test.ts pins it, indentation included). Never edit
 * it; change the schema with a new migration.
 */
export const SALES_TABLES = `
      -- Every event a device pushed, applied exactly once: the id is the idempotency key.
      -- hq_seq and received_at are HQ's order; occurred_at is the device's clock, only recorded.
      CREATE TABLE event (
        id           uuid PRIMARY KEY,
        hq_seq       bigserial UNIQUE,
        type         text NOT NULL,
        device_id    uuid NOT NULL REFERENCES device(id),
        store_id     text NOT NULL,
        staff_id     text,
        payload      jsonb NOT NULL,
        occurred_at  timestamptz NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_device ON event (device_id, hq_seq);

      CREATE TABLE sale (
        id                text PRIMARY KEY,
        event_id          uuid NOT NULL UNIQUE REFERENCES event(id),
        receipt_no        text NOT NULL UNIQUE,
        kind              text NOT NULL,
        store_id          text NOT NULL,
        device_id         uuid NOT NULL,
        staff_id          text NOT NULL,
        customer_id       text,
        original_sale_id  text,
        business_day      date NOT NULL,
        total_fen         bigint NOT NULL,
        net_fen           bigint NOT NULL,
        offline           boolean NOT NULL,
        created_at        timestamptz NOT NULL,
        received_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sale_store_day ON sale (store_id, business_day);

      CREATE TABLE sale_line (
        id          text PRIMARY KEY,
        sale_id     text NOT NULL REFERENCES sale(id),
        sku         text NOT NULL,
        qty         integer NOT NULL,
        unit_fen    bigint NOT NULL,
        total_fen   bigint NOT NULL
      );
      CREATE INDEX sale_line_sale ON sale_line (sale_id);

      CREATE TABLE sale_tender (
        sale_id     text NOT NULL REFERENCES sale(id),
        n           integer NOT NULL,
        method      text NOT NULL,
        amount_fen  bigint NOT NULL,
        reference   text,
        PRIMARY KEY (sale_id, n)
      );

      CREATE TABLE cash_movement (
        id          text PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE REFERENCES event(id),
        store_id    text NOT NULL,
        device_id   uuid NOT NULL,
        session_id  text NOT NULL,
        kind        text NOT NULL,
        amount_fen  bigint NOT NULL,
        staff_id    text
      );

      -- What devices put on their dead-letter lists (reported, for IT).
      CREATE TABLE dead_letter (
        device_id    uuid NOT NULL REFERENCES device(id),
        event_id     text NOT NULL,
        type         text NOT NULL,
        reason       text NOT NULL,
        message      text NOT NULL,
        occurred_at  timestamptz NOT NULL,
        rejected_at  timestamptz NOT NULL,
        reported_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, event_id)
      );
`;
