import type { HqMigration } from '../migrate.js';
import { feedTriggersV1 } from './feed-triggers.js';
import type { FedTable } from './feed-triggers.js';

/**
 * The company's customer book (issue 11).
 *
 * HQ owns every binding, transfer and decision:
 * - `customer_binding`: which guide each customer was bound to, from when to when (kept by a trigger
 *   on `customer.guide_id`), so a sale's service credit is judged as of when it happened.
 * - `customer_profile`: one per customer (made by a trigger): consent, the binding's protection
 *   period, a transfer in its takeover window, purchase figures.
 * - `transfer_batch` / `customer_transfer`: every transfer with its request id and a result per
 *   customer (waiting, done, declined, refused_limit, refused); `staff.left_at` for offboarding.
 * - `customer_request`: a device's bind / new-member / assign request and HQ's decision.
 * - tags, notes, the contact log, all-channel purchases (`online_order` imported at HQ), campaigns and
 *   their tasks, blackout windows, phone reveals (audit), and `guide_result` per staff and month.
 * - A guide who still holds customers cannot be deactivated (a trigger on `staff.active`): only an
 *   offboarding with a transfer rule, which moves them first in the same transaction, can.
 * Fed to the store scope: policy, profiles, tags, notes, contacts, purchases, requests, tasks, results.
 */
const VERSION = 5;

const TABLES = `
  ALTER TABLE staff ADD COLUMN left_at timestamptz;
  CREATE INDEX customer_phone ON customer (phone);
  CREATE INDEX customer_guide ON customer (guide_id) WHERE guide_id IS NOT NULL;

  -- A store's rules; a store without a row has the defaults.
  CREATE TABLE customer_policy (
    store_id         text PRIMARY KEY REFERENCES location(id),
    contact_max      integer NOT NULL DEFAULT 2 CHECK (contact_max BETWEEN 1 AND 100),
    contact_days     integer NOT NULL DEFAULT 7 CHECK (contact_days BETWEEN 1 AND 365),
    takeover_hours   integer NOT NULL DEFAULT 24 CHECK (takeover_hours BETWEEN 0 AND 720),
    protection_days  integer NOT NULL DEFAULT 90 CHECK (protection_days BETWEEN 0 AND 3650),
    updated_at       timestamptz NOT NULL DEFAULT now()
  );

  CREATE TABLE customer_profile (
    customer_id       text PRIMARY KEY REFERENCES customer(id) ON DELETE CASCADE,
    store_id          text NOT NULL,
    consent           boolean NOT NULL DEFAULT true,
    opted_out         boolean NOT NULL DEFAULT false,
    birthday          text CHECK (birthday ~ '^[0-1][0-9]-[0-3][0-9]$'),
    sizes             text NOT NULL DEFAULT '',
    bound_at          timestamptz,
    protected_until   timestamptz,
    takeover_from     text,
    takeover_until    timestamptz,
    last_purchase_at  timestamptz,
    purchases         integer NOT NULL DEFAULT 0,
    spend_fen         bigint NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX customer_profile_store ON customer_profile (store_id, last_purchase_at);

  CREATE TABLE customer_binding (
    customer_id  text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    guide_id     text NOT NULL,
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    PRIMARY KEY (customer_id, valid_from)
  );
  CREATE INDEX customer_binding_guide ON customer_binding (guide_id, valid_from);

  CREATE TABLE customer_tag (
    customer_id  text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    tag          text NOT NULL,
    store_id     text NOT NULL,
    source       text NOT NULL CHECK (source IN ('auto', 'manual')),
    added_by     text,
    added_at     timestamptz NOT NULL,
    PRIMARY KEY (customer_id, tag)
  );
  CREATE INDEX customer_tag_store ON customer_tag (store_id, tag);

  CREATE TABLE customer_note (
    id           text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    store_id     text NOT NULL,
    staff_id     text NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL
  );
  CREATE INDEX customer_note_customer ON customer_note (customer_id, created_at);

  CREATE TABLE customer_contact (
    id           text PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    store_id     text NOT NULL,
    staff_id     text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('call', 'wechat', 'visit', 'sms')),
    outcome      text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'declined', 'bought', 'follow_up')),
    task_id      text,
    note         text NOT NULL DEFAULT '',
    at           timestamptz NOT NULL
  );
  CREATE INDEX customer_contact_customer ON customer_contact (customer_id, at);
  CREATE INDEX customer_contact_store ON customer_contact (store_id, at);

  -- Every purchase of a customer, any channel: store sales (from sale.completed) and imported online orders.
  CREATE TABLE customer_purchase (
    id                text PRIMARY KEY,
    customer_id       text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    store_id          text NOT NULL,
    channel           text NOT NULL CHECK (channel IN ('store', 'mini_program', 'ecommerce')),
    location_id       text,
    ref               text NOT NULL,
    total_fen         bigint NOT NULL,
    items             jsonb NOT NULL DEFAULT '[]',
    sales_staff_id    text,
    service_guide_id  text,
    at                timestamptz NOT NULL
  );
  CREATE INDEX customer_purchase_customer ON customer_purchase (customer_id, at);
  CREATE INDEX customer_purchase_store ON customer_purchase (store_id, at);

  CREATE TABLE online_order (
    order_no          text PRIMARY KEY,
    channel           text NOT NULL CHECK (channel IN ('mini_program', 'ecommerce')),
    customer_id       text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    store_id          text NOT NULL,
    sales_staff_id    text,
    service_guide_id  text,
    total_fen         bigint NOT NULL,
    items             jsonb NOT NULL,
    ordered_at        timestamptz NOT NULL,
    imported_at       timestamptz NOT NULL,
    imported_by       text NOT NULL
  );

  CREATE TABLE customer_request (
    id                text PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('bind', 'new_member', 'assign')),
    store_id          text NOT NULL,
    customer_id       text,
    guide_id          text,
    requested_by      text NOT NULL,
    status            text NOT NULL CHECK (status IN ('done', 'refused')),
    reason            text,
    current_guide_id  text,
    event_id          uuid,
    requested_at      timestamptz NOT NULL,
    decided_at        timestamptz NOT NULL
  );
  CREATE INDEX customer_request_store ON customer_request (store_id, decided_at);

  CREATE TABLE campaign (
    id           text PRIMARY KEY,
    brand        text NOT NULL REFERENCES brand(code),
    kind         text NOT NULL CHECK (kind IN ('reactivate', 'follow_up', 'birthday', 'back_in_stock')),
    name_zh      text NOT NULL,
    name_en      text NOT NULL,
    script_zh    text NOT NULL,
    script_en    text NOT NULL,
    coupon       text,
    params       jsonb NOT NULL DEFAULT '{}',
    store_ids    text[],
    due_days     integer NOT NULL DEFAULT 3,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    generated_at timestamptz,
    tasks        integer NOT NULL DEFAULT 0,
    skipped      jsonb NOT NULL DEFAULT '{}'
  );

  -- No mass campaign's task falls due inside a blackout window (it is moved to the window's end).
  CREATE TABLE contact_blackout (
    id          text PRIMARY KEY,
    brand       text NOT NULL REFERENCES brand(code),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    reason      text NOT NULL
  );

  CREATE TABLE customer_task (
    id             text PRIMARY KEY,
    campaign_id    text REFERENCES campaign(id),
    store_id       text NOT NULL,
    guide_id       text,
    customer_id    text NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    kind           text NOT NULL,
    name_zh        text NOT NULL,
    name_en        text NOT NULL,
    script_zh      text NOT NULL,
    script_en      text NOT NULL,
    coupon         text,
    due_at         timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'snoozed', 'cancelled')),
    snoozed_until  timestamptz,
    outcome        text,
    channel        text,
    done_by        text,
    done_at        timestamptz,
    created_at     timestamptz NOT NULL
  );
  CREATE UNIQUE INDEX customer_task_once ON customer_task (campaign_id, customer_id);
  CREATE INDEX customer_task_customer ON customer_task (customer_id, status, due_at);
  CREATE INDEX customer_task_store ON customer_task (store_id, created_at);

  CREATE TABLE transfer_batch (
    request_id      text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('offboarding', 'rebalance', 'store_move', 'assign')),
    store_id        text,
    from_guide_id   text,
    rule            text NOT NULL CHECK (rule IN ('successor', 'spread', 'pool', 'explicit')),
    reason          text NOT NULL,
    takeover_hours  integer NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL,
    customers       integer NOT NULL
  );

  CREATE TABLE customer_transfer (
    request_id      text NOT NULL REFERENCES transfer_batch(request_id),
    n               integer NOT NULL,
    customer_id     text NOT NULL,
    kind            text NOT NULL,
    from_guide_id   text,
    to_guide_id     text,
    status          text NOT NULL CHECK (status IN ('waiting', 'done', 'declined', 'refused_limit', 'refused')),
    reason          text NOT NULL,
    created_at      timestamptz NOT NULL,
    complete_after  timestamptz,
    completed_at    timestamptz,
    declined_at     timestamptz,
    declined_by     text,
    PRIMARY KEY (request_id, n)
  );
  CREATE INDEX customer_transfer_customer ON customer_transfer (customer_id, created_at);
  CREATE INDEX customer_transfer_waiting ON customer_transfer (complete_after) WHERE status = 'waiting';

  -- Who saw a customer's full phone number, when and why.
  CREATE TABLE customer_reveal (
    event_id     uuid PRIMARY KEY,
    customer_id  text NOT NULL,
    store_id     text NOT NULL,
    staff_id     text,
    device_id    uuid NOT NULL,
    reason       text NOT NULL,
    purpose      text NOT NULL,
    at           timestamptz NOT NULL
  );
  CREATE INDEX customer_reveal_store ON customer_reveal (store_id, at);

  CREATE TABLE guide_result (
    staff_id       text NOT NULL,
    month          text NOT NULL,
    store_id       text NOT NULL,
    sales_fen      bigint NOT NULL DEFAULT 0,
    sales_count    integer NOT NULL DEFAULT 0,
    service_fen    bigint NOT NULL DEFAULT 0,
    service_count  integer NOT NULL DEFAULT 0,
    new_members    integer NOT NULL DEFAULT 0,
    tasks_done     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (staff_id, month)
  );

  -- Member codes of members made on devices: above the range the sample brand and imports use.
  CREATE SEQUENCE member_code_seq START 90000001;
`;

/** The tables 0003 feeds to devices. Written out literally: never derived from code that may change. */
export const FED_TABLES_0005: readonly FedTable[] = [
  {
    table: 'customer_policy',
    feeds: [
      {
        kind: 'customer_policy',
        rank: 14,
        scope: `'store:' || t.store_id`,
        key: 't.store_id',
        keyValues: 'json_build_array(t.store_id)',
        row: 'json_build_array(t.store_id, t.contact_max, t.contact_days, t.takeover_hours, t.protection_days)',
      },
    ],
  },
  {
    table: 'customer_profile',
    feeds: [
      {
        kind: 'customer_profile',
        rank: 15,
        movable: true,
        skipUnchanged: true,
        scope: `'store:' || t.store_id`,
        key: 't.customer_id',
        keyValues: 'json_build_array(t.customer_id)',
        row: `json_build_array(t.customer_id, t.store_id, t.consent, t.opted_out, t.birthday, t.sizes, sf_iso(t.bound_at), sf_iso(t.protected_until),
                t.takeover_from, sf_iso(t.takeover_until), sf_iso(t.last_purchase_at), t.purchases, t.spend_fen)`,
      },
    ],
  },
  {
    table: 'customer_tag',
    feeds: [
      {
        kind: 'customer_tag',
        rank: 16,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: `t.customer_id || '|' || t.tag`,
        keyValues: 'json_build_array(t.customer_id, t.tag)',
        row: 'json_build_array(t.customer_id, t.tag, t.store_id, t.source, sf_iso(t.added_at))',
      },
    ],
  },
  {
    table: 'customer_note',
    feeds: [
      {
        kind: 'customer_note',
        rank: 17,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.customer_id, t.store_id, t.staff_id, t.body, sf_iso(t.created_at))',
      },
    ],
  },
  {
    table: 'customer_contact',
    feeds: [
      {
        kind: 'customer_contact',
        rank: 18,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: 'json_build_array(t.id, t.customer_id, t.store_id, t.staff_id, t.channel, t.outcome, t.task_id, t.note, sf_iso(t.at))',
      },
    ],
  },
  {
    table: 'customer_purchase',
    feeds: [
      {
        kind: 'customer_purchase',
        rank: 19,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: `json_build_array(t.id, t.customer_id, t.store_id, t.channel, t.location_id, t.ref, t.total_fen, t.items::text, t.sales_staff_id,
                t.service_guide_id, sf_iso(t.at))`,
      },
    ],
  },
  {
    table: 'customer_request',
    feeds: [
      {
        kind: 'customer_request',
        rank: 20,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: `json_build_array(t.id, t.kind, t.store_id, t.customer_id, t.guide_id, t.requested_by, t.status, t.reason, t.current_guide_id,
                sf_iso(t.requested_at), sf_iso(t.decided_at))`,
      },
    ],
  },
  {
    table: 'customer_task',
    feeds: [
      {
        kind: 'customer_task',
        rank: 21,
        movable: true,
        scope: `'store:' || t.store_id`,
        key: 't.id',
        keyValues: 'json_build_array(t.id)',
        row: `json_build_array(t.id, t.store_id, t.guide_id, t.customer_id, t.kind, t.name_zh, t.name_en, t.script_zh, t.script_en, t.coupon,
                sf_iso(t.due_at), t.status, sf_iso(t.snoozed_until), t.outcome, sf_iso(t.done_at))`,
      },
    ],
  },
  {
    table: 'guide_result',
    feeds: [
      {
        kind: 'guide_result',
        rank: 22,
        scope: `'store:' || t.store_id`,
        key: `t.staff_id || '|' || t.month`,
        keyValues: 'json_build_array(t.staff_id, t.month)',
        row: `json_build_array(t.staff_id, t.month, t.store_id, t.sales_fen, t.sales_count, t.service_fen, t.service_count, t.new_members,
                t.tasks_done)`,
      },
    ],
  },
];

const TRIGGERS = `
  -- HQ's clock for this transaction (set_config('sf.now', …, true) by the code that moves customers),
  -- else the database's: a binding's times are then the instant HQ decided, also under a test's clock.
  CREATE FUNCTION sf_now() RETURNS timestamptz LANGUAGE sql STABLE AS
    $$ SELECT coalesce(nullif(current_setting('sf.now', true), '')::timestamptz, now()) $$;

  -- A customer made at HQ gets a profile and, with a guide, a binding held from the beginning (a
  -- device's clock may be behind HQ's, like staff_assignment). A guide change closes the binding and
  -- opens the next one now, with the store's protection period, and their open tasks follow; a store change moves the customer's
  -- book with them (the feeds then tombstone it in the old store's scope).
  CREATE FUNCTION sf_customer_book() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO customer_profile (customer_id, store_id, bound_at, protected_until)
        SELECT n.id, n.store_id, CASE WHEN n.guide_id IS NOT NULL THEN n.created_at END,
               CASE WHEN n.guide_id IS NOT NULL THEN n.created_at + make_interval(days => coalesce(pol.protection_days, 90)) END
          FROM new_rows n LEFT JOIN customer_policy pol ON pol.store_id = n.store_id
        ON CONFLICT (customer_id) DO NOTHING;
      INSERT INTO customer_binding (customer_id, guide_id, valid_from)
        SELECT n.id, n.guide_id, '-infinity' FROM new_rows n WHERE n.guide_id IS NOT NULL
        ON CONFLICT (customer_id, valid_from) DO NOTHING;
      RETURN NULL;
    END IF;
    UPDATE customer_binding b SET valid_to = sf_now()
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND b.customer_id = n.id AND b.valid_to IS NULL;
    INSERT INTO customer_binding (customer_id, guide_id, valid_from)
      SELECT n.id, n.guide_id, sf_now() FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.guide_id IS DISTINCT FROM n.guide_id AND n.guide_id IS NOT NULL
      ON CONFLICT (customer_id, valid_from) DO UPDATE SET guide_id = excluded.guide_id, valid_to = NULL;
    UPDATE customer_profile p
       SET bound_at = CASE WHEN n.guide_id IS NULL THEN NULL ELSE sf_now() END,
           protected_until = CASE WHEN n.guide_id IS NULL THEN NULL
                                  ELSE sf_now() + make_interval(days => coalesce(pol.protection_days, 90)) END,
           updated_at = sf_now()
      FROM old_rows o JOIN new_rows n ON n.id = o.id LEFT JOIN customer_policy pol ON pol.store_id = n.store_id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND p.customer_id = n.id;
    -- Open tasks follow the customer to their new guide (or to the pool, for the manager).
    UPDATE customer_task t SET guide_id = n.guide_id
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.guide_id IS DISTINCT FROM n.guide_id AND t.customer_id = n.id AND t.status IN ('open', 'snoozed');
    -- EXCEPT hashes: an EXISTS over a join of the two transition tables was planned as a nested loop (5,000 rows: 25 million pairs).
    IF EXISTS (SELECT id, store_id FROM old_rows EXCEPT SELECT id, store_id FROM new_rows) THEN
      UPDATE customer_profile x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_tag x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_note x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_contact x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_purchase x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
      UPDATE customer_task x SET store_id = n.store_id FROM new_rows n WHERE x.customer_id = n.id AND x.store_id <> n.store_id;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER customer_book_insert AFTER INSERT ON customer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sf_customer_book();
  CREATE TRIGGER customer_book_update AFTER UPDATE ON customer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sf_customer_book();

  -- Never deactivate a guide before their customers are placed: only an offboarding with a transfer
  -- rule (which moves them first, in the same transaction) gets past this.
  CREATE FUNCTION sf_staff_keeps_customers() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE held integer;
  BEGIN
    SELECT count(*) INTO held FROM customer WHERE guide_id = NEW.id;
    IF held > 0 THEN
      RAISE EXCEPTION 'staff % still holds % customer(s): offboard them with a transfer rule (successor, spread or pool) instead', NEW.id, held
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER staff_keeps_customers BEFORE UPDATE OF active ON staff
    FOR EACH ROW WHEN (OLD.active AND NOT NEW.active) EXECUTE FUNCTION sf_staff_keeps_customers();
`;

const BACKFILL = `
  INSERT INTO customer_profile (customer_id, store_id, bound_at, protected_until)
    SELECT id, store_id, CASE WHEN guide_id IS NOT NULL THEN created_at END,
           CASE WHEN guide_id IS NOT NULL THEN created_at + interval '90 days' END FROM customer;
  INSERT INTO customer_binding (customer_id, guide_id, valid_from) SELECT id, guide_id, '-infinity' FROM customer WHERE guide_id IS NOT NULL;
`;

const migration: HqMigration = {
  version: VERSION,
  name: 'customer-book',
  up: async (sql) => {
    await sql.exec(TABLES);
    for (const { table, feeds } of FED_TABLES_0005) await sql.exec(feedTriggersV1(table, feeds));
    // After the feed triggers: the backfilled profiles reach the devices like any later write.
    await sql.exec(BACKFILL);
    await sql.exec(TRIGGERS);
  },
};

/**
 * The body of `sf_customer_book()` as this migration made it (what pg_proc.prosrc holds): the bulk
 * loader reproduces its INSERT branch, and checks first that the database's function is this one.
 */
export function customerBookFunctionSource(): string {
  const body = TRIGGERS.split('CREATE FUNCTION sf_customer_book() RETURNS trigger LANGUAGE plpgsql AS $$')[1]?.split('$$;')[0];
  if (body === undefined) throw new Error('migration 0005 has no sf_customer_book()');
  return body;
}

export default migration;
