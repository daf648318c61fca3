import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { LookupResult, SkuView, StyleSummary, StyleView } from '../api/contract.js';
import { AppError } from '../api/errors.js';
import { parseGtin } from '../../native/scanner/barcode.js';

type SkuRow = {
  sku: string;
  ean: string;
  style_code: string;
  colour_code: string;
  colour_zh: string;
  colour_en: string;
  size: string;
  price_fen: number;
  active: number;
  stock: number;
};

type StyleRow = {
  code: string;
  brand: string;
  name_zh: string;
  name_en: string;
  category_zh: string;
  category_en: string;
  season: string;
  price_fen: number;
  sku_count: number;
  stock: number;
};

const SEARCH_LIMIT = 30;
const SKU_RE = /^[A-Z0-9]+-[A-Z0-9]+-[A-Z0-9]+$/i;
const STYLE_RE = /^[A-Z]{2,4}\d{2}[A-Z]\d{3,6}$/i;

/** Escapes LIKE wildcards so a user's `%` or `_` is matched literally. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toSku(row: SkuRow): SkuView {
  return {
    sku: row.sku,
    ean: row.ean,
    styleCode: row.style_code,
    colourCode: row.colour_code,
    colour: { zh: row.colour_zh, en: row.colour_en },
    size: row.size,
    priceFen: row.price_fen,
    active: row.active === 1,
    stock: Math.max(0, row.stock),
  };
}

function toSummary(row: StyleRow): StyleSummary {
  return {
    styleCode: row.code,
    name: { zh: row.name_zh, en: row.name_en },
    category: { zh: row.category_zh, en: row.category_en },
    priceFen: row.price_fen,
    skuCount: row.sku_count,
    stock: Math.max(0, row.stock),
  };
}

/**
 * Product lookup over the local catalog: every query is answered from the device store, so it
 * works with the network down. Statements are prepared once; an EAN lookup is one primary-key
 * probe on the unique EAN index plus the stock row.
 */
export class CatalogService {
  private readonly byEan: Statement<[string, string], SkuRow>;
  private readonly bySku: Statement<[string, string], SkuRow>;
  private readonly styleRow: Statement<[{ store: string; code: string }], StyleRow>;
  private readonly styleSkus: Statement<[string, string], SkuRow>;
  private readonly searchNames: Statement<[{ store: string; prefix: string; part: string; exact: string; limit: number }], StyleRow>;
  private readonly counts: Statement<[], { styles: number; skus: number }>;

  constructor(
    db: Database,
    private readonly storeId: () => string,
  ) {
    const skuCols = `s.sku, s.ean, s.style_code, s.colour_code, s.colour_zh, s.colour_en, s.size, s.price_fen, s.active,
      coalesce((SELECT qty FROM stock WHERE location_id = ? AND sku = s.sku), 0) AS stock`;
    // The store id is the first parameter (stock subquery), the key the second.
    this.byEan = db.prepare(`SELECT ${skuCols} FROM sku s WHERE s.ean = ?`);
    this.bySku = db.prepare(`SELECT ${skuCols} FROM sku s WHERE s.sku = ? COLLATE NOCASE`);
    this.styleSkus = db.prepare(`SELECT ${skuCols} FROM sku s WHERE s.style_code = ? ORDER BY s.colour_code, s.size_order`);
    const styleCols = `st.code, st.brand, st.name_zh, st.name_en, st.category_zh, st.category_en, st.season, st.price_fen,
      (SELECT count(*) FROM sku WHERE style_code = st.code) AS sku_count,
      coalesce((SELECT sum(k.qty) FROM sku s JOIN stock k ON k.sku = s.sku AND k.location_id = ? WHERE s.style_code = st.code), 0) AS stock`.replace(
      '= ?',
      '= @store',
    );
    this.styleRow = db.prepare(`SELECT ${styleCols} FROM style st WHERE st.code = @code COLLATE NOCASE`);
    // Prefix matches first (they use the name indexes' order), then names that merely contain the text.
    this.searchNames = db.prepare(`
      SELECT ${styleCols},
        CASE WHEN st.name_zh LIKE @prefix ESCAPE '\\' OR st.name_en LIKE @prefix ESCAPE '\\' THEN 0 ELSE 1 END AS rank
      FROM style st
      WHERE st.name_zh LIKE @part ESCAPE '\\' OR st.name_en LIKE @part ESCAPE '\\' OR st.category_zh = @exact OR st.category_en = @exact COLLATE NOCASE
      ORDER BY rank, st.name_zh
      LIMIT @limit`);
    this.counts = db.prepare(`SELECT (SELECT count(*) FROM style) AS styles, (SELECT count(*) FROM sku) AS skus`);
  }

  size(): { styles: number; skus: number } {
    return this.counts.get() ?? { styles: 0, skus: 0 };
  }

  /** EAN-13 / UPC-A / EAN-8 with the check digit verified; NOT_FOUND when valid but unknown here. */
  byBarcode(raw: string): { sku: SkuView; by: 'ean' | 'upc' } {
    const gtin = parseGtin(raw);
    if (!gtin.ok) {
      const why = {
        not_digits: 'is not all digits',
        bad_length: 'must have 8, 12 or 13 digits',
        bad_check_digit: 'has a wrong check digit',
      }[gtin.reason];
      throw new AppError('INVALID_BARCODE', `Barcode ${raw} ${why}`);
    }
    const row = this.byEan.get(this.storeId(), gtin.code);
    if (!row) throw new AppError('NOT_FOUND', `Barcode ${raw} is not in the catalog`);
    return { sku: toSku(row), by: gtin.symbology === 'upca' ? 'upc' : 'ean' };
  }

  /** The fast path a scan takes: one indexed probe, no style matrix. */
  skuByEan(ean13: string): SkuView | undefined {
    const row = this.byEan.get(this.storeId(), ean13);
    return row ? toSku(row) : undefined;
  }

  style(styleCode: string): StyleView {
    const store = this.storeId();
    const row = this.styleRow.get({ store, code: styleCode });
    if (!row) throw new AppError('NOT_FOUND', `Style ${styleCode} is not in the catalog`);
    const skus = this.styleSkus.all(store, row.code).map(toSku);
    const colours = new Map<string, { code: string; name: { zh: string; en: string } }>();
    const sizes: string[] = [];
    for (const sku of skus) {
      if (!colours.has(sku.colourCode)) colours.set(sku.colourCode, { code: sku.colourCode, name: sku.colour });
      if (!sizes.includes(sku.size)) sizes.push(sku.size);
    }
    return { ...toSummary(row), brand: row.brand, season: row.season, colours: [...colours.values()], sizes, skus };
  }

  /** One box for everything a cashier may type or scan. */
  lookup(query: string): LookupResult {
    const q = query.trim();
    if (/^\d+$/.test(q)) {
      const { sku, by } = this.byBarcode(q);
      return { match: 'sku', by, sku, style: this.style(sku.styleCode) };
    }
    if (SKU_RE.test(q)) {
      const row = this.bySku.get(this.storeId(), q);
      if (row) return { match: 'sku', by: 'sku', sku: toSku(row), style: this.style(row.style_code) };
    }
    if (STYLE_RE.test(q) && this.styleRow.get({ store: this.storeId(), code: q })) return { match: 'style', style: this.style(q) };
    const escaped = likeEscape(q);
    const rows = this.searchNames.all({
      store: this.storeId(),
      prefix: `${escaped}%`,
      part: `%${escaped}%`,
      exact: q,
      limit: SEARCH_LIMIT + 1,
    });
    if (rows.length === 0) throw new AppError('NOT_FOUND', `Nothing in the catalog matches “${q}”`);
    return { match: 'search', styles: rows.slice(0, SEARCH_LIMIT).map(toSummary), truncated: rows.length > SEARCH_LIMIT };
  }
}
