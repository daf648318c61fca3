import { z } from 'zod';
import { openBulkLoader } from '../bulk-load.js';
import type { BulkLoader } from '../bulk-load.js';
import type { Sql } from '../db.js';
import { HqHttpError } from '../http-error.js';
import { parseCsv } from './csv.js';

/**
 * Catalog import: styles, SKUs and price changes, as JSON or CSV. Everything is validated before
 * anything is written, and the write is one transaction, so a bad row (reported with its number)
 * leaves HQ as it was. Rows go in with multi-row `unnest` upserts through the bulk loader (change
 * log written per statement, foreign keys checked set-based: ../bulk-load.ts); a row that did not
 * change is left alone, so re-importing a catalog does not flood every device's feed.
 */

const text = (max = 200) => z.string().min(1).max(max);
const fen = z.number().int().min(0).max(100_000_000);

export const styleRowSchema = z
  .object({ code: text(64), name_zh: text(), name_en: text(), category_zh: text(), category_en: text(), season: text(32), price_fen: fen })
  .strict();
export const skuRowSchema = z
  .object({
    sku: text(64),
    style_code: text(64),
    colour_code: text(32),
    colour_zh: text(),
    colour_en: text(),
    size: text(32),
    size_order: z.number().int().min(0).max(10_000),
    ean: z.string().regex(/^[0-9]{13}$/, 'an EAN-13 has 13 digits'),
    price_fen: fen,
    active: z.boolean().default(true),
  })
  .strict();
export const priceRowSchema = z.object({ sku: text(64), price_fen: fen }).strict();

export type StyleRow = z.infer<typeof styleRowSchema>;
export type SkuRow = z.infer<typeof skuRowSchema>;
export type PriceRow = z.infer<typeof priceRowSchema>;
export type CatalogImport = { brand: string; styles: StyleRow[]; skus: SkuRow[]; prices: PriceRow[] };

export const MAX_IMPORT_ROWS = 500_000;
const brandSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

function rows<T>(schema: z.ZodType<T>, input: unknown, what: string): T[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw new HqHttpError(400, 'bad_request', `${what} must be a list`);
  if (input.length > MAX_IMPORT_ROWS) throw new HqHttpError(400, 'bad_request', `${what}: at most ${MAX_IMPORT_ROWS} rows per import`);
  return input.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) throw rowError(what, i + 1, parsed.error);
    return parsed.data;
  });
}

function rowError(what: string, rowNumber: number, error: z.ZodError): HqHttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return new HqHttpError(400, 'bad_request', `${what} row ${rowNumber}: ${field}${issue?.message ?? 'invalid'}`);
}

/** `{brand, styles?, skus?, prices?}`, each a list of rows. */
export function catalogFromJson(body: unknown): CatalogImport {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HqHttpError(400, 'bad_request', 'expected {brand, styles, skus, prices}');
  const { brand, styles, skus, prices, ...rest } = body as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new HqHttpError(400, 'bad_request', `unknown field ${unknownKey}`);
  const parsedBrand = brandSchema.safeParse(brand);
  if (!parsedBrand.success) throw new HqHttpError(400, 'bad_request', 'brand: a brand code is required');
  return checked({
    brand: parsedBrand.data,
    styles: rows(styleRowSchema, styles, 'styles'),
    skus: rows(skuRowSchema, skus, 'skus'),
    prices: rows(priceRowSchema, prices, 'prices'),
  });
}

/** The columns a catalog CSV has: one SKU per row; the style columns are optional when the style exists. */
export const CSV_SKU_COLUMNS = [
  'sku',
  'style_code',
  'colour_code',
  'colour_zh',
  'colour_en',
  'size',
  'size_order',
  'ean',
  'price_fen',
] as const;
export const CSV_STYLE_COLUMNS = ['style_name_zh', 'style_name_en', 'category_zh', 'category_en', 'season', 'style_price_fen'] as const;

/** A CSV with a header row (CSV_SKU_COLUMNS, optional `active`, optional CSV_STYLE_COLUMNS all together). */
export function catalogFromCsv(brand: unknown, csv: string): CatalogImport {
  const parsedBrand = brandSchema.safeParse(brand);
  if (!parsedBrand.success) throw new HqHttpError(400, 'bad_request', 'brand: pass the brand code as ?brand=');
  let table: string[][];
  try {
    table = parseCsv(csv);
  } catch (error) {
    throw new HqHttpError(400, 'bad_request', error instanceof Error ? error.message : 'unreadable CSV');
  }
  const [header, ...data] = table;
  if (!header) throw new HqHttpError(400, 'bad_request', 'the CSV is empty');
  if (data.length > MAX_IMPORT_ROWS) throw new HqHttpError(400, 'bad_request', `at most ${MAX_IMPORT_ROWS} rows per import`);
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  const missing = CSV_SKU_COLUMNS.find((c) => !index.has(c));
  if (missing) throw new HqHttpError(400, 'bad_request', `the header row has no column ${missing}`);
  const styleColumns = CSV_STYLE_COLUMNS.filter((c) => index.has(c));
  if (styleColumns.length > 0 && styleColumns.length < CSV_STYLE_COLUMNS.length) {
    throw new HqHttpError(400, 'bad_request', `style columns come together: ${CSV_STYLE_COLUMNS.join(', ')}`);
  }
  const skus: SkuRow[] = [];
  const styles = new Map<string, StyleRow>();
  data.forEach((cells, i) => {
    const rowNumber = i + 1;
    if (cells.length !== header.length)
      throw new HqHttpError(400, 'bad_request', `row ${rowNumber}: ${cells.length} fields, the header has ${header.length}`);
    const cell = (name: string): string => (cells[index.get(name) ?? -1] ?? '').trim();
    const int = (name: string): number | string => (/^-?\d{1,12}$/.test(cell(name)) ? Number(cell(name)) : cell(name));
    const active = index.has('active') ? !['false', '0', 'no'].includes(cell('active').toLowerCase()) : true;
    const sku = skuRowSchema.safeParse({
      sku: cell('sku'),
      style_code: cell('style_code'),
      colour_code: cell('colour_code'),
      colour_zh: cell('colour_zh'),
      colour_en: cell('colour_en'),
      size: cell('size'),
      size_order: int('size_order'),
      ean: cell('ean'),
      price_fen: int('price_fen'),
      active,
    });
    if (!sku.success) throw rowError('CSV', rowNumber, sku.error);
    skus.push(sku.data);
    if (styleColumns.length > 0 && !styles.has(sku.data.style_code)) {
      const style = styleRowSchema.safeParse({
        code: sku.data.style_code,
        name_zh: cell('style_name_zh'),
        name_en: cell('style_name_en'),
        category_zh: cell('category_zh'),
        category_en: cell('category_en'),
        season: cell('season'),
        price_fen: int('style_price_fen'),
      });
      if (!style.success) throw rowError('CSV', rowNumber, style.error);
      styles.set(style.data.code, style.data);
    }
  });
  return checked({ brand: parsedBrand.data, styles: [...styles.values()], skus, prices: [] });
}

/** What a row-by-row check cannot see: duplicates inside the file. */
function checked(catalog: CatalogImport): CatalogImport {
  const duplicate = <T>(list: T[], keyOf: (row: T) => string, what: string) => {
    const seen = new Set<string>();
    list.forEach((row, i) => {
      const key = keyOf(row);
      if (seen.has(key)) throw new HqHttpError(400, 'bad_request', `${what} row ${i + 1}: ${key} appears twice`);
      seen.add(key);
    });
  };
  duplicate(catalog.styles, (s) => s.code, 'styles');
  duplicate(catalog.skus, (s) => s.sku, 'skus');
  duplicate(catalog.skus, (s) => s.ean, 'skus (ean)');
  duplicate(catalog.prices, (p) => p.sku, 'prices');
  return catalog;
}

const CHUNK = 20_000;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** The tables `upsertStyles` and `upsertSkus` write, for `openBulkLoader`. */
export const CATALOG_BULK_TABLES = ['style', 'sku'] as const;

export async function upsertStyles(loader: BulkLoader, brand: string, styles: readonly StyleRow[]): Promise<void> {
  for (const part of chunks(styles)) {
    await loader.insert(
      'style',
      `INSERT INTO style (code, brand, name_zh, name_en, category_zh, category_en, season, price_fen)
       SELECT u.code, $1, u.name_zh, u.name_en, u.category_zh, u.category_en, u.season, u.price_fen
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
              AS u(code, name_zh, name_en, category_zh, category_en, season, price_fen)`,
      [
        brand,
        part.map((s) => s.code),
        part.map((s) => s.name_zh),
        part.map((s) => s.name_en),
        part.map((s) => s.category_zh),
        part.map((s) => s.category_en),
        part.map((s) => s.season),
        part.map((s) => s.price_fen),
      ],
      {
        onConflict: `ON CONFLICT (code) DO UPDATE SET brand = excluded.brand, name_zh = excluded.name_zh, name_en = excluded.name_en,
              category_zh = excluded.category_zh, category_en = excluded.category_en, season = excluded.season, price_fen = excluded.price_fen
        WHERE (style.brand, style.name_zh, style.name_en, style.category_zh, style.category_en, style.season, style.price_fen)
              IS DISTINCT FROM (excluded.brand, excluded.name_zh, excluded.name_en, excluded.category_zh, excluded.category_en, excluded.season, excluded.price_fen)`,
      },
    );
  }
}

export async function upsertSkus(loader: BulkLoader, brand: string, skus: readonly SkuRow[]): Promise<void> {
  for (const part of chunks(skus)) {
    await loader.insert(
      'sku',
      `INSERT INTO sku (sku, brand, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active)
       SELECT u.sku, $1, u.style_code, u.colour_code, u.colour_zh, u.colour_en, u.size, u.size_order, u.ean, u.price_fen, u.active
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::int[], $11::bool[])
              AS u(sku, style_code, colour_code, colour_zh, colour_en, size, size_order, ean, price_fen, active)`,
      [
        brand,
        part.map((s) => s.sku),
        part.map((s) => s.style_code),
        part.map((s) => s.colour_code),
        part.map((s) => s.colour_zh),
        part.map((s) => s.colour_en),
        part.map((s) => s.size),
        part.map((s) => s.size_order),
        part.map((s) => s.ean),
        part.map((s) => s.price_fen),
        part.map((s) => s.active),
      ],
      {
        onConflict: `ON CONFLICT (sku) DO UPDATE SET brand = excluded.brand, style_code = excluded.style_code, colour_code = excluded.colour_code,
              colour_zh = excluded.colour_zh, colour_en = excluded.colour_en, size = excluded.size, size_order = excluded.size_order,
              ean = excluded.ean, price_fen = excluded.price_fen, active = excluded.active
        WHERE (sku.brand, sku.style_code, sku.colour_code, sku.colour_zh, sku.colour_en, sku.size, sku.size_order, sku.ean, sku.price_fen, sku.active)
              IS DISTINCT FROM (excluded.brand, excluded.style_code, excluded.colour_code, excluded.colour_zh, excluded.colour_en, excluded.size,
                                excluded.size_order, excluded.ean, excluded.price_fen, excluded.active)`,
      },
    );
  }
}

/** Applies an import in the caller's transaction. Unknown SKUs in `prices` are refused (400), not skipped. */
export async function writeCatalog(sql: Sql, catalog: CatalogImport): Promise<{ styles: number; skus: number; prices: number }> {
  const [brand] = await sql.query('SELECT 1 FROM brand WHERE code = $1', [catalog.brand]);
  if (!brand) throw new HqHttpError(400, 'bad_request', `unknown brand ${catalog.brand}`);
  const loader = await openBulkLoader(sql, CATALOG_BULK_TABLES);
  await upsertStyles(loader, catalog.brand, catalog.styles);
  await upsertSkus(loader, catalog.brand, catalog.skus);
  for (const part of chunks(catalog.prices)) {
    const skus = part.map((p) => p.sku);
    const updated = await sql.query<{ n: number }>(
      `WITH u AS (SELECT * FROM unnest($1::text[], $2::int[]) AS u(sku, price_fen)),
            w AS (UPDATE sku SET price_fen = u.price_fen FROM u WHERE sku.sku = u.sku AND sku.price_fen <> u.price_fen RETURNING 1)
       SELECT (SELECT count(*)::int FROM u JOIN sku ON sku.sku = u.sku) AS n`,
      [skus, part.map((p) => p.price_fen)],
    );
    if ((updated[0]?.n ?? 0) !== part.length) throw new HqHttpError(400, 'bad_request', 'prices name SKUs HQ does not know');
  }
  return { styles: catalog.styles.length, skus: catalog.skus.length, prices: catalog.prices.length };
}
