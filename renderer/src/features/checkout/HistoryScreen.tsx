import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { formatFen } from '../../ui/format/money.js';
import { describeError } from '../../i18n/describe-error.js';
import { pickName } from '../../i18n/pick-name.js';
import { useApp, useServices, useT, useStoreTimeZone } from '../../app/services.js';
import type { ApiError } from '../../api/contract.js';
import type { SaleSummary, SaleView } from './checkout-types.js';
import { MessageBanner } from '../../ui/MessageBanner.js';
import { CheckoutGate } from '../session/CheckoutGate.js';
import { formatStoreTime } from '../../ui/format/store-time.js';
import './cart-lines.css';
import './sale-done.css';

/** Sales history of this device: today's sales, one by receipt number, reprint. */
export function HistoryScreen() {
  return (
    <CheckoutGate needs="sell">
      <History />
    </CheckoutGate>
  );
}

type Note = { tone: 'error' | 'info'; text: string } | undefined;

function History() {
  const t = useT();
  const { api } = useServices();
  const timezone = useStoreTimeZone() ?? 'Asia/Shanghai';
  const [sales, setSales] = useState<SaleSummary[] | undefined>(undefined);
  const [open, setOpen] = useState<SaleView | undefined>(undefined);
  const [note, setNote] = useState<Note>(undefined);
  const field = useRef<HTMLInputElement>(null);

  const fail = (error: ApiError, receiptNo?: string) =>
    setNote({
      tone: 'error',
      text: error.code === 'NOT_FOUND' && receiptNo ? t('returns.notFound', { receiptNo }) : describeError(t, error),
    });

  useEffect(() => {
    let current = true;
    void api.call('sales', 'today', {}).then((result) => {
      if (!current) return;
      if (result.ok) setSales(result.value);
    });
    return () => {
      current = false;
    };
  }, [api]);

  const show = async (receiptNo: string) => {
    const result = await api.call('sales', 'find', { receiptNo });
    if (result.ok) {
      setOpen(result.value);
      setNote(undefined);
    } else fail(result.error, receiptNo);
  };

  // A receipt scanned here opens it (`text`: without the `]C0` a scanner set to send AIM identifiers puts first).
  useEffect(() => api.on('scanned', (event) => void show(event.text ?? event.raw)));

  const search = (event: FormEvent) => {
    event.preventDefault();
    const value = field.current?.value.trim();
    if (value) void show(value);
  };

  const reprint = async (receiptNo: string) => {
    const result = await api.call('sales', 'reprint', { receiptNo });
    if (!result.ok) fail(result.error);
    else if (result.value.sent) setNote({ tone: 'info', text: t('checkout.history.reprinted', { receiptNo }) });
    else setNote({ tone: 'error', text: `${t('checkout.done.printFailed')} ${result.value.error ?? ''}`.trim() });
  };

  return (
    <section className="co-history" aria-label={t('app.nav.history')}>
      <div className="co-sell-main">
        <form className="co-entry" onSubmit={search}>
          <input
            ref={field}
            className="co-input co-grow mono"
            data-testid="history-search"
            placeholder={t('returns.placeholder')}
            aria-label={t('returns.placeholder')}
            autoComplete="off"
          />
          <button type="submit" className="button-primary" data-testid="history-find">
            {t('returns.find')}
          </button>
        </form>
        {note && <MessageBanner tone={note.tone} text={note.text} onDismiss={() => setNote(undefined)} />}
        {open && <SaleDetail sale={open} timezone={timezone} onReprint={() => void reprint(open.receiptNo)} />}
      </div>
      <aside className="co-sell-side">
        <section className="co-panel co-side-scroll">
          <h3 className="co-panel-title">{t('checkout.history.today', { count: sales?.length ?? 0 })}</h3>
          {sales?.length === 0 && <p className="co-muted">{t('checkout.history.none')}</p>}
          <ul className="co-list">
            {sales?.map((s) => (
              <li key={s.saleId}>
                <button
                  type="button"
                  className="co-list-row"
                  data-testid="history-row"
                  data-receipt-no={s.receiptNo}
                  onClick={() => void show(s.receiptNo)}
                >
                  <span className="co-grow">
                    <span className="mono">{s.receiptNo}</span>
                    <span className="co-muted co-block">
                      {formatStoreTime(s.createdAt, timezone)} · {t(`checkout.kind.${s.kind}`)} ·{' '}
                      {s.memberName ?? t('checkout.history.guest')}
                    </span>
                  </span>
                  <strong className={s.netFen < 0 ? 'co-money co-refund' : 'co-money'}>{formatFen(s.netFen)}</strong>
                </button>
              </li>
            ))}
          </ul>
        </section>
      </aside>
    </section>
  );
}

function SaleDetail({ sale, timezone, onReprint }: { sale: SaleView; timezone: string; onReprint: () => void }) {
  const t = useT();
  const language = useApp((s) => s.language);
  return (
    <section className="co-card" data-testid="history-sale-detail" data-receipt-no={sale.receiptNo}>
      <header className="co-card-head">
        <div>
          <div className="mono co-receipt-no">{sale.receiptNo}</div>
          <div className="co-muted">
            {t(`checkout.kind.${sale.kind}`)} · {formatStoreTime(sale.createdAt, timezone, true)} · {sale.staff.name}
            {sale.member && ` · ${sale.member.name}`}
          </div>
        </div>
        <strong className="co-money co-card-total">{formatFen(sale.totals.netFen)}</strong>
      </header>
      <ol className="co-cart-lines">
        {sale.lines.map((line) => (
          <li key={line.saleLineId} className="co-line co-line-readonly" data-testid="history-line">
            <div className="co-line-item">
              <div className="co-line-name">{pickName(line.name, language)}</div>
              <div className="co-line-meta">
                {pickName(line.colour, language)} · {line.size} <span className="mono co-faint">{line.sku}</span>
              </div>
            </div>
            <span className="co-step-value">{line.qty}</span>
            <span className="co-right co-money">{line.discountFen > 0 ? `−${formatFen(line.discountFen)}` : ''}</span>
            <strong className="co-right co-money">{formatFen(line.totalFen)}</strong>
          </li>
        ))}
      </ol>
      <div className="co-done-facts">
        {sale.tenders.map((tender, i) => (
          <span key={i}>
            {t(`checkout.tender.method.${tender.method}`)} <strong className="co-money">{formatFen(tender.amountFen)}</strong>
          </span>
        ))}
      </div>
      <div className="co-form-actions">
        <button type="button" className="button-ghost" data-testid="reprint" onClick={onReprint}>
          {t('checkout.history.reprint')}
        </button>
      </div>
    </section>
  );
}
