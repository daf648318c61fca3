import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { I18nName } from '../api/domains/common.js';

/** What a cart line needs of a SKU: one indexed probe, with the style's name and category. */
export type SellableSku = {
  sku: string;
  ean: string;
  styleCode: string;
  category: string;
  name: I18nName;
  colour: I18nName;
  size: string;
  priceFen: number;
  active: boolean;
};

type Row = {
  sku: string;
  ean: string;
  style_code: string;
  category_en: string;
  name_zh: string;
  name_en: string;
  colour_zh: string;
  colour_en: string;
  size: string;
  price_fen: number;
  active: number;
};

const COLS = `s.sku, s.ean, s.style_code, st.category_en, st.name_zh, st.name_en, s.colour_zh, s.colour_en, s.size, s.price_fen, s.active
  FROM sku s JOIN style st ON st.code = s.style_code`;

function toSellable(r: Row): SellableSku {
  return {
    sku: r.sku,
    ean: r.ean,
    styleCode: r.style_code,
    category: r.category_en,
    name: { zh: r.name_zh, en: r.name_en },
    colour: { zh: r.colour_zh, en: r.colour_en },
    size: r.size,
    priceFen: r.price_fen,
    active: r.active === 1,
  };
}

export class CheckoutCatalog {
  private readonly byEan: Statement<[string], Row>;
  private readonly bySku: Statement<[string], Row>;

  constructor(db: Database) {
    this.byEan = db.prepare(`SELECT ${COLS} WHERE s.ean = ?`);
    this.bySku = db.prepare(`SELECT ${COLS} WHERE s.sku = ? COLLATE NOCASE`);
  }

  ean(ean13: string): SellableSku | undefined {
    const r = this.byEan.get(ean13);
    return r ? toSellable(r) : undefined;
  }

  sku(code: string): SellableSku | undefined {
    const r = this.bySku.get(code);
    return r ? toSellable(r) : undefined;
  }
}
