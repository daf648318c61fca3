import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { useApp, useT } from '../../app/services.js';
import { StockMatrix } from './StockMatrix.js';
import type { StyleView } from '../../api/contract.js';
import './product-card.css';

type Props = {
  style: StyleView;
  /** Undefined: the style as a whole, no colour/size picked yet. */
  skuCode: string | undefined;
  onSelectSku: (sku: string) => void;
};

export function ProductCard({ style, skuCode, onSelectSku }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  const sku = skuCode === undefined ? undefined : style.skus.find((s) => s.sku === skuCode);

  return (
    <article className="card" data-testid="product-card" data-style-code={style.styleCode} data-sku={sku?.sku ?? ''}>
      <header className="card-head">
        <div className="card-title">
          <h2 data-testid="product-name">{pickName(style.name, language)}</h2>
          <p className="card-meta">
            <span>
              {t('lookup.card.styleCode')} <strong>{style.styleCode}</strong>
            </span>
            <span>{pickName(style.category, language)}</span>
            {style.season && <span>{style.season}</span>}
          </p>
        </div>
        <div className="card-price" data-testid="product-price">
          {formatFen(sku?.priceFen ?? style.priceFen)}
        </div>
      </header>

      {sku ? (
        <dl className="facts">
          <div className="fact">
            <dt>{t('lookup.card.colour')}</dt>
            <dd>
              <span data-testid="product-colour">{pickName(sku.colour, language)}</span>
              <span className="code">{sku.colourCode}</span>
            </dd>
          </div>
          <div className="fact">
            <dt>{t('lookup.card.size')}</dt>
            <dd data-testid="product-size">{sku.size}</dd>
          </div>
          <div className={`fact fact-stock${sku.stock === 0 ? ' is-empty' : ''}`}>
            <dt>{t('lookup.card.stockHere')}</dt>
            <dd data-testid="product-stock">{t('lookup.card.pieces', { count: sku.stock })}</dd>
          </div>
          <div className="fact">
            <dt>{t('lookup.card.ean')}</dt>
            <dd className="mono" data-testid="product-ean">
              {sku.ean}
            </dd>
          </div>
          <div className="fact">
            <dt>{t('lookup.card.sku')}</dt>
            <dd className="mono" data-testid="product-sku">
              {sku.sku}
            </dd>
          </div>
          {!sku.active && (
            <div className="fact">
              <dd className="badge badge-inactive">{t('lookup.card.inactive')}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p className="card-hint">
          {t('lookup.card.pickSize')} · {t('lookup.card.styleStock', { count: style.stock })}
        </p>
      )}

      <StockMatrix style={style} selectedSku={sku?.sku} onSelect={onSelectSku} />
    </article>
  );
}
