import { useState } from 'react';
import { useServices, useT } from '../../app/services.js';
import { parseYuanToFen } from '../../ui/amount-entry.js';
import { useTill } from './till-hooks.js';

/** Cash put into or taken out of the drawer, or the drawer opened without a sale, each with a reason. */
export function CashMovements() {
  const t = useT();
  const { till } = useServices();
  const busy = useTill((s) => s.busy);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const fen = parseYuanToFen(amount);
  const ready = !busy && fen !== undefined && fen > 0 && reason.trim().length > 0;
  const reset = (ok: boolean) => {
    if (!ok) return;
    setAmount('');
    setReason('');
  };
  return (
    <section className="co-card" data-testid="cash-movements">
      <h2>{t('cashup.till.movements')}</h2>
      <div className="co-movement-form">
        <label className="co-field">
          <span className="co-field-label">{t('cashup.till.amount')}</span>
          <input
            className="co-input co-money"
            data-testid="movement-amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value.replace(/[^\d.]/g, ''))}
          />
        </label>
        <label className="co-field co-grow">
          <span className="co-field-label">{t('cashup.till.reason')}</span>
          <input
            className="co-input"
            data-testid="movement-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={120}
          />
        </label>
      </div>
      <div className="co-form-actions">
        <button
          type="button"
          className="button-ghost co-grow"
          data-testid="paid-in"
          disabled={!ready}
          onClick={() => fen && void till.getState().paidIn(fen, reason.trim()).then(reset)}
        >
          {t('cashup.till.paidIn')}
        </button>
        <button
          type="button"
          className="button-ghost co-grow"
          data-testid="paid-out"
          disabled={!ready}
          onClick={() => fen && void till.getState().paidOut(fen, reason.trim()).then(reset)}
        >
          {t('cashup.till.paidOut')}
        </button>
        <button
          type="button"
          className="button-ghost co-grow"
          data-testid="no-sale"
          disabled={busy || reason.trim().length === 0}
          onClick={() => void till.getState().noSale(reason.trim()).then(reset)}
        >
          {t('cashup.till.noSale')}
        </button>
      </div>
    </section>
  );
}
