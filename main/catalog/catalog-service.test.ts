import Database from 'better-sqlite3-multiple-ciphers';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSampleData } from '../../fixtures/generate.js';
import type { SampleData } from '../../fixtures/generate.js';
import { seedDeviceStore } from '../../fixtures/seed-device.js';
import { withCheckDigit } from '../../native/scanner/barcode.js';
import { AppError } from '../api/errors.js';
import { migrate } from '../store/migrate.js';
import { migrations } from '../store/migrations/index.js';
import { CatalogService } from './catalog-service.js';

let data: SampleData;
let catalog: CatalogService;
const STORE = 'loc-S001';

beforeAll(() => {
  data = generateSampleData({ skus: 3000, customers: 10 });
  const db = new Database(':memory:');
  migrate(db, migrations);
  seedDeviceStore(db, data, { storeId: STORE, now: '2026-11-22T00:00:00.000Z' });
  catalog = new CatalogService(db, () => STORE);
});

function stockOf(sku: string): number {
  const i = data.skus.findIndex((s) => s.sku === sku);
  return data.stock.find((s) => s.location_id === STORE)!.qty[i]!;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('catalog lookup', () => {
  it('finds a SKU by EAN-13 with its price and this store’s stock', () => {
    const sku = data.skus[1234]!;
    const result = catalog.lookup(sku.ean);
    expect(result.match).toBe('sku');
    if (result.match !== 'sku') return;
    expect(result.by).toBe('ean');
    expect(result.sku).toMatchObject({ sku: sku.sku, ean: sku.ean, size: sku.size, priceFen: sku.price_fen, stock: stockOf(sku.sku) });
    expect(result.style.styleCode).toBe(sku.style_code);
  });

  it('finds an imported SKU by its 12-digit UPC-A', () => {
    const imported = data.skus.find((s) => s.ean.startsWith('0'));
    expect(imported).toBeDefined();
    const result = catalog.lookup(imported!.ean.slice(1));
    expect(result).toMatchObject({ match: 'sku', by: 'upc', sku: { sku: imported!.sku } });
  });

  it('tells a misread from an unknown product', () => {
    const ean = data.skus[0]!.ean;
    const wrongCheck = ean.slice(0, 12) + String((Number(ean[12]) + 1) % 10);
    expect(codeOf(() => catalog.lookup(wrongCheck))).toBe('INVALID_BARCODE');
    expect(codeOf(() => catalog.lookup(ean.slice(0, 11)))).toBe('INVALID_BARCODE');
    expect(codeOf(() => catalog.lookup('12345678901234567890'))).toBe('INVALID_BARCODE');
    const unknown = withCheckDigit('690999999999');
    expect(data.skus.some((s) => s.ean === unknown)).toBe(false);
    expect(codeOf(() => catalog.lookup(unknown))).toBe('NOT_FOUND');
  });

  it('finds a SKU by its code, in any case', () => {
    const sku = data.skus[77]!;
    expect(catalog.lookup(sku.sku.toLowerCase())).toMatchObject({ match: 'sku', by: 'sku', sku: { sku: sku.sku } });
  });

  it('returns a style’s colour × size matrix in size-run order with stock per cell', () => {
    const style = data.styles[5]!;
    const result = catalog.lookup(style.code);
    expect(result.match).toBe('style');
    if (result.match !== 'style') return;
    const skus = data.skus.filter((s) => s.style_code === style.code);
    expect(result.style.skus.map((s) => s.sku).sort()).toEqual(skus.map((s) => s.sku).sort());
    expect(result.style.colours.map((c) => c.code)).toEqual([...new Set(skus.map((s) => s.colour_code))].sort());
    const sizesInOrder = [...new Map(skus.map((s) => [s.size, s.size_order])).entries()].sort((a, b) => a[1] - b[1]).map(([s]) => s);
    expect(result.style.sizes).toEqual(sizesInOrder);
    for (const cell of result.style.skus) expect(cell.stock).toBe(stockOf(cell.sku));
    expect(result.style.stock).toBe(skus.reduce((sum, s) => sum + stockOf(s.sku), 0));
  });

  it('searches names by prefix first, then by part, in Chinese and English', () => {
    const style = data.styles[9]!;
    const prefix = style.name_zh.slice(0, 3);
    const result = catalog.lookup(prefix);
    expect(result.match).toBe('search');
    if (result.match !== 'search') return;
    expect(result.styles.length).toBeGreaterThan(0);
    expect(result.styles[0]!.name.zh.startsWith(prefix)).toBe(true);
    expect(result.styles.map((s) => s.styleCode)).toContain(style.code);

    const word = style.name_en.split(' ').at(-1)!.toUpperCase();
    const en = catalog.lookup(word);
    expect(
      en.match === 'search' && en.styles.every((s) => s.name.en.toUpperCase().includes(word) || s.category.en.toUpperCase() === word),
    ).toBe(true);
  });

  it('treats LIKE wildcards literally and says when nothing matches', () => {
    expect(codeOf(() => catalog.lookup('%'))).toBe('NOT_FOUND');
    expect(codeOf(() => catalog.lookup('_'))).toBe('NOT_FOUND');
    expect(codeOf(() => catalog.lookup('绝对没有这个商品'))).toBe('NOT_FOUND');
  });
});
