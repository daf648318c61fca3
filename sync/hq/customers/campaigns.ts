import { openBulkLoader } from '../bulk-load.js';
import type { Sql } from '../db.js';

/** The temporary table of a campaign's aimed customers (runCampaign), dropped at its end and at commit. */
const AIMED = 'pg_temp.sf_campaign_aimed';

export type CampaignKind = 'reactivate' | 'follow_up' | 'birthday' | 'back_in_stock';

export type CampaignInput = {
  id: string;
  brand: string;
  kind: CampaignKind;
  name_zh: string;
  name_en: string;
  script_zh: string;
  script_en: string;
  /** A coupon (code or template) the guide sends with the task. */
  coupon?: string | undefined;
  /**
   * reactivate: `dormantMinDays` (180) – `dormantMaxDays` (720) without a purchase; follow_up:
   * `afterDays` (3, 15, 60) since a purchase; birthday: within `withinDays` (7); back_in_stock:
   * `sku` (customers of its size and its category, in stores that have it).
   */
  params: { dormantMinDays?: number; dormantMaxDays?: number; afterDays?: number; withinDays?: number; sku?: string };
  /** Only these stores (default: every store of the brand). */
  storeIds?: string[] | undefined;
  /** Days the guide has for a task. */
  dueDays: number;
};

export type CampaignResult = {
  id: string;
  tasks: number;
  /** Customers the campaign aimed at and did not task, by why: opted out / no consent, the do-not-disturb rule, tasked by it already. */
  skipped: { optedOut: number; doNotDisturb: number; already: number };
  /** Tasks due inside a blackout window were moved to its end. */
  dueAt: string;
};

/** The candidates of each kind: `c` customer, `pr` profile; parameters $1 brand, $2 stores, $3 now, $5.. the kind's. */
function candidates(kind: CampaignKind): { where: string; from?: string } {
  switch (kind) {
    case 'reactivate':
      return {
        where: `pr.last_purchase_at <= $3::timestamptz - make_interval(days => $5) AND pr.last_purchase_at > $3::timestamptz - make_interval(days => $6)`,
      };
    case 'follow_up':
      // Bought on the day `afterDays` ago (any channel, any store of the chain).
      return {
        where: `EXISTS (SELECT 1 FROM customer_purchase b WHERE b.customer_id = c.id AND b.total_fen > 0
                  AND b.at > $3::timestamptz - make_interval(days => $5 + 1) AND b.at <= $3::timestamptz - make_interval(days => $5))`,
      };
    case 'birthday':
      return { where: `pr.birthday = ANY($5::text[])` };
    case 'back_in_stock':
      return {
        where: `EXISTS (SELECT 1 FROM customer_tag s WHERE s.customer_id = c.id AND s.tag = 'size:' || $5)
            AND EXISTS (SELECT 1 FROM customer_tag g WHERE g.customer_id = c.id AND g.tag = 'category:' || $6)
            AND EXISTS (SELECT 1 FROM stock k WHERE k.location_id = c.store_id AND k.sku = $7 AND k.qty > 0)`,
      };
  }
}

async function kindParams(sql: Sql, c: CampaignInput, now: Date): Promise<unknown[]> {
  switch (c.kind) {
    case 'reactivate':
      return [c.params.dormantMinDays ?? 180, c.params.dormantMaxDays ?? 720];
    case 'follow_up':
      return [c.params.afterDays ?? 3];
    case 'birthday': {
      // Month-days of the next `withinDays` days in China (UTC+8, no DST), the birthday's form.
      const days = Array.from({ length: c.params.withinDays ?? 7 }, (_, i) =>
        new Date(now.getTime() + 8 * 3_600_000 + i * 86_400_000).toISOString().slice(5, 10),
      );
      return [days];
    }
    case 'back_in_stock': {
      const [sku] = await sql.query<{ size: string; category_en: string }>(
        'SELECT k.size, s.category_en FROM sku k JOIN style s ON s.code = k.style_code WHERE k.sku = $1',
        [c.params.sku ?? ''],
      );
      if (!sku) throw new CampaignError(`no SKU ${c.params.sku ?? '(none given)'}`);
      return [sku.size, sku.category_en, c.params.sku];
    }
  }
}

export class CampaignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignError';
  }
}

/**
 * When the brand's blackout window in force at `at` ends (the latest, if several), or undefined.
 * With `newCampaign`: only while no campaign of that id exists (one asked again is not refused).
 */
async function blackoutEnd(sql: Sql, brand: string, at: Date, newCampaign: string | null = null): Promise<Date | undefined> {
  const [row] = await sql.query<{ ends_at: Date }>(
    `SELECT max(ends_at) AS ends_at FROM contact_blackout
      WHERE brand = $1 AND starts_at <= $2 AND ends_at > $2 AND NOT EXISTS (SELECT 1 FROM campaign WHERE id = $3) HAVING count(*) > 0`,
    [brand, at, newCampaign],
  );
  return row?.ends_at;
}

/**
 * A campaign and its tasks, one per customer it aims at, over the chain (or its stores), set-based
 * in the caller's transaction: one statement finds whom it aims at, one writes their tasks through
 * the bulk loader (a chain's reactivation campaign makes hundreds of thousands). Never tasked: a
 * customer who opted out or never consented, and one the store's do-not-disturb rule protects —
 * contacted, or already tasked to be, `contact_max` times within `contact_days` (default 2 in 7
 * days). A task goes to the customer's guide (the pool's to the store manager's list), due in
 * `dueDays`, moved out of any blackout window; none is started while a blackout is in force.
 * Asked again with the same id, it tasks nobody twice.
 */
export async function runCampaign(sql: Sql, c: CampaignInput, by: string, now: Date): Promise<CampaignResult> {
  // No new mass campaign while a blackout window is in force (its tasks would be worked at once).
  const inForce = await blackoutEnd(sql, c.brand, now, c.id);
  if (inForce)
    throw new CampaignError(`a blackout window for mass campaigns is in force until ${inForce.toISOString()}: start the campaign after it`);
  const extra = await kindParams(sql, c, now);
  const dueAt = new Date(now.getTime() + c.dueDays * 86_400_000);
  const due = (await blackoutEnd(sql, c.brand, dueAt)) ?? dueAt;
  const definition = [
    c.id,
    c.brand,
    c.kind,
    c.name_zh,
    c.name_en,
    c.script_zh,
    c.script_en,
    c.coupon ?? null,
    JSON.stringify(c.params),
    c.storeIds ?? null,
    c.dueDays,
  ];
  await sql.query(
    `INSERT INTO campaign (id, brand, kind, name_zh, name_en, script_zh, script_en, coupon, params, store_ids, due_days, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
    [...definition, by, now],
  );
  // Asked again, it is the same campaign: another one under its id would add its tasks to this one's.
  const [same] = await sql.query<{ same: boolean }>(
    `SELECT (brand, kind, name_zh, name_en, script_zh, script_en, coupon, params, store_ids, due_days)
            IS NOT DISTINCT FROM ($2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::jsonb, $10::text[], $11::int) AS same
       FROM campaign WHERE id = $1`,
    definition,
  );
  if (!same?.same) throw new CampaignError(`campaign ${c.id} exists with another definition: give a new campaign a new id`);
  const kind = c.kind === 'follow_up' ? `follow_up_${c.params.afterDays ?? 3}` : c.kind;
  const { where } = candidates(c.kind);
  const params: unknown[] = [c.brand, c.storeIds ?? null, now, due, ...extra];
  const p = (value: unknown) => `$${params.push(value)}`;
  // Whom it aims at, each with whether they may be tasked, kept for the transaction only: the
  // counts come from it, and the tasks are written from it by the bulk loader.
  await sql.query(
    `CREATE TEMP TABLE ${AIMED} ON COMMIT DROP AS
     WITH pol AS (
       SELECT l.id AS store_id, coalesce(x.contact_max, 2) AS cmax, coalesce(x.contact_days, 7) AS cdays
         FROM location l LEFT JOIN customer_policy x ON x.store_id = l.id
        WHERE l.brand = $1 AND l.kind = 'store' AND ($2::text[] IS NULL OR l.id = ANY($2::text[]))
     ), aimed AS (
       SELECT c.id, c.store_id, c.guide_id, pr.consent AND NOT pr.opted_out AS ok, pol.cmax, pol.cdays
         FROM customer c JOIN pol ON pol.store_id = c.store_id JOIN customer_profile pr ON pr.customer_id = c.id
        WHERE ${where}
     )
     SELECT a.id, a.store_id, a.guide_id, a.ok,
            a.ok AND (SELECT count(*) FROM customer_contact k WHERE k.customer_id = a.id AND k.channel <> 'visit' AND k.at > $3::timestamptz - make_interval(days => a.cdays))
                   + (SELECT count(*) FROM customer_task t WHERE t.customer_id = a.id AND t.status IN ('open', 'snoozed')
                        AND t.due_at < $4::timestamptz + make_interval(days => a.cdays) AND t.campaign_id IS DISTINCT FROM ${p(c.id)})
                   < a.cmax AS free
       FROM aimed a`,
    params,
  );
  const [counts] = await sql.query<{ aimed: number; consenting: number; free: number }>(
    `SELECT count(*)::int AS aimed, (count(*) FILTER (WHERE ok))::int AS consenting, (count(*) FILTER (WHERE free))::int AS free FROM ${AIMED}`,
  );
  // Tens of thousands of tasks at once: written set-based, their change rows in chunks and their
  // foreign keys checked once for the statement (bulk-load.ts), where PostgreSQL's triggers
  // would check each row's two keys one by one and read the rows back for the feed.
  const loader = await openBulkLoader(sql, ['customer_task']);
  const created = await loader.insert(
    'customer_task',
    `INSERT INTO customer_task (id, campaign_id, store_id, guide_id, customer_id, kind, name_zh, name_en, script_zh, script_en, coupon, due_at, status, created_at)
     SELECT $1 || ':' || f.id, $1, f.store_id, f.guide_id, f.id, $2, $3, $4, $5, $6, $7, $8::timestamptz, 'open', $9::timestamptz
       FROM ${AIMED} f WHERE f.free`,
    [c.id, kind, c.name_zh, c.name_en, c.script_zh, c.script_en, c.coupon ?? null, due, now],
    // Asked again with the same id: a customer it tasked already is not tasked twice.
    { onConflict: 'ON CONFLICT (campaign_id, customer_id) DO NOTHING' },
  );
  await sql.query(`DROP TABLE ${AIMED}`);
  const result: CampaignResult = {
    id: c.id,
    tasks: created,
    skipped: {
      optedOut: counts!.aimed - counts!.consenting,
      doNotDisturb: counts!.consenting - counts!.free,
      already: counts!.free - created,
    },
    dueAt: due.toISOString(),
  };
  await sql.query('UPDATE campaign SET generated_at = $2, tasks = tasks + $3, skipped = $4 WHERE id = $1', [
    c.id,
    now,
    result.tasks,
    JSON.stringify(result.skipped),
  ]);
  return result;
}
