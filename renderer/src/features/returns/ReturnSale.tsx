import { useApp, useServices, useT } from '../../app/services.js';
import { pickName } from '../../i18n/pick-name.js';
import { formatFen } from '../../ui/format/money.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import { Stepper } from '../../ui/Stepper.js';
import { useCart } from '../checkout/checkout-hooks.js';
import type { SaleView } from '../checkout/checkout-types.js';
import '../checkout/cart-lines.css';
import './returns.css';

/** The original sale found by its receipt: its lines with what is left to return, and how many of each go back. */
export function ReturnSale({ sale, timezone }: { sale: SaleView; timezone: string }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { cart } = useServices();
  const returning = useCart((s) => s.cart?.return);
  const busy = useCart((s) => s.busy);
  const started = returning?.receiptNo === sale.receiptNo;

  return (
    <section className="co-card" data-testid="return-sale" data-receipt-no={sale.receiptNo}>
      <header className="co-card-head">
        <div>
          <div className="mono co-receipt-no">{sale.receiptNo}</div>
          <div className="co-muted">
            {formatStoreTime(sale.createdAt, timezone, true)} · {sale.staff.name}
            {sale.member && ` · ${sale.member.name}`}
          </div>
        </div>
        <strong className="co-money co-card-total">{formatFen(sale.totals.netFen)}</strong>
      </header>
      <ol className="co-cart-lines">
        {sale.lines
          .filter((l) => l.qty > 0)
          .map((line) => {
            const left = line.qty - line.returnedQty;
            const chosen = returning?.lines.find((r) => r.saleLineId === line.saleLineId);
            return (
              <li key={line.saleLineId} className="co-line co-line-returnable" data-testid="return-line" data-sku={line.sku}>
                <div className="co-line-item">
                  <div className="co-line-name">{pickName(line.name, language)}</div>
                  <div className="co-line-meta">
                    {pickName(line.colour, language)} · {line.size} ·{' '}
                    {t('returns.paid', { qty: line.qty, amount: formatFen(line.totalFen) })}
                    {line.returnedQty > 0 && (
                      <span className="co-tag co-tag-warn">{t('returns.alreadyReturned', { qty: line.returnedQty })}</span>
                    )}
                  </div>
                </div>
                {started && left > 0 ? (
                  <Stepper
                    testId="return-qty"
                    value={chosen?.qty ?? 0}
                    min={0}
                    max={left}
                    disabled={busy}
                    onChange={(qty) => void cart.getState().setReturnQty(line.saleLineId, qty)}
                  />
                ) : (
                  <span className="co-muted">{left > 0 ? t('returns.left', { qty: left }) : t('returns.none')}</span>
                )}
                <div className="co-right co-money co-refund" data-testid="return-line-refund">
                  {chosen ? `−${formatFen(chosen.refundFen)}` : ''}
                </div>
              </li>
            );
          })}
      </ol>
      {!started && (
        <div className="co-form-actions">
          <button
            type="button"
            className="button-primary co-grow"
            data-testid="return-start"
            disabled={busy}
            onClick={() => void cart.getState().startReturn(sale.receiptNo)}
          >
            {t('returns.start')}
          </button>
        </div>
      )}
      {started && <p className="co-hint">{t('returns.exchangeHint')}</p>}
    </section>
  );
}
