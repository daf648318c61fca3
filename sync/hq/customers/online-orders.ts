import { z } from 'zod';
import type { Sql } from '../db.js';
import { parseCsv } from '../admin/csv.js';

/**
 * Orders of the mini-program and the e-commerce shops, imported at HQ into the members' all-channel
 * history, with their attribution: sales credit to the guide whose post or link sold it (the
 * order names them), service credit to the guide the member was bound to when they ordered.
 */
export const onlineOrderSchema = z
  .object({
    orderNo: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    channel: z.enum(['mini_program', 'ecommerce']),
    /** The member: their code, or their mobile number. */
    memberCode: z.string().min(1).max(64).optional(),
    phone: z
      .string()
      .regex(/^1\d{10}$/)
      .optional(),
    /** The guide who sold it (their staff code), if the order carries one. */
    guideCode: z.string().min(1).max(32).optional(),
    totalFen: z.number().int().min(-1e12).max(1e12),
    orderedAt: z.iso.datetime(),
    items: z
      .array(
        z
          .object({
            sku: z.string().min(1).max(64),
            qty: z.number().int().min(-999).max(999),
            totalFen: z.number().int().min(-1e12).max(1e12),
          })
          .strict(),
      )
      .max(500)
      .default([]),
  })
  .strict()
  .refine((o) => o.memberCode !== undefined || o.phone !== undefined, 'an order names its member by memberCode or phone');
export type OnlineOrder = z.infer<typeof onlineOrderSchema>;

export type ImportOutcome = { orderNo: string; status: 'imported' | 'duplicate' | 'unknown_member' };

/** CSV: order_no, channel, member_code, phone, guide_code, total_fen, ordered_at, items (`sku*qty*total_fen;…`). Throws with the row of a bad one. */
export function ordersFromCsv(text: string): OnlineOrder[] {
  const [header = [], ...rows] = parseCsv(text).filter((r) => r.some((cell) => cell.trim() !== ''));
  const at = (name: string) => header.indexOf(name);
  for (const column of ['order_no', 'channel', 'total_fen', 'ordered_at'])
    if (at(column) < 0) throw new Error(`the CSV has no ${column} column`);
  return rows.map((row, i) => {
    const cell = (name: string) => (at(name) < 0 ? undefined : row[at(name)] || undefined);
    const items = (cell('items') ?? '')
      .split(';')
      .filter((x) => x.trim() !== '')
      .map((x) => {
        const [sku, qty, total] = x.split('*');
        return { sku: sku ?? '', qty: Number(qty ?? 1), totalFen: Number(total ?? 0) };
      });
    const parsed = onlineOrderSchema.safeParse({
      orderNo: cell('order_no'),
      channel: cell('channel'),
      memberCode: cell('member_code'),
      phone: cell('phone'),
      guideCode: cell('guide_code'),
      totalFen: Number(cell('total_fen')),
      orderedAt: cell('ordered_at'),
      items,
    });
    if (!parsed.success)
      throw new Error(`row ${i + 1}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  });
}

/** Imports orders once each (by order number), in one statement: answers what became of each. */
export async function importOnlineOrders(sql: Sql, orders: readonly OnlineOrder[], by: string, now: Date): Promise<ImportOutcome[]> {
  const rows = await sql.query<{ order_no: string; status: ImportOutcome['status'] }>(
    `WITH x AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::timestamptz[], $8::text[]) WITH ORDINALITY
         AS x(order_no, channel, member_code, phone, guide_code, total_fen, ordered_at, items, n)
     ), m AS (
       SELECT x.*, c.id AS customer_id, c.store_id,
              (SELECT s.id FROM staff s WHERE s.code = x.guide_code) AS sales_staff_id,
              (SELECT b.guide_id FROM customer_binding b WHERE b.customer_id = c.id AND b.valid_from <= x.ordered_at
                  AND (b.valid_to IS NULL OR b.valid_to > x.ordered_at) ORDER BY b.valid_from DESC LIMIT 1) AS service_guide_id
         FROM x LEFT JOIN LATERAL (
           SELECT c.id, c.store_id FROM customer c
            WHERE c.id = (SELECT customer_id FROM member_code WHERE code = x.member_code) OR (x.member_code IS NULL AND c.phone = x.phone)
            LIMIT 1) c ON true
     ), orders AS (
       INSERT INTO online_order (order_no, channel, customer_id, store_id, sales_staff_id, service_guide_id, total_fen, items, ordered_at, imported_at, imported_by)
       SELECT order_no, channel, customer_id, store_id, sales_staff_id, service_guide_id, total_fen, items::jsonb, ordered_at, $9, $10
         FROM m WHERE customer_id IS NOT NULL
       ON CONFLICT (order_no) DO NOTHING
       RETURNING order_no, customer_id, store_id, channel, total_fen, items, sales_staff_id, service_guide_id, ordered_at
     ), purchases AS (
       INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, sales_staff_id, service_guide_id, at)
       SELECT 'order:' || o.order_no, o.customer_id, o.store_id, o.channel, NULL, o.order_no, o.total_fen, o.items, o.sales_staff_id, o.service_guide_id, o.ordered_at
         FROM orders o
     ), profiles AS (
       UPDATE customer_profile p SET last_purchase_at = greatest(p.last_purchase_at, s.last_at), purchases = p.purchases + s.n, spend_fen = p.spend_fen + s.fen, updated_at = $9
         FROM (SELECT customer_id, max(ordered_at) AS last_at, count(*) FILTER (WHERE total_fen > 0)::int AS n, sum(total_fen) AS fen FROM orders GROUP BY customer_id) s
        WHERE p.customer_id = s.customer_id
     ), credits AS (
       SELECT sales_staff_id AS who, total_fen AS sales_fen, (total_fen > 0)::int AS sales_count, 0::int8 AS service_fen, 0 AS service_count, ordered_at AS at
         FROM orders WHERE sales_staff_id IS NOT NULL
       UNION ALL
       SELECT service_guide_id, 0, 0, total_fen, (total_fen > 0)::int, ordered_at FROM orders WHERE service_guide_id IS NOT NULL
     ), results AS (
       INSERT INTO guide_result (staff_id, month, store_id, sales_fen, sales_count, service_fen, service_count)
       SELECT s.id, to_char(k.at AT TIME ZONE l.timezone, 'YYYY-MM') AS month, s.store_id, sum(k.sales_fen), sum(k.sales_count), sum(k.service_fen), sum(k.service_count)
         FROM credits k JOIN staff s ON s.id = k.who JOIN location l ON l.id = s.store_id
        GROUP BY s.id, month, s.store_id
       ON CONFLICT (staff_id, month) DO UPDATE SET sales_fen = guide_result.sales_fen + excluded.sales_fen,
         sales_count = guide_result.sales_count + excluded.sales_count, service_fen = guide_result.service_fen + excluded.service_fen,
         service_count = guide_result.service_count + excluded.service_count
     )
     SELECT m.order_no, CASE WHEN m.customer_id IS NULL THEN 'unknown_member'
                             WHEN EXISTS (SELECT 1 FROM orders o WHERE o.order_no = m.order_no) THEN 'imported' ELSE 'duplicate' END AS status
       FROM m ORDER BY m.n`,
    [
      orders.map((o) => o.orderNo),
      orders.map((o) => o.channel),
      orders.map((o) => o.memberCode ?? null),
      orders.map((o) => o.phone ?? null),
      orders.map((o) => o.guideCode ?? null),
      orders.map((o) => o.totalFen),
      orders.map((o) => o.orderedAt),
      orders.map((o) => JSON.stringify(o.items)),
      now,
      by,
    ],
  );
  return rows.map((r) => ({ orderNo: r.order_no, status: r.status }));
}
