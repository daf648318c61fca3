import type { HqDb } from '../db.js';

/**
 * Representative rows for the HQ database at each schema version, for upgrade tests
 * (hq-upgrade.ts). Each version's rows are plain SQL in the schema that version shipped with: an
 * HQ database in the field was written by the HQ of its time, so these must never go through
 * today's code (importSampleBrand, the push handler …), which writes today's schema. The feed
 * triggers turn them into `change` rows too, so an upgrade that broke the feed shows. A new
 * migration N adds `N: \`…\`` for its own tables.
 */
const CUSTOMER_BOOK_ROWS = `
    INSERT INTO customer_policy (store_id, contact_max, contact_days, takeover_hours, protection_days) VALUES ('loc-S001', 3, 14, 0, 30);
    UPDATE customer_profile SET birthday = '05-20', sizes = 'M', last_purchase_at = '2025-01-02T03:04:05.678Z', purchases = 1, spend_fen = 129790
     WHERE customer_id = 'cus-1';
    INSERT INTO customer_tag (customer_id, tag, store_id, source, added_by, added_at) VALUES
      ('cus-1', 'VIP', 'loc-S001', 'manual', 'stf-04', '2025-01-02T04:00:00Z'),
      ('cus-1', 'size:M', 'loc-S001', 'auto', NULL, '2025-01-02T04:00:00Z');
    INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at) VALUES
      ('01900000-0000-7000-8000-0000000a0001', 'cus-1', 'loc-S001', 'stf-04', '喜欢黑色外套', '2025-01-02T04:00:00Z');
    INSERT INTO customer_contact (id, customer_id, store_id, staff_id, channel, outcome, task_id, note, at) VALUES
      ('01900000-0000-7000-8000-0000000a0002', 'cus-1', 'loc-S001', 'stf-04', 'wechat', 'reached', 'tsk-1', '', '2025-01-03T02:00:00Z');
    INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, sales_staff_id, service_guide_id, at) VALUES
      ('sal-1', 'cus-1', 'loc-S001', 'store', 'loc-S001', 'D1-20250102-0001', 129790, '[{"sku": "SF25W0001-001-S", "qty": 1}]', 'stf-02', 'stf-04',
       '2025-01-02T03:04:05.678Z'),
      ('MP-1', 'cus-1', 'loc-S001', 'mini_program', NULL, 'MP-1', 29900, '[]', 'stf-04', 'stf-04', '2025-01-05T12:00:00Z');
    INSERT INTO online_order (order_no, channel, customer_id, store_id, sales_staff_id, service_guide_id, total_fen, items, ordered_at, imported_at, imported_by)
      VALUES ('MP-1', 'mini_program', 'cus-1', 'loc-S001', 'stf-04', 'stf-04', 29900, '[]', '2025-01-05T12:00:00Z', '2025-01-06T00:00:00Z', 'admin');
    INSERT INTO customer_request (id, kind, store_id, customer_id, guide_id, requested_by, status, reason, current_guide_id, event_id, requested_at, decided_at)
      VALUES ('req-1', 'bind', 'loc-S001', 'cus-1', 'stf-02', 'stf-02', 'refused', 'bound_elsewhere', 'stf-04', NULL, '2025-01-02T05:00:00Z',
              '2025-01-02T05:00:01Z');
    INSERT INTO campaign (id, brand, kind, name_zh, name_en, script_zh, script_en, coupon, params, store_ids, due_days, created_by, created_at,
                          generated_at, tasks, skipped)
      VALUES ('cmp-1', 'SF', 'follow_up', '3天回访', 'Day-3 follow-up', '您好…', 'Hello…', NULL, '{"afterDays": 3}', '{loc-S001}', 3, 'admin',
              '2025-01-03T00:00:00Z', '2025-01-03T00:00:01Z', 1, '{}');
    INSERT INTO contact_blackout (id, brand, starts_at, ends_at, reason) VALUES
      ('blk-1', 'SF', '2025-02-09T16:00:00Z', '2025-02-12T16:00:00Z', '春节');
    INSERT INTO customer_task (id, campaign_id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status,
                               snoozed_until, outcome, channel, done_by, done_at, created_at)
      VALUES ('tsk-1', 'cmp-1', 'loc-S001', 'stf-04', 'cus-1', 'follow_up_3', '3天回访', 'Day-3 follow-up', '您好…', 'Hello…', NULL,
              '2025-01-05T00:00:00Z', 'done', NULL, 'reached', 'wechat', 'stf-04', '2025-01-03T02:00:00Z', '2025-01-03T00:00:01Z');
    INSERT INTO transfer_batch (request_id, kind, store_id, from_guide_id, rule, reason, takeover_hours, created_by, created_at, customers)
      VALUES ('trf-1', 'rebalance', 'loc-S001', 'stf-04', 'explicit', 'rebalance', 24, 'admin', '2025-01-04T00:00:00Z', 1);
    INSERT INTO customer_transfer (request_id, n, customer_id, kind, from_guide_id, to_guide_id, status, reason, created_at, complete_after,
                                   completed_at, declined_at, declined_by)
      VALUES ('trf-1', 1, 'cus-1', 'rebalance', 'stf-04', 'stf-01', 'declined', 'rebalance', '2025-01-04T00:00:00Z', '2025-01-05T00:00:00Z',
              NULL, '2025-01-04T08:00:00Z', 'admin');
    INSERT INTO customer_reveal (event_id, customer_id, store_id, staff_id, device_id, reason, purpose, at) VALUES
      ('01900000-0000-7000-8000-0000000a0003', 'cus-1', 'loc-S001', 'stf-04', '01900000-0000-7000-8000-00000000d001', '回电', 'call',
       '2025-01-03T01:59:00Z');
    INSERT INTO guide_result (staff_id, month, store_id, sales_fen, sales_count, service_fen, service_count, new_members, tasks_done) VALUES
      ('stf-04', '2025-01', 'loc-S001', 0, 0, 129790, 1, 0, 1);
  `;

const ROWS_BY_VERSION: Record<number, string> = {
  1: `
    INSERT INTO brand (code, name_zh, name_en) VALUES ('SF', '示范', 'Shopfloor Fashion');
    INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone) VALUES
      ('loc-S001', 'SF', 'store', 'S001', '南京西路店', 'West Nanjing Rd', '上海', 'Shanghai', 31.2304, 121.4737, 'Asia/Shanghai'),
      ('loc-S002', 'SF', 'store', 'S002', '春熙路店', 'Chunxi Rd', '成都', 'Chengdu', 30.6570, 104.0810, 'Asia/Shanghai'),
      ('loc-W001', 'SF', 'warehouse', 'W001', '华东仓', 'East China DC', '苏州', 'Suzhou', 31.2989, 120.5853, 'Asia/Shanghai');
    INSERT INTO style (code, brand, name_zh, name_en, category_zh, category_en, season, price_fen) VALUES
      ('SF25W0001', 'SF', '羽绒服', 'Down coat', '外套', 'Outerwear', '25W', 129900);
    INSERT INTO sku (sku, brand, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active) VALUES
      ('SF25W0001-001-S', 'SF', 'SF25W0001', '001', '黑色', 'Black', 'S', 1, '6971111376183', 129900, true),
      ('SF25W0001-001-M', 'SF', 'SF25W0001', '001', '黑色', 'Black', 'M', 2, '6971111376190', 129900, false);
    INSERT INTO promotion (id, brand, kind, name_zh, name_en, scope, percent_bp, price_fen, threshold_fen, off_fen, repeat, coupons_allowed,
                           with_item_promotions, valid_from, valid_until) VALUES
      ('pro-1', 'SF', 'spend_threshold', '满1000减100', '100 off 1000', '{"styles": ["SF25W0001"]}', 0, 0, 100000, 10000, true, true, false,
       '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z');
    INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash) VALUES
      ('stf-01', 'loc-S001', 'S001-01', '王经理', 'manager', true, 'c2FsdA==', 'aGFzaDE='),
      ('stf-02', 'loc-S001', 'S001-02', '李收银', 'cashier', true, 'c2FsdA==', 'aGFzaDI='),
      ('stf-04', 'loc-S001', 'S001-04', '陈导购', 'guide', false, 'c2FsdA==', 'aGFzaDQ=');
    INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at) VALUES
      ('cus-1', 'loc-S001', '王小明', '13800138000', 'gold', 1200, 'stf-04', '2024-12-31T16:00:00Z'),
      ('cus-2', 'loc-S002', 'Amy Zhang', '13900139000', 'blue', 0, NULL, '2025-01-01T00:00:00Z');
    INSERT INTO member_code (code, customer_id) VALUES ('M00000001', 'cus-1');
    INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, threshold_fen, percent_bp, stackable, valid_from, valid_until, hq_status) VALUES
      ('CPN-00000001-111', 'SF', 'cus-1', 'amount', '1.1元券', '¥1.1 coupon', 110, 0, 0, true, '2025-01-01T00:00:00Z', '2025-12-31T00:00:00Z', 'used'),
      ('CPN-15-PCT', 'SF', NULL, 'percent', '85折', '15% off', 0, 0, 1500, false, '2025-01-01T00:00:00Z', '2025-12-31T00:00:00Z', 'issued');
    INSERT INTO stock (location_id, sku, qty, updated_at) VALUES
      ('loc-S001', 'SF25W0001-001-S', 2, '2025-01-02T03:04:05.678Z'),
      ('loc-W001', 'SF25W0001-001-M', 40, '2025-01-02T03:04:05.678Z');
    INSERT INTO device (id, store_id, public_key, receipt_code, status, profile, app_version, hostname, enrolled_at, key_rotated_at, revoked_at, last_seen_at) VALUES
      ('01900000-0000-7000-8000-00000000d001', 'loc-S001', 'MCowBQYDK2VwAyEA', 'D1', 'active', '{"printer": {"kind": "tcp"}}', '0.1.0', 'till-1',
       '2025-01-01T08:00:00Z', NULL, NULL, '2025-01-02T03:05:00Z'),
      ('01900000-0000-7000-8000-00000000d002', 'loc-S001', 'MCowBQYDK2VwAyEB', 'D2', 'revoked', '{}', '0.1.0', 'till-2',
       '2025-01-01T08:00:00Z', '2025-01-01T09:00:00Z', '2025-01-01T10:00:00Z', NULL);
    INSERT INTO enrolment_code (code_hash, store_id, created_by, created_at, expires_at, used_at, device_id) VALUES
      ('hash-used', 'loc-S001', 'admin', '2025-01-01T07:00:00Z', '2025-01-02T07:00:00Z', '2025-01-01T08:00:00Z', '01900000-0000-7000-8000-00000000d001'),
      ('hash-open', 'loc-S002', 'admin', '2025-01-01T07:00:00Z', '2025-01-02T07:00:00Z', NULL, NULL);
    INSERT INTO request_nonce (device_id, nonce, seen_at) VALUES ('01900000-0000-7000-8000-00000000d001', 'bm9uY2U=', '2025-01-02T03:05:00Z');
    INSERT INTO admin_user (name, password_salt, password_hash) VALUES ('admin', 'c2FsdA==', 'cGFzcw==');
    INSERT INTO admin_token (token_hash, admin, expires_at) VALUES ('token-hash', 'admin', '2025-01-03T00:00:00Z');
    INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at, received_at) VALUES
      ('01900000-0000-7000-8000-0000000e0001', 'sale.completed', '01900000-0000-7000-8000-00000000d001', 'loc-S001', 'stf-02',
       '{"saleId": "sal-1", "totalFen": 129790}', '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:06Z'),
      ('01900000-0000-7000-8000-0000000e0002', 'cash.paid_out', '01900000-0000-7000-8000-00000000d001', 'loc-S001', 'stf-01',
       '{"amountFen": 2000}', '2025-01-02T02:00:00Z', '2025-01-02T03:04:06Z');
    INSERT INTO sale (id, event_id, receipt_no, kind, store_id, device_id, staff_id, customer_id, original_sale_id, business_day, total_fen,
                      net_fen, offline, created_at, received_at) VALUES
      ('sal-1', '01900000-0000-7000-8000-0000000e0001', 'D1-20250102-0001', 'sale', 'loc-S001', '01900000-0000-7000-8000-00000000d001',
       'stf-02', 'cus-1', NULL, '2025-01-02', 129790, 129790, true, '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:06Z');
    INSERT INTO sale_line (id, sale_id, sku, qty, unit_fen, total_fen) VALUES ('sl-1', 'sal-1', 'SF25W0001-001-S', 1, 129900, 129790);
    INSERT INTO sale_tender (sale_id, n, method, amount_fen, reference) VALUES ('sal-1', 1, 'cash', 129790, NULL), ('sal-1', 2, 'card', 0, 'ref-1');
    INSERT INTO cash_movement (id, event_id, store_id, device_id, session_id, kind, amount_fen, staff_id) VALUES
      ('cm-1', '01900000-0000-7000-8000-0000000e0002', 'loc-S001', '01900000-0000-7000-8000-00000000d001', 'ses-1', 'paid_out', 2000, 'stf-01');
    INSERT INTO dead_letter (device_id, event_id, type, reason, message, occurred_at, rejected_at, reported_at) VALUES
      ('01900000-0000-7000-8000-00000000d001', '01900000-0000-7000-8000-0000000e0009', 'sale.completed', 'invalid', 'unknown sku',
       '2025-01-01T10:00:00Z', '2025-01-02T00:00:02Z', '2025-01-02T00:01:00Z');
  `,
  2: `
    UPDATE staff SET store_id = 'loc-S002' WHERE id = 'stf-04';
    INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at, received_at, deferred_at) VALUES
      ('01900000-0000-7000-8000-0000000e0003', 'gift.card_sold', '01900000-0000-7000-8000-00000000d001', 'loc-S001', 'stf-02',
       '{"cardNo": "G1", "amountFen": 50000}', '2025-01-02T04:00:00Z', '2025-01-02T04:00:01Z', '2025-01-02T04:00:01Z');
    UPDATE sale_line SET original_line_id = NULL WHERE id = 'sl-1';
    UPDATE dead_letter SET event = '{"id": "01900000-0000-7000-8000-0000000e0009", "type": "sale.completed"}',
      reapplied_at = '2025-01-03T00:00:00Z', reapply_result = 'rejected again: foreign_staff' WHERE event_id = '01900000-0000-7000-8000-0000000e0009';
  `,
  3: `
    INSERT INTO points_entry (customer_id, event_id, sale_id, kind, points, at) VALUES
      ('cus-1', '01900000-0000-7000-8000-0000000e0001', 'sal-1', 'earn', 1297, '2025-01-02T03:04:06Z');
    UPDATE coupon SET redeemed_sale_id = 'sal-1', redeemed_at = '2025-01-02T03:04:05.678Z', redeemed_store_id = 'loc-S001' WHERE code = 'CPN-00000001-111';
    INSERT INTO sale_settlement (sale_id, store_id, customer_id, points_burnt, points_earned, conflict, at_risk_fen, settled_at) VALUES
      ('sal-1', 'loc-S001', 'cus-1', 0, 1297, NULL, 0, '2025-01-02T03:04:06Z');
    INSERT INTO settlement_conflict (event_id, sale_id, receipt_no, store_id, device_id, customer_id, coupons, points, at_risk_fen, detail, offline) VALUES
      ('01900000-0000-7000-8000-0000000e0001', 'sal-1', 'D1-20250102-0001', 'loc-S001', '01900000-0000-7000-8000-00000000d001', 'cus-1',
       '{CPN-00000001-111}', 0, 110, 'coupon CPN-00000001-111 was already used', true);
    INSERT INTO redemption_hold (kind, key, device_id, cart_id, points, expires_at) VALUES
      ('points', 'cus-1', '01900000-0000-7000-8000-00000000d001', 'cart-1', 500, '2025-01-02T03:09:00Z');
    UPDATE store_policy SET offline_redeem = 'refuse' WHERE store_id = 'loc-S002';
  `,
  // 0004 (move-customer-children) adds a trigger, no table.
  4: '',
  5: CUSTOMER_BOOK_ROWS,
  // 0006: an event recorded and not yet projected.
  6: `
    INSERT INTO event (id, type, device_id, store_id, staff_id, payload, occurred_at, received_at) VALUES
      ('01900000-0000-7000-8000-0000000e0010', 'cash.paid_in', '01900000-0000-7000-8000-00000000d001', 'loc-S001', 'stf-01',
       '{"amountFen": 500}', '2025-01-06T02:00:00Z', '2025-01-06T02:00:01Z');
    INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM event WHERE id = '01900000-0000-7000-8000-0000000e0010';
  `,
  // 0007 (projection-row-checks) drops foreign keys, no table.
  7: '',
  // 0008 (inline-sf-iso) re-declares a function, no table.
  8: '',
  // 0009: an event recorded as 0009 records them (the payload in body, the indexed fields in payload), not yet projected.
  9: `
    INSERT INTO event (id, type, device_id, store_id, staff_id, body, payload, occurred_at, received_at) VALUES
      ('01900000-0000-7000-8000-0000000e0011', 'cash.paid_in', '01900000-0000-7000-8000-00000000d001', 'loc-S001', 'stf-01',
       '{"amountFen": 700}', '{}', '2025-01-07T02:00:00Z', '2025-01-07T02:00:01Z');
    INSERT INTO projection_queue (hq_seq, event_id) SELECT hq_seq, id FROM event WHERE id = '01900000-0000-7000-8000-0000000e0011';
  `,
};

/** Writes representative rows for every table of versions 1..`version` (the database must be at `version`). */
export async function seedHqRows(db: HqDb, version: number): Promise<void> {
  await db.tx(async (sql) => {
    for (let v = 1; v <= version; v++) {
      const rows = ROWS_BY_VERSION[v];
      if (rows === undefined) throw new Error(`hq-rows.ts has no rows for version ${v}: add them with migration ${v}`);
      await sql.exec(rows);
    }
  });
}
