import type { Database } from 'better-sqlite3-multiple-ciphers';

/**
 * Representative rows for the device store at each schema version, for upgrade tests
 * (store-upgrade.ts). Each version's rows are plain SQL in the schema that version shipped with:
 * a store in the field was written by the app of its time, so these must never go through
 * today's services. Rows reach into older tables (a sale of a v1 customer by a v1 cashier), so an
 * upgrade that broke a reference shows. A new migration N adds `N: (db) => …` for its own tables.
 */
const ROWS_BY_VERSION: Record<number, (db: Database) => void> = {
  1: (db) =>
    db.exec(`
      INSERT INTO meta (key, value) VALUES ('device_id', '01900000-0000-7000-8000-00000000d001'), ('store_id', 'loc-S001');
      INSERT INTO location (id, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone) VALUES
        ('loc-S001', 'store', 'S001', '南京西路店', 'West Nanjing Rd', '上海', 'Shanghai', 31.2304, 121.4737, 'Asia/Shanghai'),
        ('loc-W001', 'warehouse', 'W001', '华东仓', 'East China DC', '苏州', 'Suzhou', 31.2989, 120.5853, 'Asia/Shanghai');
      INSERT INTO staff (id, store_id, code, name, role, active) VALUES
        ('stf-01', 'loc-S001', 'S001-01', '王经理', 'manager', 1),
        ('stf-02', 'loc-S001', 'S001-02', '李收银', 'cashier', 1),
        ('stf-04', 'loc-S001', 'S001-04', '陈导购', 'guide', 0);
      INSERT INTO style (code, brand, name_zh, name_en, category_zh, category_en, season, price_fen) VALUES
        ('SF25W0001', 'SF', '羽绒服', 'Down coat', '外套', 'Outerwear', '25W', 129900);
      INSERT INTO sku (sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active) VALUES
        ('SF25W0001-001-S', 'SF25W0001', '001', '黑色', 'Black', 'S', 1, '6971111376183', 129900, 1),
        ('SF25W0001-001-M', 'SF25W0001', '001', '黑色', 'Black', 'M', 2, '6971111376190', 129900, 0);
      INSERT INTO stock (location_id, sku, qty, updated_at) VALUES
        ('loc-S001', 'SF25W0001-001-S', 3, '2025-01-02T03:04:05.678Z'),
        ('loc-W001', 'SF25W0001-001-M', -1, '2025-01-02T03:04:05.678Z');
      INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES
        ('cus-1', 'loc-S001', '王小明', '13800138000', 'gold', 1200, 'stf-04', '2024-12-31T16:00:00.000Z'),
        ('cus-2', 'loc-S001', 'Amy Zhang', '13900139000', 'blue', 0, NULL, '2025-01-01T00:00:00.000Z');
      INSERT INTO setting (key, value, updated_at) VALUES ('printer', '{"kind":"tcp","host":"127.0.0.1"}', '2025-01-02T03:04:05.678Z');
      INSERT INTO outbox (id, type, payload, staff_id, device_id, store_id, occurred_at) VALUES
        ('01900000-0000-7000-8000-0000000e0001', 'sale.completed', '{"saleId":"sal-1","totalFen":129900}', 'stf-02',
         '01900000-0000-7000-8000-00000000d001', 'loc-S001', '2025-01-02T03:04:05.678Z'),
        ('01900000-0000-7000-8000-0000000e0002', 'device.heartbeat', '{}', NULL,
         '01900000-0000-7000-8000-00000000d001', 'loc-S001', '2025-01-02T03:05:00.000Z');
    `),
  2: (db) =>
    db.exec(`
      INSERT INTO print_job (id, kind, document, state, held_reason, delivered, attempts, last_error, copy, reprint_of, kick_drawer,
                             receipt_no, created_at, updated_at, printed_at) VALUES
        ('01900000-0000-7000-8000-0000000f0001', 'receipt', '{"lines":["南京西路店","羽绒服 ￥1,299.00"]}', 'done', NULL, 1, 1, NULL, 0, NULL, 1,
         'D1-20250102-0001', '2025-01-02T03:04:06.000Z', '2025-01-02T03:04:07.000Z', '2025-01-02T03:04:07.000Z'),
        ('01900000-0000-7000-8000-0000000f0002', 'receipt', '{"lines":[]}', 'held', 'paper_end', 0, 2, 'paper out', 1,
         '01900000-0000-7000-8000-0000000f0001', 0, 'D1-20250102-0001', '2025-01-02T03:10:00.000Z', '2025-01-02T03:10:05.000Z', NULL);
    `),
  3: (db) =>
    db.exec(`
      INSERT INTO staff_credential (staff_id, pin_salt, pin_hash, failed_attempts, locked_until) VALUES
        ('stf-02', 'c2FsdA==', 'aGFzaA==', 2, '2025-01-02T03:20:00.000Z');
      INSERT INTO member_code (code, customer_id) VALUES ('M00000001', 'cus-1');
      INSERT INTO promotion (id, kind, name_zh, name_en, scope, percent_bp, price_fen, threshold_fen, off_fen, repeat, coupons_allowed,
                             with_item_promotions, valid_from, valid_until) VALUES
        ('pro-1', 'spend_threshold', '满1000减100', '100 off 1000', '{"styles":["SF25W0001"]}', 0, 0, 100000, 10000, 1, 1, 0,
         '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z');
      INSERT INTO coupon (code, customer_id, kind, name_zh, name_en, value_fen, threshold_fen, percent_bp, stackable, valid_from, valid_until, hq_status) VALUES
        ('CPN-00000001-111', 'cus-1', 'amount', '1.1元券', '¥1.1 coupon', 110, 0, 0, 1, '2025-01-01T00:00:00.000Z', '2025-12-31T00:00:00.000Z', 'issued'),
        ('CPN-15-PCT', NULL, 'percent', '85折', '15% off', 0, 0, 1500, 0, '2025-01-01T00:00:00.000Z', '2025-12-31T00:00:00.000Z', 'used');
      INSERT INTO till_session (id, business_day, opened_at, opened_by, float_fen, closed_at, closed_by, counted, blind) VALUES
        ('ses-1', '2025-01-02', '2025-01-02T01:00:00.000Z', 'stf-01', 50000, NULL, NULL, NULL, 0),
        ('ses-0', '2025-01-01', '2025-01-01T01:00:00.000Z', 'stf-01', 50000, '2025-01-01T13:00:00.000Z', 'stf-01', '{"10000":5}', 1);
      INSERT INTO cash_movement (id, session_id, kind, amount_fen, reason, staff_id, at) VALUES
        ('cm-1', 'ses-1', 'paid_out', 2000, '买水', 'stf-01', '2025-01-02T02:00:00.000Z');
      INSERT INTO receipt_counter (business_day, last_seq) VALUES ('2025-01-02', 2);
      INSERT INTO sale (id, receipt_no, kind, session_id, business_day, staff_id, customer_id, original_sale_id, subtotal_fen, discount_fen,
                        total_fen, refund_fen, net_fen, change_fen, points_redeemed, points_value_fen, points_earned, offline, created_at) VALUES
        ('sal-1', 'D1-20250102-0001', 'sale', 'ses-1', '2025-01-02', 'stf-02', 'cus-1', NULL, 129900, 110, 129790, 0, 129790, 210,
         100, 100, 1297, 1, '2025-01-02T03:04:05.678Z'),
        ('sal-2', 'D1-20250102-0002', 'return', 'ses-1', '2025-01-02', 'stf-02', 'cus-1', 'sal-1', 0, 0, 0, 129790, -129790, 0,
         0, 0, 0, 0, '2025-01-02T05:00:00.000Z');
      INSERT INTO sale_line (id, sale_id, line_no, sku, name_zh, name_en, colour_zh, colour_en, size, qty, list_unit_fen, unit_fen,
                             discount_fen, total_fen, detail, original_line_id) VALUES
        ('sl-1', 'sal-1', 1, 'SF25W0001-001-S', '羽绒服', 'Down coat', '黑色', 'Black', 'S', 1, 129900, 129900, 110, 129790, '{"coupons":["CPN-00000001-111"]}', NULL),
        ('sl-2', 'sal-2', 1, 'SF25W0001-001-S', '羽绒服', 'Down coat', '黑色', 'Black', 'S', -1, 129900, 129900, 110, -129790, '{}', 'sl-1');
      INSERT INTO sale_tender (id, sale_id, method, amount_fen, given_fen, change_fen, reference) VALUES
        ('st-1', 'sal-1', 'cash', 129790, 130000, 210, NULL),
        ('st-2', 'sal-2', 'cash', -129790, NULL, NULL, NULL);
      INSERT INTO sale_coupon (sale_id, code, discount_fen, offline) VALUES ('sal-1', 'CPN-00000001-111', 110, 1);
      INSERT INTO coupon_use (code, sale_id, used_at, offline) VALUES ('CPN-00000001-111', 'sal-1', '2025-01-02T03:04:05.678Z', 1);
      INSERT INTO points_use (sale_id, customer_id, points, offline) VALUES ('sal-1', 'cus-1', 100, 1);
      INSERT INTO parked_cart (id, staff_id, note, cart, parked_at) VALUES ('pc-1', 'stf-02', '试衣间', '{"lines":[{"sku":"SF25W0001-001-M","qty":1}]}', '2025-01-02T04:00:00.000Z');
    `),
  4: (db) =>
    db.exec(`
      INSERT INTO hq_device (device_id, store_id, receipt_code, status, profile) VALUES
        ('01900000-0000-7000-8000-00000000d001', 'loc-S001', 'D1', 'active', '{"printer":{"kind":"tcp"}}');
      INSERT INTO sync_cursor (scope, cursor, applied, total, done, updated_at) VALUES
        ('brand:SF', '812:3:SF25W0001-001-S', 200000, 200000, 1, '2025-01-02T00:00:00.000Z'),
        ('store:loc-S001', '', 150, 5000, 0, '2025-01-02T00:00:01.000Z');
      INSERT INTO dead_letter (id, type, payload, staff_id, device_id, store_id, occurred_at, reason, message, rejected_at, reported_at) VALUES
        ('01900000-0000-7000-8000-0000000e0009', 'sale.completed', '{"saleId":"sal-9"}', 'stf-02', '01900000-0000-7000-8000-00000000d001',
         'loc-S001', '2025-01-01T10:00:00.000Z', 'invalid', 'unknown sku', '2025-01-02T00:00:02.000Z', NULL);
    `),
  5: (db) =>
    db.exec(`
      INSERT INTO store_policy (store_id, offline_redeem, offline_points_per_day, offline_coupons_per_day) VALUES ('loc-S001', 'limit', 5000, 2);
      INSERT INTO sale_settlement (sale_id, customer_id, points_burnt, points_earned, conflict, at_risk_fen, settled_at) VALUES
        ('sal-1', 'cus-1', 100, 1297, NULL, 0, '2025-01-03T00:00:00.000Z');
    `),
  6: (db) =>
    db.exec(`
      INSERT INTO payment_intent (id, cart_id, kind, method, amount_fen, original_ref, state, provider_ref, sale_id, detail, created_at, updated_at) VALUES
        ('01900000-0000-7000-8000-0000000c0001', 'cart-1', 'charge', 'wechat', 129790, NULL, 'settled', 'WX-1', 'sal-1', NULL,
         '2025-01-02T03:04:00.000Z', '2025-01-02T03:04:05.678Z');
      UPDATE sale_tender SET instead_of = 'card' WHERE id = 'st-2';
    `),
  7: (db) =>
    db.exec(`
      INSERT INTO customer_policy (store_id, contact_max, contact_days, takeover_hours, protection_days) VALUES ('loc-S001', 2, 7, 24, 90);
      INSERT INTO customer_profile (customer_id, store_id, consent, opted_out, birthday, sizes, bound_at, protected_until, takeover_from,
                                    takeover_until, last_purchase_at, purchases, spend_fen) VALUES
        ('cus-1', 'loc-S001', 1, 0, '05-20', 'M', '2024-12-31T16:00:00.000Z', '2025-03-31T16:00:00.000Z', 'stf-01', '2025-01-03T00:00:00.000Z',
         '2025-01-02T03:04:05.678Z', 1, 129790);
      INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) VALUES
        ('cus-1', 'VIP', 'loc-S001', 'manual', '2025-01-02T04:00:00.000Z'), ('cus-1', 'size:M', 'loc-S001', 'auto', '2025-01-02T04:00:00.000Z');
      INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at) VALUES
        ('01900000-0000-7000-8000-0000000a0001', 'cus-1', 'loc-S001', 'stf-04', '喜欢黑色外套', '2025-01-02T04:00:00.000Z');
      INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at) VALUES
        ('01900000-0000-7000-8000-0000000a0002', 'cus-1', 'loc-S001', 'stf-04', 'wechat', 'reached', 'tsk-1', '', '2025-01-03T02:00:00.000Z');
      INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, sales_staff_id, service_guide_id, at)
        VALUES ('sal-1', 'cus-1', 'loc-S001', 'store', 'loc-S001', 'D1-20250102-0001', 129790, '[{"sku":"SF25W0001-001-S","qty":1}]', 'stf-02',
                'stf-04', '2025-01-02T03:04:05.678Z');
      INSERT INTO customer_request (id, kind, store_id, customer_id, guide_id, requested_by, status, reason, current_guide_id, requested_at,
                                    decided_at, name, phone) VALUES
        ('01900000-0000-7000-8000-0000000a0004', 'new_member', 'loc-S001', '01900000-0000-7000-8000-0000000c0001', 'stf-04', 'stf-04', 'pending',
         NULL, NULL, '2025-01-03T03:00:00.000Z', NULL, '赵新', '13600136000');
      INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status,
                                 snoozed_until, outcome, done_at) VALUES
        ('tsk-1', 'loc-S001', 'stf-04', 'cus-1', 'follow_up_3', '3天回访', 'Day-3 follow-up', '您好…', 'Hello…', NULL, '2025-01-05T00:00:00.000Z',
         'done', NULL, 'reached', '2025-01-03T02:00:00.000Z'),
        ('tsk-2', 'loc-S001', 'stf-04', 'cus-1', 'follow_up_15', '15天回访', 'Day-15 follow-up', '您好…', 'Hello…', 'CPN-15-PCT',
         '2025-01-17T00:00:00.000Z', 'snoozed', '2025-01-20T00:00:00.000Z', NULL, NULL);
      INSERT INTO guide_result (staff_id, month, store_id, sales_fen, sales_count, service_fen, service_count, new_members, tasks_done) VALUES
        ('stf-04', '2025-01', 'loc-S001', 0, 0, 129790, 1, 1, 1);
    `),
  // Migration 8 rebuilt `sku` (its EAN's uniqueness became a named index): no new table, nothing new to seed.
  8: () => {},
  // Migration 9 gave customer_next its guide (kept by triggers from customer and customer_task): no new table.
  9: () => {},
  // Migration 10 made the task update trigger conditional: no new table.
  10: () => {},
  // Migration 11: the device-local count of phone reveals (a row, so a later upgrade test sees it kept).
  11: (db) =>
    db.exec(`
      INSERT INTO phone_reveal (staff_id, customer_id, at) VALUES ('stf-01', 'cus-1', '2025-01-03T04:00:00.000Z');
    `),
  // Migration 12 numbered the sales in the order the till wrote them (sale.commit_seq): no new table.
  12: () => {},
  // Migration 13: the device-local count of lookups by a full number that found nobody.
  13: (db) =>
    db.exec(`
      INSERT INTO phone_lookup (staff_id, at) VALUES ('stf-01', '2025-01-03T05:00:00.000Z');
    `),
  // Migration 14: the till instances' leases, and the owner of a payment intent (a charge still open).
  14: (db) =>
    db.exec(`
      INSERT INTO till_lease (id, started_at, expires_at, released_at) VALUES
        ('01900000-0000-7000-8000-0000000b0001', '2025-01-03T06:00:00.000Z', '2025-01-03T06:01:00.000Z', NULL);
      INSERT INTO payment_intent (id, cart_id, kind, method, amount_fen, original_ref, state, provider_ref, sale_id, detail, created_at, updated_at, owner)
        VALUES ('01900000-0000-7000-8000-0000000c0002', 'cart-2', 'charge', 'alipay', 5000, NULL, 'paid', 'AP-2', NULL, NULL,
         '2025-01-03T06:00:10.000Z', '2025-01-03T06:00:11.000Z', '01900000-0000-7000-8000-0000000b0001');
    `),
};

/** Writes representative rows for every table of versions 1..`version` (the store must be at `version`). */
export function seedStoreRows(db: Database, version: number): void {
  db.transaction(() => {
    for (let v = 1; v <= version; v++) {
      const rows = ROWS_BY_VERSION[v];
      if (!rows) throw new Error(`store-rows.ts has no rows for version ${v}: add them with migration ${v}`);
      rows(db);
    }
  })();
}

/** Writes the representative rows of one version only (the store must be at it or later). */
export function seedVersionRows(db: Database, version: number): void {
  const rows = ROWS_BY_VERSION[version];
  if (!rows) throw new Error(`store-rows.ts has no rows for version ${version}`);
  db.transaction(() => rows(db))();
}

/** The tables of `rows` that hold no row: a seed meant to be representative leaves none. */
export function emptyTables(rows: Record<string, unknown[]>): string[] {
  return Object.entries(rows)
    .filter(([, r]) => r.length === 0)
    .map(([t]) => t);
}
