import { useState } from 'react';
import { fenToYuanText, formatFen } from '../../ui/format/money.js';
import { parseYuanToFen, quickAmounts, typeAmountKey } from '../../ui/amount-entry.js';
import { NONE, useCart } from './checkout-hooks.js';
import { useServices, useT } from '../../app/services.js';
import type { TenderInput } from './checkout-types.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { cartMessageText, cartMessageTone } from './cart-message-text.js';
import { Keypad } from '../../ui/Keypad.js';
import { Modal } from '../../ui/Modal.js';
import './amount-dialog.css';

type Tab = 'cash' | 'card' | 'external' | 'mobile';
const TABS: Tab[] = ['cash', 'card', 'external', 'mobile'];

/**
 * Payment: cash with the amount handed over (change shown big), card or another terminal with its
 * reference, a customer's WeChat Pay / Alipay / UnionPay QR code. Split tender: pay part, then the rest. The sale
 * completes by itself once nothing is due.
 */
export function TenderDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const { cart } = useServices();
  const totals = useCart((s) => s.cart?.totals);
  const tenders = useCart((s) => s.cart?.tenders ?? NONE);
  const busy = useCart((s) => s.busy);
  const message = useCart((s) => s.message);
  const [tab, setTab] = useState<Tab>('cash');
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [payCode, setPayCode] = useState('');
  if (!totals) return null;

  const due = totals.dueFen;
  const typed = parseYuanToFen(amount);
  // Card and other terminals take what is due unless the cashier splits it.
  const tenderFen = tab === 'cash' ? typed : (typed ?? due);
  const change = tab === 'cash' && typed !== undefined && typed > due ? typed - due : 0;

  const pay = async (input: TenderInput) => {
    const state = cart.getState();
    if (!(await state.addTender(input))) return;
    setAmount('');
    setReference('');
    setPayCode('');
    if (cart.getState().cart?.canComplete && (await cart.getState().complete())) onClose();
  };

  const submit = () => {
    if (busy) return;
    if (tab === 'cash' && tenderFen) void pay({ method: 'cash', givenFen: tenderFen });
    if ((tab === 'card' || tab === 'external') && tenderFen && reference.trim())
      void pay({ method: tab, amountFen: Math.min(tenderFen, due), reference: reference.trim() });
    if (tab === 'mobile' && payCode.trim())
      void pay({ method: 'mobile', code: payCode.trim(), amountFen: tenderFen && tenderFen < due ? tenderFen : due });
  };

  const canSubmit =
    !busy &&
    due > 0 &&
    (tab === 'cash' ? !!tenderFen : tab === 'mobile' ? /^\d{16,24}$/.test(payCode.trim()) : !!tenderFen && reference.trim().length > 0);

  return (
    <Modal title={t('checkout.tender.title')} onClose={onClose} testId="tender-dialog" wide>
      <div className="co-tender">
        <div className="co-tender-left">
          <div className="co-tender-due">
            <span>{t('checkout.tender.due')}</span>
            <strong className="co-money" data-testid="tender-due">
              {formatFen(due)}
            </strong>
          </div>
          {tenders.length > 0 && (
            <ul className="co-tender-list" data-testid="tender-list">
              {tenders.map((tender) => (
                <li key={tender.tenderId} data-testid="tender-row" data-method={tender.method}>
                  <span>{t(`checkout.tender.method.${tender.method}`)}</span>
                  {tender.reference && <span className="mono co-faint">{tender.reference}</span>}
                  <span className="co-money co-grow co-right">{formatFen(tender.amountFen)}</span>
                  <button
                    type="button"
                    className="co-icon-button co-icon-danger"
                    aria-label={t('checkout.tender.remove')}
                    data-testid="tender-remove"
                    onClick={() => void cart.getState().removeTender(tender.tenderId)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="co-tabs" role="tablist">
            {TABS.map((id) => (
              <button
                key={id}
                type="button"
                role="tab"
                aria-selected={tab === id}
                className={tab === id ? 'segment co-tab is-active' : 'segment co-tab'}
                data-testid={`tender-tab-${id}`}
                onClick={() => {
                  setTab(id);
                  setAmount('');
                }}
              >
                {t(`checkout.tender.tab.${id}`)}
              </button>
            ))}
          </div>
          {tab === 'cash' && (
            <div className="co-quick" data-testid="tender-quick">
              {quickAmounts(due).map((fen) => (
                <button
                  key={fen}
                  type="button"
                  className="co-quick-amount co-money"
                  data-fen={fen}
                  onClick={() => setAmount(fenToYuanText(fen))}
                >
                  {formatFen(fen)}
                </button>
              ))}
            </div>
          )}
          {(tab === 'card' || tab === 'external') && (
            <label className="co-field">
              <span className="co-field-label">{t('checkout.tender.reference')}</span>
              <input
                className="co-input mono"
                data-testid="tender-reference"
                value={reference}
                onChange={(e) => setReference(e.target.value)}
                autoComplete="off"
              />
            </label>
          )}
          {tab === 'mobile' && (
            <label className="co-field">
              <span className="co-field-label">{t('checkout.tender.payCode')}</span>
              <input
                className="co-input mono"
                data-testid="tender-paycode"
                value={payCode}
                inputMode="numeric"
                onChange={(e) => setPayCode(e.target.value.replace(/\D/g, ''))}
                autoComplete="off"
              />
              <span className="co-hint">{t('checkout.tender.payCodeHint')}</span>
            </label>
          )}
          {message && (
            <MessageBanner tone={cartMessageTone(message)} text={cartMessageText(t, message)} onDismiss={cart.getState().dismissMessage} />
          )}
        </div>
        <div className="co-tender-right">
          <div className="co-amount-display">
            <span className="co-field-label">{tab === 'cash' ? t('checkout.tender.given') : t('checkout.tender.amount')}</span>
            <span className="co-amount co-money" data-testid="tender-amount">
              {tenderFen === undefined ? '—' : formatFen(tenderFen)}
            </span>
          </div>
          {tab === 'cash' && (
            <div className={change > 0 ? 'co-change is-due' : 'co-change'} data-testid="tender-change">
              <span>{t('checkout.tender.change')}</span>
              <strong className="co-money">{formatFen(change)}</strong>
            </div>
          )}
          <Keypad decimal onKey={(key) => setAmount((a) => typeAmountKey(a, key))} testId="tender-keypad" />
          <button type="button" className="button-ok" data-testid="tender-submit" disabled={!canSubmit} onClick={submit}>
            {busy ? t('checkout.busy') : t(`checkout.tender.submit.${tab}`)}
          </button>
        </div>
      </div>
    </Modal>
  );
}
