import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { NONE, useCart } from './checkout-hooks.js';
import { useApp, useServices, useT } from '../../app/services.js';
import type { CartLine, ReturnLine } from './checkout-types.js';
import { Stepper } from '../../ui/Stepper.js';
import './cart-lines.css';

type Props = { onEdit: (line: CartLine) => void };

/** The cart as the customer will see it on the receipt: every number comes from main's pricing. */
export function CartLines({ onEdit }: Props) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { cart } = useServices();
  const lines = useCart((s) => s.cart?.lines ?? NONE);
  const returned = useCart((s) => s.cart?.return?.lines ?? NONE);
  const busy = useCart((s) => s.busy);

  if (lines.length === 0 && returned.length === 0) {
    return (
      <div className="co-cart-empty" data-testid="cart-empty">
        <span className="co-cart-empty-icon" aria-hidden="true">
          ⌁
        </span>
        <p>{t('checkout.sell.empty')}</p>
      </div>
    );
  }

  return (
    <div className="co-cart" data-testid="cart">
      <div className="co-cart-head" aria-hidden="true">
        <span>{t('checkout.cart.item')}</span>
        <span>{t('checkout.cart.qty')}</span>
        <span className="co-right">{t('checkout.cart.unit')}</span>
        <span className="co-right">{t('checkout.cart.total')}</span>
        <span />
      </div>
      <ol className="co-cart-lines">
        {lines.map((line) => {
          const discount = line.manualDiscountFen + line.promotionDiscountFen + line.orderDiscountFen;
          return (
            <li key={line.lineId} className="co-line" data-testid="cart-line" data-sku={line.sku} data-line-id={line.lineId}>
              <div className="co-line-item">
                <div className="co-line-name">{pickName(line.name, language)}</div>
                <div className="co-line-meta">
                  {pickName(line.colour, language)} · {line.size} <span className="mono co-faint">{line.sku}</span>
                </div>
                {(line.promotions.length > 0 || line.manualDiscount || line.override) && (
                  <div className="co-line-tags">
                    {line.promotions.map((p) => (
                      <span key={p.id} className="co-tag co-tag-promo">
                        {pickName(p.name, language)}
                      </span>
                    ))}
                    {line.manualDiscount && (
                      <span className="co-tag">
                        {line.manualDiscount.kind === 'percent'
                          ? t('checkout.line.discountPercent', { percent: line.manualDiscount.percent })
                          : t('checkout.line.discountAmount', { amount: formatFen(line.manualDiscount.amountFen) })}
                      </span>
                    )}
                    {line.override && <span className="co-tag">{t('checkout.line.overridden')}</span>}
                  </div>
                )}
              </div>
              <Stepper
                testId="line-qty"
                value={line.qty}
                min={1}
                max={999}
                disabled={busy}
                onChange={(qty) => void cart.getState().setQty(line.lineId, qty)}
              />
              <div className="co-right co-money">
                {line.unitFen !== line.listUnitFen && <div className="co-strike">{formatFen(line.listUnitFen)}</div>}
                <div>{formatFen(line.unitFen)}</div>
              </div>
              <div className="co-right co-money">
                {discount > 0 && (
                  <div className="co-discount" data-testid="line-discount">
                    −{formatFen(discount)}
                  </div>
                )}
                <div className="co-line-total" data-testid="line-total">
                  {formatFen(line.totalFen)}
                </div>
              </div>
              <div className="co-line-actions">
                <button
                  type="button"
                  className="co-icon-button"
                  aria-label={t('checkout.line.edit')}
                  data-testid="line-edit"
                  onClick={() => onEdit(line)}
                >
                  %
                </button>
                <button
                  type="button"
                  className="co-icon-button co-icon-danger"
                  aria-label={t('checkout.line.remove')}
                  data-testid="line-remove"
                  disabled={busy}
                  onClick={() => void cart.getState().removeLine(line.lineId)}
                >
                  ×
                </button>
              </div>
            </li>
          );
        })}
        {returned.map((line) => (
          <ReturnedLine key={line.lineId} line={line} />
        ))}
      </ol>
    </div>
  );
}

function ReturnedLine({ line }: { line: ReturnLine }) {
  const t = useT();
  const language = useApp((s) => s.language);
  return (
    <li className="co-line co-line-return" data-testid="cart-return-line" data-sku={line.sku}>
      <div className="co-line-item">
        <div className="co-line-name">
          <span className="co-tag co-tag-return">{t('checkout.cart.returnTag')}</span> {pickName(line.name, language)}
        </div>
        <div className="co-line-meta">
          {pickName(line.colour, language)} · {line.size} <span className="mono co-faint">{line.sku}</span>
        </div>
      </div>
      <span className="co-step-value">−{line.qty}</span>
      <div className="co-right co-money">{formatFen(line.unitPaidFen)}</div>
      <div className="co-right co-money co-refund">−{formatFen(line.refundFen)}</div>
      <span />
    </li>
  );
}
