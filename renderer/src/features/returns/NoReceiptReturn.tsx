import { useState } from 'react';
import type { FormEvent } from 'react';
import { useServices, useT } from '../../app/services.js';
import './returns.css';

/** A return without a receipt, at today's price, refunded in cash: a manager approves it. */
export function NoReceiptReturn() {
  const t = useT();
  const { cart } = useServices();
  const [sku, setSku] = useState('');
  const [qty, setQty] = useState(1);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!sku.trim()) return;
    void cart
      .getState()
      .noReceiptReturn(sku.trim(), qty)
      .then((ok) => {
        if (ok) setSku('');
      });
  };
  return (
    <section className="co-panel">
      <h3 className="co-panel-title">{t('returns.noReceipt')}</h3>
      <form className="co-inline-form" onSubmit={submit}>
        <input
          className="co-input co-grow mono"
          data-testid="no-receipt-sku"
          value={sku}
          onChange={(e) => setSku(e.target.value)}
          placeholder={t('returns.noReceiptSku')}
          aria-label={t('returns.noReceiptSku')}
          autoComplete="off"
        />
        <input
          className="co-input co-qty-input"
          type="number"
          min={1}
          max={99}
          value={qty}
          aria-label={t('checkout.cart.qty')}
          onChange={(e) => setQty(Math.max(1, Math.min(99, Math.trunc(Number(e.target.value)) || 1)))}
        />
        <button type="submit" className="button-ghost" data-testid="no-receipt-submit">
          {t('returns.noReceiptAdd')}
        </button>
      </form>
      <p className="co-hint">{t('returns.noReceiptHint')}</p>
    </section>
  );
}
