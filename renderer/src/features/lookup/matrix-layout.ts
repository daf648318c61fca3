import type { I18nName, SkuView, StyleView } from '../../api/contract.js';

export type MatrixLayout = {
  colours: { code: string; name: I18nName }[];
  sizes: string[];
  cell: (colourCode: string, size: string) => SkuView | undefined;
};

/**
 * Rows and columns in the style's own order; a SKU whose colour or size the style does not list
 * (inconsistent catalog data) still gets a row/column rather than disappearing.
 */
export function matrixLayout(style: StyleView): MatrixLayout {
  const colours = [...style.colours];
  const sizes = [...style.sizes];
  const byCell = new Map<string, SkuView>();
  for (const sku of style.skus) {
    if (!colours.some((c) => c.code === sku.colourCode)) colours.push({ code: sku.colourCode, name: sku.colour });
    if (!sizes.includes(sku.size)) sizes.push(sku.size);
    byCell.set(`${sku.colourCode}\u0000${sku.size}`, sku);
  }
  return { colours, sizes, cell: (colourCode, size) => byCell.get(`${colourCode}\u0000${size}`) };
}
