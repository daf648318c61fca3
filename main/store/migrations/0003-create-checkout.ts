import type { Migration } from '../migrate.js';

/**
 * Checkout: staff credentials and lockout, members' codes, promotions and coupons (pulled from HQ;
 * sample data for now), the till's business days and cash movements, sales with their lines and
 * tenders, this device's coupon use (spent once per device), parked carts and receipt numbers.
 */
const migration: Migration = {
  version: 3,
  name: 'create-checkout',
  up: (db) => {
    db.exec(`
      -- PIN hashes come with the staff pull from HQ; lockout state is this device's own.
      CREATE TABLE staff_credential (
        staff_id         TEXT PRIMARY KEY REFERENCES staff(id),
        pin_salt         TEXT NOT NULL,
        pin_hash         TEXT NOT NULL,
        failed_attempts  INTEGER NOT NULL DEFAULT 0,
        locked_until     TEXT
      ) WITHOUT ROWID;

      -- What a member's QR carries (M + digits), per customer.
      CREATE TABLE member_code (
        code         TEXT PRIMARY KEY,
        customer_id  TEXT NOT NULL UNIQUE REFERENCES customer(id)
      ) WITHOUT ROWID;

      CREATE TABLE promotion (
        id                    TEXT PRIMARY KEY,
        kind                  TEXT NOT NULL CHECK (kind IN ('percent_off', 'fixed_price', 'spend_threshold')),
        name_zh               TEXT NOT NULL,
        name_en               TEXT NOT NULL,
        scope                 TEXT NOT NULL CHECK (json_valid(scope)),
        percent_bp            INTEGER NOT NULL DEFAULT 0,
        price_fen             INTEGER NOT NULL DEFAULT 0,
        threshold_fen         INTEGER NOT NULL DEFAULT 0,
        off_fen               INTEGER NOT NULL DEFAULT 0,
        repeat                INTEGER NOT NULL DEFAULT 0,
        coupons_allowed       INTEGER NOT NULL DEFAULT 1,
        with_item_promotions  INTEGER NOT NULL DEFAULT 1,
        valid_from            TEXT NOT NULL,
        valid_until           TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Coupons as HQ last reported them (hq_status); this device's own spending is coupon_use.
      CREATE TABLE coupon (
        code           TEXT PRIMARY KEY,
        customer_id    TEXT REFERENCES customer(id),
        kind           TEXT NOT NULL CHECK (kind IN ('amount', 'threshold', 'percent')),
        name_zh        TEXT NOT NULL,
        name_en        TEXT NOT NULL,
        value_fen      INTEGER NOT NULL DEFAULT 0,
        threshold_fen  INTEGER NOT NULL DEFAULT 0,
        percent_bp     INTEGER NOT NULL DEFAULT 0,
        stackable      INTEGER NOT NULL DEFAULT 1,
        valid_from     TEXT NOT NULL,
        valid_until    TEXT NOT NULL,
        hq_status      TEXT NOT NULL DEFAULT 'issued' CHECK (hq_status IN ('issued', 'used', 'revoked'))
      ) WITHOUT ROWID;
      CREATE INDEX coupon_customer ON coupon(customer_id);

      -- The primary key is the rule: a coupon is spent at most once on this device.
      CREATE TABLE coupon_use (
        code      TEXT PRIMARY KEY REFERENCES coupon(code),
        sale_id   TEXT NOT NULL,
        used_at   TEXT NOT NULL,
        offline   INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- One row per business day of this till: opened with a float, closed by the Z report.
      CREATE TABLE till_session (
        id            TEXT PRIMARY KEY,
        business_day  TEXT NOT NULL,
        opened_at     TEXT NOT NULL,
        opened_by     TEXT NOT NULL,
        float_fen     INTEGER NOT NULL CHECK (float_fen >= 0),
        closed_at     TEXT,
        closed_by     TEXT,
        counted       TEXT CHECK (counted IS NULL OR json_valid(counted)),
        blind         INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      -- At most one open day per device.
      CREATE UNIQUE INDEX till_session_open ON till_session(closed_at IS NULL) WHERE closed_at IS NULL;

      CREATE TABLE cash_movement (
        id          TEXT PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES till_session(id),
        kind        TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'no_sale')),
        amount_fen  INTEGER NOT NULL CHECK (amount_fen >= 0),
        reason      TEXT NOT NULL,
        staff_id    TEXT NOT NULL,
        at          TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX cash_movement_session ON cash_movement(session_id);

      CREATE TABLE receipt_counter (
        business_day  TEXT PRIMARY KEY,
        last_seq      INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE sale (
        id                 TEXT PRIMARY KEY,
        receipt_no         TEXT NOT NULL UNIQUE,
        kind               TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'exchange')),
        session_id         TEXT NOT NULL REFERENCES till_session(id),
        business_day       TEXT NOT NULL,
        staff_id           TEXT NOT NULL,
        customer_id        TEXT,
        original_sale_id   TEXT REFERENCES sale(id),
        subtotal_fen       INTEGER NOT NULL,
        discount_fen       INTEGER NOT NULL,
        total_fen          INTEGER NOT NULL,
        refund_fen         INTEGER NOT NULL,
        net_fen            INTEGER NOT NULL,
        change_fen         INTEGER NOT NULL,
        points_redeemed    INTEGER NOT NULL DEFAULT 0,
        points_value_fen   INTEGER NOT NULL DEFAULT 0,
        points_earned      INTEGER NOT NULL DEFAULT 0,
        offline            INTEGER NOT NULL,
        created_at         TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sale_day ON sale(business_day, created_at);
      CREATE INDEX sale_customer ON sale(customer_id, created_at);
      CREATE INDEX sale_original ON sale(original_sale_id);

      -- qty < 0 for returned units; original_line_id ties a return to what was sold.
      CREATE TABLE sale_line (
        id                TEXT PRIMARY KEY,
        sale_id           TEXT NOT NULL REFERENCES sale(id),
        line_no           INTEGER NOT NULL,
        sku               TEXT NOT NULL,
        name_zh           TEXT NOT NULL,
        name_en           TEXT NOT NULL,
        colour_zh         TEXT NOT NULL,
        colour_en         TEXT NOT NULL,
        size              TEXT NOT NULL,
        qty               INTEGER NOT NULL CHECK (qty <> 0),
        list_unit_fen     INTEGER NOT NULL,
        unit_fen          INTEGER NOT NULL,
        discount_fen      INTEGER NOT NULL,
        total_fen         INTEGER NOT NULL,
        detail            TEXT NOT NULL CHECK (json_valid(detail)),
        original_line_id  TEXT REFERENCES sale_line(id)
      ) WITHOUT ROWID;
      CREATE INDEX sale_line_sale ON sale_line(sale_id, line_no);
      CREATE INDEX sale_line_original ON sale_line(original_line_id);

      -- amount_fen < 0 for refunds.
      CREATE TABLE sale_tender (
        id          TEXT PRIMARY KEY,
        sale_id     TEXT NOT NULL REFERENCES sale(id),
        method      TEXT NOT NULL CHECK (method IN ('cash', 'card', 'external', 'wechat', 'alipay')),
        amount_fen  INTEGER NOT NULL,
        given_fen   INTEGER,
        change_fen  INTEGER,
        reference   TEXT
      ) WITHOUT ROWID;
      CREATE INDEX sale_tender_sale ON sale_tender(sale_id);

      CREATE TABLE sale_coupon (
        sale_id       TEXT NOT NULL REFERENCES sale(id),
        code          TEXT NOT NULL,
        discount_fen  INTEGER NOT NULL,
        offline       INTEGER NOT NULL,
        PRIMARY KEY (sale_id, code)
      ) WITHOUT ROWID;

      -- Points this device spent since HQ's last figure (customer.points is HQ's).
      CREATE TABLE points_use (
        sale_id      TEXT PRIMARY KEY REFERENCES sale(id),
        customer_id  TEXT NOT NULL,
        points       INTEGER NOT NULL,
        offline      INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX points_use_customer ON points_use(customer_id);

      -- Carts put aside at this till (device-local working state, not a business fact).
      CREATE TABLE parked_cart (
        id         TEXT PRIMARY KEY,
        staff_id   TEXT NOT NULL,
        note       TEXT NOT NULL,
        cart       TEXT NOT NULL CHECK (json_valid(cart)),
        parked_at  TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};

export default migration;
