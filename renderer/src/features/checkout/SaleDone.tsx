import { formatFen } from '../../ui/format/money.js';
import { useCart } from './checkout-hooks.js';
import { useServices, useT } from '../../app/services.js';
import { ReceiptSlot } from './ReceiptSlot.js';
import './sale-done.css';

/** After the sale: the change to hand back (big), the receipt number, what printed and opened. */
export function SaleDone() {
  const t = useT();
  const { cart } = useServices();
  const result = useCart((s) => s.lastSale);
  if (!result) return null;
  const { sale, receipt, drawer } = result;
  const refund = sale.totals.netFen < 0;
  return (
    <section className="co-done" data-testid="sale-done" data-receipt-no={sale.receiptNo} aria-live="polite">
      <div className="co-done-main">
        <div className="co-done-head">
          <div className="co-done-check" aria-hidden="true">
            ✓
          </div>
          <h2>{t(`checkout.done.title.${sale.kind}`)}</h2>
        </div>
        {refund ? (
          <div className="co-done-big">
            <span>{t('checkout.done.refund')}</span>
            <strong className="co-money" data-testid="done-refund">
              {formatFen(-sale.totals.netFen)}
            </strong>
          </div>
        ) : (
          <div className="co-done-big">
            <span>{t('checkout.done.change')}</span>
            <strong className="co-money" data-testid="done-change">
              {formatFen(sale.totals.changeFen)}
            </strong>
          </div>
        )}
        <div className="co-done-facts">
          <span>
            {t('checkout.done.total')} <strong className="co-money">{formatFen(sale.totals.totalFen)}</strong>
          </span>
          {sale.tenders.map((tender, i) => (
            <span key={i}>
              {t(`checkout.tender.method.${tender.method}`)}{' '}
              <strong className="co-money">{formatFen(tender.givenFen ?? tender.amountFen)}</strong>
            </span>
          ))}
        </div>
        <button
          type="button"
          className="button-primary co-done-next"
          data-testid="next-customer"
          onClick={() => cart.getState().nextCustomer()}
        >
          {t('checkout.done.next')}
        </button>
      </div>
      <div className="co-done-side">
        <ReceiptSlot receiptNo={sale.receiptNo} sent={receipt.sent} />
        {/* Main's reason is for IT (English, technical): the sentence is the UI's, the reason small under it. */}
        {!receipt.sent && (
          <div className="co-done-warning" data-testid="done-print-failed">
            <p>{t('checkout.done.printFailed')}</p>
            {receipt.error && <small className="mono">{receipt.error}</small>}
          </div>
        )}
        {drawer && !drawer.opened && (
          <div className="co-done-warning" data-testid="done-drawer-failed">
            <p>{t(drawer.uncertain ? 'checkout.done.drawerUncertain' : 'checkout.done.drawerFailed')}</p>
            {drawer.error && <small className="mono">{drawer.error}</small>}
          </div>
        )}
      </div>
    </section>
  );
}
