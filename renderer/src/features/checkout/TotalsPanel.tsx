import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { NONE, useCart } from './checkout-hooks.js';
import { useApp, useT } from '../../app/services.js';
import './totals-panel.css';

/** Subtotal, every kind of discount, and what is due, big. */
export function TotalsPanel() {
  const t = useT();
  const language = useApp((s) => s.language);
  const totals = useCart((s) => s.cart?.totals);
  const promotions = useCart((s) => s.cart?.promotions ?? NONE);
  if (!totals) return null;
  const thresholdFen =
    totals.discountFen - totals.manualDiscountFen - totals.promotionDiscountFen - totals.couponDiscountFen - totals.pointsFen;
  const row = (label: string, fen: number, testId: string, negative = true) =>
    fen !== 0 && (
      <div className="co-total-row" data-testid={testId}>
        <span>{label}</span>
        <span className="co-money">{negative ? `−${formatFen(fen)}` : formatFen(fen)}</span>
      </div>
    );
  return (
    <section className="co-totals" aria-label={t('checkout.totals.title')}>
      <div className="co-total-row">
        <span>{t('checkout.totals.subtotal', { count: totals.itemCount })}</span>
        <span className="co-money" data-testid="total-subtotal">
          {formatFen(totals.subtotalFen)}
        </span>
      </div>
      {row(t('checkout.totals.manual'), totals.manualDiscountFen, 'total-manual')}
      {row(t('checkout.totals.promotions'), totals.promotionDiscountFen, 'total-promotions')}
      {/* Spend-threshold promotions, when main counts them apart from the item promotions. */}
      {row(t('checkout.totals.threshold'), thresholdFen, 'total-threshold')}
      {promotions.length > 0 && (
        <div className="co-total-promos" data-testid="total-cart-promotions">
          {promotions.map((p) => (
            <span key={p.id} className="co-tag co-tag-promo">
              {pickName(p.name, language)} −{formatFen(p.discountFen)}
            </span>
          ))}
        </div>
      )}
      {row(t('checkout.totals.coupons'), totals.couponDiscountFen, 'total-coupons')}
      {row(t('checkout.totals.points'), totals.pointsFen, 'total-points')}
      {row(t('checkout.totals.refund'), totals.refundFen, 'total-refund')}
      {row(t('checkout.totals.paid'), totals.paidFen, 'total-paid')}
      <div className="co-total-due">
        <span>{totals.netFen < 0 ? t('checkout.totals.refundDue') : t('checkout.totals.due')}</span>
        <span className="co-money" data-testid="total-due">
          {formatFen(totals.netFen < 0 ? -totals.netFen : totals.dueFen)}
        </span>
      </div>
    </section>
  );
}
