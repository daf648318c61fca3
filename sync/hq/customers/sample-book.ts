import type { SampleBook, SampleProfile } from '../../../fixtures/customer-book-sample.js';
import type { SampleData } from '../../../fixtures/generate.js';
import type { BulkLoader } from '../bulk-load.js';
import type { Sql } from '../db.js';

/** The tables `insertSampleCustomers` writes through the bulk loader. */
export const SAMPLE_CUSTOMER_BULK_TABLES = ['customer', 'customer_profile', 'customer_binding'] as const;

/** The tables `importSampleCustomerBook` writes through the bulk loader. */
export const SAMPLE_BOOK_BULK_TABLES = ['customer_tag', 'customer_purchase', 'customer_task'] as const;

const CHUNK = 50_000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

type SampleCustomer = SampleData['customers'][number];

/**
 * One chunk of the sample customers with their profiles. The customer trigger (migration 0005)
 * gives each new customer a default profile, which the sample's figures (consent, sizes, spend …)
 * would then overwrite: an UPDATE of every profile through the profile feed's update trigger,
 * whose anti-joins (did the row move, did it change) cost about 3 s of the 50,000-customer import.
 * Set-based, the loader writes the customers, their profiles and their bindings in one statement
 * with the triggers off (`insertWith`), as the trigger would: a sample profile where the sample has
 * one, else the trigger's default; a binding for a customer with a guide, held from the beginning;
 * the binding times are the trigger's rule — bound when the customer was made, protected for the
 * store's policy days (90 by default). With the triggers (`loader.setBased` false) the trigger
 * writes them itself and the sample's figures are an UPDATE; bulk-load.test.ts checks that both
 * paths write the same rows.
 */
export async function insertSampleCustomers(
  sql: Sql,
  loader: BulkLoader,
  customers: readonly SampleCustomer[],
  profiles: ReadonlyMap<string, SampleProfile>,
): Promise<void> {
  const insert = `INSERT INTO customer (id, store_id, name, phone, tier, points, guide_id, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[])`;
  const customerColumns = [
    customers.map((c) => c.id),
    customers.map((c) => c.store_id),
    customers.map((c) => c.name),
    customers.map((c) => c.phone),
    customers.map((c) => c.tier),
    customers.map((c) => c.points),
    customers.map((c) => c.guide_id),
    customers.map((c) => c.created_at),
  ];
  const p = customers.flatMap((c) => profiles.get(c.id) ?? []);
  const profileColumns = [
    p.map((r) => r.customer_id),
    p.map((r) => r.consent),
    p.map((r) => r.opted_out),
    p.map((r) => r.birthday),
    p.map((r) => r.sizes),
    p.map((r) => r.last_purchase_at),
    p.map((r) => r.purchases),
    p.map((r) => r.spend_fen),
  ];
  // The profile columns as unnest arguments from parameter $first on.
  const profileRows = (first: number) =>
    `unnest(${['text', 'bool', 'bool', 'text', 'text', 'timestamptz', 'int', 'int8'].map((t, i) => `$${first + i}::${t}[]`).join(', ')})
       AS u(id, consent, opted_out, birthday, sizes, last_purchase_at, purchases, spend_fen)`;
  // The trigger's binding times (sf_customer_book) for a customer `c` and the store's policy `pol`.
  const bound = `CASE WHEN c.guide_id IS NOT NULL THEN c.created_at END,
              CASE WHEN c.guide_id IS NOT NULL THEN c.created_at + make_interval(days => coalesce(pol.protection_days, 90)) END`;
  if (loader.setBased) {
    await loader.insertWith(
      [
        { table: 'customer', statement: insert },
        {
          table: 'customer_profile',
          statement: `INSERT INTO customer_profile (customer_id, store_id, consent, opted_out, birthday, sizes, bound_at, protected_until, last_purchase_at, purchases, spend_fen)
       SELECT c.id, c.store_id, u.consent, u.opted_out, u.birthday, u.sizes, ${bound}, u.last_purchase_at, u.purchases, u.spend_fen
         FROM w0 AS c JOIN ${profileRows(customerColumns.length + 1)} ON u.id = c.id
         LEFT JOIN customer_policy pol ON pol.store_id = c.store_id`,
        },
        {
          table: 'customer_profile',
          statement: `INSERT INTO customer_profile (customer_id, store_id, bound_at, protected_until)
       SELECT c.id, c.store_id, ${bound}
         FROM w0 AS c LEFT JOIN customer_policy pol ON pol.store_id = c.store_id
        WHERE NOT EXISTS (SELECT 1 FROM w1 WHERE w1.customer_id = c.id)`,
        },
        {
          table: 'customer_binding',
          statement: `INSERT INTO customer_binding (customer_id, guide_id, valid_from) SELECT c.id, c.guide_id, '-infinity' FROM w0 AS c WHERE c.guide_id IS NOT NULL`,
        },
      ],
      [...customerColumns, ...profileColumns],
    );
    return;
  }
  await sql.query(insert, customerColumns);
  await sql.query(
    `UPDATE customer_profile x SET consent = u.consent, opted_out = u.opted_out, birthday = u.birthday, sizes = u.sizes,
            last_purchase_at = u.last_purchase_at, purchases = u.purchases, spend_fen = u.spend_fen
       FROM ${profileRows(1)}
      WHERE x.customer_id = u.id`,
    profileColumns,
  );
}

/**
 * The rest of the sample brand's customer book at HQ (fixtures/customer-book-sample.ts: the same
 * rows a device seeds for its store), in the import's transaction, multi-row `unnest` inserts (tags
 * and purchases through the bulk loader, ../bulk-load.ts): tags, notes, purchases, tasks, results.
 * The profiles went in with the customers (`insertSampleCustomers`).
 */
export async function importSampleCustomerBook(
  sql: Sql,
  loader: BulkLoader,
  book: SampleBook,
  now: Date,
): Promise<{ purchases: number; tasks: number }> {
  for (const t of chunks(book.tags)) {
    await loader.insert(
      'customer_tag',
      `INSERT INTO customer_tag (customer_id, tag, store_id, source, added_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
      [t.map((r) => r.customer_id), t.map((r) => r.tag), t.map((r) => r.store_id), t.map((r) => r.source), t.map((r) => r.added_at)],
    );
  }
  for (const n of chunks(book.notes)) {
    await sql.query(
      `INSERT INTO customer_note (id, customer_id, store_id, staff_id, body, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
      [
        n.map((r) => r.id),
        n.map((r) => r.customer_id),
        n.map((r) => r.store_id),
        n.map((r) => r.staff_id),
        n.map((r) => r.body),
        n.map((r) => r.created_at),
      ],
    );
  }
  for (const p of chunks(book.purchases)) {
    await loader.insert(
      'customer_purchase',
      `INSERT INTO customer_purchase (id, customer_id, store_id, channel, location_id, ref, total_fen, items, sales_staff_id, service_guide_id, at)
       SELECT u.id, u.customer_id, u.store_id, u.channel, u.location_id, u.ref, u.total_fen, u.items::jsonb, u.sales_staff_id, u.service_guide_id, u.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::text[], $9::text[], $10::text[], $11::timestamptz[])
              AS u(id, customer_id, store_id, channel, location_id, ref, total_fen, items, sales_staff_id, service_guide_id, at)`,
      [
        p.map((r) => r.id),
        p.map((r) => r.customer_id),
        p.map((r) => r.store_id),
        p.map((r) => r.channel),
        p.map((r) => r.location_id),
        p.map((r) => r.ref),
        p.map((r) => r.total_fen),
        p.map((r) => r.items),
        p.map((r) => r.sales_staff_id),
        p.map((r) => r.service_guide_id),
        p.map((r) => r.at),
      ],
    );
  }
  for (const t of chunks(book.tasks)) {
    await loader.insert(
      'customer_task',
      `INSERT INTO customer_task (id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status, created_at)
       SELECT u.*, $13::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                                                $10::text[], $11::timestamptz[], $12::text[]) AS u`,
      [
        t.map((r) => r.id),
        t.map((r) => r.store_id),
        t.map((r) => r.guide_id),
        t.map((r) => r.customer_id),
        t.map((r) => r.kind),
        t.map((r) => r.name_zh),
        t.map((r) => r.name_en),
        t.map((r) => r.script_zh),
        t.map((r) => r.script_en),
        t.map((r) => r.coupon),
        t.map((r) => r.due_at),
        t.map((r) => r.status),
        now,
      ],
    );
  }
  const r = book.results;
  await sql.query(
    `INSERT INTO guide_result (staff_id, month, store_id, sales_fen, sales_count, service_fen, service_count, new_members, tasks_done)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int[], $6::int8[], $7::int[], $8::int[], $9::int[])`,
    [
      r.map((x) => x.staff_id),
      r.map((x) => x.month),
      r.map((x) => x.store_id),
      r.map((x) => x.sales_fen),
      r.map((x) => x.sales_count),
      r.map((x) => x.service_fen),
      r.map((x) => x.service_count),
      r.map((x) => x.new_members),
      r.map((x) => x.tasks_done),
    ],
  );
  return { purchases: book.purchases.length, tasks: book.tasks.length };
}
