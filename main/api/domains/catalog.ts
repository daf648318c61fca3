import { z } from 'zod';
import { code, method } from '../define.js';
import type { I18nName } from './common.js';

export type SkuView = {
  sku: string;
  ean: string;
  styleCode: string;
  colourCode: string;
  colour: I18nName;
  size: string;
  priceFen: number;
  active: boolean;
  /** On hand in this device's store; negative never appears (clamped by the store). */
  stock: number;
};

export type StyleSummary = {
  styleCode: string;
  name: I18nName;
  category: I18nName;
  priceFen: number;
  skuCount: number;
  stock: number;
};

export type StyleView = StyleSummary & {
  brand: string;
  season: string;
  colours: { code: string; name: I18nName }[];
  sizes: string[];
  skus: SkuView[];
};

export type LookupResult =
  | { match: 'sku'; by: 'ean' | 'upc' | 'sku'; sku: SkuView; style: StyleView }
  | { match: 'style'; style: StyleView }
  | { match: 'search'; styles: StyleSummary[]; truncated: boolean };

export const catalogContract = {
  /** EAN-13 / UPC-A / EAN-8 (check digit verified), SKU, style code, or a name (prefix or part). */
  lookup: method<LookupResult>()(z.object({ query: code }).strict()),
  /** A style's size/colour matrix with store stock. */
  style: method<StyleView>()(z.object({ styleCode: code }).strict()),
};
