import { useState } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { pickName } from '../../i18n/pick-name.js';
import { parseYuanToFen, typeAmountKey } from '../../ui/amount-entry.js';
import { useSession } from '../session/session-hooks.js';
import { useCart } from './checkout-hooks.js';
import { useApp, useServices, useT } from '../../app/services.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { cartMessageText, cartMessageTone } from './cart-message-text.js';
import { Keypad } from '../../ui/Keypad.js';
import { Modal } from '../../ui/Modal.js';
import './amount-dialog.css';

type Mode = 'percent' | 'amount' | 'price';
const PERCENTS = [5, 10, 20, 30, 50];

/** Line discount or price override. Above the cashier's limit main asks for a manager, and so does this. */
export function LineEditor({ lineId, onClose }: { lineId: string; onClose: () => void }) {
  const t = useT();
  const language = useApp((s) => s.language);
  const { cart } = useServices();
  const line = useCart((s) => s.cart?.lines.find((l) => l.lineId === lineId));
  const message = useCart((s) => s.message);
  const busy = useCart((s) => s.busy);
  const limit = useSession((s) => (s.session?.state === 'active' ? s.session.permissions.maxDiscountPercent : 0));
  const [mode, setMode] = useState<Mode>('percent');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  if (!line) return null;

  const done = (ok: boolean) => {
    if (ok) onClose();
  };
  const percent = Number(value);
  const fen = parseYuanToFen(value);
  const apply = () => {
    const state = cart.getState();
    if (mode === 'percent' && percent > 0 && percent <= 100) void state.lineDiscount(line.lineId, { kind: 'percent', percent }).then(done);
    if (mode === 'amount' && fen) void state.lineDiscount(line.lineId, { kind: 'amount', amountFen: fen }).then(done);
    if (mode === 'price' && fen !== undefined && reason.trim()) void state.priceOverride(line.lineId, fen, reason.trim()).then(done);
  };

  return (
    <Modal title={t('checkout.line.editTitle')} onClose={onClose} testId="line-editor" wide>
      <div className="co-editor-head">
        <strong>{pickName(line.name, language)}</strong>
        <span className="co-muted">
          {pickName(line.colour, language)} · {line.size} · {formatFen(line.listUnitFen)} × {line.qty}
        </span>
      </div>
      <div className="co-tender">
        <div className="co-tender-left">
          <div className="co-tabs" role="tablist">
            {(['percent', 'amount', 'price'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                className={mode === m ? 'segment co-tab is-active' : 'segment co-tab'}
                data-testid={`line-mode-${m}`}
                onClick={() => {
                  setMode(m);
                  setValue('');
                }}
              >
                {t(`checkout.line.mode.${m}`)}
              </button>
            ))}
          </div>
          {mode === 'percent' && (
            <div className="co-quick">
              {PERCENTS.map((p) => (
                <button
                  key={p}
                  type="button"
                  className={p > limit ? 'co-quick-amount needs-approval' : 'co-quick-amount'}
                  data-percent={p}
                  onClick={() => setValue(String(p))}
                >
                  {t('checkout.line.discountPercent', { percent: p })}
                </button>
              ))}
            </div>
          )}
          {mode === 'price' && (
            <label className="co-field">
              <span className="co-field-label">{t('checkout.line.reason')}</span>
              <input
                className="co-input"
                data-testid="line-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                autoComplete="off"
              />
            </label>
          )}
          <p className="co-hint">{t('checkout.line.limit', { percent: limit })}</p>
          {line.manualDiscount || line.override ? (
            <div className="co-form-actions">
              {line.manualDiscount && (
                <button
                  type="button"
                  className="button-ghost"
                  data-testid="line-discount-clear"
                  onClick={() => void cart.getState().lineDiscount(line.lineId, { kind: 'none' }).then(done)}
                >
                  {t('checkout.line.clearDiscount')}
                </button>
              )}
              {line.override && (
                <button
                  type="button"
                  className="button-ghost"
                  onClick={() =>
                    void cart
                      .getState()
                      .priceOverride(line.lineId, null, line.override?.reason ?? '-')
                      .then(done)
                  }
                >
                  {t('checkout.line.clearOverride')}
                </button>
              )}
            </div>
          ) : null}
          {message && (
            <MessageBanner tone={cartMessageTone(message)} text={cartMessageText(t, message)} onDismiss={cart.getState().dismissMessage} />
          )}
        </div>
        <div className="co-tender-right">
          <div className="co-amount-display">
            <span className="co-field-label">{t(`checkout.line.mode.${mode}`)}</span>
            <span className="co-amount co-money" data-testid="line-value">
              {value === '' ? '—' : mode === 'percent' ? `${value}%` : fen === undefined ? '—' : formatFen(fen)}
            </span>
          </div>
          <Keypad decimal onKey={(key) => setValue((v) => typeAmountKey(v, key))} testId="line-keypad" />
          <button
            type="button"
            className="button-primary"
            data-testid="line-apply"
            disabled={
              busy || value === '' || (mode === 'percent' && !(percent > 0 && percent <= 100)) || (mode === 'price' && !reason.trim())
            }
            onClick={apply}
          >
            {t('checkout.line.apply')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
