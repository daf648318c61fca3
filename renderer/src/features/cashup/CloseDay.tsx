import { useState } from 'react';
import { useServices, useT } from '../../app/services.js';
import { parseYuanToFen, typeAmountKey } from '../../ui/amount-entry.js';
import { formatFen } from '../../ui/format/money.js';
import { useTill } from './till-hooks.js';
import type { CountedInput } from './till-types.js';

const COUNTED_METHODS = ['cash', 'card', 'external', 'wechat', 'alipay', 'unionpay'] as const;

/** X report any time; the Z report closes the day with what was counted. Blind: counted before expected is seen. */
export function CloseDay() {
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
