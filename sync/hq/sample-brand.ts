import { generateCheckoutSample, memberCodeOf, sampleCredentialsAsync } from '../../fixtures/checkout-sample.js';
import { generateCustomerBookInSlices } from '../../fixtures/customer-book-sample.js';
import type { SampleCoupon, SamplePromotion } from '../../fixtures/checkout-sample.js';
import { DEFAULT_SEED, generateSampleData, stockLevels } from '../../fixtures/generate.js';
import type { SampleData } from '../../fixtures/generate.js';
import { CATALOG_BULK_TABLES, upsertSkus, upsertStyles } from './admin/catalog-import.js';
import { openBulkLoader } from './bulk-load.js';
import type { HqDb, Sql } from './db.js';
import {
  SAMPLE_BOOK_BULK_TABLES,
  SAMPLE_CUSTOMER_BULK_TABLES,
  importSampleCustomerBook,
  insertSampleCustomers,
} from './customers/sample-book.js';

export type SampleBrandOptions = {
  skus: number;
  customers: number;
  seed?: string;
  stores?: number;
  /** Store codes (S001 …) whose stock HQ gets; default every store. The warehouse always does. */
  stockStores?: readonly string[];
  /** The instant stamped on stock rows (default now). */
  now?: Date;
  /** false: every insert runs with its triggers (tests compare the feed with the set-based load's). */
  setBased?: boolean;
};

export type SampleBrandCounts = {
  brand: string;
  locations: number;
  styles: number;
  skus: number;
  staff: number;
  customers: number;
  memberCodes: number;
  promotions: number;
  coupons: number;
  stockRows: number;
};

const CHUNK = 50_000;

/**
 * Loads the deterministic sample brand (fixtures/generate.ts) into HQ: the same catalog, stores,
 * staff (with the demo PIN hashes the device checks), customers, member codes, promotions,
 * coupons and stock a device would otherwise seed itself — so a device enrolled in S001 and
 * provisioned from HQ logs in with S001-01 / 0101. Multi-row `unnest` inserts; the big tables
 * through the bulk loader (bulk-load.ts: their change rows written per statement).
 *
 * Three transactions, as a chain loads its ERP's catalog and its CRM's customers: the brand with
 * its locations and staff (what the rest refers to), then the catalog (styles, SKUs, promotions,
 * stock) and the customer book (customers, member codes, the book, coupons) side by side, each on
 * its own connection — PostgreSQL's work is one backend per transaction, and the two halves
 * together are most of the import's CPU (on PGlite, which has one connection, they run one after
 * the other). Each part is all or nothing and leaves a mark (`sampleMarks`: the sample's
 * warehouse, its first promotion, its first brand-wide coupon): an import that failed or was
 * killed half way is completed by running it again with the same options — it loads only what is
 * missing (`sampleBrandInterrupted`).
 */
export async function importSampleBrand(db: HqDb, options: SampleBrandOptions): Promise<SampleBrandCounts> {
  const data = generateSampleData({
    seed: options.seed ?? DEFAULT_SEED,
    skus: options.skus,
    customers: options.customers,
    stores: options.stores,
  });
  const stores = data.locations.filter((l) => l.kind === 'store');
  const stocked = data.locations.filter((l) => l.kind === 'warehouse' || !options.stockStores || options.stockStores.includes(l.code));
  // The demo PINs' scrypt (half a second for the sample's staff) runs on the thread pool while the
  // rest is generated; the staff insert waits for it.
  const pins = sampleCredentialsAsync(data, data.staff);
  pins.catch(() => undefined); // awaited below; a failure there fails the import, not the process
  const samples = stores.map((s) => generateCheckoutSample(data, s.id, { credentials: false }));
  const now = options.now ?? new Date();
  // The customer book (1.1 s of Node for the bench's 50,000 customers) is made in slices while
  // the brand's transaction and the catalog's first statements run: only the customer half needs it.
  const bookReady = generateCustomerBookInSlices(data, { now: now.toISOString() });
  bookReady.catch(() => undefined); // awaited by the customer half; a failure there fails the import
  // Every store's sample has the same brand-wide promotions and coupons: keep one of each.
  const promotions = unique(
    samples.flatMap((s) => s.promotions),
    (p) => p.id,
  );
  const coupons = unique(
    samples.flatMap((s) => s.coupons),
    (c) => c.code,
  );
  const brand = data.brand.code;
  const marks = sampleMarks(data, promotions, coupons);
  const done = await db.tx(async (sql) => {
    const state = await sampleState(sql, marks);
    if (state.catalog && state.customers) throw new Error(`the sample brand ${brand} is already in this HQ`);
    if (state.brand && !state.base)
      throw new Error(`this HQ has a brand ${brand} that is not the sample brand: the sample is not loaded into it`);
    if (state.base) return state;
    await sql.query('INSERT INTO brand (code, name_zh, name_en) VALUES ($1, $2, $3)', [brand, data.brand.name_zh, data.brand.name]);
    await insertLocations(sql, data);
    const credentials = new Map((await pins).map((c) => [c.staff_id, c] as const));
    await sql.query(
      `INSERT INTO staff (id, store_id, code, name, role, active, pin_salt, pin_hash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[], $8::text[])`,
      [
        data.staff.map((s) => s.id),
        data.staff.map((s) => s.store_id),
        data.staff.map((s) => s.code),
        data.staff.map((s) => s.name),
        data.staff.map((s) => s.role),
        data.staff.map((s) => s.active),
        data.staff.map((s) => credentials.get(s.id)?.pin_salt ?? ''),
        data.staff.map((s) => credentials.get(s.id)?.pin_hash ?? ''),
      ],
    );
    return state;
  });
  const catalog = async (): Promise<void> => {
    if (done.catalog) return;
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, [...CATALOG_BULK_TABLES, 'stock'], { setBased: options.setBased });
      await upsertStyles(
        loader,
        brand,
        data.styles.map((s) => ({
          code: s.code,
          name_zh: s.name_zh,
          name_en: s.name_en,
          category_zh: s.category_zh,
          category_en: s.category_en,
          season: s.season,
          price_fen: s.price_fen,
        })),
      );
      await upsertSkus(loader, brand, data.skus);
      const skuCodes = data.skus.map((s) => s.sku);
      for (const location of stocked) {
        const qty = stockLevels(data.seed, location.id, location.kind, data.skus.length);
        for (let i = 0; i < skuCodes.length; i += CHUNK) {
          await loader.insert(
            'stock',
            `INSERT INTO stock (location_id, sku, qty, updated_at) SELECT $1, u.sku, u.qty, $2 FROM unnest($3::text[], $4::int[]) AS u(sku, qty)`,
            [location.id, now, skuCodes.slice(i, i + CHUNK), Array.from(qty.subarray(i, i + CHUNK))],
          );
        }
      }
      // The catalog half's mark (sampleMarks): written with the rest, so it is there only if all of it is.
      await insertPromotions(sql, brand, promotions);
    });
  };
  const customers = async (): Promise<void> => {
    if (done.customers) return;
    const book = await bookReady;
    await db.tx(async (sql) => {
      const loader = await openBulkLoader(sql, [...SAMPLE_CUSTOMER_BULK_TABLES, 'member_code', ...SAMPLE_BOOK_BULK_TABLES], {
        setBased: options.setBased,
      });
      const profiles = new Map(book.profiles.map((p) => [p.customer_id, p]));
      for (let i = 0; i < data.customers.length; i += CHUNK) {
        const part = data.customers.slice(i, i + CHUNK);
        await insertSampleCustomers(sql, loader, part, profiles);
        await loader.insert('member_code', 'INSERT INTO member_code (code, customer_id) SELECT * FROM unnest($1::text[], $2::text[])', [
          part.map((c) => memberCodeOf(c.id)),
          part.map((c) => c.id),
        ]);
      }
      // The customer book (issue 11): purchases, tags, notes, tasks and results of the sample customers.
      await importSampleCustomerBook(sql, loader, book, now);
      // The customer half's mark (sampleMarks) is among them: the brand-wide coupons, and each store's demo member's bundle.
      await insertCoupons(sql, brand, coupons);
    });
  };
  await settleAll([catalog(), customers()]);
  return {
    brand,
    locations: data.locations.length,
    styles: data.styles.length,
    skus: data.skus.length,
    staff: data.staff.length,
    customers: data.customers.length,
    memberCodes: data.customers.length,
    promotions: promotions.length,
    coupons: coupons.length,
    stockRows: stocked.length * data.skus.length,
  };
}

/**
 * The rows whose presence says a part of the sample brand is in, each written in its part's
 * transaction: its warehouse (the brand, its locations and staff), its first promotion (the
 * catalog), its first brand-wide coupon (the customers). The sample's own ids, not "any row of
 * brand SFL", so a chain's brand of that code or an operator's edits are not taken for the sample.
 */
type SampleMarks = { brand: string; location: string; promotion: string; coupon: string };

function sampleMarks(data: SampleData, promotions: readonly SamplePromotion[], coupons: readonly SampleCoupon[]): SampleMarks {
  const warehouse = data.locations.find((l) => l.kind === 'warehouse');
  const promotion = promotions[0];
  const coupon = coupons.find((c) => c.customer_id === null);
  if (!warehouse || !promotion || !coupon)
    throw new Error('the sample brand has no warehouse, promotion or brand-wide coupon to mark its parts');
  return { brand: data.brand.code, location: warehouse.id, promotion: promotion.id, coupon: coupon.code };
}

type SampleState = { brand: boolean; base: boolean; catalog: boolean; customers: boolean };

/** Which parts of the sample brand this HQ has, by their marks. */
async function sampleState(sql: Sql, marks: SampleMarks): Promise<SampleState> {
  const [row] = await sql.query<SampleState>(
    `SELECT EXISTS (SELECT 1 FROM brand WHERE code = $1) AS brand,
            EXISTS (SELECT 1 FROM location WHERE id = $2 AND brand = $1) AS base,
            EXISTS (SELECT 1 FROM promotion WHERE id = $3 AND brand = $1) AS catalog,
            EXISTS (SELECT 1 FROM coupon WHERE code = $4 AND brand = $1) AS customers`,
    [marks.brand, marks.location, marks.promotion, marks.coupon],
  );
  return row ?? { brand: false, base: false, catalog: false, customers: false };
}

/**
 * Whether the sample brand was begun here and not finished (a failed or killed import):
 * `importSampleBrand` with the same options then completes it.
 */
export async function sampleBrandInterrupted(db: HqDb): Promise<boolean> {
  const data = generateSampleData({ seed: DEFAULT_SEED, skus: 1, customers: 0 });
  const store = data.locations.find((l) => l.kind === 'store');
  const sample = store ? generateCheckoutSample(data, store.id, { credentials: false }) : { promotions: [], coupons: [] };
  const state = await sampleState(db, sampleMarks(data, sample.promotions, sample.coupons));
  return state.base && !(state.catalog && state.customers);
}

/**
 * Whether HQ's start (its CLI, the fault tests' HQ child) should run `importSampleBrand`: an HQ
 * with no brand at all gets the sample; one whose sample load was cut short gets the rest of it.
 */
export async function sampleBrandPending(db: HqDb): Promise<boolean> {
  const [brand] = await db.query('SELECT 1 FROM brand LIMIT 1');
  return !brand || (await sampleBrandInterrupted(db));
}

/**
 * Every part runs to its end before the import answers — one that failed does not leave another's
 * transaction half done behind its error — then the failure is thrown (both, if both failed).
 */
async function settleAll(parts: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(parts)).flatMap((p) => (p.status === 'rejected' ? [p.reason as unknown] : []));
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, failed.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
}

function unique<T>(list: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of list) if (!seen.has(keyOf(item))) seen.set(keyOf(item), item);
  return [...seen.values()];
}

async function insertLocations(sql: Sql, data: SampleData): Promise<void> {
  const l = data.locations;
  await sql.query(
    `INSERT INTO location (id, brand, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)
     SELECT u.id, $1, u.kind, u.code, u.name_zh, u.name_en, u.city_zh, u.city_en, u.lat, u.lng, u.timezone
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::float8[], $11::text[])
            AS u(id, kind, code, name_zh, name_en, city_zh, city_en, lat, lng, timezone)`,
    [
      data.brand.code,
      l.map((x) => x.id),
      l.map((x) => x.kind),
      l.map((x) => x.code),
      l.map((x) => x.name_zh),
      l.map((x) => x.name_en),
      l.map((x) => x.city_zh),
      l.map((x) => x.city_en),
      l.map((x) => x.lat),
      l.map((x) => x.lng),
      l.map((x) => x.timezone),
    ],
  );
}

async function insertPromotions(sql: Sql, brand: string, p: readonly SamplePromotion[]): Promise<void> {
  await sql.query(
    `INSERT INTO promotion (id, brand, kind, name_zh, name_en, scope, percent_bp, price_fen, threshold_fen, off_fen, repeat, coupons_allowed, with_item_promotions, valid_from, valid_until)
     SELECT u.id, $1, u.kind, u.name_zh, u.name_en, u.scope::jsonb, u.percent_bp, u.price_fen, u.threshold_fen, u.off_fen, u.repeat, u.coupons_allowed, u.with_item_promotions, u.valid_from, u.valid_until
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[], $11::bool[], $12::bool[], $13::bool[], $14::timestamptz[], $15::timestamptz[])
            AS u(id, kind, name_zh, name_en, scope, percent_bp, price_fen, threshold_fen, off_fen, repeat, coupons_allowed, with_item_promotions, valid_from, valid_until)`,
    [
      brand,
      p.map((x) => x.id),
      p.map((x) => x.kind),
      p.map((x) => x.name_zh),
      p.map((x) => x.name_en),
      p.map((x) => x.scope),
      p.map((x) => x.percent_bp),
      p.map((x) => x.price_fen),
      p.map((x) => x.threshold_fen),
      p.map((x) => x.off_fen),
      p.map((x) => x.repeat),
      p.map((x) => x.coupons_allowed),
      p.map((x) => x.with_item_promotions),
      p.map((x) => x.valid_from),
      p.map((x) => x.valid_until),
    ],
  );
}

async function insertCoupons(sql: Sql, brand: string, c: readonly SampleCoupon[]): Promise<void> {
  await sql.query(
    `INSERT INTO coupon (code, brand, customer_id, kind, name_zh, name_en, value_fen, threshold_fen, percent_bp, stackable, valid_from, valid_until)
     SELECT u.code, $1, u.customer_id, u.kind, u.name_zh, u.name_en, u.value_fen, u.threshold_fen, u.percent_bp, u.stackable, u.valid_from, u.valid_until
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::bool[], $11::timestamptz[], $12::timestamptz[])
            AS u(code, customer_id, kind, name_zh, name_en, value_fen, threshold_fen, percent_bp, stackable, valid_from, valid_until)`,
    [
      brand,
      c.map((x) => x.code),
      c.map((x) => x.customer_id),
      c.map((x) => x.kind),
      c.map((x) => x.name_zh),
      c.map((x) => x.name_en),
      c.map((x) => x.value_fen),
      c.map((x) => x.threshold_fen),
      c.map((x) => x.percent_bp),
      c.map((x) => x.stackable),
      c.map((x) => x.valid_from),
      c.map((x) => x.valid_until),
    ],
  );
}
