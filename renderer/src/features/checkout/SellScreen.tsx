import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { useTill } from '../cashup/till-hooks.js';
import { useSession } from '../session/session-hooks.js';
import { useCart } from './checkout-hooks.js';
import { useServices, useT, useStoreTimeZone } from '../../app/services.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CartLines } from './CartLines.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { CouponsPanel } from './CouponsPanel.js';
import { LineEditor } from './LineEditor.js';
import { MemberPanel } from './MemberPanel.js';
import { ParkedDialog } from './ParkedDialog.js';
import { SaleDone } from './SaleDone.js';
import { TenderDialog } from './TenderDialog.js';
import { TotalsPanel } from './TotalsPanel.js';
import { cartMessageText, cartMessageTone } from './cart-message-text.js';
import './sell-screen.css';

/** The Sell tab: scan-to-cart behind the PIN login. */
export function SellScreen() {
  return (
    <CheckoutGate needs="sell">
      <Sell />
    </CheckoutGate>
  );
}

function Sell() {
  const t = useT();
  const { api, cart } = useServices();
  const timezone = useStoreTimeZone() ?? 'Asia/Shanghai';
  const message = useCart((s) => s.message);
  const lastSale = useCart((s) => s.lastSale);
  const busy = useCart((s) => s.busy);
  const hasLines = useCart((s) => (s.cart?.lines.length ?? 0) > 0 || (s.cart?.return?.lines.length ?? 0) > 0);
  const due = useCart((s) => s.cart?.totals.dueFen ?? 0);
  const canComplete = useCart((s) => s.cart?.canComplete ?? false);
  // Guides build carts for their customers and park them for a cashier: they take no money.
  const mayTender = useSession((s) => s.session?.state === 'active' && s.session.permissions.tender);
  // Payment needs an open business day: say so before the customer is at the tender dialog.
  const tillClosed = useTill((s) => s.till?.state === 'closed');
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const cartId = useCart((s) => s.cart?.id);
  const [dialog, setDialog] = useState<'tender' | 'parked' | undefined>(undefined);
  // The tender dialog belongs to one cart: once that sale completes (a fresh cart), it stays closed.
  const [tenderCart, setTenderCart] = useState<string | undefined>(undefined);
  const entry = useRef<HTMLInputElement>(null);

  // Only the active screen is mounted, so only it takes scans: here they go to the cart.
  useEffect(() => api.on('scanned', (event) => void cart.getState().handleScan(event)), [api, cart]);
  useEffect(() => {
    void cart.getState().load();
  }, [cart]);

  const submitEntry = (event: FormEvent) => {
    event.preventDefault();
    const field = entry.current;
    if (!field?.value.trim()) return;
    void cart.getState().scan(field.value);
    field.value = '';
  };

  return (
    <section className="co-sell" aria-label={t('app.nav.sell')}>
      <div className="co-sell-main">
        <form className="co-entry" onSubmit={submitEntry}>
          <input
            ref={entry}
            className="co-input co-grow"
            data-testid="sell-entry"
            placeholder={t('checkout.sell.entryPlaceholder')}
            aria-label={t('checkout.sell.entryPlaceholder')}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" className="button-primary" data-testid="sell-entry-submit">
            {t('checkout.sell.add')}
          </button>
          <div className="co-entry-actions">
            <button
              type="button"
              className="button-ghost"
              data-testid="park"
              disabled={!hasLines || busy}
              onClick={() => void cart.getState().park('')}
            >
              {t('checkout.sell.park')}
            </button>
            <button type="button" className="button-ghost" data-testid="parked" onClick={() => setDialog('parked')}>
              {t('checkout.sell.parked')}
            </button>
            <button
              type="button"
              className="button-ghost"
              data-testid="clear-cart"
              disabled={!hasLines || busy}
              onClick={() => void cart.getState().clear()}
            >
              {t('checkout.sell.clear')}
            </button>
          </div>
        </form>
        <MemberPanel />
        {tillClosed && !message && (
          <p className="co-till-closed" data-testid="till-closed-note">
            {t('checkout.sell.tillClosed')}
          </p>
        )}
        {message && !dialog && !editing && (
          <MessageBanner tone={cartMessageTone(message)} text={cartMessageText(t, message)} onDismiss={cart.getState().dismissMessage} />
        )}
        {lastSale ? <SaleDone /> : <CartLines onEdit={(line) => setEditing(line.lineId)} />}
      </div>
      <aside className="co-sell-side">
        <div className="co-side-scroll">
          <CouponsPanel />
        </div>
        <TotalsPanel />
        {!mayTender ? (
          <p className="co-hint" data-testid="no-tender">
            {t('checkout.sell.noTender')}
          </p>
        ) : canComplete && due === 0 ? (
          <button
            type="button"
            className="button-ok co-pay"
            data-testid="complete"
            disabled={busy}
            onClick={() => void cart.getState().complete()}
          >
            {t('checkout.sell.complete')}
          </button>
        ) : (
          <button
            type="button"
            className="button-ok co-pay"
            data-testid="pay"
            disabled={!hasLines || due === 0}
            onClick={() => {
              setTenderCart(cartId);
              setDialog('tender');
            }}
          >
            {t('checkout.sell.pay', { amount: formatFen(due) })}
          </button>
        )}
      </aside>
      {dialog === 'tender' && !lastSale && tenderCart === cartId && <TenderDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'parked' && <ParkedDialog timezone={timezone} onClose={() => setDialog(undefined)} />}
      {editing && <LineEditor lineId={editing} onClose={() => setEditing(undefined)} />}
    </section>
  );
}
