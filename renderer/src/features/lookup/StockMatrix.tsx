import { pickName } from '../../i18n/pick-name.js';
import { useApp, useT } from '../../app/services.js';
import { matrixLayout } from './matrix-layout.js';
import type { StyleView } from '../../api/contract.js';
import './stock-matrix.css';

type Props = { style: StyleView; selectedSku: string | undefined; onSelect: (sku: string) => void };

/** Rows are colours, columns sizes; each cell is one SKU's stock in this store. */
export function StockMatrix({ style, selectedSku, onSelect }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  const layout = matrixLayout(style);

  return (
    <section className="matrix" data-testid="stock-matrix" aria-label={t('lookup.matrix.title')}>
      <h3 className="matrix-title">{t('lookup.matrix.title')}</h3>
      <div className="matrix-scroll">
        <table className="matrix-table">
          <thead>
            <tr>
              <th scope="col" className="matrix-corner">
                {t('lookup.matrix.colour')}
              </th>
              {layout.sizes.map((size) => (
                <th scope="col" key={size}>
                  {size}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {layout.colours.map((colour) => {
              const colourName = pickName(colour.name, language);
              return (
                <tr key={colour.code}>
                  <th scope="row" className="matrix-colour">
                    <span>{colourName}</span>
                    <span className="code">{colour.code}</span>
                  </th>
                  {layout.sizes.map((size) => {
                    const sku = layout.cell(colour.code, size);
                    if (!sku) {
                      return (
                        <td key={size} className="matrix-none" title={t('lookup.matrix.noSku')}>
                          <span aria-label={t('lookup.matrix.noSku')}>·</span>
                        </td>
                      );
                    }
                    const selected = sku.sku === selectedSku;
                    const classes = [
                      'matrix-cell',
                      sku.stock === 0 ? 'is-empty' : '',
                      sku.active ? '' : 'is-inactive',
                      selected ? 'is-selected' : '',
                    ]
                      .filter(Boolean)
                      .join(' ');
                    return (
                      <td key={size}>
                        <button
                          type="button"
                          className={classes}
                          data-testid="matrix-cell"
                          data-sku={sku.sku}
                          data-stock={sku.stock}
                          data-active={sku.active}
                          data-selected={selected}
                          aria-pressed={selected}
                          aria-label={t('lookup.matrix.cellLabel', { colour: colourName, size, stock: sku.stock })}
                          onClick={() => onSelect(sku.sku)}
                        >
                          <span className="matrix-stock">{sku.stock}</span>
                          {!sku.active && <span className="matrix-tag">{t('lookup.matrix.inactive')}</span>}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
