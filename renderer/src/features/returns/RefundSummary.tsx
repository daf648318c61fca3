import { useServices, useT } from '../../app/services.js';
import { formatFen } from '../../ui/format/money.js';
import { NONE, useCart } from '../checkout/checkout-hooks.js';
import '../checkout/totals-panel.css';

/** What the customer gets back, and how (by the way each line was paid); an exchange's new items are settled on Sell. */
export function RefundSummary() {
  const t = useT();
  const { cart } = useServices();
  const returning = useCart((s) => s.cart?.return ?? null);
  const totals = useCart((s) => s.cart?.totals);
  const refunds = useCart((s) => s.cart?.refunds ?? NONE);
  const canComplete = useCart((s) => s.cart?.canComplete ?? false);
  const busy = useCart((s) => s.busy);
  if (!returning || !totals) return null;
  const exchange = totals.totalFen > 0;
  return (
    <section className="co-totals" data-testid="refund-summary">
      <div className="co-total-row">
        <span>{t('checkout.totals.refund')}</span>
        <span className="co-money co-refund" data-testid="refund-total">
          {formatFen(totals.refundFen)}
        </span>
      </div>
      {exchange && (
        <div className="co-total-row">
          <span>{t('returns.newItems')}</span>
          <span className="co-money">{formatFen(totals.totalFen)}</span>
        </div>
      )}
      {refunds.map((r) => (
        <div key={r.method} className="co-total-row co-muted" data-testid="refund-method" data-method={r.method}>
          <span>{t('returns.refundTo', { method: t(`checkout.tender.method.${r.method}`) })}</span>
          <span className="co-money">{formatFen(r.amountFen)}</span>
        </div>
      ))}
      <div className="co-form-actions">
        <button
          type="button"
          className="button-ghost"
          data-testid="return-cancel"
          disabled={busy}
          onClick={() => void cart.getState().cancelReturn()}
        >
          {t('ui.cancel')}
        </button>
        {totals.netFen < 0 && refunds.some((r) => r.method !== 'cash') && (
          <button
            type="button"
            className="button-ghost"
            data-testid="return-cash-instead"
            disabled={busy || !canComplete}
            onClick={() => void cart.getState().complete({ cashInstead: true })}
          >
            {t('returns.cashInstead')}
          </button>
        )}
        {totals.netFen <= 0 ? (
          <button
            type="button"
            className="button-ok co-grow"
            data-testid="return-complete"
            disabled={busy || !canComplete}
            onClick={() => void cart.getState().complete()}
          >
            {t('returns.refund', { amount: formatFen(-totals.netFen) })}
          </button>
        ) : (
          <p className="co-hint co-grow">{t('returns.payOnSell', { amount: formatFen(totals.dueFen) })}</p>
        )}
      </div>
    </section>
  );
}
