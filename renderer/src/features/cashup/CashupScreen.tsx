import { useEffect, useState } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { describeError } from '../../i18n/describe-error.js';
import { parseYuanToFen, typeAmountKey } from '../../ui/amount-entry.js';
import { useTill } from './till-hooks.js';
import type { TillMessage } from './till-store.js';
import type { CountedInput } from './till-types.js';
import { useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { Translate } from '../../i18n/translate.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { Keypad } from '../../ui/Keypad.js';
import { ReportView } from './ReportView.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import '../../styles/checkout.css';

/** The Cash-up tab: open the day with a float, cash in and out, X report, Z report with the count. */
export function CashupScreen() {
  return (
    <CheckoutGate needs="cash">
      <Cashup />
    </CheckoutGate>
  );
}

function tillMessageText(t: Translate, message: TillMessage): string {
  if (message.kind === 'error') return describeError(t, message.error);
  if (message.kind === 'approval-cancelled') return t('session.approval.cancelled');
  return t(`cashup.till.done.${message.what}`);
}

function Cashup() {
  const t = useT();
  const { till } = useServices();
  const state = useTill((s) => s.till);
  const report = useTill((s) => s.report);
  const message = useTill((s) => s.message);
  const timezone = useStoreTimeZone() ?? 'Asia/Shanghai';

  useEffect(() => {
    void till.getState().load();
  }, [till]);

  return (
    <section className="co-cashup" aria-label={t('app.nav.cashup')}>
      <div className="co-cashup-main">
        {message && (
          <MessageBanner
            tone={message.kind === 'done' ? 'info' : 'error'}
            text={tillMessageText(t, message)}
            onDismiss={till.getState().dismissMessage}
          />
        )}
        {state?.state === 'closed' &&
          (report?.kind === 'z' ? (
            <ReportView report={report} timezone={timezone} />
          ) : (
            <OpenTill lastZ={state.lastZ?.businessDay ?? null} />
          ))}
        {state?.state === 'open' && (
          <>
            <div className="co-till-head" data-testid="till-open">
              <span className="co-tag co-tag-ok">{t('cashup.till.open')}</span>
              <span>{t('cashup.report.day', { day: state.businessDay })}</span>
              <span className="co-muted">
                {t('cashup.till.openedBy', { name: state.openedBy, time: formatStoreTime(state.openedAt, timezone) })} ·{' '}
                {t('cashup.report.float')} {formatFen(state.floatFen)}
              </span>
            </div>
            {report ? <ReportView report={report} timezone={timezone} /> : <CashMovements />}
          </>
        )}
      </div>
      {state?.state === 'open' && (
        <aside className="co-sell-side">
          <CloseDay />
        </aside>
      )}
      {/* Just closed: the Z report stays in view, the next day's opening beside it. */}
      {state?.state === 'closed' && report?.kind === 'z' && (
        <aside className="co-sell-side">
          <OpenTill lastZ={state.lastZ?.businessDay ?? null} />
        </aside>
      )}
    </section>
  );
}

function OpenTill({ lastZ }: { lastZ: string | null }) {
  const t = useT();
  const { till } = useServices();
  const busy = useTill((s) => s.busy);
  const [amount, setAmount] = useState('');
  const fen = parseYuanToFen(amount);
  return (
    <section className="co-card co-open-till" data-testid="till-closed">
      <h2>{t('cashup.till.openTitle')}</h2>
      <p className="co-muted">{lastZ ? t('cashup.till.lastZ', { day: lastZ }) : t('cashup.till.firstDay')}</p>
      <div className="co-amount-display">
        <span className="co-field-label">{t('cashup.till.float')}</span>
        <span className="co-amount co-money" data-testid="float-amount">
          {fen === undefined ? '—' : formatFen(fen)}
        </span>
      </div>
      <Keypad decimal onKey={(key) => setAmount((a) => typeAmountKey(a, key))} testId="float-keypad" />
      <button
        type="button"
        className="button-primary"
        data-testid="till-open-submit"
        disabled={busy || fen === undefined}
        onClick={() => fen !== undefined && void till.getState().open(fen)}
      >
        {t('cashup.till.openSubmit')}
      </button>
    </section>
  );
}

function CashMovements() {
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

const COUNTED_METHODS = ['cash', 'card', 'external', 'wechat', 'alipay'] as const;

/** X report any time; the Z report closes the day with what was counted. Blind: counted before expected is seen. */
function CloseDay() {
  const t = useT();
  const { till } = useServices();
  const busy = useTill((s) => s.busy);
  const report = useTill((s) => s.report);
  const [blind, setBlind] = useState(true);
  const [counted, setCounted] = useState<Record<string, string>>({});
  const expected = report?.kind === 'x' && !report.blind ? report.tenders : undefined;
  const cashFen = parseYuanToFen(counted.cash ?? '');

  const closeDay = () => {
    if (cashFen === undefined) return;
    const input: CountedInput = { cash: cashFen };
    for (const method of COUNTED_METHODS) {
      if (method === 'cash') continue;
      const fen = parseYuanToFen(counted[method] ?? '');
      if (fen !== undefined) input[method] = fen;
    }
    void till.getState().zReport(input, blind);
  };

  return (
    <section className="co-panel co-close-day">
      <h3 className="co-panel-title">{t('cashup.till.reports')}</h3>
      <div className="co-form-actions">
        <button
          type="button"
          className="button-ghost co-grow"
          data-testid="x-report"
          disabled={busy}
          onClick={() => void till.getState().xReport(false)}
        >
          {t('cashup.till.xReport')}
        </button>
        {report && (
          <button type="button" className="button-ghost" onClick={() => till.getState().clearReport()}>
            {t('cashup.till.hideReport')}
          </button>
        )}
      </div>
      <h3 className="co-panel-title">{t('cashup.till.count')}</h3>
      <label className="co-check">
        <input
          type="checkbox"
          data-testid="blind-count"
          checked={blind}
          onChange={(e) => {
            setBlind(e.target.checked);
            // Counting openly: show what the till expects beside each field.
            if (!e.target.checked) void till.getState().xReport(false);
          }}
        />
        <span>{t('cashup.till.blind')}</span>
      </label>
      {COUNTED_METHODS.map((method) => {
        const exp = !blind ? expected?.find((e) => e.method === method)?.expectedFen : undefined;
        return (
          <label key={method} className="co-count-row">
            <span className="co-grow">
              {t(`checkout.tender.method.${method}`)}
              {exp !== undefined && exp !== null && (
                <span className="co-muted"> · {t('cashup.till.expected', { amount: formatFen(exp) })}</span>
              )}
            </span>
            <input
              className="co-input co-count-input co-money"
              data-testid={`count-${method}`}
              inputMode="decimal"
              placeholder={method === 'cash' ? '0.00' : t('cashup.till.optional')}
              value={counted[method] ?? ''}
              onChange={(e) => {
                const value = e.target.value;
                setCounted((c) => ({ ...c, [method]: value.split('').reduce(typeAmountKey, '') }));
              }}
            />
          </label>
        );
      })}
      <button type="button" className="button-primary" data-testid="z-report" disabled={busy || cashFen === undefined} onClick={closeDay}>
        {t('cashup.till.zReport')}
      </button>
    </section>
  );
}
