import { useEffect, useRef } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { NONE, useCart } from '../checkout/checkout-hooks.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { SaleView } from '../checkout/checkout-types.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { NoReceiptReturn } from './NoReceiptReturn.js';
import { SaleDone } from '../checkout/SaleDone.js';
import { Stepper } from '../../ui/Stepper.js';
import { cartMessageText, cartMessageTone } from '../checkout/cart-message-text.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import '../../styles/checkout.css';

/** The Returns tab: against a receipt (scanned or typed, or from the member's history), or without one. */
export function ReturnsScreen() {
  return (
    <CheckoutGate needs="returns">
      <Returns />
    </CheckoutGate>
  );
}

function Returns() {
  const t = useT();
  const { api, cart } = useServices();
  const timezone = useStoreTimeZone() ?? 'Asia/Shanghai';
  const message = useCart((s) => s.message);
  const sale = useCart((s) => s.returnSale);
  const lastSale = useCart((s) => s.lastSale);
  const member = useCart((s) => s.cart?.member ?? null);
  const memberSales = useCart((s) => s.memberSales);
  const inProgress = useCart((s) => s.cart?.return?.receiptNo ?? null);
  const field = useRef<HTMLInputElement>(null);

  // A receipt barcode scanned here is the receipt to return against.
  useEffect(
    () =>
      api.on('scanned', (event) => {
        if (event.kind !== 'malformed') void cart.getState().findSale(event.raw);
      }),
    [api, cart],
  );
  // Back on this tab with a return under way: show its receipt again.
  useEffect(() => {
    if (inProgress && cart.getState().returnSale?.receiptNo !== inProgress) void cart.getState().findSale(inProgress);
  }, [cart, inProgress]);
  useEffect(() => {
    if (member) void cart.getState().loadMemberSales(member.id);
  }, [cart, member]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = field.current?.value.trim();
    if (value) void cart.getState().findSale(value);
  };

  return (
    <section className="co-returns" aria-label={t('app.nav.returns')}>
      <div className="co-sell-main">
        <form className="co-entry" onSubmit={submit}>
          <input
            ref={field}
            className="co-input co-grow mono"
            data-testid="returns-receipt"
            placeholder={t('returns.placeholder')}
            aria-label={t('returns.placeholder')}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" className="button-primary" data-testid="returns-find">
            {t('returns.find')}
          </button>
        </form>
        {message && (
          <MessageBanner tone={cartMessageTone(message)} text={cartMessageText(t, message)} onDismiss={cart.getState().dismissMessage} />
        )}
        {lastSale ? (
          <SaleDone />
        ) : sale ? (
          <ReturnSale sale={sale} timezone={timezone} />
        ) : (
          <p className="co-hint co-center">{t('returns.hint')}</p>
        )}
      </div>
      <aside className="co-sell-side">
        <div className="co-side-scroll">
          {member && (
            <section className="co-panel" data-testid="member-history">
              <h3 className="co-panel-title">{t('returns.history', { name: member.name })}</h3>
              {memberSales?.length === 0 && <p className="co-muted">{t('returns.noHistory')}</p>}
              <ul className="co-list">
                {memberSales?.map((s) => (
                  <li key={s.saleId}>
                    <button
                      type="button"
                      className="co-list-row"
                      data-testid="history-sale"
                      onClick={() => void cart.getState().findSale(s.receiptNo)}
                    >
                      <span className="co-grow mono">{s.receiptNo}</span>
                      <span className="co-muted">{formatStoreTime(s.createdAt, timezone, true)}</span>
                      <strong className="co-money">{formatFen(s.netFen)}</strong>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <NoReceiptReturn />
        </div>
        <RefundSummary />
      </aside>
    </section>
  );
}

function ReturnSale({ sale, timezone }: { sale: SaleView; timezone: string }) {
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

function RefundSummary() {
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
