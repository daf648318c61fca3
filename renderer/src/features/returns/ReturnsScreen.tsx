import { useEffect, useRef } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { useCart } from '../checkout/checkout-hooks.js';
import { useServices, useT, useStoreTimeZone } from '../../app/services.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { NoReceiptReturn } from './NoReceiptReturn.js';
import { RefundSummary } from './RefundSummary.js';
import { ReturnSale } from './ReturnSale.js';
import { SaleDone } from '../checkout/SaleDone.js';
import { cartMessageText, cartMessageTone } from '../checkout/cart-message-text.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import './returns.css';

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
        if (event.kind !== 'malformed') void cart.getState().findSale(event.text ?? event.raw);
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
